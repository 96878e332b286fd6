/* Helpers shared by handlers (see common.h). */
#include "handlers/common.h"

#include <stdlib.h>
#include <string.h>

#include "api/auth.h"
#include "api/params.h"
#include "api/reply.h"
#include "http/response.h"
#include "http/router.h"
#include "render/json.h"

const char *param(const struct request *req, const char *name)
{
	return params_get(req->params, name);
}

void param_set(struct request *req, const char *name, const char *value)
{
	params_set(req->params, name, value);
}

enum http_status run_call(struct request *req, enum query_id q, PGresult **res)
{
	/* a read may go to a standby that has every write acknowledged before
	 * the key check; anything within a write stays on the primary */
	bool read = req->method == HTTP_GET || req->method == HTTP_HEAD;
	enum db_status st = read ? db_read(q, params_lookup, req->params, req->who->seen_lsn, res)
	                         : db_call(q, params_lookup, req->params, res);
	return st == DB_OK ? HTTP_PROCEED : reply_db_failure(req, st);
}

enum http_status handle_table(struct request *req)
{
	PGresult *res;
	enum http_status st = run_call(req, req->route->call, &res);
	if (st != HTTP_PROCEED)
		return st;
	return reply_table(req, res, PQntuples(res), req->route->array);
}

enum http_status list_call(struct request *req, enum query_id q, const char *extra)
{
	PGresult *res;
	enum http_status st = run_call(req, q, &res);
	return st != HTTP_PROCEED ? st : reply_page(req, res, extra);
}

enum http_status handle_list(struct request *req)
{
	return list_call(req, req->route->call, NULL);
}

enum http_status handle_object(struct request *req)
{
	PGresult *res;
	enum http_status st = run_call(req, req->route->call, &res);
	return st != HTTP_PROCEED ? st : reply_row(req, HTTP_OK, res, false);
}

/* ---- writes ---- */

enum http_status write_begin(struct request *req)
{
	enum db_status st = db_begin();
	if (st != DB_OK)
		return reply_db_failure(req, st);
	param_set(req, "actor", req->who->key_name[0] ? req->who->key_name : "anonymous");
	param_set(req, "request_id", req->request_id);
	PGresult *res;
	enum http_status step = write_call(req, Q_WRITE_CONTEXT, &res);
	if (step == HTTP_PROCEED)
		PQclear(res);
	return step;
}

enum http_status write_call(struct request *req, enum query_id q, PGresult **res)
{
	enum db_status st = db_call(q, params_lookup, req->params, res);
	if (st != DB_OK) {
		db_rollback();
		return reply_db_failure(req, st);
	}
	return HTTP_PROCEED;
}

enum http_status write_commit(struct request *req)
{
	enum db_status st = db_commit();
	return st == DB_OK ? HTTP_PROCEED : reply_db_failure(req, st);
}

enum http_status write_once(struct request *req, enum query_id q, PGresult **res)
{
	*res = NULL;
	enum http_status st = write_begin(req);
	if (st != HTTP_PROCEED)
		return st;
	if ((st = write_call(req, q, res)) != HTTP_PROCEED)
		return st;
	if ((st = write_commit(req)) != HTTP_PROCEED) {
		PQclear(*res);
		*res = NULL;
	}
	return st;
}

enum http_status handle_delete(struct request *req)
{
	PGresult *res;
	enum http_status st = write_once(req, req->route->call, &res);
	if (st != HTTP_PROCEED)
		return st;
	PQclear(res);
	return reply_empty(req, HTTP_NO_CONTENT);
}

enum http_status write_if_match(struct request *req, enum query_id get)
{
	const char *if_match = request_header(req, "If-Match");
	if (!if_match)
		return HTTP_PROCEED;
	PGresult *res;
	enum http_status st = run_call(req, get, &res);
	if (st != HTTP_PROCEED) {
		db_rollback();
		return st;
	}
	if (PQntuples(res) == 0) {
		PQclear(res);
		db_rollback();
		return reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is nothing at %s.", req->path);
	}
	struct buf current = BUF_INIT;
	render_json_object(&current, res, 0);
	PQclear(res);
	char etag[40];
	response_etag(&current, etag);
	buf_free(&current);
	if (etag_list_matches(if_match, etag, false))
		return HTTP_PROCEED;
	db_rollback();
	response_header(&req->res, "ETag", etag);
	return reply_problem(req, HTTP_PRECONDITION_FAILED, "precondition_failed",
	                     "The resource changed since you read it (its ETag is now %s); read it again and redo your "
	                     "change on top of it.",
	                     etag);
}

enum http_status write_answer(struct request *req, enum http_status status, enum query_id get)
{
	PGresult *res;
	enum http_status st = run_call(req, get, &res);
	return st != HTTP_PROCEED ? st : reply_row(req, status, res, true);
}
