/* Response helpers and problem documents (see response.h). */
#include "http/response.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/log.h"
#include "util/alloc.h"
#include "util/utf8.h"

static void set_body(struct request *req, enum http_status status, const char *content_type)
{
	req->res.status = status;
	req->res.content_type = content_type;
	buf_reset(&req->res.body);
}

enum http_status reply_json(struct request *req, enum http_status status, json_t *body)
{
	set_body(req, status, CT_JSON);
	char *text = json_dumps(body, JSON_COMPACT);
	json_decref(body);
	if (!text)
		return reply_internal(req, "could not serialise a JSON response");
	buf_puts(&req->res.body, text);
	free(text);
	return status;
}

enum http_status reply_bytes(struct request *req, enum http_status status, const char *content_type,
                             const char *data, size_t len)
{
	set_body(req, status, content_type);
	buf_append(&req->res.body, data, len);
	return status;
}

enum http_status reply_buf(struct request *req, enum http_status status, const char *content_type,
                           struct buf *body)
{
	buf_free(&req->res.body);
	req->res.body = *body;
	*body = (struct buf)BUF_INIT;
	req->res.status = status;
	req->res.content_type = content_type;
	return status;
}

enum http_status reply_empty(struct request *req, enum http_status status)
{
	set_body(req, status, NULL);
	return status;
}

/* Problem documents carry text from the request (a path, a code) that may
 * not be UTF-8; jansson refuses such strings, so every one is repaired
 * first and a problem always leaves as a problem. */
static json_t *problem_body(struct request *req, enum http_status status, const char *code, const char *detail)
{
	char type[96];
	snprintf(type, sizeof type, "/problems/%s", code);
	char *d = utf8_repaired(detail), *instance = utf8_repaired(req->path ? req->path : "");
	json_t *body = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "type", type, "title", http_status_text(status),
	                         "status", (int)status, "code", code, "detail", d, "instance", instance, "request_id",
	                         req->request_id);
	free(d);
	free(instance);
	return body;
}

static enum http_status send_problem(struct request *req, enum http_status status, json_t *body)
{
	set_body(req, status, CT_PROBLEM);
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	json_decref(body);
	if (!text) { /* cannot happen with repaired text; still never an empty problem */
		log_error(req->request_id, "a problem document could not be built (%s)", http_status_text(status));
		buf_printf(&req->res.body, "{\"type\":\"/problems/internal_error\",\"title\":\"%s\",\"status\":%d,"
		                           "\"code\":\"internal_error\",\"detail\":\"The problem could not be described.\","
		                           "\"request_id\":\"%s\"}",
		           http_status_text(status), (int)status, req->request_id);
		return status;
	}
	buf_puts(&req->res.body, text);
	free(text);
	return status;
}

enum http_status reply_problem(struct request *req, enum http_status status, const char *code, const char *fmt, ...)
{
	struct buf detail = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&detail, fmt, ap);
	va_end(ap);
	json_t *body = problem_body(req, status, code, buf_cstr(&detail));
	buf_free(&detail);
	return send_problem(req, status, body);
}

enum http_status reply_problem_errors(struct request *req, enum http_status status, const char *code,
                                      const char *detail, json_t *errors)
{
	json_t *body = problem_body(req, status, code, detail);
	json_object_set_new(body, "errors", errors);
	return send_problem(req, status, body);
}

json_t *problem_error(const char *in, const char *field, const char *code, const char *message)
{
	char *f = utf8_repaired(field), *m = utf8_repaired(message);
	json_t *e = json_pack("{s:s, s:s, s:s, s:s}", "in", in, "field", f, "code", code, "message", m);
	free(f);
	free(m);
	return e;
}

enum http_status reply_internal(struct request *req, const char *fmt, ...)
{
	struct buf cause = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&cause, fmt, ap);
	va_end(ap);
	log_error(req->request_id, "%s %s failed: %s", req->method_name, req->path ? req->path : "",
	          buf_cstr(&cause));
	buf_free(&cause);
	return reply_problem(req, HTTP_INTERNAL_ERROR, "internal_error",
	                     "The server could not complete the request. The failure is logged under this "
	                     "request id.");
}

enum http_status reply_unavailable(struct request *req, const char *detail)
{
	response_header(&req->res, "Retry-After", "1");
	return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, "database_unavailable", "%s", detail);
}

void response_header(struct response *res, const char *name, const char *value)
{
	for (unsigned i = 0; i < res->nheaders; i++) {
		if (!strcasecmp(res->headers[i].name, name)) {
			free(res->headers[i].value);
			res->headers[i].value = xstrdup(value);
			return;
		}
	}
	if (res->nheaders == REQUEST_MAX_HEADERS) {
		log_error(NULL, "too many response headers; dropped %s", name);
		return;
	}
	res->headers[res->nheaders].name = xstrdup(name);
	res->headers[res->nheaders].value = xstrdup(value);
	res->nheaders++;
}

void response_free(struct response *res)
{
	for (unsigned i = 0; i < res->nheaders; i++) {
		free(res->headers[i].name);
		free(res->headers[i].value);
	}
	res->nheaders = 0;
	buf_free(&res->body);
}

const char *http_status_text(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Error";
}

void response_etag(const struct buf *body, char out[40])
{
	unsigned char digest[16];
	crypto_generichash(digest, sizeof digest, (const unsigned char *)buf_cstr(body), body->len, NULL, 0);
	out[0] = '"';
	sodium_bin2hex(out + 1, 33, digest, sizeof digest);
	out[33] = '"';
	out[34] = '\0';
}

bool etag_list_matches(const char *header, const char *etag, bool weak)
{
	if (!header)
		return false;
	size_t olen = strlen(etag);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		bool is_weak = !strncmp(p, "W/", 2);
		if (is_weak)
			p += 2;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
			m--;
		if ((weak || !is_weak) && m == olen && !memcmp(p, etag, olen))
			return true;
		p += n;
	}
	return false;
}
