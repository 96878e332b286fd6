/* Prometheus metrics: requests by route and status class, a latency
 * histogram per route, requests in flight and database state. Counters are
 * atomics indexed by route, so observing costs no lock. */
#ifndef THIDUA_API_METRICS_H
#define THIDUA_API_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/router.h"
#include "util/buf.h"

void metrics_init(const struct route *routes, size_t nroutes);
/* route is the index in the table, -1 for a request that matched none;
 * preflight: an OPTIONS request on that route's path, counted apart. */
void metrics_observe(int route, bool preflight, unsigned status, int64_t duration_us);
/* Appends the text exposition format. */
void metrics_render(struct buf *out);
void metrics_cleanup(void);

#endif
