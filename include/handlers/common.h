/* What handlers share: running a statement of the catalogue with the
 * request's validated parameters, the generic handlers of routes that are
 * exactly one statement, and writes in a transaction.
 *
 * The helpers that run a step return HTTP_PROCEED when it succeeded and
 * the handler goes on; any other value is the status of the answer
 * already made (a database failure, 404, 412), which the handler returns
 * as it is. */
#ifndef THIDUA_HANDLERS_COMMON_H
#define THIDUA_HANDLERS_COMMON_H

#include <libpq-fe.h>

#include "db/db.h"
#include "http/http.h"
#include "http/router.h"

/* A validated parameter of the request by name (api/params.h). */
const char *param(const struct request *req, const char *name);
/* Sets a value for the statements the handler runs (a write mode, a
 * value computed from the body). */
void param_set(struct request *req, const char *name, const char *value);

/* Runs statement q with the request's parameters: HTTP_PROCEED with *res
 * (the caller clears it), or the answer to the failure made. */
enum http_status run_call(struct request *req, enum query_id q, PGresult **res);
/* Runs statement q and answers with a page of its rows (api/reply.h,
 * reply_page), with extra members in the JSON envelope (or NULL). */
enum http_status list_call(struct request *req, enum query_id q, const char *extra);

/* Generic handlers for routes that answer with the rows of their
 * statement (route->call):
 *   handle_list    {"data": [...], "next_cursor": ...}, or a CSV/XLSX export
 *   handle_table   a document (render/document.h, rows under route->array), or CSV/XLSX
 *   handle_object  the one row as an object, 404 when there is none
 *   handle_delete  the statement in a write transaction, then 204 */
enum http_status handle_list(struct request *req);
enum http_status handle_table(struct request *req);
enum http_status handle_object(struct request *req);
enum http_status handle_delete(struct request *req);

/* ---- writes ----
 * A write is BEGIN (with the caller's key name and request id recorded for
 * the history), the statements, COMMIT. On anything but HTTP_PROCEED the
 * transaction is already rolled back. */
enum http_status write_begin(struct request *req);
enum http_status write_call(struct request *req, enum query_id q, PGresult **res);
enum http_status write_commit(struct request *req);
/* begin, one statement, commit: the whole of most writes. On HTTP_PROCEED
 * *res holds the statement's result (the caller PQclear()s it). */
enum http_status write_once(struct request *req, enum query_id q, PGresult **res);
/* Under If-Match: the current representation (statement get) must still
 * have the ETag the client names, else 412. No header: HTTP_PROCEED. */
enum http_status write_if_match(struct request *req, enum query_id get);
/* After a write: answers with the representation (statement get) and its
 * ETag. */
enum http_status write_answer(struct request *req, enum http_status status, enum query_id get);

#endif
