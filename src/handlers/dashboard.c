/* What dashboards draw: an organization's or a bloc's summary for a
 * period, the breakdown of a figure over the children, a series over
 * years, and a bloc's scoreboard. The figures come from the SQL functions
 * of sql/008_analytics.sql; every answer is a table, so it also downloads
 * as CSV or XLSX. */
#include <stdio.h>

#include "handlers/common.h"
#include "handlers/handlers.h"

static const char *const granularities[] = {"year", "half", "quarter", "month", NULL};
static const char *const ranking_bases[] = {"actual", "completion", NULL};

/* "summary-HP-2022YTD09": names the download after what it holds. */
static void stem(char *out, size_t len, const char *what, const char *a, const char *b, const char *c)
{
	snprintf(out, len, "%s-%s%s%s%s%s", what, a ? a : "", b ? "-" : "", b ? b : "", c ? "-" : "", c ? c : "");
}

enum http_status handle_organization_summary(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_format(&a);
	args_require(&a, "period");
	args_scope(&a);
	args_path(&a, "code");
	args_period(&a, "period");
	char name[128];
	stem(name, sizeof name, "summary", request_param(req, "code"), a.values[2], NULL);
	return reply_query_table(req, Q_ORGANIZATION_SUMMARY, &a, "items", name);
}

enum http_status handle_organization_breakdown(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_format(&a);
	args_require(&a, "indicator");
	args_require(&a, "period");
	args_scope(&a);
	args_path(&a, "code");
	args_indicator(&a, "indicator");
	args_period(&a, "period");
	char name[128];
	stem(name, sizeof name, "breakdown", request_param(req, "code"), a.values[2], a.values[3]);
	return reply_query_table(req, Q_ORGANIZATION_BREAKDOWN, &a, "children", name);
}

enum http_status handle_series(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_format(&a);
	args_require(&a, "indicator");
	args_require(&a, "from");
	args_require(&a, "to");
	args_scope(&a);
	args_code(&a, "org");
	args_code(&a, "bloc");
	args_indicator(&a, "indicator");
	args_int(&a, "from", 1900, 2100);
	args_int(&a, "to", 1900, 2100);
	args_enum(&a, "every", granularities);
	if (!a.values[6])
		a.values[6] = "year";
	char name[128], span[32];
	snprintf(span, sizeof span, "%s-%s", a.values[4] ? a.values[4] : "", a.values[5] ? a.values[5] : "");
	stem(name, sizeof name, "series", a.values[1] ? a.values[1] : a.values[2], a.values[3], span);
	return reply_query_table(req, Q_SERIES, &a, "points", name);
}

enum http_status handle_bloc_summary(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_format(&a);
	args_require(&a, "period");
	args_scope(&a);
	args_path(&a, "code");
	args_period(&a, "period");
	char name[128];
	stem(name, sizeof name, "summary", request_param(req, "code"), a.values[2], NULL);
	return reply_query_table(req, Q_BLOC_SUMMARY, &a, "items", name);
}

enum http_status handle_bloc_scoreboard(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_format(&a);
	args_require(&a, "period");
	args_scope(&a);
	args_path(&a, "code");
	args_period(&a, "period");
	args_indicator(&a, "indicator");
	args_enum(&a, "by", ranking_bases);
	char name[128];
	stem(name, sizeof name, "scoreboard", request_param(req, "code"), a.values[2], a.values[3]);
	return reply_query_table(req, Q_BLOC_SCOREBOARD, &a, "members", name);
}
