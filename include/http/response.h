/* Building responses. Every reply_* helper fills req->res and returns the
 * status, so a handler ends with `return reply_...(req, ...);`.
 *
 * Errors are RFC 9457 problem documents (application/problem+json) with a
 * stable machine `code`, a human `detail` and the request id. */
#ifndef THIDUA_HTTP_RESPONSE_H
#define THIDUA_HTTP_RESPONSE_H

#include <jansson.h>

#include "http/http.h"

#define CT_JSON "application/json; charset=utf-8"
#define CT_PROBLEM "application/problem+json; charset=utf-8"

/* Serialises body (and releases it). */
enum http_status reply_json(struct request *req, enum http_status status, json_t *body);
/* Copies data as the body. */
enum http_status reply_bytes(struct request *req, enum http_status status, const char *content_type,
                             const char *data, size_t len);
/* Takes over an already built body. */
enum http_status reply_buf(struct request *req, enum http_status status, const char *content_type,
                           struct buf *body);
enum http_status reply_empty(struct request *req, enum http_status status);

enum http_status reply_problem(struct request *req, enum http_status status, const char *code,
                               const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* A problem with a list of field errors (see problem_error) as "errors". */
enum http_status reply_problem_errors(struct request *req, enum http_status status, const char *code,
                                      const char *detail, json_t *errors);
/* One field error: where ("query", "path", "body", "header"), which field,
 * a machine code and a message. */
json_t *problem_error(const char *in, const char *field, const char *code, const char *message);

/* A failure on our side: logs the cause with the request id, answers 500
 * without internals. */
enum http_status reply_internal(struct request *req, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The database cannot be reached: 503 with Retry-After. */
enum http_status reply_unavailable(struct request *req, const char *detail);

/* Adds a header to the response being built (copies both strings). */
void response_header(struct response *res, const char *name, const char *value);
void response_free(struct response *res);

/* The strong entity tag of a body: "<32 hex digits>", quotes included. */
void response_etag(const struct buf *body, char out[40]);
/* Does an If-None-Match (weak comparison) or If-Match (strong) header
 * match the tag? "*" matches any. */
bool etag_list_matches(const char *header, const char *etag, bool weak);

/* The reason phrase of a status ("Not Found"). */
const char *http_status_text(unsigned status);

#endif
