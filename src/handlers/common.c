/* Helpers shared by handlers (see common.h). */
#include "handlers/common.h"

#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "render/render.h"

enum http_status reply_db_failure(struct request *req, enum db_status status)
{
	if (status == DB_UNAVAILABLE)
		return reply_unavailable(req, "The database cannot be reached right now; retry in a moment.");
	const char *state = db_error_sqlstate();
	if (state[0] == 'T' && state[1] == 'D') {
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
	return reply_internal(req, "database error %s: %s", state, db_error_message());
}

static enum http_status run(struct request *req, enum query_id q, struct args *a, PGresult **res)
{
	if (!args_ok(a))
		return reply_args_error(req, a);
	enum db_status st = db_query(q, a->n, a->values, res);
	if (st != DB_OK)
		return reply_db_failure(req, st);
	return HTTP_OK;
}

enum http_status reply_query_list(struct request *req, enum query_id q, struct args *a)
{
	return reply_query_list_as(req, q, a, "list");
}

enum http_status reply_query_list_as(struct request *req, enum query_id q, struct args *a, const char *file_stem)
{
	args_format(a);
	if (a->format == TABLE_JSON)
		return reply_query_list_with(req, q, a, NULL);
	PGresult *res = NULL;
	enum http_status st = run(req, q, a, &res);
	if (st != HTTP_OK) {
		args_free(a);
		return st;
	}
	int rows = PQntuples(res);
	int cursor_col = render_column(res, "_cursor");
	if (rows > a->limit && cursor_col >= 0) {
		char *cursor = cursor_encode(PQgetvalue(res, a->limit - 1, cursor_col));
		response_header(&req->res, "X-Next-Cursor", cursor);
		free(cursor);
	}
	st = reply_table(req, res, rows > a->limit ? a->limit : rows, a, "data", file_stem);
	args_free(a);
	return st;
}

static void disposition(struct request *req, const char *stem, const char *ext)
{
	char name[160];
	size_t n = (size_t)snprintf(name, sizeof name, "attachment; filename=\"thidua-");
	for (const char *p = stem; *p && n < sizeof name - 16; p++) {
		char c = *p;
		bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
		name[n++] = plain ? c : '-';
	}
	snprintf(name + n, sizeof name - n, ".%s\"", ext);
	response_header(&req->res, "Content-Disposition", name);
}

enum http_status reply_table(struct request *req, PGresult *res, int rows, const struct args *a,
                             const char *array_name, const char *file_stem)
{
	struct buf body = BUF_INIT;
	if (a->format == TABLE_JSON) {
		render_json_document(&body, res, array_name);
		PQclear(res);
		return reply_buf(req, HTTP_OK, CT_JSON, &body);
	}
	if (a->format == TABLE_CSV) {
		render_csv(&body, res, rows, a->decimal_comma);
		PQclear(res);
		disposition(req, file_stem, "csv");
		return reply_buf(req, HTTP_OK, "text/csv; charset=utf-8; header=present", &body);
	}
	char err[256];
	bool ok = render_xlsx(&body, res, rows, file_stem, err, sizeof err);
	PQclear(res);
	if (!ok) {
		buf_free(&body);
		return reply_internal(req, "XLSX export failed: %s", err);
	}
	disposition(req, file_stem, "xlsx");
	return reply_buf(req, HTTP_OK, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", &body);
}

enum http_status reply_query_table(struct request *req, enum query_id q, struct args *a, const char *array_name,
                                   const char *file_stem)
{
	args_format(a);
	PGresult *res = NULL;
	enum http_status st = run(req, q, a, &res);
	if (st == HTTP_OK)
		st = reply_table(req, res, PQntuples(res), a, array_name, file_stem);
	args_free(a);
	return st;
}

enum http_status reply_query_list_with(struct request *req, enum query_id q, struct args *a, const char *extra)
{
	PGresult *res = NULL;
	enum http_status st = run(req, q, a, &res);
	if (st != HTTP_OK) {
		args_free(a);
		return st;
	}
	int rows = PQntuples(res);
	int shown = rows > a->limit ? a->limit : rows;
	struct buf body = BUF_INIT;
	buf_puts(&body, "{\"data\":");
	render_json_array(&body, res, 0, shown);
	buf_puts(&body, ",\"next_cursor\":");
	int cursor_col = render_column(res, "_cursor");
	if (rows > a->limit && cursor_col >= 0 && !PQgetisnull(res, shown - 1, cursor_col)) {
		char *cursor = cursor_encode(PQgetvalue(res, shown - 1, cursor_col));
		buf_json_string(&body, cursor, strlen(cursor));
		free(cursor);
	} else {
		buf_puts(&body, "null");
	}
	if (extra) {
		buf_putc(&body, ',');
		buf_puts(&body, extra);
	}
	buf_putc(&body, '}');
	PQclear(res);
	args_free(a);
	return reply_buf(req, HTTP_OK, CT_JSON, &body);
}

/* Runs a one-row statement and renders the row; HTTP_OK or the reply. */
static enum http_status render_row(struct request *req, enum query_id q, struct args *a, struct buf *out)
{
	PGresult *res = NULL;
	enum http_status st = run(req, q, a, &res);
	args_free(a);
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

enum http_status reply_query_object(struct request *req, enum query_id q, struct args *a)
{
	struct buf body = BUF_INIT;
	enum http_status st = render_row(req, q, a, &body);
	if (st != HTTP_OK) {
		buf_free(&body);
		return st;
	}
	return reply_buf(req, HTTP_OK, CT_JSON, &body);
}

enum http_status write_begin(struct request *req)
{
	enum db_status st = db_begin();
	if (st != DB_OK)
		return reply_db_failure(req, st);
	const char *ctx[] = {req->who.key_name[0] ? req->who.key_name : "anonymous", req->request_id};
	PGresult *res;
	st = db_query(Q_WRITE_CONTEXT, 2, ctx, &res);
	if (st != DB_OK) {
		db_rollback();
		return reply_db_failure(req, st);
	}
	PQclear(res);
	return HTTP_OK;
}

enum http_status write_exec(struct request *req, enum query_id q, struct args *a, PGresult **res)
{
	*res = NULL;
	if (!args_ok(a)) {
		db_rollback();
		enum http_status st = reply_args_error(req, a);
		args_free(a);
		return st;
	}
	enum db_status st = db_query(q, a->n, a->values, res);
	args_free(a);
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

enum http_status write_once(struct request *req, enum query_id q, struct args *a, PGresult **res)
{
	*res = NULL;
	enum http_status st = write_begin(req);
	if (st != HTTP_OK) {
		args_free(a);
		return st;
	}
	if ((st = write_exec(req, q, a, res)) != HTTP_OK)
		return st;
	if ((st = write_commit(req)) != HTTP_OK) {
		PQclear(*res);
		*res = NULL;
	}
	return st;
}

enum http_status write_if_match(struct request *req, enum query_id get, struct args *get_args)
{
	const char *if_match = request_header(req, "If-Match");
	if (!if_match) {
		args_free(get_args);
		return HTTP_OK;
	}
	struct buf current = BUF_INIT;
	enum http_status st = render_row(req, get, get_args, &current);
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

enum http_status reply_representation(struct request *req, enum http_status status, enum query_id get,
                                      struct args *a)
{
	struct buf body = BUF_INIT;
	enum http_status st = render_row(req, get, a, &body);
	if (st != HTTP_OK) {
		buf_free(&body);
		return st;
	}
	char etag[40];
	response_etag(&body, etag);
	response_header(&req->res, "ETag", etag);
	return reply_buf(req, status, CT_JSON, &body);
}
