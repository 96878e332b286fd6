/* The route table. Each row: method, path pattern, handler, the least role
 * that may call it, the query parameters it accepts, flags and a summary for
 * the /v1 index. The server checks role, method and parameters centrally;
 * openapi.yaml documents the same routes (tests compare the two). */
#include "routes.h"

#include "handlers/handlers.h"

#define Q(...) ((const char *const[]){__VA_ARGS__, NULL})

const struct route routes[] = {
	{HTTP_GET, "/healthz", handle_healthz, ROLE_PUBLIC, NULL, 0, "the process is up"},
	{HTTP_GET, "/readyz", handle_readyz, ROLE_PUBLIC, NULL, 0, "the database is reachable and migrated"},
	{HTTP_GET, "/openapi.yaml", handle_openapi, ROLE_PUBLIC, NULL, 0, "the API contract"},
	{HTTP_GET, "/metrics", handle_metrics, ROLE_PUBLIC, NULL, 0, "Prometheus metrics"},
	{HTTP_GET, "/v1", handle_index, ROLE_PUBLIC, NULL, 0, "this index of resources"},
};

const size_t routes_count = sizeof routes / sizeof routes[0];
