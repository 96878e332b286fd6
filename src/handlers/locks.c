/* /v1/locks: after a review (tổng kết) an administrator locks a period for
 * an organization's subtree; writes into it are refused with 409
 * period_locked until the lock is lifted. */
#include <jansson.h>
#include <string.h>

#include "handlers/common.h"
#include "render/render.h"
#include "handlers/handlers.h"
#include "http/response.h"

enum http_status handle_locks_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_code(&a, "org");
	args_page(&a);
	return reply_query_list_as(req, Q_LOCKS, &a, "locks");
}

enum http_status handle_lock_create(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	json_t *doc = json_loadb(buf_cstr(&req->body), req->body.len, 0, NULL);
	const char *org = NULL, *period = NULL, *note = NULL;
	if (!json_is_object(doc)) {
		args_fail(&a, "body", "body", "invalid_body", "send a JSON object: {\"org\": ..., \"period\": ..., \"note\": ...}");
	} else {
		const char *k;
		json_t *v;
		json_object_foreach(doc, k, v)
		{
			if (strcmp(k, "org") && strcmp(k, "period") && strcmp(k, "note"))
				args_fail(&a, "body", k, "unknown_field", "unknown field; the fields are org, period and note");
			else if (!json_is_string(v) && !(json_is_null(v) && !strcmp(k, "note")))
				args_fail(&a, "body", k, "invalid_field", "must be text");
		}
		org = json_string_value(json_object_get(doc, "org"));
		period = json_string_value(json_object_get(doc, "period"));
		note = json_string_value(json_object_get(doc, "note"));
		if (!org)
			args_fail(&a, "body", "org", "missing_field", "org is required: the organization whose subtree is locked");
		if (!period)
			args_fail(&a, "body", "period", "missing_field", "period is required, as in 2022");
	}
	args_value(&a, org);
	args_value(&a, period);
	args_value(&a, note);
	json_decref(doc);

	PGresult *res;
	enum http_status st = write_once(req, Q_LOCK_CREATE, &a, &res);
	if (st != HTTP_OK)
		return st;
	struct buf body = BUF_INIT;
	render_json_object(&body, res, 0);
	char location[64];
	snprintf(location, sizeof location, "/v1/locks/%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	response_header(&req->res, "Location", location);
	return reply_buf(req, HTTP_CREATED, CT_JSON, &body);
}

enum http_status handle_lock_delete(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path_int(&a, "id", 1, 999999999999);
	PGresult *res;
	enum http_status st = write_once(req, Q_LOCK_DELETE, &a, &res);
	if (st != HTTP_OK)
		return st;
	PQclear(res);
	return reply_empty(req, HTTP_NO_CONTENT);
}
