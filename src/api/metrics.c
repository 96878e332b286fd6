/* Prometheus metrics (see metrics.h). */
#include "api/metrics.h"

#include <stdatomic.h>
#include <stdlib.h>

#include "api/cache.h"
#include "api/keycheck.h"
#include "db/db.h"
#include "util/alloc.h"
#include "util/timeutil.h"

static const double bucket_s[] = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define NBUCKETS (sizeof bucket_s / sizeof bucket_s[0])

struct route_metrics {
	atomic_ullong by_class[6]; /* [0] no response, [1..5] 1xx..5xx */
	atomic_ullong buckets[NBUCKETS];
	atomic_ullong count;
	atomic_ullong sum_us;
};

static const struct route *table;
static size_t nroutes;
/* 2 × nroutes + 1: each route, then OPTIONS on each route's path, then
 * "unmatched" */
static struct route_metrics *per_route;
static int64_t started_us;

void metrics_init(const struct route *routes, size_t n)
{
	table = routes;
	nroutes = n;
	per_route = xcalloc(2 * n + 1, sizeof *per_route);
	started_us = time_mono_us();
}

void metrics_observe(int route, bool preflight, unsigned status, int64_t duration_us)
{
	if (!per_route)
		return;
	struct route_metrics *m = &per_route[route < 0 ? 2 * nroutes : (size_t)route + (preflight ? nroutes : 0)];
	unsigned cls = status / 100;
	atomic_fetch_add_explicit(&m->by_class[cls <= 5 ? cls : 0], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->count, 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&m->sum_us, (unsigned long long)(duration_us > 0 ? duration_us : 0),
	                          memory_order_relaxed);
	double s = (double)duration_us / 1e6;
	for (size_t b = 0; b < NBUCKETS; b++)
		if (s <= bucket_s[b])
			atomic_fetch_add_explicit(&m->buckets[b], 1, memory_order_relaxed);
}

static void route_label(struct buf *out, size_t i)
{
	if (i == 2 * nroutes)
		buf_puts(out, "method=\"\",route=\"unmatched\"");
	else if (i >= nroutes)
		buf_printf(out, "method=\"OPTIONS\",route=\"%s\"", table[i - nroutes].pattern);
	else
		buf_printf(out, "method=\"%s\",route=\"%s\"", http_method_name(table[i].method), table[i].pattern);
}

void metrics_render(struct buf *out)
{
	static const char *classes[] = {"none", "1xx", "2xx", "3xx", "4xx", "5xx"};
	buf_puts(out, "# HELP thidua_http_requests_total HTTP requests by route and status class.\n"
	              "# TYPE thidua_http_requests_total counter\n");
	for (size_t i = 0; i <= 2 * nroutes; i++)
		for (size_t c = 0; c < 6; c++) {
			unsigned long long v = atomic_load(&per_route[i].by_class[c]);
			if (!v)
				continue;
			buf_puts(out, "thidua_http_requests_total{");
			route_label(out, i);
			buf_printf(out, ",status=\"%s\"} %llu\n", classes[c], v);
		}
	buf_puts(out, "# HELP thidua_http_request_duration_seconds Time from request headers to response.\n"
	              "# TYPE thidua_http_request_duration_seconds histogram\n");
	for (size_t i = 0; i <= 2 * nroutes; i++) {
		unsigned long long count = atomic_load(&per_route[i].count);
		if (!count)
			continue;
		for (size_t b = 0; b < NBUCKETS; b++) {
			buf_puts(out, "thidua_http_request_duration_seconds_bucket{");
			route_label(out, i);
			buf_printf(out, ",le=\"%g\"} %llu\n", bucket_s[b], atomic_load(&per_route[i].buckets[b]));
		}
		buf_puts(out, "thidua_http_request_duration_seconds_bucket{");
		route_label(out, i);
		buf_printf(out, ",le=\"+Inf\"} %llu\n", count);
		buf_puts(out, "thidua_http_request_duration_seconds_sum{");
		route_label(out, i);
		buf_printf(out, "} %.6f\n", (double)atomic_load(&per_route[i].sum_us) / 1e6);
		buf_puts(out, "thidua_http_request_duration_seconds_count{");
		route_label(out, i);
		buf_printf(out, "} %llu\n", count);
	}
	buf_printf(out,
	           "# HELP thidua_database_up 1 while the database answers.\n# TYPE thidua_database_up gauge\n"
	           "thidua_database_up %d\n"
	           "# HELP thidua_uptime_seconds Seconds since the service started.\n"
	           "# TYPE thidua_uptime_seconds gauge\nthidua_uptime_seconds %.0f\n",
	           db_is_up() ? 1 : 0, (double)(time_mono_us() - started_us) / 1e6);
	struct cache_stats cs;
	cache_stats(&cs);
	buf_printf(out,
	           "# HELP thidua_cache_hits_total Answers served from the response cache.\n"
	           "# TYPE thidua_cache_hits_total counter\nthidua_cache_hits_total %llu\n"
	           "# HELP thidua_cache_misses_total Cacheable requests computed afresh.\n"
	           "# TYPE thidua_cache_misses_total counter\nthidua_cache_misses_total %llu\n"
	           "# HELP thidua_cache_evictions_total Entries dropped to stay within THIDUA_CACHE_BYTES.\n"
	           "# TYPE thidua_cache_evictions_total counter\nthidua_cache_evictions_total %llu\n"
	           "# HELP thidua_cache_bytes Memory held by cached answers.\n"
	           "# TYPE thidua_cache_bytes gauge\nthidua_cache_bytes %zu\n"
	           "# HELP thidua_cache_max_bytes The bound THIDUA_CACHE_BYTES.\n"
	           "# TYPE thidua_cache_max_bytes gauge\nthidua_cache_max_bytes %zu\n"
	           "# HELP thidua_cache_entries Answers held in the cache.\n"
	           "# TYPE thidua_cache_entries gauge\nthidua_cache_entries %zu\n",
	           cs.hits, cs.misses, cs.evictions, cs.bytes, cs.max_bytes, cs.entries);
	unsigned long long checks, statements;
	keycheck_counts(&checks, &statements);
	buf_printf(out,
	           "# HELP thidua_key_checks_total Requests whose key (or cache version) was looked up.\n"
	           "# TYPE thidua_key_checks_total counter\nthidua_key_checks_total %llu\n"
	           "# HELP thidua_key_check_statements_total Statements those look-ups took: several requests "
	           "waiting together share one.\n"
	           "# TYPE thidua_key_check_statements_total counter\nthidua_key_check_statements_total %llu\n",
	           checks, statements);
	struct db_replica_state rs[DB_MAX_REPLICAS];
	size_t nr = db_replica_states(rs, DB_MAX_REPLICAS, false);
	if (!nr)
		return;
	static const struct {
		const char *name, *type, *help;
	} families[] = {
		{"thidua_replica_up", "gauge", "1 while the read replica is in use (THIDUA_REPLICA_URLS)."},
		{"thidua_replica_lag_bytes", "gauge", "How far the replica was behind the primary when last asked (-1 unknown)."},
		{"thidua_replica_reads_total", "counter", "Reads the replica served."},
		{"thidua_replica_fallbacks_total", "counter", "Reads meant for the replica that went to the primary (behind, or away)."},
	};
	for (size_t f = 0; f < sizeof families / sizeof families[0]; f++) {
		buf_printf(out, "# HELP %s %s\n# TYPE %s %s\n", families[f].name, families[f].help, families[f].name,
		           families[f].type);
		for (size_t i = 0; i < nr; i++) {
			long long v = f == 0 ? rs[i].up : f == 1 ? rs[i].lag_bytes : f == 2 ? (long long)rs[i].reads
			                                                                   : (long long)rs[i].fallbacks;
			buf_printf(out, "%s{replica=\"%s\"} %lld\n", families[f].name, rs[i].name, v);
		}
	}
}

void metrics_cleanup(void)
{
	free(per_route);
	per_route = NULL;
}
