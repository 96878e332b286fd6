/* Per-thread PostgreSQL connections and named statements (see db.h). */
#include "db/db.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "util/alloc.h"
#include "util/timeutil.h"

struct dbconn {
	int replica; /* -1: the primary; else the standby's index in replicas[] */
	PGconn *pg;
	bool prepared[Q__COUNT];
	bool in_transaction;
	char sqlstate[6];
	char message[512];
	char detail[512];
	char hint[128];
	struct dbconn *next; /* registry of every thread's connection */
};

static _Thread_local struct dbconn *tls;
static _Thread_local struct dbconn *tls_replicas[DB_MAX_REPLICAS];
static _Thread_local struct dbconn *last; /* the connection of the last statement, for db_error_*() */
static pthread_mutex_t registry_lock = PTHREAD_MUTEX_INITIALIZER;
static struct dbconn *registry;
static _Atomic int64_t retry_after_us; /* no connection attempt before this */
static atomic_bool was_down;
static atomic_bool ever_up;

/* The hot standbys of THIDUA_REPLICA_URLS and what is known of each. */
struct replica {
	char *url;
	char name[96];                /* host:port, for /readyz and /metrics */
	_Atomic uint64_t replay_lsn;  /* the highest replay position seen */
	_Atomic int64_t down_until_us;
	_Atomic int64_t lag_bytes;    /* behind the primary at the last probe, -1 unknown */
	atomic_bool up;
	atomic_ullong reads, fallbacks;
};
static struct replica replicas[DB_MAX_REPLICAS];
static int nreplicas;
static pthread_once_t replicas_once = PTHREAD_ONCE_INIT;

static struct dbconn *registered(int replica)
{
	struct dbconn *c = xcalloc(1, sizeof *c);
	c->replica = replica;
	pthread_mutex_lock(&registry_lock);
	c->next = registry;
	registry = c;
	pthread_mutex_unlock(&registry_lock);
	return c;
}

static struct dbconn *thread_conn(void)
{
	if (!tls)
		tls = registered(-1);
	return tls;
}

static struct dbconn *replica_conn(int i)
{
	if (!tls_replicas[i])
		tls_replicas[i] = registered(i);
	return tls_replicas[i];
}

static void keep_error(struct dbconn *c, const PGresult *r)
{
	const char *state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : NULL;
	const char *msg = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	const char *detail = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_DETAIL) : NULL;
	const char *hint = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_HINT) : NULL;
	snprintf(c->hint, sizeof c->hint, "%s", hint ? hint : "");
	snprintf(c->sqlstate, sizeof c->sqlstate, "%s", state ? state : "");
	snprintf(c->message, sizeof c->message, "%s", msg ? msg : (c->pg ? PQerrorMessage(c->pg) : "no connection"));
	snprintf(c->detail, sizeof c->detail, "%s", detail ? detail : "");
	size_t n = strlen(c->message);
	while (n && (c->message[n - 1] == '\n' || c->message[n - 1] == ' '))
		c->message[--n] = '\0';
}

static void drop(struct dbconn *c)
{
	if (c->pg)
		PQfinish(c->pg);
	c->pg = NULL;
	c->in_transaction = false;
	memset(c->prepared, 0, sizeof c->prepared);
}

static void mark_down(const char *why)
{
	atomic_store(&retry_after_us, time_mono_us() + DB_RETRY_MS * 1000);
	if (!atomic_exchange(&was_down, true))
		log_warn(NULL, "database unavailable: %s", why);
}

/* Server notices (RAISE NOTICE, warnings) go to the log as JSON lines
 * instead of libpq's default plain stderr. */
static void notice(void *arg, const PGresult *r)
{
	(void)arg;
	const char *severity = PQresultErrorField(r, PG_DIAG_SEVERITY_NONLOCALIZED);
	const char *msg = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	bool warning = severity && !strcmp(severity, "WARNING");
	log_msg(warning ? LOG_WARN : LOG_DEBUG, NULL, "database %s: %s", severity ? severity : "notice", msg ? msg : "");
}

static PGconn *open_connection(const char *url, char *err, size_t errlen)
{
	char timeout[16];
	snprintf(timeout, sizeof timeout, "%u", cfg.db_connect_timeout_s);
	const char *keys[] = {"dbname", "connect_timeout", "application_name", "client_encoding", NULL};
	const char *vals[] = {url, timeout, "thidua", "UTF8", NULL};
	PGconn *pg = PQconnectdbParams(keys, vals, 1);
	if (PQstatus(pg) != CONNECTION_OK) {
		snprintf(err, errlen, "%s", PQerrorMessage(pg));
		size_t n = strlen(err);
		while (n && (err[n - 1] == '\n'))
			err[--n] = '\0';
		PQfinish(pg);
		return NULL;
	}
	PQsetNoticeReceiver(pg, notice, NULL);
	char setup[256];
	snprintf(setup, sizeof setup,
	         "SET statement_timeout = %u; SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; "
	         "SET extra_float_digits = 3",
	         cfg.statement_timeout_ms);
	PGresult *r = PQexec(pg, setup);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	PQclear(r);
	/* A 2xx means the write is durable: commits wait for the WAL to reach
	 * disk even where the server's default says otherwise (a stricter
	 * setting, such as remote_apply, is kept). */
	if (ok) {
		r = PQexec(pg, "SELECT set_config('synchronous_commit', 'on', false) "
		               "WHERE current_setting('synchronous_commit') = 'off'");
		ok = PQresultStatus(r) == PGRES_TUPLES_OK;
		PQclear(r);
	}
	if (!ok) {
		snprintf(err, errlen, "session setup failed: %s", PQerrorMessage(pg));
		PQfinish(pg);
		return NULL;
	}
	return pg;
}

/* A standby that failed is left alone for this long before it is tried
 * again; reads go to the primary meanwhile. */
#define REPLICA_RETRY_MS 5000

static void replica_down(struct replica *r, const char *why)
{
	atomic_store(&r->down_until_us, time_mono_us() + REPLICA_RETRY_MS * 1000);
	if (atomic_exchange(&r->up, false))
		log_warn(NULL, "read replica %s unavailable, reads go to the primary: %s", r->name, why);
}

/* This thread's live connection, or NULL while the server is unreachable. */
static PGconn *acquire(struct dbconn *c)
{
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK)
		return c->pg;
	if (c->pg)
		drop(c);
	if (c->replica >= 0) {
		struct replica *r = &replicas[c->replica];
		if (time_mono_us() < atomic_load(&r->down_until_us))
			return NULL;
		char err[512];
		c->pg = open_connection(r->url, err, sizeof err);
		if (!c->pg)
			replica_down(r, err);
		else if (!atomic_exchange(&r->up, true))
			log_info(NULL, "read replica %s reachable", r->name);
		return c->pg;
	}
	if (time_mono_us() < atomic_load(&retry_after_us)) {
		snprintf(c->message, sizeof c->message, "database unavailable (retrying shortly)");
		return NULL;
	}
	char err[512];
	c->pg = open_connection(cfg.database_url, err, sizeof err);
	if (!c->pg) {
		snprintf(c->message, sizeof c->message, "%s", err);
		mark_down(err);
		return NULL;
	}
	atomic_store(&ever_up, true);
	if (atomic_exchange(&was_down, false))
		log_info(NULL, "database reachable again");
	return c->pg;
}

/* A result that failed because the connection is gone. After a server
 * restart the first statement on an idle connection reads the server's
 * farewell (57P01 terminating connection) while libpq still calls the
 * connection OK, so the SQLSTATE counts as much as the status. */
static bool connection_lost(struct dbconn *c)
{
	const char *s = c->sqlstate;
	/* An error the server sent has a SQLSTATE; one without is libpq's own
	 * ("server closed the connection unexpectedly"), which after an
	 * immediate shutdown comes while PQstatus still says OK. */
	return PQstatus(c->pg) != CONNECTION_OK || !*s || !strncmp(s, "08", 2) || !strcmp(s, "57P01") ||
	       !strcmp(s, "57P02") || !strcmp(s, "57P03");
}

/* A statement failed with result r (cleared here; NULL when libpq said
 * so itself): its error kept for the caller. A lost connection is
 * dropped and reported unavailable; *retry (when asked) says whether the
 * statement may run again on a fresh one — only outside a transaction,
 * whose work died with the connection. */
static enum db_status failed(struct dbconn *c, PGresult *r, bool *retry)
{
	keep_error(c, r);
	PQclear(r);
	bool lost = connection_lost(c);
	if (retry)
		*retry = lost && !c->in_transaction;
	if (!lost)
		return DB_ERROR;
	drop(c);
	return DB_UNAVAILABLE;
}

/* One statement: a prepared one (id, with its parameters) or plain sql. */
struct statement {
	enum query_id id;
	int nparams;
	const char *const *params;
	const char *sql; /* plain text instead of id */
};

/* Sends st on pg: the result, or the failed PQprepare's. */
static PGresult *send(struct dbconn *c, PGconn *pg, const struct statement *st)
{
	if (st->sql)
		return PQexec(pg, st->sql);
	const char *name = db_statements[st->id].name;
	if (!c->prepared[st->id]) {
		PGresult *r = PQprepare(pg, name, db_statement_sql(st->id), 0, NULL);
		if (PQresultStatus(r) != PGRES_COMMAND_OK)
			return r;
		PQclear(r);
		c->prepared[st->id] = true;
	}
	return PQexecPrepared(pg, name, st->nparams, st->params, NULL, NULL, 0);
}

/* Runs st; DB_OK, with the result in *out (or cleared when out is NULL),
 * when it ends in one of the states wanted. A connection that died while
 * idle (a server restart) fails its first statement, which never ran: one
 * retry on a fresh connection is safe outside a transaction. */
static enum db_status run_on(struct dbconn *c, const struct statement *st, ExecStatusType want, ExecStatusType also,
                             PGresult **out)
{
	last = c;
	for (int attempt = 0; attempt < 2; attempt++) {
		PGconn *pg = acquire(c);
		if (!pg)
			return DB_UNAVAILABLE;
		PGresult *r = send(c, pg, st);
		ExecStatusType s = PQresultStatus(r);
		if (s == want || s == also) {
			if (out)
				*out = r;
			else
				PQclear(r);
			return DB_OK;
		}
		bool retry;
		enum db_status status = failed(c, r, &retry);
		if (!retry)
			return status;
	}
	if (c->replica < 0)
		mark_down(c->message);
	return DB_UNAVAILABLE;
}

static enum db_status run(const struct statement *st, ExecStatusType want, ExecStatusType also, PGresult **out)
{
	return run_on(thread_conn(), st, want, also, out);
}

enum db_status db_query(enum query_id id, int nparams, const char *const *params, PGresult **out)
{
	*out = NULL;
	struct statement st = {.id = id, .nparams = nparams, .params = params};
	return run(&st, PGRES_TUPLES_OK, PGRES_COMMAND_OK, out);
}

enum db_status db_call(enum query_id id, db_lookup lookup, const void *ctx, PGresult **out)
{
	const char *values[QUERY_MAX_ARGS];
	int n = 0;
	for (; db_statements[id].args[n]; n++)
		values[n] = lookup(ctx, db_statements[id].args[n]);
	return db_query(id, n, values, out);
}

/* Plain sql, as it is. */
static enum db_status exec_plain(const char *sql, ExecStatusType want, ExecStatusType also)
{
	struct statement st = {.sql = sql};
	return run(&st, want, also, NULL);
}

enum db_status db_command(const char *sql)
{
	return exec_plain(sql, PGRES_COMMAND_OK, PGRES_TUPLES_OK);
}

enum db_status db_begin(void)
{
	enum db_status s = db_command("BEGIN");
	if (s == DB_OK)
		thread_conn()->in_transaction = true;
	return s;
}

/* Every this many commits on a thread, the rows the response cache
 * counts writes with are folded (sql/012_cache.sql), so they stay few. */
#define COMPACT_EVERY 32

enum db_status db_commit(void)
{
	static _Thread_local unsigned commits;
	struct dbconn *c = thread_conn();
	enum db_status s = db_command("COMMIT");
	c->in_transaction = false;
	if (s == DB_OK && ++commits % COMPACT_EVERY == 0 && db_command("SELECT cache_bump_compact()") != DB_OK)
		log_warn(NULL, "folding the cache's write counts failed: %s", db_error_message());
	return s;
}

void db_rollback(void)
{
	struct dbconn *c = thread_conn();
	if (c->pg && PQstatus(c->pg) == CONNECTION_OK) {
		PGresult *r = PQexec(c->pg, "ROLLBACK");
		PQclear(r);
	}
	c->in_transaction = false;
}

enum db_status db_copy_begin(const char *sql)
{
	return exec_plain(sql, PGRES_COPY_IN, PGRES_COPY_IN);
}

enum db_status db_copy_put(const char *data, size_t len)
{
	struct dbconn *c = last = thread_conn();
	if (PQputCopyData(c->pg, data, (int)len) == 1)
		return DB_OK;
	keep_error(c, NULL);
	return connection_lost(c) ? DB_UNAVAILABLE : DB_ERROR;
}

enum db_status db_copy_end(void)
{
	struct dbconn *c = last = thread_conn();
	if (PQputCopyEnd(c->pg, NULL) != 1) {
		keep_error(c, NULL);
		return connection_lost(c) ? DB_UNAVAILABLE : DB_ERROR;
	}
	enum db_status status = DB_OK;
	PGresult *r;
	while ((r = PQgetResult(c->pg)) != NULL) {
		if (PQresultStatus(r) != PGRES_COMMAND_OK && status == DB_OK) {
			keep_error(c, r);
			status = connection_lost(c) ? DB_UNAVAILABLE : DB_ERROR;
		}
		PQclear(r);
	}
	return status;
}

void db_copy_abort(void)
{
	struct dbconn *c = thread_conn();
	if (!c->pg || PQputCopyEnd(c->pg, "import abandoned") != 1)
		return;
	PGresult *r;
	while ((r = PQgetResult(c->pg)) != NULL)
		PQclear(r);
}

const char *db_error_sqlstate(void)
{
	return (last ? last : thread_conn())->sqlstate;
}

const char *db_error_message(void)
{
	return (last ? last : thread_conn())->message;
}

const char *db_error_detail(void)
{
	return (last ? last : thread_conn())->detail;
}

const char *db_error_hint(void)
{
	return (last ? last : thread_conn())->hint;
}

void db_error_copy(struct db_error *out)
{
	snprintf(out->sqlstate, sizeof out->sqlstate, "%s", db_error_sqlstate());
	snprintf(out->message, sizeof out->message, "%s", db_error_message());
	snprintf(out->detail, sizeof out->detail, "%s", db_error_detail());
	snprintf(out->hint, sizeof out->hint, "%s", db_error_hint());
}

bool db_is_up(void)
{
	return atomic_load(&ever_up) && !atomic_load(&was_down);
}

void db_release(void)
{
	if (tls)
		drop(tls);
	for (int i = 0; i < DB_MAX_REPLICAS; i++)
		if (tls_replicas[i])
			drop(tls_replicas[i]);
}

void db_close_all(void)
{
	pthread_mutex_lock(&registry_lock);
	struct dbconn *c = registry;
	registry = NULL;
	pthread_mutex_unlock(&registry_lock);
	while (c) {
		struct dbconn *next = c->next;
		drop(c);
		free(c);
		c = next;
	}
	tls = NULL;
	memset(tls_replicas, 0, sizeof tls_replicas);
	last = NULL;
	for (int i = 0; i < nreplicas; i++) { /* the process is ending: no read comes after */
		free(replicas[i].url);
		replicas[i].url = NULL;
	}
}

PGconn *db_connect_direct(void)
{
	char err[512];
	PGconn *pg = open_connection(cfg.database_url, err, sizeof err);
	if (!pg)
		fprintf(stderr, "thidua: cannot connect to the database (THIDUA_DATABASE_URL): %s\n", err);
	return pg;
}

/* ---- read replicas ---- */

uint64_t db_lsn_parse(const char *text)
{
	if (!text)
		return 0;
	/* "16/B374D848": two hex numbers of up to 8 digits (no sscanf: this
	 * runs for every request) */
	uint64_t half[2] = {0, 0};
	const char *p = text;
	for (int i = 0; i < 2; i++) {
		int digits = 0;
		for (; *p && digits <= 8; p++, digits++) {
			int d = *p >= '0' && *p <= '9' ? *p - '0'
			      : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
			      : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10 : -1;
			if (d < 0)
				break;
			half[i] = half[i] << 4 | (uint64_t)d;
		}
		if (!digits || digits > 8 || *p != (i ? '\0' : '/'))
			return 0;
		p++;
	}
	return half[0] << 32 | half[1];
}

/* THIDUA_REPLICA_URLS, once: each standby's connection string and a name
 * for it (host:port). */
static void replicas_init(void)
{
	const char *p = cfg.replica_urls ? cfg.replica_urls : "";
	while (*p && nreplicas < DB_MAX_REPLICAS) {
		size_t n = strcspn(p, ",");
		while (n && p[n - 1] == ' ')
			n--;
		if (n) {
			struct replica *r = &replicas[nreplicas++];
			r->url = xstrndup(p, n);
			atomic_store(&r->lag_bytes, -1);
			const char *host = NULL, *port = NULL;
			PQconninfoOption *opts = PQconninfoParse(r->url, NULL);
			for (PQconninfoOption *o = opts; o && o->keyword; o++) {
				if (!strcmp(o->keyword, "host") && o->val)
					host = o->val;
				else if (!strcmp(o->keyword, "port") && o->val)
					port = o->val;
			}
			snprintf(r->name, sizeof r->name, "%s:%s", host ? host : "localhost", port ? port : "5432");
			PQconninfoFree(opts);
		}
		p += strcspn(p, ",");
		while (*p == ',' || *p == ' ')
			p++;
	}
}

int db_replica_count(void)
{
	pthread_once(&replicas_once, replicas_init);
	return nreplicas;
}

/* The standby's replay position, asked of it (0 when it cannot say: not a
 * standby, or unreachable). */
static uint64_t replay_position(struct dbconn *c)
{
	struct statement st = {.sql = "SELECT pg_last_wal_replay_lsn()::text WHERE pg_is_in_recovery()"};
	PGresult *r;
	if (run_on(c, &st, PGRES_TUPLES_OK, PGRES_TUPLES_OK, &r) != DB_OK)
		return 0;
	uint64_t lsn = PQntuples(r) == 1 ? db_lsn_parse(PQgetvalue(r, 0, 0)) : 0;
	PQclear(r);
	struct replica *rep = &replicas[c->replica];
	uint64_t seen = atomic_load(&rep->replay_lsn);
	while (lsn > seen && !atomic_compare_exchange_weak(&rep->replay_lsn, &seen, lsn))
		;
	return lsn;
}

/* Whether standby i has replayed min_lsn: what it said last, else asked
 * now (replay positions only grow). */
static bool caught_up(int i, uint64_t min_lsn)
{
	if (atomic_load(&replicas[i].replay_lsn) >= min_lsn)
		return true;
	uint64_t now = replay_position(replica_conn(i));
	if (now && now < min_lsn)
		atomic_store(&replicas[i].lag_bytes, (int64_t)(min_lsn - now));
	return now >= min_lsn;
}

/* A failure of the standby rather than of the statement: it went away,
 * it cancelled the query for a conflict with recovery, it is not a
 * standby (or refuses to write, which a read should not do). */
static bool standby_trouble(const struct dbconn *c, enum db_status st)
{
	const char *s = c->sqlstate;
	return st == DB_UNAVAILABLE || !strcmp(s, "40001") || !strncmp(s, "57", 2) || !strcmp(s, "25006") ||
	       !strncmp(s, "08", 2) || !*s;
}

static _Thread_local unsigned next_replica;

enum db_status db_read(enum query_id id, db_lookup lookup, const void *ctx, uint64_t min_lsn, PGresult **out)
{
	*out = NULL;
	if (db_replica_count() == 0 || min_lsn == 0 || thread_conn()->in_transaction)
		return db_call(id, lookup, ctx, out);
	const char *values[QUERY_MAX_ARGS];
	int n = 0;
	for (; db_statements[id].args[n]; n++)
		values[n] = lookup(ctx, db_statements[id].args[n]);
	struct statement st = {.id = id, .nparams = n, .params = values};
	for (int k = 0; k < nreplicas; k++) {
		int i = (int)(next_replica++ % (unsigned)nreplicas);
		struct replica *r = &replicas[i];
		if (time_mono_us() < atomic_load(&r->down_until_us) || !caught_up(i, min_lsn)) {
			atomic_fetch_add(&r->fallbacks, 1);
			continue;
		}
		struct dbconn *c = replica_conn(i);
		enum db_status status = run_on(c, &st, PGRES_TUPLES_OK, PGRES_COMMAND_OK, out);
		if (status == DB_OK) {
			atomic_fetch_add(&r->reads, 1);
			return DB_OK;
		}
		if (!standby_trouble(c, status))
			return status; /* the statement's own error: the primary would say the same */
		if (status == DB_UNAVAILABLE)
			replica_down(r, c->message);
		atomic_fetch_add(&r->fallbacks, 1);
	}
	return db_query(id, n, values, out);
}

size_t db_replica_states(struct db_replica_state *out, size_t max, bool probe)
{
	size_t n = 0;
	uint64_t primary = 0;
	if (probe && db_replica_count() > 0) {
		struct statement st = {.sql = "SELECT pg_current_wal_lsn()::text"};
		PGresult *r;
		if (run(&st, PGRES_TUPLES_OK, PGRES_TUPLES_OK, &r) == DB_OK) {
			primary = db_lsn_parse(PQgetvalue(r, 0, 0));
			PQclear(r);
		}
	}
	for (int i = 0; i < db_replica_count() && n < max; i++) {
		struct replica *r = &replicas[i];
		if (probe && time_mono_us() >= atomic_load(&r->down_until_us)) {
			uint64_t at = replay_position(replica_conn(i));
			if (at && primary)
				atomic_store(&r->lag_bytes, primary > at ? (int64_t)(primary - at) : 0);
			else if (!at)
				replica_down(r, "it does not answer as a standby");
		}
		out[n++] = (struct db_replica_state){
			.name = r->name,
			.up = time_mono_us() >= atomic_load(&r->down_until_us) && atomic_load(&r->up),
			.lag_bytes = atomic_load(&r->lag_bytes),
			.reads = atomic_load(&r->reads),
			.fallbacks = atomic_load(&r->fallbacks),
		};
	}
	return n;
}
