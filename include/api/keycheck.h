/* The key check, one statement for every request waiting for it.
 *
 * Each request that needs its key looked up — and, on a cached route, the
 * version of what its answer depends on (api/cache.h) — hands a check to
 * one thread, which asks PostgreSQL for all the checks waiting in one
 * statement (Q_KEY_CHECKS) and gives each its own row. Meanwhile the
 * request's connection is suspended (http/server.h): the HTTP worker goes
 * on serving other connections instead of waiting on the database.
 *
 * A check is only answered by a statement sent after it was handed over,
 * so it sees every commit acknowledged before its request arrived: a
 * revoked key stops at once, and a read after a write sees the write, as
 * with a statement of its own. Checks handed over while a statement runs
 * go together in the next one. */
#ifndef THIDUA_API_KEYCHECK_H
#define THIDUA_API_KEYCHECK_H

#include <stdbool.h>

#include "db/db.h"
#include "domain/apikey.h"
#include "util/queue.h"

#define KEYCHECK_BATCH_MAX 256 /* checks in one statement at most */

struct key_check {
	/* asked */
	char prefix[APIKEY_PREFIX_LEN + 1]; /* the key's, "" without a key */
	const char *subject, *code;         /* what a cached answer depends on, NULL for none */
	const char *memo_snapshot;          /* the snapshot of a version remembered for it, or NULL */
	/* Called on the checker's thread once the check is answered; the last
	 * thing done with it there, so it may resume and free it. */
	void (*answered)(struct key_check *check, void *arg);
	void *arg;

	/* answered */
	enum db_status status;
	struct db_error error; /* when status is DB_ERROR */
	bool found;            /* a key with that prefix exists */
	char id[24], name[128], role[16], scope_id[24], scope[64], hash[APIKEY_HASH_HEX];
	bool revoked;
	char *version;  /* NULL when the snapshot is memo_snapshot or there is no subject (malloc'd) */
	char lsn[32];   /* the primary's flushed WAL position */
	char *snapshot; /* the snapshot the check saw (malloc'd) */

	struct queue_link link; /* in the checker's queue */
};

/* Starts the checker thread; once, before the server starts. */
void keycheck_start(void);
/* Hands a check over; check->answered is called once it is answered (at
 * once, with DB_UNAVAILABLE, after keycheck_stop). */
void keycheck_submit(struct key_check *check);
/* Answers every check handed over, then stops the thread. */
void keycheck_stop(void);
/* Frees what the answer holds (not the check itself). */
void keycheck_clear(struct key_check *check);

/* Checks answered and statements sent since the start, for /metrics. */
void keycheck_counts(unsigned long long *checks, unsigned long long *statements);

#endif
