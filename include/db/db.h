/* Database access. Each HTTP worker thread owns one libpq connection, opened
 * on first use and reopened after a failure; named statements (queries.h)
 * are prepared once per connection, the first time they are used.
 *
 * While PostgreSQL is unreachable every call returns DB_UNAVAILABLE at once
 * (no request waits on a dead server) and one reconnection is tried at most
 * every DB_RETRY_MS; when the server is back the service recovers by itself. */
#ifndef THIDUA_DB_DB_H
#define THIDUA_DB_DB_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "db/queries.h"

enum db_status {
	DB_OK = 0,
	DB_UNAVAILABLE, /* cannot reach the server: answer 503 */
	DB_ERROR,       /* the statement failed: see db_error_sqlstate() */
};

#define DB_RETRY_MS 500

/* Runs a named statement with text parameters. On DB_OK *out holds the
 * result (the caller PQclear()s it); otherwise *out is NULL and the error
 * is kept for db_error_*(). */
enum db_status db_query(enum query_id id, int nparams, const char *const *params, PGresult **out)
	__attribute__((warn_unused_result));

/* Runs a function call of the catalogue (queries.h): each argument's value
 * is lookup(ctx, its name), NULL for SQL NULL. */
typedef const char *(*db_lookup)(const void *ctx, const char *name);
enum db_status db_call(enum query_id id, db_lookup lookup, const void *ctx, PGresult **out)
	__attribute__((warn_unused_result));

/* ---- read replicas (THIDUA_REPLICA_URLS) ----
 * A read runs on a hot standby once that standby has replayed min_lsn,
 * the primary's WAL position when the request's key was checked: so
 * every write acknowledged before the request is in what it reads. Else,
 * or when the standby fails or is away (it is left alone for a while),
 * the read runs on the primary; no request fails for a standby. With no
 * standby, min_lsn 0 (unknown) or a transaction open, it is db_call. */
#define DB_MAX_REPLICAS 8
enum db_status db_read(enum query_id id, db_lookup lookup, const void *ctx, uint64_t min_lsn, PGresult **out)
	__attribute__((warn_unused_result));
/* "16/B374D848" as a number; 0 for anything else. */
uint64_t db_lsn_parse(const char *text);
int db_replica_count(void);

struct db_replica_state {
	const char *name;             /* host:port */
	bool up;
	long long lag_bytes;          /* behind the primary at the last probe, -1 unknown */
	unsigned long long reads;     /* reads it served */
	unsigned long long fallbacks; /* reads meant for it that went to the primary */
};
/* Each standby's state; with probe, each is asked its replay position and
 * the primary its own first (for /readyz). */
size_t db_replica_states(struct db_replica_state *out, size_t max, bool probe);

/* Runs a statement without parameters that is not worth preparing
 * (BEGIN, COMMIT, SET LOCAL ...). */
enum db_status db_command(const char *sql) __attribute__((warn_unused_result));

/* Explicit transactions on this thread's connection. While one is open a
 * lost connection is not retried: the caller sees DB_UNAVAILABLE. */
enum db_status db_begin(void) __attribute__((warn_unused_result));
enum db_status db_commit(void) __attribute__((warn_unused_result));
void db_rollback(void);

/* COPY ... FROM STDIN on this thread's connection. */
enum db_status db_copy_begin(const char *sql) __attribute__((warn_unused_result));
enum db_status db_copy_put(const char *data, size_t len) __attribute__((warn_unused_result));
enum db_status db_copy_end(void) __attribute__((warn_unused_result));
/* Ends a COPY without keeping what was sent (the transaction then fails). */
void db_copy_abort(void);

/* The SQLSTATE and server message of the last DB_ERROR on this thread. */
const char *db_error_sqlstate(void);
const char *db_error_message(void);
/* The DETAIL and HINT fields of the last error, "" when none. */
const char *db_error_detail(void);
const char *db_error_hint(void);

/* The last error on this thread as a copy, for a request answered on
 * another thread (api/keycheck.h). */
struct db_error {
	char sqlstate[6];
	char message[512];
	char detail[512];
	char hint[128];
};
void db_error_copy(struct db_error *out);

/* True once a connection has been made and the server was not lost since. */
bool db_is_up(void);

/* Closes this thread's connection (it is opened again on next use). */
void db_release(void);

/* Closes every thread's connection; call once the worker threads are gone. */
void db_close_all(void);

/* Opens a private connection for command-line work (migrate, key create),
 * printing a message on failure. */
PGconn *db_connect_direct(void) __attribute__((warn_unused_result));

#endif
