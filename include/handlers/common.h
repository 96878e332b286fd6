/* Helpers shared by handlers: running a named statement with validated
 * arguments and answering with its rows, and turning database failures
 * into responses. */
#ifndef THIDUA_HANDLERS_COMMON_H
#define THIDUA_HANDLERS_COMMON_H

#include "db/db.h"
#include "handlers/args.h"
#include "http/http.h"

/* 503 with Retry-After for DB_UNAVAILABLE. For errors the SQL functions
 * raise on purpose (SQLSTATE TDnnn) the problem they describe: status nnn,
 * code from DETAIL, field from HINT, message from MESSAGE. Anything else is
 * a 500 with the cause logged. */
enum http_status reply_db_failure(struct request *req, enum db_status status);

/* Runs a list statement whose arguments end with args_page() and answers
 * {"data": [...], "next_cursor": ...}. Releases the arguments. */
enum http_status reply_query_list(struct request *req, enum query_id q, struct args *a);
/* The same, with extra members for the envelope (a JSON fragment such as
 * "\"as_of\":\"...\"", or NULL). */
enum http_status reply_query_list_with(struct request *req, enum query_id q, struct args *a, const char *extra);
/* Runs a statement that returns one row and answers it as an object
 * (404 not_found if it returns none). Releases the arguments. */
enum http_status reply_query_object(struct request *req, enum query_id q, struct args *a);

/* ---- writes ----
 * A write is BEGIN (with the caller's key name and request id recorded for
 * the history), the statements, COMMIT. Each helper returns HTTP_OK to go
 * on; anything else means the transaction is rolled back and the response
 * is already made. */
enum http_status write_begin(struct request *req);
enum http_status write_exec(struct request *req, enum query_id q, struct args *a, PGresult **res);
enum http_status write_commit(struct request *req);
/* begin, one statement, commit: the whole of most writes. On HTTP_OK *res
 * holds the statement's result (the caller PQclear()s it). */
enum http_status write_once(struct request *req, enum query_id q, struct args *a, PGresult **res);
/* Under If-Match: the current representation (statement get) must still
 * have the ETag the client names, else 412. No header: HTTP_OK. */
enum http_status write_if_match(struct request *req, enum query_id get, struct args *get_args);
/* Answers with a representation and its ETag (after a write). */
enum http_status reply_representation(struct request *req, enum http_status status, enum query_id get,
                                      struct args *a);

#endif
