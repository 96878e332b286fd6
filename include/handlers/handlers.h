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

#endif
