/* The service about itself: liveness and readiness probes, the OpenAPI
 * contract, the /v1 index of routes, Prometheus metrics. */
#ifndef THIDUA_HANDLERS_SYSTEM_H
#define THIDUA_HANDLERS_SYSTEM_H

#include <stdbool.h>
#include <stddef.h>

#include "db/migrate.h"
#include "http/http.h"
#include "http/router.h"

/* The migrations this binary carries and the route table (for the index
 * and the start-up check). */
void system_init(const struct migration_set *expected, const struct route *routes, size_t nroutes);
/* At start: when the database is migrated, holds its functions to the SQL
 * the routes call (api/signatures.h); false, with the differences printed,
 * when they disagree. A database not yet reachable or migrated is checked
 * later, by /readyz. */
bool system_check_database(void);
enum http_status handle_healthz(struct request *req);
enum http_status handle_readyz(struct request *req);
enum http_status handle_openapi(struct request *req);
enum http_status handle_index(struct request *req);
enum http_status handle_metrics(struct request *req);

#endif
