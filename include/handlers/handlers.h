/* Every HTTP handler, by resource. Each takes the request, does its own
 * work and returns the status; see http/http.h for the contract. Routes
 * that are exactly one statement use the generic handlers of common.c. */
#ifndef THIDUA_HANDLERS_HANDLERS_H
#define THIDUA_HANDLERS_HANDLERS_H

#include "db/migrate.h"
#include "http/http.h"
#include "http/router.h"

/* system.c: probes, contract, index, metrics */
void system_init(const struct migration_set *expected);
/* At start: when the database is migrated, holds its functions to the SQL
 * the routes call (api/signatures.h); false, with the differences printed,
 * when they disagree. A database not yet reachable or migrated is checked
 * later, by /readyz. */
bool system_check_database(const struct route *routes, size_t n);
enum http_status handle_healthz(struct request *req);
enum http_status handle_readyz(struct request *req);
enum http_status handle_openapi(struct request *req);
enum http_status handle_index(struct request *req);
enum http_status handle_metrics(struct request *req);

/* organizations.c */
enum http_status handle_organizations_put(struct request *req);
enum http_status handle_organization_post(struct request *req);
enum http_status handle_organization_patch(struct request *req);

/* indicators.c */
enum http_status handle_indicators_put(struct request *req);
enum http_status handle_indicator_put(struct request *req);

/* periods.c */
enum http_status handle_period_get(struct request *req);

/* blocs.c */
enum http_status handle_bloc_put(struct request *req);
enum http_status handle_bloc_year_put(struct request *req);

/* values.c */
enum http_status handle_values_list(struct request *req);
enum http_status handle_values_put(struct request *req);
enum http_status handle_value_delete(struct request *req);

/* keys.c */
enum http_status handle_key_create(struct request *req);

/* locks.c */
enum http_status handle_lock_create(struct request *req);

/* common.c: routes that are exactly one statement */
enum http_status handle_list(struct request *req);
enum http_status handle_table(struct request *req);
enum http_status handle_object(struct request *req);
enum http_status handle_delete(struct request *req);

#endif
