/* GET /v1/periods/{code} answers from the C parser alone (no database);
 * the parameter layer has already parsed and normalised the code. The list
 * of a year's periods is generic (routes.c). */
#include "handlers/periods.h"

#include "api/reply.h"
#include "domain/period.h"
#include "handlers/common.h"
#include "http/response.h"

enum http_status handle_period_get(struct request *req)
{
	struct period p;
	char err[160];
	if (!period_parse(param(req, "code"), &p, err, sizeof err))
		return reply_internal(req, "a validated period no longer parses: %s", err);
	return reply_json(req, HTTP_OK,
	                  json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "code", p.code, "kind",
	                            period_kind_name(p.kind), "start", p.start, "end", p.end, "year", p.year,
	                            "year_end", p.year_end, "label", p.label));
}
