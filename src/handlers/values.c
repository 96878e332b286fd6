/* /v1/values: reported figures. GET lists them (or, with updated_after,
 * what changed since, deletions included); PUT imports them in bulk from a
 * provincial portal; DELETE removes one; /v1/values/history reads every
 * revision back. */
#include <stdio.h>
#include <string.h>

#include "handlers/common.h"
#include "render/render.h"
#include "handlers/handlers.h"
#include "import/encode.h"
#include "import/import.h"
#include "http/response.h"

/* The filters shared by the listing, the change feed and the history. */
static void value_filters(struct args *a)
{
	args_scope(a);
	args_codes(a, "org");
	args_code(a, "under");
	args_codes(a, "bloc");
	args_indicators(a, "indicator");
	args_periods(a, "period");
	args_int(a, "year", 1900, 2100);
}

/* The change feed: the envelope also says from when to ask next time. */
static enum http_status changes(struct request *req, struct args *a)
{
	PGresult *res;
	enum db_status st = db_query(Q_SYNC_AS_OF, 0, NULL, &res);
	if (st != DB_OK) {
		args_free(a);
		return reply_db_failure(req, st);
	}
	struct buf extra = BUF_INIT;
	buf_puts(&extra, "\"as_of\":");
	render_timestamp(&extra, PQgetvalue(res, 0, 0));
	PQclear(res);
	enum http_status status = reply_query_list_with(req, Q_VALUE_CHANGES, a, buf_cstr(&extra));
	buf_free(&extra);
	return status;
}

enum http_status handle_values_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	value_filters(&a);
	if (request_query(req, "updated_after")) {
		args_timestamp(&a, "updated_after");
		args_page(&a);
		req->res.no_cache = true; /* its sync_as_of is the moment of asking */
		return changes(req, &a);
	}
	args_page(&a);
	return reply_query_list_as(req, Q_VALUES, &a, "values");
}

enum http_status handle_value_history(struct request *req)
{
	struct args a;
	args_init(&a, req);
	value_filters(&a);
	args_page(&a);
	return reply_query_list_as(req, Q_VALUE_HISTORY, &a, "value-history");
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
	struct args a;
	struct import_options opt;
	args_init(&a, req);
	import_options_read(&a, &opt);
	args_scope(&a);
	args_value(&a, opt.keep_good ? "true" : "false");
	return import_run(req, &values_import, &opt, &a);
}

enum http_status handle_value_delete(struct request *req)
{
	struct args a;
	args_init(&a, req);
	if (!request_query(req, "org") && !request_query(req, "bloc"))
		args_fail(&a, "query", "org", "missing_parameter", "org (or bloc) is required");
	args_require(&a, "indicator");
	args_require(&a, "period");
	args_scope(&a);
	args_code(&a, "org");
	args_code(&a, "bloc");
	args_indicator(&a, "indicator");
	args_period(&a, "period");
	PGresult *res;
	enum http_status st = write_once(req, Q_VALUE_DELETE, &a, &res);
	if (st != HTTP_OK)
		return st;
	PQclear(res);
	return reply_empty(req, HTTP_NO_CONTENT);
}
