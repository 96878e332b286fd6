/* Every answer the service makes (see reply.h). */
#include "api/reply.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/params.h"
#include "core/log.h"
#include "domain/messages.h"
#include "http/response.h"
#include "http/router.h"
#include "render/csv.h"
#include "render/document.h"
#include "render/json.h"
#include "render/xlsx.h"
#include "util/alloc.h"
#include "util/utf8.h"

/* ---- bodies and problems ---- */

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
 * first and a problem always leaves as a problem. A client that prefers
 * Vietnamese (Accept-Language: vi) gets the detail in Vietnamese, whole
 * (domain/messages.h); the code and the field errors stay as they are. */
static json_t *problem_body(struct request *req, enum http_status status, const char *code, const char *detail)
{
	const char *vi = req->conn && http_prefers_language(request_header(req, "Accept-Language"), "vi")
	                     ? message_vi(code)
	                     : NULL;
	if (vi) {
		detail = vi;
		response_header(&req->res, "Content-Language", "vi");
	}
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

enum http_status reply_problem_with(struct request *req, enum http_status status, const char *code,
                                    const char *detail, json_t *members)
{
	json_t *body = problem_body(req, status, code, detail);
	if (body)
		json_object_update_missing(body, members);
	json_decref(members);
	return send_problem(req, status, body);
}

enum http_status reply_problem_errors(struct request *req, enum http_status status, const char *code,
                                      const char *detail, json_t *errors)
{
	return reply_problem_with(req, status, code, detail, json_pack("{s:o}", "errors", errors));
}

enum http_status reply_field_problem(struct request *req, enum http_status status, const char *code,
                                     const char *in, const char *field, const char *message)
{
	json_t *errors = json_array();
	json_array_append_new(errors, problem_error(in, field, code, message));
	return reply_problem_errors(req, status, code, message, errors);
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

/* ---- database failures ---- */

static enum http_status retry_later(struct request *req, const char *code, const char *detail)
{
	response_header(&req->res, "Retry-After", "1");
	return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, code, "%s", detail);
}

/* Where a field the SQL names came from: the route's parameter of that
 * name says (path, query, a member of the body); any other is a field of
 * the body document (a row of a bloc year, an import row's field). */
static const char *field_in(const struct request *req, const char *field)
{
	static const char *const names[] = {[IN_PATH] = "path", [IN_QUERY] = "query", [IN_BODY] = "body"};
	for (const struct param_spec *s = req->route ? req->route->params : NULL; s && s->name; s++)
		if (!strcmp(s->name, field) && s->type != PT_DOCUMENT)
			return names[s->in];
	return "body";
}

enum http_status reply_db_error(struct request *req, enum db_status status, const struct db_error *e)
{
	if (status == DB_UNAVAILABLE)
		return reply_unavailable(req, "The database cannot be reached right now; retry in a moment.");
	const char *state = e->sqlstate;
	if (state[0] == 'T' && state[1] == 'D') {
		/* raised on purpose by the SQL functions: the message is for the client */
		int code = atoi(state + 2);
		const char *problem = e->detail;
		if (code >= 400 && code < 500 && *problem) {
			const char *field = e->hint;
			if (!*field)
				return reply_problem(req, (enum http_status)code, problem, "%s", e->message);
			return reply_field_problem(req, (enum http_status)code, problem, field_in(req, field), field,
			                           e->message);
		}
	}
	/* Anything else: the database's own words stay in the log. */
	bool ours = !strncmp(state, "42", 2) || !strncmp(state, "P0", 2) || !strncmp(state, "XX", 2) ||
	            !strncmp(state, "25", 2) || !*state;
	if (!ours)
		log_warn(req->request_id, "database refused %s %s: %s %s", req->method_name, req->path, state,
		         e->message);
	if (!strncmp(state, "08", 2) || !strncmp(state, "57P0", 4))
		return reply_unavailable(req, "The database cannot be reached right now; retry in a moment.");
	if (!strncmp(state, "22", 2))
		return reply_problem(req, HTTP_BAD_REQUEST, "invalid_value",
		                     "A value in the request is out of range or not of the kind its field holds.");
	if (!strcmp(state, "23505") || !strcmp(state, "23P01") || !strcmp(state, "23503"))
		return reply_problem(req, HTTP_CONFLICT, "conflict",
		                     "The change conflicts with data stored meanwhile; read it again and retry.");
	if (!strncmp(state, "23", 2))
		return reply_problem(req, HTTP_UNPROCESSABLE, "constraint_violated",
		                     "The change would break a rule of the data (dates in order, names on one line, "
		                     "figures within range).");
	if (!strcmp(state, "40001") || !strcmp(state, "40P01") || !strncmp(state, "53", 2))
		return retry_later(req, "database_busy", "The database is busy with other changes; retry in a moment.");
	if (!strcmp(state, "57014"))
		return retry_later(req, "query_timeout",
		                   "The request took longer than this service allows; narrow it, or retry when the "
		                   "service is less busy.");
	if (!strncmp(state, "54", 2))
		return reply_problem(req, HTTP_BAD_REQUEST, "too_complex",
		                     "The request is too large or too complex to answer; split it into smaller ones.");
	return reply_internal(req, "database error %s: %s", state, e->message);
}

enum http_status reply_db_failure(struct request *req, enum db_status status)
{
	struct db_error e;
	db_error_copy(&e);
	return reply_db_error(req, status, &e);
}

/* ---- answers from rows ---- */

/* "summary-{code}-{period}" with the parameters filled in: summary-HP-2022YTD09.
 * An absent parameter leaves nothing, and the dash before it goes too. */
static void file_stem(const struct request *req, struct buf *out)
{
	for (const char *p = req->route->file; p && *p;) {
		if (*p == '{') {
			size_t n = strcspn(p + 1, "}");
			char name[32];
			snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
			const char *v = params_get(req->params, name);
			if (v)
				buf_puts(out, v);
			else if (out->len && out->data[out->len - 1] == '-' && p[n + 2] != '{')
				out->data[--out->len] = '\0';
			p += n + 2;
		} else {
			buf_putc(out, *p++);
		}
	}
}

static void disposition(struct request *req, const char *ext)
{
	struct buf stem = BUF_INIT;
	file_stem(req, &stem);
	char name[160];
	size_t n = (size_t)snprintf(name, sizeof name, "attachment; filename=\"thidua-");
	for (const char *p = buf_cstr(&stem); *p && n < sizeof name - 16; p++) {
		char c = *p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
		name[n++] = plain ? c : '-';
	}
	snprintf(name + n, sizeof name - n, ".%s\"", ext);
	response_header(&req->res, "Content-Disposition", name);
	buf_free(&stem);
}

/* The line atop an XLSX export: what it is, of whom and when ("Bảng xếp
 * hạng thi đua — Cụm thi đua số 1 — 6 tháng đầu năm 2023 — thidua, ngày
 * 02/12/2026"): the answer's own @name and @label when it has them, else
 * what the request named. The day is Vietnam's (UTC+7); the same rows the
 * same day give the same bytes, so the ETag still holds. */
static void xlsx_title(const struct request *req, const PGresult *res, const struct buf *stem, struct buf *out)
{
	if (!req->route->title)
		return;
	buf_puts(out, req->route->title);
	bool named = false;
	for (const char *const *f = (const char *const[]){"@name", "@label", NULL}; *f; f++) {
		int c = render_column(res, *f);
		if (c >= 0 && PQntuples(res) > 0 && !PQgetisnull(res, 0, c)) {
			buf_printf(out, " \xE2\x80\x94 %s", PQgetvalue(res, 0, c));
			named = true;
		}
	}
	const char *dash = strchr(buf_cstr(stem), '-');
	if (!named && dash)
		buf_printf(out, " \xE2\x80\x94 %s", dash + 1);
	time_t now = time(NULL) + 7 * 3600;
	struct tm day;
	gmtime_r(&now, &day);
	buf_printf(out, " \xE2\x80\x94 thidua, ngày %02d/%02d/%04d", day.tm_mday, day.tm_mon + 1, day.tm_year + 1900);
}

enum http_status reply_table(struct request *req, PGresult *res, int rows, const char *array_name)
{
	struct buf body = BUF_INIT;
	const struct params *p = req->params;
	if (p->format == TABLE_JSON) {
		render_json_document(&body, res, array_name);
		PQclear(res);
		return reply_buf(req, HTTP_OK, CT_JSON, &body);
	}
	if (p->format == TABLE_CSV) {
		render_csv(&body, res, rows, p->decimal_comma);
		PQclear(res);
		disposition(req, "csv");
		return reply_buf(req, HTTP_OK, "text/csv; charset=utf-8; header=present", &body);
	}
	struct buf stem = BUF_INIT, title = BUF_INIT;
	file_stem(req, &stem);
	xlsx_title(req, res, &stem, &title);
	char err[256];
	bool ok = render_xlsx(&body, res, rows, buf_cstr(&stem), title.len ? buf_cstr(&title) : NULL, err, sizeof err);
	buf_free(&stem);
	buf_free(&title);
	PQclear(res);
	if (!ok) {
		buf_free(&body);
		return reply_internal(req, "XLSX export failed: %s", err);
	}
	disposition(req, "xlsx");
	return reply_buf(req, HTTP_OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &body);
}

enum http_status reply_page(struct request *req, PGresult *res, const char *extra)
{
	int limit = req->params->limit;
	int rows = PQntuples(res);
	int shown = limit && rows > limit ? limit : rows;
	int cursor_col = render_column(res, "_cursor");
	char *cursor = NULL;
	if (shown < rows && cursor_col >= 0 && !PQgetisnull(res, shown - 1, cursor_col))
		cursor = params_cursor_encode(PQgetvalue(res, shown - 1, cursor_col));

	if (req->params->format != TABLE_JSON) {
		if (cursor)
			response_header(&req->res, "X-Next-Cursor", cursor);
		free(cursor);
		return reply_table(req, res, shown, "data");
	}
	struct buf body = BUF_INIT;
	buf_puts(&body, "{\"data\":");
	render_json_array(&body, res, 0, shown);
	buf_puts(&body, ",\"next_cursor\":");
	if (cursor)
		buf_json_string(&body, cursor, strlen(cursor));
	else
		buf_puts(&body, "null");
	if (extra) {
		buf_putc(&body, ',');
		buf_puts(&body, extra);
	}
	buf_putc(&body, '}');
	free(cursor);
	PQclear(res);
	return reply_buf(req, HTTP_OK, CT_JSON, &body);
}

enum http_status reply_row(struct request *req, enum http_status status, PGresult *res, bool etag)
{
	if (PQntuples(res) == 0) {
		PQclear(res);
		return reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is nothing at %s.", req->path);
	}
	struct buf body = BUF_INIT;
	render_json_object(&body, res, 0);
	PQclear(res);
	if (etag) {
		char tag[40];
		response_etag(&body, tag);
		response_header(&req->res, "ETag", tag);
	}
	return reply_buf(req, status, CT_JSON, &body);
}
