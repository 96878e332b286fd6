/* The route table. Each row: method, path pattern, handler, the least role
 * that may call it, the query parameters it accepts, flags and a summary for
 * the /v1 index. The server checks role, method and parameters centrally;
 * openapi.yaml documents the same routes (tests compare the two). */
#include "routes.h"

#include "handlers/handlers.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})
#define PAGE "limit", "cursor"
#define VALUE_FILTERS "org", "under", "bloc", "indicator", "period", "year"
#define IMPORT "dry_run", "on_error"
#define TABLE "format", "decimal" /* the answer is a table: CSV or XLSX on request */

const struct route routes[] = {
	{HTTP_GET, "/healthz", handle_healthz, ROLE_PUBLIC, NULL, 0, "the process is up"},
	{HTTP_GET, "/readyz", handle_readyz, ROLE_PUBLIC, NULL, 0, "the database is reachable and migrated"},
	{HTTP_GET, "/openapi.yaml", handle_openapi, ROLE_PUBLIC, NULL, 0, "the API contract"},
	{HTTP_GET, "/metrics", handle_metrics, ROLE_PUBLIC, NULL, 0, "Prometheus metrics"},
	{HTTP_GET, "/v1", handle_index, ROLE_PUBLIC, NULL, 0, "this index of resources"},

	{HTTP_GET, "/v1/organizations", handle_organizations_list, ROLE_READER,
	 Q("kind", "parent", "under", "q", "on", "include_dissolved", PAGE, TABLE), ROUTE_CACHED, "organizations, as of a date"},
	{HTTP_PUT, "/v1/organizations", handle_organizations_put, ROLE_ADMIN, Q(IMPORT), 0,
	 "create or update organizations in bulk (JSON array or CSV)"},
	{HTTP_POST, "/v1/organizations", handle_organization_post, ROLE_ADMIN, NULL, 0, "create one organization"},
	{HTTP_GET, "/v1/organizations/{code}", handle_organization_get, ROLE_READER, Q("on"), ROUTE_CACHED,
	 "one organization with its ancestors and parent history"},
	{HTTP_GET, "/v1/organizations/{code}/summary", handle_organization_summary, ROLE_READER, Q("period", TABLE), ROUTE_CACHED,
	 "per indicator: completion, progress toward the year, year-on-year change"},
	{HTTP_GET, "/v1/organizations/{code}/breakdown", handle_organization_breakdown, ROLE_READER,
	 Q("indicator", "period", TABLE), ROUTE_CACHED, "a figure beside the sum of the children's, and each child"},
	{HTTP_PATCH, "/v1/organizations/{code}", handle_organization_patch, ROLE_ADMIN, NULL, 0,
	 "change, dissolve or move one organization"},
	{HTTP_DELETE, "/v1/organizations/{code}", handle_organization_delete, ROLE_ADMIN, NULL, 0,
	 "delete an organization nothing refers to"},

	{HTTP_GET, "/v1/indicators", handle_indicators_list, ROLE_READER, Q("kind", "q", PAGE, TABLE), ROUTE_CACHED, "the indicator catalogue"},
	{HTTP_PUT, "/v1/indicators", handle_indicators_put, ROLE_ADMIN, Q(IMPORT), 0,
	 "create or update indicators in bulk (JSON array or CSV)"},
	{HTTP_GET, "/v1/indicators/{code}", handle_indicator_get, ROLE_READER, NULL, ROUTE_CACHED, "one indicator"},
	{HTTP_PUT, "/v1/indicators/{code}", handle_indicator_put, ROLE_ADMIN, NULL, 0, "create or update one indicator"},

	{HTTP_GET, "/v1/periods", handle_periods_list, ROLE_READER, Q("year", "kind", TABLE), ROUTE_CACHED, "the periods of a year"},
	{HTTP_GET, "/v1/periods/{code}", handle_period_get, ROLE_READER, NULL, ROUTE_CACHED, "one period: dates and label"},

	{HTTP_GET, "/v1/blocs", handle_blocs_list, ROLE_READER, Q("organizer", "year", "member", "q", PAGE, TABLE), ROUTE_CACHED,
	 "emulation blocs (khối / cụm thi đua)"},
	{HTTP_GET, "/v1/blocs/{code}", handle_bloc_get, ROLE_READER, NULL, ROUTE_CACHED, "one bloc"},
	{HTTP_PUT, "/v1/blocs/{code}", handle_bloc_put, ROLE_ADMIN, NULL, 0, "create or replace a bloc"},
	{HTTP_GET, "/v1/blocs/{code}/summary", handle_bloc_summary, ROLE_READER, Q("period", TABLE), ROUTE_CACHED,
	 "the bloc's own totals beside the sum of its members"},
	{HTTP_GET, "/v1/blocs/{code}/scoreboard", handle_bloc_scoreboard, ROLE_READER,
	 Q("period", "indicator", "by", TABLE), ROUTE_CACHED, "the members ranked: points per criterion, score, rank"},
	{HTTP_GET, "/v1/blocs/{code}/years/{year}", handle_bloc_year_get, ROLE_READER, NULL, ROUTE_CACHED,
	 "a bloc's year: members, leader, agreement, criteria, adjustments"},
	{HTTP_PUT, "/v1/blocs/{code}/years/{year}", handle_bloc_year_put, ROLE_EDITOR, NULL, 0,
	 "create or replace a bloc's year"},

	{HTTP_GET, "/v1/values", handle_values_list, ROLE_READER, Q(VALUE_FILTERS, "updated_after", PAGE, TABLE), ROUTE_CACHED,
	 "reported values, or what changed since a moment"},
	{HTTP_PUT, "/v1/values", handle_values_put, ROLE_EDITOR, Q(IMPORT, "decimal"), 0,
	 "import values in bulk (JSON array or CSV)"},
	{HTTP_DELETE, "/v1/values", handle_value_delete, ROLE_EDITOR, Q("org", "bloc", "indicator", "period"), 0,
	 "delete one value (its history stays)"},
	{HTTP_GET, "/v1/values/history", handle_value_history, ROLE_READER, Q(VALUE_FILTERS, PAGE, TABLE), ROUTE_CACHED,
	 "every revision of the values, oldest first"},

	{HTTP_GET, "/v1/series", handle_series, ROLE_READER, Q("org", "bloc", "indicator", "from", "to", "every", TABLE), ROUTE_CACHED,
	 "a figure over the years, gaps as gaps"},

	{HTTP_GET, "/v1/keys", handle_keys_list, ROLE_ADMIN, Q("include_revoked", PAGE, TABLE), 0, "API keys"},
	{HTTP_POST, "/v1/keys", handle_key_create, ROLE_ADMIN, NULL, 0, "create an API key (shown once)"},
	{HTTP_DELETE, "/v1/keys/{id}", handle_key_delete, ROLE_ADMIN, NULL, 0, "revoke an API key"},

	{HTTP_GET, "/v1/locks", handle_locks_list, ROLE_READER, Q("org", PAGE, TABLE), ROUTE_CACHED, "period locks"},
	{HTTP_POST, "/v1/locks", handle_lock_create, ROLE_ADMIN, NULL, 0, "lock a period for a subtree"},
	{HTTP_DELETE, "/v1/locks/{id}", handle_lock_delete, ROLE_ADMIN, NULL, 0, "lift a lock"},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
