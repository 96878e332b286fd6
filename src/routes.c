/* The route table. Each row: method, path pattern, handler, the least role
 * that may call it, the query parameters it accepts, flags and a summary for
 * the /v1 index. The server checks role, method and parameters centrally;
 * openapi.yaml documents the same routes (tests compare the two). */
#include "routes.h"

#include "handlers/handlers.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})
#define PAGE "limit", "cursor"

const struct route routes[] = {
	{HTTP_GET, "/healthz", handle_healthz, ROLE_PUBLIC, NULL, 0, "the process is up"},
	{HTTP_GET, "/readyz", handle_readyz, ROLE_PUBLIC, NULL, 0, "the database is reachable and migrated"},
	{HTTP_GET, "/openapi.yaml", handle_openapi, ROLE_PUBLIC, NULL, 0, "the API contract"},
	{HTTP_GET, "/metrics", handle_metrics, ROLE_PUBLIC, NULL, 0, "Prometheus metrics"},
	{HTTP_GET, "/v1", handle_index, ROLE_PUBLIC, NULL, 0, "this index of resources"},

	{HTTP_GET, "/v1/organizations", handle_organizations_list, ROLE_READER,
	 Q("kind", "parent", "under", "q", "on", "include_dissolved", PAGE), 0, "organizations, as of a date"},
	{HTTP_GET, "/v1/organizations/{code}", handle_organization_get, ROLE_READER, Q("on"), 0,
	 "one organization with its ancestors and parent history"},

	{HTTP_GET, "/v1/indicators", handle_indicators_list, ROLE_READER, Q("kind", "q", PAGE), 0, "the indicator catalogue"},
	{HTTP_GET, "/v1/indicators/{code}", handle_indicator_get, ROLE_READER, NULL, 0, "one indicator"},

	{HTTP_GET, "/v1/periods", handle_periods_list, ROLE_READER, Q("year", "kind"), 0, "the periods of a year"},
	{HTTP_GET, "/v1/periods/{code}", handle_period_get, ROLE_READER, NULL, 0, "one period: dates and label"},

	{HTTP_GET, "/v1/blocs", handle_blocs_list, ROLE_READER, Q("organizer", "year", "member", "q", PAGE), 0,
	 "emulation blocs (khối / cụm thi đua)"},
	{HTTP_GET, "/v1/blocs/{code}", handle_bloc_get, ROLE_READER, NULL, 0, "one bloc"},
	{HTTP_GET, "/v1/blocs/{code}/years/{year}", handle_bloc_year_get, ROLE_READER, NULL, 0,
	 "a bloc's year: members, leader, agreement, criteria, adjustments"},

	{HTTP_GET, "/v1/values", handle_values_list, ROLE_READER, Q("org", "under", "bloc", "indicator", "period", "year", PAGE),
	 0, "reported values"},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
