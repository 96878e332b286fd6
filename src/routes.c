/* The route table. Each row: method, path pattern, handler, the least role
 * that may call it, flags, a summary for the /v1 index, its typed
 * parameters (api/params.h), and for the routes that answer with the rows
 * of one statement, that statement (db/queries.h) and how the table is
 * named. The pipeline checks role, method and parameters centrally;
 * openapi.yaml documents the same routes and parameters (tests compare
 * them with `thidua routes`). */
#include "routes.h"

#include "api/params.h"
#include "db/queries.h"
#include "domain/schema.h"
#include "handlers/blocs.h"
#include "handlers/common.h"
#include "handlers/indicators.h"
#include "handlers/keys.h"
#include "handlers/locks.h"
#include "handlers/organizations.h"
#include "handlers/pages.h"
#include "handlers/periods.h"
#include "handlers/system.h"
#include "handlers/values.h"

static const char *const granularities[] = {"year", "half", "quarter", "month", NULL};
static const char *const ranking_bases[] = {"actual", "completion", NULL};
static const char *const on_error_modes[] = {"abort", "skip", NULL};
static const char *const empty_modes[] = {"keep", "clear", NULL};
static const char *const only_modes[] = {"missing", NULL};

#define PARAMS(...) ((const struct param_spec[]){__VA_ARGS__, {.name = NULL}})
#define PATH(n, t) {.name = n, .in = IN_PATH, .type = t, .flags = P_REQUIRED}
#define PATH_ID {.name = "id", .in = IN_PATH, .type = PT_INT, .flags = P_REQUIRED, .min = 1, .max = 999999999999}
#define PATH_YEAR {.name = "year", .in = IN_PATH, .type = PT_INT, .flags = P_REQUIRED, .min = 1900, .max = 2100}
#define QUERY(n, t) {.name = n, .in = IN_QUERY, .type = t}
#define REQUIRED(n, t) {.name = n, .in = IN_QUERY, .type = t, .flags = P_REQUIRED}
#define YEAR(n, f) {.name = n, .in = IN_QUERY, .type = PT_INT, .flags = f, .min = 1900, .max = 2100}
#define ENUM(n, list) {.name = n, .in = IN_QUERY, .type = PT_ENUM, .choices = list}
#define SEARCH {.name = "q", .in = IN_QUERY, .type = PT_TEXT, .max = 200}
#define PAGE QUERY("cursor", PT_CURSOR), QUERY("limit", PT_LIMIT)
#define TABLE QUERY("format", PT_FORMAT), QUERY("decimal", PT_DECIMAL)
#define IMPORT QUERY("dry_run", PT_BOOL), ENUM("on_error", on_error_modes), ENUM("empty", empty_modes)
#define DOCUMENT {.name = "body", .in = IN_BODY, .type = PT_DOCUMENT, .flags = P_REQUIRED}
#define FIELD(n, t, f) {.name = n, .in = IN_BODY, .type = t, .flags = f}
/* what a page's address says it shows; read by the page's script */
#define PAGE_STATE                                                                                                   \
	{.name = "period", .in = IN_QUERY, .type = PT_TEXT, .max = 20},                                                   \
		{.name = "indicator", .in = IN_QUERY, .type = PT_TEXT, .max = 200},                                           \
		{.name = "year", .in = IN_QUERY, .type = PT_TEXT, .max = 4}, {.name = "q", .in = IN_QUERY, .type = PT_TEXT, .max = 200}, \
		{.name = "by", .in = IN_QUERY, .type = PT_TEXT, .max = 20}
#define VALUE_FILTERS                                                                                              \
	QUERY("org", PT_CODES), QUERY("under", PT_CODE), QUERY("bloc", PT_CODES), QUERY("indicator", PT_INDICATORS), \
		QUERY("period", PT_PERIODS), YEAR("year", 0)

const struct route routes[] = {
	{HTTP_GET, "/healthz", handle_healthz, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the process is up", .params = NULL},
	{HTTP_GET, "/readyz", handle_readyz, ROLE_PUBLIC, 0, "the database is reachable and migrated", .params = NULL},
	{HTTP_GET, "/openapi.yaml", handle_openapi, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the API contract", .params = NULL},
	{HTTP_GET, "/metrics", handle_metrics, ROLE_PUBLIC, ROUTE_IN_MEMORY, "Prometheus metrics", .params = NULL},
	{HTTP_GET, "/v1", handle_index, ROLE_PUBLIC, ROUTE_IN_MEMORY, "this index of resources", .params = NULL},

	/* the dashboard: pages without data, public; the data is /v1's */
	{HTTP_GET, "/", handle_root, ROLE_PUBLIC, ROUTE_IN_MEMORY, "to the dashboard", .params = NULL},
	{HTTP_GET, "/dashboard", handle_page, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the dashboard: blocs, search",
	 .params = PARAMS(PAGE_STATE)},
	{HTTP_GET, "/dashboard/blocs/{code}", handle_page, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the dashboard: a bloc's scoreboard",
	 .params = PARAMS(PATH("code", PT_CODE), PAGE_STATE)},
	{HTTP_GET, "/dashboard/organizations/{code}", handle_page, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the dashboard: an organization",
	 .params = PARAMS(PATH("code", PT_CODE), PAGE_STATE)},
	{HTTP_GET, "/dashboard/import", handle_page, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the dashboard: import a file",
	 .params = PARAMS(PAGE_STATE)},
	{HTTP_GET, "/dashboard/assets/{file}", handle_asset, ROLE_PUBLIC, ROUTE_IN_MEMORY, "the dashboard's scripts and styles",
	 .params = PARAMS({.name = "file", .in = IN_PATH, .type = PT_TEXT, .flags = P_REQUIRED, .max = 64})},

	{HTTP_GET, "/v1/organizations", handle_list, ROLE_READER, ROUTE_CACHED, "organizations, as of a date",
	 .params = PARAMS(ENUM("kind", org_kind_names), QUERY("parent", PT_CODE), QUERY("under", PT_CODE), SEARCH,
	                  QUERY("on", PT_DATE), QUERY("include_dissolved", PT_BOOL), PAGE, TABLE),
	 .call = Q_ORGANIZATIONS, .file = "organizations", .title = "Danh sách công đoàn", .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_PUT, "/v1/organizations", handle_organizations_put, ROLE_ADMIN, 0,
	 "create or update organizations in bulk (JSON array or CSV)", .params = PARAMS(IMPORT)},
	{HTTP_POST, "/v1/organizations", handle_organization_post, ROLE_ADMIN, 0, "create one organization",
	 .params = PARAMS(DOCUMENT)},
	{HTTP_GET, "/v1/organizations/{code}", handle_object, ROLE_READER, ROUTE_CACHED,
	 "one organization with its ancestors and parent history",
	 .params = PARAMS(PATH("code", PT_CODE), QUERY("on", PT_DATE)), .call = Q_ORGANIZATION, .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_GET, "/v1/organizations/{code}/summary", handle_table, ROLE_READER, ROUTE_CACHED,
	 "per indicator: completion, progress toward the year, year-on-year change",
	 .params = PARAMS(PATH("code", PT_CODE), REQUIRED("period", PT_PERIOD), TABLE), .call = Q_ORGANIZATION_SUMMARY,
	 .array = "items", .file = "summary-{code}-{period}", .title = "Kết quả thực hiện chỉ tiêu", .cache_on = CACHE_ON_PATH_ORG},
	{HTTP_GET, "/v1/organizations/{code}/breakdown", handle_table, ROLE_READER, ROUTE_CACHED,
	 "a figure beside the sum of the children's, and each child",
	 .params = PARAMS(PATH("code", PT_CODE), REQUIRED("indicator", PT_INDICATOR), REQUIRED("period", PT_PERIOD), TABLE),
	 .call = Q_ORGANIZATION_BREAKDOWN, .array = "children", .file = "breakdown-{code}-{indicator}-{period}", .title = "Số liệu của đơn vị và các đơn vị trực thuộc", .cache_on = CACHE_ON_PATH_ORG},
	{HTTP_GET, "/v1/organizations/{code}/reporting", handle_table, ROLE_READER, ROUTE_CACHED,
	 "who of its children has reported what, and who has not",
	 .params = PARAMS(PATH("code", PT_CODE), REQUIRED("period", PT_PERIOD), REQUIRED("indicator", PT_INDICATORS), TABLE),
	 .call = Q_ORGANIZATION_REPORTING, .array = "members", .file = "reporting-{code}-{period}",
	 .title = "Tình hình báo cáo số liệu", .cache_on = CACHE_ON_PATH_ORG},
	{HTTP_PATCH, "/v1/organizations/{code}", handle_organization_patch, ROLE_ADMIN, 0,
	 "change, dissolve or move one organization", .params = PARAMS(PATH("code", PT_CODE), DOCUMENT)},
	{HTTP_DELETE, "/v1/organizations/{code}", handle_delete, ROLE_ADMIN, 0, "delete an organization nothing refers to",
	 .params = PARAMS(PATH("code", PT_CODE)), .call = Q_ORGANIZATION_DELETE},

	{HTTP_GET, "/v1/indicators", handle_list, ROLE_READER, ROUTE_CACHED, "the indicator catalogue",
	 .params = PARAMS(ENUM("kind", indicator_kind_names), SEARCH, PAGE, TABLE), .call = Q_INDICATORS, .file = "indicators", .title = "Danh mục chỉ số", .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_PUT, "/v1/indicators", handle_indicators_put, ROLE_ADMIN, 0,
	 "create or update indicators in bulk (JSON array or CSV)", .params = PARAMS(IMPORT)},
	{HTTP_GET, "/v1/indicators/{code}", handle_object, ROLE_READER, ROUTE_CACHED, "one indicator",
	 .params = PARAMS(PATH("code", PT_INDICATOR)), .call = Q_INDICATOR, .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_PUT, "/v1/indicators/{code}", handle_indicator_put, ROLE_ADMIN, 0, "create or update one indicator",
	 .params = PARAMS(PATH("code", PT_INDICATOR), DOCUMENT), .call = Q_INDICATOR_PUT},

	{HTTP_GET, "/v1/periods", handle_list, ROLE_READER, ROUTE_CACHED, "the periods of a year",
	 .params = PARAMS(YEAR("year", 0), ENUM("kind", period_kind_names), TABLE), .call = Q_PERIODS, .file = "periods", .title = "Kỳ báo cáo", .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_GET, "/v1/periods/{code}", handle_period_get, ROLE_READER, ROUTE_CACHED, "one period: dates and label",
	 .params = PARAMS(PATH("code", PT_PERIOD)), .cache_on = CACHE_ON_STRUCTURE},

	{HTTP_GET, "/v1/blocs", handle_list, ROLE_READER, ROUTE_CACHED, "emulation blocs (khối / cụm thi đua)",
	 .params = PARAMS(QUERY("organizer", PT_CODE), YEAR("year", 0), QUERY("member", PT_CODE), SEARCH, PAGE, TABLE),
	 .call = Q_BLOCS, .file = "blocs", .title = "Khối, cụm thi đua", .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_GET, "/v1/blocs/{code}", handle_object, ROLE_READER, ROUTE_CACHED, "one bloc",
	 .params = PARAMS(PATH("code", PT_CODE)), .call = Q_BLOC, .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_PUT, "/v1/blocs/{code}", handle_bloc_put, ROLE_ADMIN, 0, "create or replace a bloc",
	 .params = PARAMS(PATH("code", PT_CODE), DOCUMENT), .call = Q_BLOC_PUT},
	{HTTP_GET, "/v1/blocs/{code}/summary", handle_table, ROLE_READER, ROUTE_CACHED,
	 "the bloc's own totals beside the sum of its members",
	 .params = PARAMS(PATH("code", PT_CODE), REQUIRED("period", PT_PERIOD), TABLE), .call = Q_BLOC_SUMMARY,
	 .array = "items", .file = "summary-{code}-{period}", .title = "Kết quả của khối, cụm thi đua", .cache_on = CACHE_ON_PATH_BLOC},
	{HTTP_GET, "/v1/blocs/{code}/reporting", handle_table, ROLE_READER, ROUTE_CACHED,
	 "who of the members has reported what, and who has not",
	 .params = PARAMS(PATH("code", PT_CODE), REQUIRED("period", PT_PERIOD), QUERY("indicator", PT_INDICATORS), TABLE),
	 .call = Q_BLOC_REPORTING, .array = "members", .file = "reporting-{code}-{period}",
	 .title = "Tình hình báo cáo số liệu", .cache_on = CACHE_ON_PATH_BLOC},
	{HTTP_GET, "/v1/blocs/{code}/scoreboard", handle_table, ROLE_READER, ROUTE_CACHED,
	 "the members ranked: points per criterion, score, rank",
	 .params = PARAMS(PATH("code", PT_CODE), REQUIRED("period", PT_PERIOD), QUERY("indicator", PT_INDICATOR),
	                  ENUM("by", ranking_bases), TABLE),
	 .call = Q_BLOC_SCOREBOARD, .array = "members", .file = "scoreboard-{code}-{period}-{indicator}", .title = "Bảng xếp hạng thi đua", .cache_on = CACHE_ON_PATH_BLOC},
	{HTTP_GET, "/v1/blocs/{code}/years/{year}", handle_object, ROLE_READER, ROUTE_CACHED,
	 "a bloc's year: members, leader, agreement, criteria, adjustments",
	 .params = PARAMS(PATH("code", PT_CODE), PATH_YEAR), .call = Q_BLOC_YEAR, .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_PUT, "/v1/blocs/{code}/years/{year}", handle_bloc_year_put, ROLE_EDITOR, 0, "create or replace a bloc's year",
	 .params = PARAMS(PATH("code", PT_CODE), PATH_YEAR, DOCUMENT), .call = Q_BLOC_YEAR_PUT},

	{HTTP_GET, "/v1/values", handle_values_list, ROLE_READER, ROUTE_CACHED,
	 "reported values, or what changed since a moment",
	 .params = PARAMS(VALUE_FILTERS, QUERY("updated_after", PT_TIMESTAMP), PAGE, TABLE), .call = Q_VALUES,
	 .file = "values", .title = "Số liệu", .cache_on = CACHE_ON_QUERY},
	{HTTP_PUT, "/v1/values", handle_values_put, ROLE_EDITOR, 0, "import values in bulk (JSON array or CSV)",
	 .params = PARAMS(IMPORT, QUERY("decimal", PT_DECIMAL))},
	{HTTP_DELETE, "/v1/values", handle_value_delete, ROLE_EDITOR, 0, "delete one value (its history stays)",
	 .params = PARAMS(QUERY("org", PT_CODE), QUERY("bloc", PT_CODE), REQUIRED("indicator", PT_INDICATOR),
	                  REQUIRED("period", PT_PERIOD)),
	 .call = Q_VALUE_DELETE},
	{HTTP_GET, "/v1/values/history", handle_list, ROLE_READER, ROUTE_CACHED,
	 "every revision of the values, oldest first", .params = PARAMS(VALUE_FILTERS, PAGE, TABLE),
	 .call = Q_VALUE_HISTORY, .file = "value-history", .title = "Lịch sử số liệu", .cache_on = CACHE_ON_QUERY},
	{HTTP_GET, "/v1/values/template", handle_table, ROLE_READER, ROUTE_CACHED,
	 "the figures to report, as a file to fill: a bloc's members x its criteria, or a subtree x indicators",
	 .params = PARAMS(QUERY("bloc", PT_CODE), QUERY("under", PT_CODE), QUERY("indicator", PT_INDICATORS),
	                  REQUIRED("period", PT_PERIOD), ENUM("only", only_modes), TABLE),
	 .call = Q_VALUE_TEMPLATE, .array = "rows", .file = "template-{bloc}-{under}-{period}", .title = "Mẫu nhập số liệu", .cache_on = CACHE_ON_QUERY},

	{HTTP_GET, "/v1/series", handle_table, ROLE_READER, ROUTE_CACHED, "a figure over the years, gaps as gaps",
	 .params = PARAMS(QUERY("org", PT_CODE), QUERY("bloc", PT_CODE), REQUIRED("indicator", PT_INDICATOR),
	                  YEAR("from", P_REQUIRED), YEAR("to", P_REQUIRED),
	                  {.name = "every", .in = IN_QUERY, .type = PT_ENUM, .choices = granularities, .def = "year"},
	                  TABLE),
	 .call = Q_SERIES, .array = "points", .file = "series-{org}{bloc}-{indicator}-{from}-{to}", .title = "Số liệu qua các năm",
	 .cache_on = CACHE_ON_QUERY},

	{HTTP_GET, "/v1/keys", handle_list, ROLE_ADMIN, 0, "API keys",
	 .params = PARAMS(QUERY("include_revoked", PT_BOOL), PAGE, TABLE), .call = Q_KEYS, .file = "keys", .title = "Khóa truy cập"},
	{HTTP_POST, "/v1/keys", handle_key_create, ROLE_ADMIN, 0, "create an API key (shown once)",
	 .params = PARAMS({.name = "name", .in = IN_BODY, .type = PT_TEXT, .flags = P_REQUIRED, .max = 100},
	                  {.name = "role", .in = IN_BODY, .type = PT_ENUM, .flags = P_REQUIRED, .choices = key_role_names},
	                  {.name = "org", .in = IN_BODY, .type = PT_CODE, .flags = P_NULLABLE, .as = "key_scope"}),
	 .call = Q_KEY_CREATE},
	{HTTP_DELETE, "/v1/keys/{id}", handle_delete, ROLE_ADMIN, 0, "revoke an API key", .params = PARAMS(PATH_ID),
	 .call = Q_KEY_REVOKE},

	{HTTP_GET, "/v1/locks", handle_list, ROLE_READER, ROUTE_CACHED, "period locks",
	 .params = PARAMS(QUERY("org", PT_CODE), PAGE, TABLE), .call = Q_LOCKS, .file = "locks", .title = "Khóa sổ kỳ báo cáo", .cache_on = CACHE_ON_STRUCTURE},
	{HTTP_POST, "/v1/locks", handle_lock_create, ROLE_ADMIN, 0, "lock a period for a subtree",
	 .params = PARAMS(FIELD("org", PT_CODE, P_REQUIRED), FIELD("period", PT_PERIOD, P_REQUIRED),
	                  {.name = "note", .in = IN_BODY, .type = PT_TEXT, .flags = P_NULLABLE | P_MULTILINE, .max = 2000}),
	 .call = Q_LOCK_CREATE},
	{HTTP_DELETE, "/v1/locks/{id}", handle_delete, ROLE_ADMIN, 0, "lift a lock", .params = PARAMS(PATH_ID),
	 .call = Q_LOCK_DELETE},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
