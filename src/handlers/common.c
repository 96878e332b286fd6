/* Helpers shared by handlers (see common.h). */
#include "handlers/common.h"

#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "core/log.h"
#include "http/response.h"
#include "http/router.h"
#include "render/render.h"
#include "util/alloc.h"

const char *param(const struct request *req, const char *name)
{
	return params_get(req->params, name);
}

void param_set(struct request *req, const char *name, const char *value)
{
	params_set(req->params, name, value);
}

/* ---- database failures ---- */

static enum http_status retry_later(struct request *req, const char *code, const char *detail)
{
	response_header(&req->res, "Retry-After", "1");
	return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, code, "%s", detail);
}

enum http_status reply_db_failure(struct request *req, enum db_status status)
{
	if (status == DB_UNAVAILABLE)
		return reply_unavailable(req, "The database cannot be reached right now; retry in a moment.");
	const char *state = db_error_sqlstate();
	if (state[0] == 'T' && state[1] == 'D') {
		/* raised on purpose by the SQL functions: the message is for the client */
		int code = atoi(state + 2);
		const char *problem = db_error_detail();
		if (code >= 400 && code < 500 && *problem) {
			const char *field = db_error_hint();
			if (!*field)
				return reply_problem(req, (enum http_status)code, problem, "%s", db_error_message());
			json_t *errors = json_array();
			json_array_append_new(errors, problem_error(code == 404 ? "path" : "query", field, problem,
			                                            db_error_message()));
			return reply_problem_errors(req, (enum http_status)code, problem, db_error_message(), errors);
		}
	}
	/* Anything else: the database's own words stay in the log. */
	bool ours = !strncmp(state, "42", 2) || !strncmp(state, "P0", 2) || !strncmp(state, "XX", 2) ||
	            !strncmp(state, "25", 2) || !*state;
	if (!ours)
		log_warn(req->request_id, "database refused %s %s: %s %s", req->method_name, req->path, state,
		         db_error_message());
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
	return reply_internal(req, "database error %s: %s", state, db_error_message());
}

enum http_status run_call(struct request *req, enum query_id q, PGresult **res)
{
	enum db_status st = db_call(q, params_lookup, req->params, res);
	return st == DB_OK ? HTTP_OK : reply_db_failure(req, st);
}

/* ---- table answers ---- */

/* "summary-{code}-{period}" with the parameters filled in: summary-HP-2022YTD09.
 * An absent parameter leaves nothing, and the dash before it goes too. */
static void file_stem(const struct request *req, struct buf *out)
{
	for (const char *p = req->route->file; p && *p;) {
		if (*p == '{') {
			size_t n = strcspn(p + 1, "}");
			char name[32];
			snprintf(name, sizeof name, "%.*s", (int)n, p + 1);
			const char *v = param(req, name);
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

/* The first `rows` rows of a result as the answer: JSON as the document
 * with its rows under array_name, CSV or XLSX as a download. Clears res. */
static enum http_status reply_rows(struct request *req, PGresult *res, int rows, const char *array_name)
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
	struct buf stem = BUF_INIT;
	file_stem(req, &stem);
	char err[256];
	bool ok = render_xlsx(&body, res, rows, buf_cstr(&stem), err, sizeof err);
	buf_free(&stem);
	PQclear(res);
	if (!ok) {
		buf_free(&body);
		return reply_internal(req, "XLSX export failed: %s", err);
	}
	disposition(req, "xlsx");
	return reply_buf(req, HTTP_OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &body);
}

enum http_status handle_table(struct request *req)
{
	PGresult *res;
	enum http_status st = run_call(req, req->route->call, &res);
	if (st != HTTP_OK)
		return st;
	return reply_rows(req, res, PQntuples(res), req->route->array);
}

enum http_status reply_list(struct request *req, enum query_id q, const char *extra)
{
	PGresult *res;
	enum http_status st = run_call(req, q, &res);
	if (st != HTTP_OK)
		return st;
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
		return reply_rows(req, res, shown, "data");
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

enum http_status handle_list(struct request *req)
{
	return reply_list(req, req->route->call, NULL);
}

/* Runs a one-row statement and renders the row; HTTP_OK or the reply. */
static enum http_status render_row(struct request *req, enum query_id q, struct buf *out)
{
	PGresult *res;
	enum http_status st = run_call(req, q, &res);
	if (st != HTTP_OK)
		return st;
	if (PQntuples(res) == 0) {
		PQclear(res);
		return reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is nothing at %s.", req->path);
	}
	render_json_object(out, res, 0);
	PQclear(res);
	return HTTP_OK;
}

enum http_status handle_object(struct request *req)
{
	struct buf body = BUF_INIT;
	enum http_status st = render_row(req, req->route->call, &body);
	if (st != HTTP_OK) {
		buf_free(&body);
		return st;
	}
	return reply_buf(req, HTTP_OK, CT_JSON, &body);
}

/* ---- writes ---- */

enum http_status write_begin(struct request *req)
{
	enum db_status st = db_begin();
	if (st != DB_OK)
		return reply_db_failure(req, st);
	param_set(req, "actor", req->who.key_name[0] ? req->who.key_name : "anonymous");
	param_set(req, "request_id", req->request_id);
	PGresult *res;
	st = db_call(Q_WRITE_CONTEXT, params_lookup, req->params, &res);
	if (st != DB_OK) {
		db_rollback();
		return reply_db_failure(req, st);
	}
	PQclear(res);
	return HTTP_OK;
}

enum http_status write_call(struct request *req, enum query_id q, PGresult **res)
{
	enum db_status st = db_call(q, params_lookup, req->params, res);
	if (st != DB_OK) {
		db_rollback();
		return reply_db_failure(req, st);
	}
	return HTTP_OK;
}

enum http_status write_commit(struct request *req)
{
	enum db_status st = db_commit();
	return st == DB_OK ? HTTP_OK : reply_db_failure(req, st);
}

enum http_status write_once(struct request *req, enum query_id q, PGresult **res)
{
	*res = NULL;
	enum http_status st = write_begin(req);
	if (st != HTTP_OK)
		return st;
	if ((st = write_call(req, q, res)) != HTTP_OK)
		return st;
	if ((st = write_commit(req)) != HTTP_OK) {
		PQclear(*res);
		*res = NULL;
	}
	return st;
}

enum http_status handle_delete(struct request *req)
{
	PGresult *res;
	enum http_status st = write_once(req, req->route->call, &res);
	if (st != HTTP_OK)
		return st;
	PQclear(res);
	return reply_empty(req, HTTP_NO_CONTENT);
}

enum http_status write_if_match(struct request *req, enum query_id get)
{
	const char *if_match = request_header(req, "If-Match");
	if (!if_match)
		return HTTP_OK;
	struct buf current = BUF_INIT;
	enum http_status st = render_row(req, get, &current);
	if (st != HTTP_OK) {
		buf_free(&current);
		db_rollback();
		return st;
	}
	char etag[40];
	response_etag(&current, etag);
	buf_free(&current);
	if (etag_list_matches(if_match, etag, false))
		return HTTP_OK;
	db_rollback();
	response_header(&req->res, "ETag", etag);
	return reply_problem(req, HTTP_PRECONDITION_FAILED, "precondition_failed",
	                     "The resource changed since you read it (its ETag is now %s); read it again and redo your "
	                     "change on top of it.",
	                     etag);
}

enum http_status reply_representation(struct request *req, enum http_status status, enum query_id get)
{
	struct buf body = BUF_INIT;
	enum http_status st = render_row(req, get, &body);
	if (st != HTTP_OK) {
		buf_free(&body);
		return st;
	}
	char etag[40];
	response_etag(&body, etag);
	response_header(&req->res, "ETag", etag);
	return reply_buf(req, status, CT_JSON, &body);
}
