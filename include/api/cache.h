/* The response cache: answers to GET requests on cached routes, kept in
 * memory and reused while the database has not changed.
 *
 * "Not changed" is exact: an entry records the database snapshot (the set of
 * committed transactions, pg_current_snapshot) under which its answer was
 * computed, and is reused only by a request that sees the very same
 * snapshot — which every request learns with its key lookup. So a write on
 * any instance invalidates every instance's entries at once, and a read
 * after a write can never get the old figure. Memory is bounded by
 * THIDUA_CACHE_BYTES (least recently used entries go first). */
#ifndef THIDUA_API_CACHE_H
#define THIDUA_API_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

void cache_init(size_t max_bytes);
void cache_cleanup(void);
bool cache_enabled(void);

/* Fills res from the entry for key when it was computed under snapshot.
 * True on a hit. */
bool cache_get(const char *key, const char *snapshot, struct response *res);
/* Keeps a 200 answer (body, content type, extra headers, ETag). */
void cache_put(const char *key, const char *snapshot, const struct response *res);

struct cache_stats {
	unsigned long long hits, misses, evictions;
	size_t bytes, entries, max_bytes;
};
void cache_stats(struct cache_stats *out);

#endif
