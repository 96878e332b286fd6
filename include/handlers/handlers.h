/* Every HTTP handler, by resource. Each takes the request, does its own
 * work and returns the status; see http/http.h for the contract. */
#ifndef THIDUA_HANDLERS_HANDLERS_H
#define THIDUA_HANDLERS_HANDLERS_H

#include "db/migrate.h"
#include "http/http.h"

/* system.c: probes, contract, index, metrics */
void system_init(const struct migration_set *expected);
enum http_status handle_healthz(struct request *req);
enum http_status handle_readyz(struct request *req);
enum http_status handle_openapi(struct request *req);
enum http_status handle_index(struct request *req);
enum http_status handle_metrics(struct request *req);

/* organizations.c */
enum http_status handle_organizations_list(struct request *req);
enum http_status handle_organization_get(struct request *req);
enum http_status handle_organizations_put(struct request *req);
enum http_status handle_organization_post(struct request *req);
enum http_status handle_organization_patch(struct request *req);
enum http_status handle_organization_delete(struct request *req);

/* indicators.c */
enum http_status handle_indicators_list(struct request *req);
enum http_status handle_indicator_get(struct request *req);
enum http_status handle_indicators_put(struct request *req);
enum http_status handle_indicator_put(struct request *req);

/* periods.c */
enum http_status handle_periods_list(struct request *req);
enum http_status handle_period_get(struct request *req);

/* blocs.c */
enum http_status handle_blocs_list(struct request *req);
enum http_status handle_bloc_get(struct request *req);
enum http_status handle_bloc_year_get(struct request *req);
enum http_status handle_bloc_put(struct request *req);
enum http_status handle_bloc_year_put(struct request *req);

/* values.c */
enum http_status handle_values_list(struct request *req);
enum http_status handle_values_put(struct request *req);
enum http_status handle_value_delete(struct request *req);
enum http_status handle_value_history(struct request *req);

/* dashboard.c */
enum http_status handle_organization_summary(struct request *req);
enum http_status handle_organization_breakdown(struct request *req);
enum http_status handle_series(struct request *req);
enum http_status handle_bloc_summary(struct request *req);
enum http_status handle_bloc_scoreboard(struct request *req);

/* keys.c */
enum http_status handle_keys_list(struct request *req);
enum http_status handle_key_create(struct request *req);
enum http_status handle_key_delete(struct request *req);

/* locks.c */
enum http_status handle_locks_list(struct request *req);
enum http_status handle_lock_create(struct request *req);
enum http_status handle_lock_delete(struct request *req);

#endif
