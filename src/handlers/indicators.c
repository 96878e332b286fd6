/* GET /v1/indicators and /v1/indicators/{code}: the indicator catalogue. */
#include <string.h>

#include "handlers/common.h"
#include "handlers/handlers.h"
#include "import/encode.h"
#include "import/import.h"

static const char *const indicator_kinds[] = {"flow", "stock", NULL};

enum http_status handle_indicators_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_enum(&a, "kind", indicator_kinds);
	args_text(&a, "q", 200);
	args_page(&a);
	return reply_query_list_as(req, Q_INDICATORS, &a, "indicators");
}

enum http_status handle_indicator_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path(&a, "code");
	return reply_query_object(req, Q_INDICATOR, &a);
}

/* ---- writes (administrators) ---- */

static const struct import_spec indicators_import = {
	.resource = "indicators",
	.columns = {
		.allowed = (const char *const[]){"code", "name", "name_en", "unit", "kind", "rollup", "higher_is_better",
		                                 "description", NULL},
		.key = (const char *const[]){"code", "name", "name_en", "unit", "kind", "rollup", "higher_is_better", NULL},
		.required = (const char *const[]){"code", NULL},
	},
	.staging = DOC_STAGING,
	.copy = DOC_COPY,
	.encode = encode_doc_row,
	.merge = Q_IMPORT_INDICATORS,
};

enum http_status handle_indicators_put(struct request *req)
{
	struct args a;
	struct import_options opt;
	args_init(&a, req);
	import_options_read(&a, &opt);
	args_value(&a, opt.keep_good ? "true" : "false");
	return import_run(req, &indicators_import, &opt, &a);
}

enum http_status handle_indicator_put(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_path(&a, "code");
	args_body_object(&a);
	PGresult *res;
	enum http_status st = write_once(req, Q_INDICATOR_PUT, &a, &res);
	if (st != HTTP_OK)
		return st;
	bool created = !strcmp(PQgetvalue(res, 0, 0), "created");
	PQclear(res);
	struct args get;
	args_init(&get, req);
	args_scope(&get);
	args_path(&get, "code");
	return reply_representation(req, created ? HTTP_CREATED : HTTP_OK, Q_INDICATOR, &get);
}
