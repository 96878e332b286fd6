/* Every answer the service makes is built here. Each reply_* fills
 * req->res and returns its status, so a handler ends with
 * `return reply_...(req, ...);`.
 *
 * Errors are RFC 9457 problem documents (application/problem+json) with a
 * stable machine `code`, a human `detail`, the request id and, when fields
 * are to blame, `errors`: one entry per field with where it was (path,
 * query, body, header), its name, a code and a message. */
#ifndef THIDUA_API_REPLY_H
#define THIDUA_API_REPLY_H

#include <jansson.h>
#include <libpq-fe.h>

#include "db/db.h"
#include "http/http.h"

#define CT_JSON "application/json; charset=utf-8"
#define CT_PROBLEM "application/problem+json; charset=utf-8"

/* ---- bodies ---- */

/* Serialises body (and releases it). */
enum http_status reply_json(struct request *req, enum http_status status, json_t *body);
/* Copies data as the body. */
enum http_status reply_bytes(struct request *req, enum http_status status, const char *content_type,
                             const char *data, size_t len);
/* Takes over an already built body. */
enum http_status reply_buf(struct request *req, enum http_status status, const char *content_type,
                           struct buf *body);
enum http_status reply_empty(struct request *req, enum http_status status);

/* ---- problems ---- */

enum http_status reply_problem(struct request *req, enum http_status status, const char *code,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A problem with more members (released): "errors", an import's summary. */
enum http_status reply_problem_with(struct request *req, enum http_status status, const char *code,
                                    const char *detail, json_t *members);
/* A problem with a list of field errors (see problem_error) as "errors". */
enum http_status reply_problem_errors(struct request *req, enum http_status status, const char *code,
                                      const char *detail, json_t *errors);
/* A problem about one field: its error is also the detail. */
enum http_status reply_field_problem(struct request *req, enum http_status status, const char *code,
                                     const char *in, const char *field, const char *message);
/* One field error: where ("query", "path", "body", "header"), which field,
 * a machine code and a message. */
json_t *problem_error(const char *in, const char *field, const char *code, const char *message);

/* A failure on our side: logs the cause with the request id, answers 500
 * without internals. */
enum http_status reply_internal(struct request *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The database cannot be reached: 503 with Retry-After. */
enum http_status reply_unavailable(struct request *req, const char *detail);

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
/* The same for an error met on another thread (db_error_copy()). */
enum http_status reply_db_error(struct request *req, enum db_status status, const struct db_error *e);

/* ---- answers from a statement's rows (each takes over res) ---- */

/* The first `rows` rows in the format the request asked for (?format=):
 * JSON as a document with the rows under array_name (render/document.h),
 * CSV or XLSX as a download named after the route's `file`. */
enum http_status reply_table(struct request *req, PGresult *res, int rows, const char *array_name);
/* A page of a list: {"data": [...], "next_cursor": ..., extra members (a
 * JSON fragment such as "\"as_of\":\"...\"", or NULL)}, at most ?limit=
 * rows; CSV or XLSX with the cursor in X-Next-Cursor. */
enum http_status reply_page(struct request *req, PGresult *res, const char *extra);
/* The first row as a JSON object, 404 when there is none; with its ETag
 * when etag is set (the representation after a write). */
enum http_status reply_row(struct request *req, enum http_status status, PGresult *res, bool etag);

#endif
