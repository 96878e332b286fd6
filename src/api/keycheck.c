/* The shared key check (see keycheck.h). */
#include "api/keycheck.h"

#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/log.h"
#include "util/alloc.h"

static struct queue waiting = QUEUE_INIT(waiting);
static pthread_t checker;
static bool running;
static atomic_ullong checks_answered, statements_sent;

static void copy_text(char *to, size_t size, const PGresult *r, int row, int col)
{
	snprintf(to, size, "%s", PQgetisnull(r, row, col) ? "" : PQgetvalue(r, row, col));
}

static char *dup_or_null(const PGresult *r, int row, int col)
{
	return PQgetisnull(r, row, col) ? NULL : xstrdup(PQgetvalue(r, row, col));
}

/* Columns of Q_KEY_CHECKS: n, id, name, role, scope_id, scope, hash,
 * revoked, version, lsn, snapshot. */
static void take_row(struct key_check *c, const PGresult *r, int row)
{
	c->status = DB_OK;
	c->found = !PQgetisnull(r, row, 1);
	copy_text(c->id, sizeof c->id, r, row, 1);
	copy_text(c->name, sizeof c->name, r, row, 2);
	copy_text(c->role, sizeof c->role, r, row, 3);
	copy_text(c->scope_id, sizeof c->scope_id, r, row, 4);
	copy_text(c->scope, sizeof c->scope, r, row, 5);
	copy_text(c->hash, sizeof c->hash, r, row, 6);
	c->revoked = !PQgetisnull(r, row, 7) && !strcmp(PQgetvalue(r, row, 7), "t");
	c->version = dup_or_null(r, row, 8);
	copy_text(c->lsn, sizeof c->lsn, r, row, 9);
	c->snapshot = dup_or_null(r, row, 10);
}

static void fail(struct key_check *c, enum db_status status, const struct db_error *e)
{
	c->status = status;
	if (e)
		c->error = *e;
}

static bool same_text(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

static bool same_question(const struct key_check *a, const struct key_check *b)
{
	return !strcmp(a->prefix, b->prefix) && same_text(a->subject, b->subject) && same_text(a->code, b->code) &&
	       same_text(a->memo_snapshot, b->memo_snapshot);
}

/* Answers the n checks of batch[] in one statement, then wakes each.
 * Checks asking the same (a dashboard's key, many readers of one page)
 * are asked once. */
static void answer(struct key_check **batch, size_t n)
{
	size_t question[KEYCHECK_BATCH_MAX]; /* batch[i] asks question[i] */
	const struct key_check *asker[KEYCHECK_BATCH_MAX]; /* the first check asking each */
	bool done[KEYCHECK_BATCH_MAX] = {false};
	size_t nquestions = 0;
	json_t *asked = json_array();
	for (size_t i = 0; i < n; i++) {
		struct key_check *c = batch[i];
		size_t q = 0;
		while (q < nquestions && !same_question(asker[q], c))
			q++;
		question[i] = q;
		if (q < nquestions)
			continue;
		json_t *one = json_pack("{s:I, s:s?, s:s?, s:s?, s:s?}", "n", (json_int_t)q, "prefix",
		                        c->prefix[0] ? c->prefix : NULL, "subject", c->subject, "code", c->code, "memo",
		                        c->memo_snapshot);
		if (one) {
			json_array_append_new(asked, one);
			asker[nquestions++] = c;
		} else { /* text the JSON encoder refuses (not UTF-8): that check alone fails */
			struct db_error e = {.sqlstate = "22021", .message = "a key check's text is not UTF-8"};
			fail(c, DB_ERROR, &e);
			done[i] = true;
			question[i] = KEYCHECK_BATCH_MAX;
		}
	}
	char *text = json_dumps(asked, JSON_COMPACT);
	json_decref(asked);
	PGresult *r = NULL;
	const char *params[] = {text};
	enum db_status st = db_query(Q_KEY_CHECKS, 1, params, &r);
	free(text);
	atomic_fetch_add_explicit(&statements_sent, 1, memory_order_relaxed);
	if (st == DB_OK) {
		int row_of[KEYCHECK_BATCH_MAX];
		for (size_t q = 0; q < nquestions; q++)
			row_of[q] = -1;
		for (int row = 0; row < PQntuples(r); row++) {
			long q = strtol(PQgetvalue(r, row, 0), NULL, 10);
			if (q >= 0 && (size_t)q < nquestions)
				row_of[q] = row;
		}
		for (size_t i = 0; i < n; i++) {
			if (!done[i] && row_of[question[i]] >= 0) {
				take_row(batch[i], r, row_of[question[i]]);
				done[i] = true;
			}
		}
		PQclear(r);
	}
	struct db_error e;
	if (st != DB_OK)
		db_error_copy(&e);
	else
		e = (struct db_error){.sqlstate = "XX000", .message = "the key check returned no row for a request"};
	for (size_t i = 0; i < n; i++) {
		struct key_check *c = batch[i];
		if (!done[i])
			fail(c, st == DB_OK ? DB_ERROR : st, &e);
		atomic_fetch_add_explicit(&checks_answered, 1, memory_order_relaxed);
		c->answered(c, c->arg); /* the last use of c here */
	}
}

static void *run(void *unused)
{
	(void)unused;
	struct queue_link *links[KEYCHECK_BATCH_MAX];
	struct key_check *batch[KEYCHECK_BATCH_MAX];
	size_t n;
	while ((n = queue_take(&waiting, links, KEYCHECK_BATCH_MAX))) {
		for (size_t i = 0; i < n; i++)
			batch[i] = queue_entry(links[i], struct key_check, link);
		answer(batch, n);
	}
	db_release();
	return NULL;
}

void keycheck_start(void)
{
	queue_open(&waiting);
	running = pthread_create(&checker, NULL, run, NULL) == 0;
	if (!running) {
		queue_close(&waiting); /* every check is answered at once */
		log_error(NULL, "the key-check thread could not start: every request will be answered 503");
	}
}

void keycheck_submit(struct key_check *check)
{
	if (!queue_push(&waiting, &check->link)) {
		fail(check, DB_UNAVAILABLE, NULL);
		check->answered(check, check->arg);
	}
}

void keycheck_stop(void)
{
	queue_close(&waiting);
	if (running)
		pthread_join(checker, NULL);
	running = false;
}

void keycheck_clear(struct key_check *check)
{
	free(check->version);
	free(check->snapshot);
	check->version = check->snapshot = NULL;
}

void keycheck_counts(unsigned long long *checks, unsigned long long *statements)
{
	*checks = atomic_load(&checks_answered);
	*statements = atomic_load(&statements_sent);
}
