/* /v1/values: reported figures. GET lists them (or, with updated_after,
 * what changed since, deletions included); PUT imports them in bulk from a
 * provincial portal; DELETE removes one. The history is a generic list
 * (routes.c). */
#include <stdio.h>
#include <string.h>

#include "handlers/common.h"
#include "handlers/handlers.h"
#include "http/response.h"
#include "import/encode.h"
#include "import/import.h"
#include "render/render.h"

/* The change feed: the envelope also says from when to ask next time. */
static enum http_status changes(struct request *req)
{
	PGresult *res;
	enum db_status st = db_query(Q_SYNC_AS_OF, 0, NULL, &res);
	if (st != DB_OK)
		return reply_db_failure(req, st);
	struct buf extra = BUF_INIT;
	buf_puts(&extra, "\"as_of\":");
	render_timestamp(&extra, PQgetvalue(res, 0, 0));
	PQclear(res);
	req->res.no_cache = true; /* its as_of is the moment of asking */
	enum http_status status = reply_list(req, Q_VALUE_CHANGES, buf_cstr(&extra));
	buf_free(&extra);
	return status;
}

enum http_status handle_values_list(struct request *req)
{
	if (param(req, "updated_after"))
		return changes(req);
	return reply_list(req, Q_VALUES, NULL);
}

static const struct import_spec values_import = {
	.resource = "values",
	.columns = {
		.allowed = (const char *const[]){"org", "bloc", "indicator", "period", "actual", "target", "note", NULL},
		.key = (const char *const[]){"org", "bloc", "indicator", "period", NULL},
		.required = (const char *const[]){"org|bloc", "indicator", "period", NULL},
	},
	.staging = VALUE_STAGING,
	.copy = VALUE_COPY,
	.encode = encode_value_row,
	.merge = Q_IMPORT_VALUES,
};

enum http_status handle_values_put(struct request *req)
{
	return import_run(req, &values_import);
}

enum http_status handle_value_delete(struct request *req)
{
	if (!param(req, "org") == !param(req, "bloc")) {
		const char *msg = param(req, "org") ? "give org or bloc, not both" : "org (or bloc) is required";
		json_t *errors = json_array();
		json_array_append_new(errors, problem_error("query", "org", param(req, "org") ? "invalid_parameter"
		                                                                               : "missing_parameter", msg));
		return reply_problem_errors(req, HTTP_BAD_REQUEST, param(req, "org") ? "invalid_parameter" : "missing_parameter",
		                            msg, errors);
	}
	return handle_delete(req);
}
