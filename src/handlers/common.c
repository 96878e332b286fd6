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
	buf_putc(&body, '}');
	PQclear(res);
	args_free(a);
	return reply_buf(req, HTTP_OK, CT_JSON, &body);
}

enum http_status reply_query_object(struct request *req, enum query_id q, struct args *a)
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
	struct buf body = BUF_INIT;
	render_json_object(&body, res, 0);
	PQclear(res);
	return reply_buf(req, HTTP_OK, CT_JSON, &body);
}
