/* What handlers share: running a statement of the catalogue with the
 * request's validated parameters, answering with its rows, the generic
 * handlers of routes that are exactly one statement, writes in a
 * transaction, and turning database failures into responses. */
#ifndef THIDUA_HANDLERS_COMMON_H
#define THIDUA_HANDLERS_COMMON_H

#include <libpq-fe.h>

#include "db/db.h"
#include "http/http.h"

/* A validated parameter of the request by name (api/params.h). */
const char *param(const struct request *req, const char *name);
/* Sets a value for the statements the handler runs (a write mode, a
 * value computed from the body). */
void param_set(struct request *req, const char *name, const char *value);

/* The one place database failures become answers:
 *   unreachable, connection lost, server shutting down  503 database_unavailable
 *   TDnnn, raised on purpose by the SQL functions         nnn, code from DETAIL, field from HINT
 *   22xxx data exception                                 400 invalid_value
 *   23505 / 23P01 / 23503 integrity                       409 conflict
 *   23502 / 23514 check                                   422 constraint_violated
 *   40001 / 40P01 serialization, deadlock; 53xxx         503 database_busy
 *   57014 statement timeout                              503 query_timeout
 *   54xxx program limit                                  400 too_complex
 *   anything else (our own bug)                          500 internal_error
 * 503s carry Retry-After. No SQL text reaches the client: the database's
 * message is logged under the request id. */
enum http_status reply_db_failure(struct request *req, enum db_status status);

/* Runs statement q with the request's parameters: HTTP_OK with *res (the
 * caller clears it), or the error answer made. */
enum http_status run_call(struct request *req, enum query_id q, PGresult **res);

/* Generic handlers for routes that answer with the rows of their
 * statement (route->call):
 *   handle_list    {"data": [...], "next_cursor": ...}, or a CSV/XLSX export
 *   handle_table   a document (render_json_document, rows under route->array), or CSV/XLSX
 *   handle_object  the one row as an object, 404 when there is none
 *   handle_delete  the statement in a write transaction, then 204 */
enum http_status handle_list(struct request *req);
enum http_status handle_table(struct request *req);
enum http_status handle_object(struct request *req);
enum http_status handle_delete(struct request *req);

/* The list envelope with extra members (a JSON fragment such as
 * "\"as_of\":\"...\"", or NULL), for statement q. */
enum http_status reply_list(struct request *req, enum query_id q, const char *extra);

/* ---- writes ----
 * A write is BEGIN (with the caller's key name and request id recorded for
 * the history), the statements, COMMIT. Each helper returns HTTP_OK to go
 * on; anything else means the transaction is rolled back and the response
 * is already made. */
enum http_status write_begin(struct request *req);
enum http_status write_call(struct request *req, enum query_id q, PGresult **res);
enum http_status write_commit(struct request *req);
/* begin, one statement, commit: the whole of most writes. On HTTP_OK *res
 * holds the statement's result (the caller PQclear()s it). */
enum http_status write_once(struct request *req, enum query_id q, PGresult **res);
/* Under If-Match: the current representation (statement get) must still
 * have the ETag the client names, else 412. No header: HTTP_OK. */
enum http_status write_if_match(struct request *req, enum query_id get);
/* Answers with a representation (statement get) and its ETag. */
enum http_status reply_representation(struct request *req, enum http_status status, enum query_id get);

#endif
