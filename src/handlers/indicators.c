/* Writes of the indicator catalogue (administrators): the bulk import and
 * PUT of one. Reads are generic (routes.c). */
#include "handlers/indicators.h"

#include <string.h>

#include "handlers/common.h"
#include "handlers/import.h"
#include "import/encode.h"

static const struct import_spec indicators_import = {
	.resource = "indicators",
	.columns = {
		.allowed = (const char *const[]){"code", "name", "name_en", "unit", "kind", "rollup", "higher_is_better",
		                                 "description", NULL},
		.key = (const char *const[]){"code", "name", "name_en", "unit", "kind", "rollup", "higher_is_better", NULL},
		.required = (const char *const[]){"code", NULL},
	},
	.rows = &document_rows,
	.merge = Q_IMPORT_INDICATORS,
};

enum http_status handle_indicators_put(struct request *req)
{
	return import_run(req, &indicators_import);
}

enum http_status handle_indicator_put(struct request *req)
{
	PGresult *res;
	enum http_status st = write_once(req, req->route->call, &res);
	if (st != HTTP_PROCEED)
		return st;
	bool created = !strcmp(PQgetvalue(res, 0, 0), "created");
	PQclear(res);
	return write_answer(req, created ? HTTP_CREATED : HTTP_OK, Q_INDICATOR);
}
