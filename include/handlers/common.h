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
/* Lists export too: a CSV or XLSX list is one download of up to
 * EXPORT_MAX rows, the cursor of what follows in X-Next-Cursor; file_stem
 * names the file. */
enum http_status reply_query_list_as(struct request *req, enum query_id q, struct args *a, const char *file_stem);
/* Runs a statement that returns one row and answers it as an object
 * (404 not_found if it returns none). Releases the arguments. */
enum http_status reply_query_object(struct request *req, enum query_id q, struct args *a);

/* Answers the first `rows` rows of a result as a table: JSON as the
 * document with its rows under array_name (render_json_document), CSV or
 * XLSX as a download named after file_stem. Clears the result. */
enum http_status reply_table(struct request *req, PGresult *res, int rows, const struct args *a,
                             const char *array_name, const char *file_stem);
/* Runs a table statement and answers it with reply_table. Releases the
 * arguments. */
enum http_status reply_query_table(struct request *req, enum query_id q, struct args *a, const char *array_name,
                                   const char *file_stem);

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
