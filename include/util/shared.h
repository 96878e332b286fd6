/* Bytes with several owners, freed by the last: a cached answer's body,
 * kept by the cache and by every response sending it at the time, so a
 * hit is sent without a copy. */
#ifndef THIDUA_UTIL_SHARED_H
#define THIDUA_UTIL_SHARED_H

#include <stddef.h>

struct shared_bytes;

/* A copy of data[0..len), with one owner. */
struct shared_bytes *shared_bytes_new(const void *data, size_t len);
/* One more owner of s; returns s. */
struct shared_bytes *shared_bytes_ref(struct shared_bytes *s);
/* One owner fewer; the last frees. NULL is ignored. Takes void * to serve
 * as libmicrohttpd's free callback. */
void shared_bytes_unref(void *s);
const char *shared_bytes_data(const struct shared_bytes *s);
size_t shared_bytes_len(const struct shared_bytes *s);

#endif
