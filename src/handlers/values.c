/* /v1/values: reported figures. GET lists them (or, with updated_after,
 * what changed since, deletions included); PUT imports them in bulk from a
 * provincial portal; DELETE removes one. The history is a generic list
 * (routes.c). */
#include "handlers/values.h"

#include <stdio.h>
#include <string.h>

#include "api/reply.h"
#include "handlers/common.h"
#include "handlers/import.h"
#include "http/response.h"
#include "import/encode.h"
#include "render/json.h"

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
	enum http_status status = list_call(req, Q_VALUE_CHANGES, buf_cstr(&extra));
	buf_free(&extra);
	return status;
}

enum http_status handle_values_list(struct request *req)
{
	if (param(req, "updated_after"))
		return changes(req);
	return list_call(req, Q_VALUES, NULL);
}

static const struct import_spec values_import = {
	.resource = "values",
	.columns = {
		.allowed = (const char *const[]){"org", "bloc", "indicator", "period", "actual", "target", "note", NULL},
		.key = (const char *const[]){"org", "bloc", "indicator", "period", NULL},
		.required = (const char *const[]){"org|bloc", "indicator", "period", NULL},
		.numbers = (const char *const[]){"actual", "target", NULL},
	},
	.rows = &value_rows,
	.merge = Q_IMPORT_VALUES,
};

enum http_status handle_values_put(struct request *req)
{
	return import_run(req, &values_import);
}

enum http_status handle_value_delete(struct request *req)
{
	if (!param(req, "org") == !param(req, "bloc")) {
		bool both = param(req, "org");
		return reply_field_problem(req, HTTP_BAD_REQUEST, both ? "invalid_parameter" : "missing_parameter", "query",
		                           "org", both ? "give org or bloc, not both" : "org (or bloc) is required");
	}
	return handle_delete(req);
}
