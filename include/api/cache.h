/* The response cache: answers to GET requests on cached routes, kept in
 * memory and reused while what they depend on has not changed.
 *
 * "Not changed" is exact: an entry records the version of what its answer
 * depends on (sql/012_cache.sql: the number of writes its snapshot sees to
 * the structure and to the buckets of its subject), and is reused only by
 * a request that sees the very same version — which every request learns
 * with its key lookup. So a write on any instance invalidates every
 * instance's entries that depend on it at once, and a read after a write
 * can never get the old figure. Memory is bounded by THIDUA_CACHE_BYTES
 * (least recently used entries go first).
 *
 * Versions are remembered by subject with the database snapshot they were
 * computed in: a key lookup that sees the same snapshot (nothing committed
 * since) reuses the version instead of counting again. */
#ifndef THIDUA_API_CACHE_H
#define THIDUA_API_CACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "http/http.h"

void cache_init(size_t max_bytes);
void cache_cleanup(void);
bool cache_enabled(void);

/* Fills res from the entry for key when it was computed under snapshot
 * (the body shared with the entry, not copied: res->shared_body).
 * True on a hit. */
bool cache_get(const char *key, const char *snapshot, struct response *res);
/* Keeps a 200 answer (body, content type, extra headers, ETag). */
void cache_put(const char *key, const char *snapshot, const struct response *res);

/* The version last computed for a subject (on, code as cache_version
 * takes them; code may be NULL) and the snapshot it was computed in, as
 * copies the caller frees; false when none is remembered. */
bool cache_memo_get(const char *on, const char *code, char **snapshot, char **version);
void cache_memo_put(const char *on, const char *code, const char *snapshot, const char *version);

struct cache_stats {
	unsigned long long hits, misses, evictions;
	size_t bytes, entries, max_bytes;
};
void cache_stats(struct cache_stats *out);

#endif
