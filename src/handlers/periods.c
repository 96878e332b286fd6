/* GET /v1/periods/{code} answers from the C parser alone (no database);
 * GET /v1/periods lists a year's periods from the database's copy of the
 * same rules. */
#include "domain/period.h"
#include "handlers/common.h"
#include "handlers/handlers.h"
#include "http/response.h"

static const char *const period_kinds[] = {"year", "half", "quarter", "month", "ytd", "term", NULL};

enum http_status handle_periods_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_int(&a, "year", 1900, 2100);
	args_enum(&a, "kind", period_kinds);
	a.limit = 1000; /* at most 31 periods of a year and a few terms */
	return reply_query_list_as(req, Q_PERIODS, &a, "periods");
}

enum http_status handle_period_get(struct request *req)
{
	struct period p;
	char err[160];
	if (!period_parse(request_param(req, "code"), &p, err, sizeof err)) {
		json_t *errors = json_array();
		json_array_append_new(errors, problem_error("path", "code", "invalid_period", err));
		return reply_problem_errors(req, HTTP_BAD_REQUEST, "invalid_period", err, errors);
	}
	return reply_json(req, HTTP_OK,
	                  json_pack("{s:s, s:s, s:s, s:s, s:i, s:i, s:s}", "code", p.code, "kind",
	                            period_kind_name(p.kind), "start", p.start, "end", p.end, "year", p.year,
	                            "year_end", p.year_end, "label", p.label));
}
