/* Bytes with several owners (see shared.h). */
#include "util/shared.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "util/alloc.h"

struct shared_bytes {
	atomic_uint owners;
	size_t len;
	char data[];
};

struct shared_bytes *shared_bytes_new(const void *data, size_t len)
{
	struct shared_bytes *s = xmalloc(sizeof *s + len + 1);
	atomic_init(&s->owners, 1);
	s->len = len;
	if (len)
		memcpy(s->data, data, len);
	s->data[len] = '\0';
	return s;
}

struct shared_bytes *shared_bytes_ref(struct shared_bytes *s)
{
	atomic_fetch_add_explicit(&s->owners, 1, memory_order_relaxed);
	return s;
}

void shared_bytes_unref(void *p)
{
	struct shared_bytes *s = p;
	if (s && atomic_fetch_sub_explicit(&s->owners, 1, memory_order_acq_rel) == 1)
		free(s);
}

const char *shared_bytes_data(const struct shared_bytes *s)
{
	return s->data;
}

size_t shared_bytes_len(const struct shared_bytes *s)
{
	return s->len;
}
