/* The response cache (see cache.h): 16 shards, each a hash table of
 * entries on an LRU list under its own mutex and an equal share of the
 * byte budget. */
#include "api/cache.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "http/response.h"
#include "util/alloc.h"
#include "util/shared.h"

#define SHARDS 16
#define BUCKETS 1024 /* per shard */
#define OVERHEAD 256 /* bytes counted per entry beyond its texts */

struct entry {
	struct entry *next_in_bucket;
	struct entry *lru_prev, *lru_next; /* head = most recent */
	uint64_t hash;
	char *key;
	char *snapshot;
	const char *content_type; /* static strings */
	struct shared_bytes *body;
	char etag[40];
	struct header headers[REQUEST_MAX_HEADERS];
	unsigned nheaders;
	size_t size;
};

struct shard {
	pthread_mutex_t lock;
	struct entry *buckets[BUCKETS];
	struct entry *lru_head, *lru_tail;
	size_t bytes, entries;
};

static struct shard *shards;
static size_t shard_budget;
static size_t budget;
static atomic_ullong hits, misses, evictions;

static uint64_t hash_of(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= 1099511628211ULL;
	}
	return h;
}

void cache_init(size_t max_bytes)
{
	budget = max_bytes;
	if (!max_bytes)
		return;
	shards = xcalloc(SHARDS, sizeof *shards);
	shard_budget = max_bytes / SHARDS;
	for (int i = 0; i < SHARDS; i++)
		pthread_mutex_init(&shards[i].lock, NULL);
}

bool cache_enabled(void)
{
	return shards != NULL;
}

static void entry_free(struct entry *e)
{
	free(e->key);
	free(e->snapshot);
	shared_bytes_unref(e->body);
	for (unsigned i = 0; i < e->nheaders; i++) {
		free(e->headers[i].name);
		free(e->headers[i].value);
	}
	free(e);
}

static void lru_unlink(struct shard *s, struct entry *e)
{
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else
		s->lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else
		s->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_push_front(struct shard *s, struct entry *e)
{
	e->lru_prev = NULL;
	e->lru_next = s->lru_head;
	if (s->lru_head)
		s->lru_head->lru_prev = e;
	s->lru_head = e;
	if (!s->lru_tail)
		s->lru_tail = e;
}

static void remove_entry(struct shard *s, struct entry *e)
{
	struct entry **p = &s->buckets[e->hash % BUCKETS];
	while (*p && *p != e)
		p = &(*p)->next_in_bucket;
	if (*p)
		*p = e->next_in_bucket;
	lru_unlink(s, e);
	s->bytes -= e->size;
	s->entries--;
	entry_free(e);
}

static struct entry *find(struct shard *s, uint64_t h, const char *key)
{
	for (struct entry *e = s->buckets[h % BUCKETS]; e; e = e->next_in_bucket)
		if (e->hash == h && !strcmp(e->key, key))
			return e;
	return NULL;
}

bool cache_get(const char *key, const char *snapshot, struct response *res)
{
	if (!shards)
		return false;
	uint64_t h = hash_of(key);
	struct shard *s = &shards[h % SHARDS];
	bool hit = false;
	pthread_mutex_lock(&s->lock);
	struct entry *e = find(s, h, key);
	if (e && !strcmp(e->snapshot, snapshot)) {
		lru_unlink(s, e);
		lru_push_front(s, e);
		buf_reset(&res->body);
		shared_bytes_unref(res->shared_body);
		res->shared_body = shared_bytes_ref(e->body);
		res->status = HTTP_OK;
		res->content_type = e->content_type;
		memcpy(res->etag, e->etag, sizeof res->etag);
		for (unsigned i = 0; i < e->nheaders; i++)
			response_header(res, e->headers[i].name, e->headers[i].value);
		hit = true;
	}
	pthread_mutex_unlock(&s->lock);
	atomic_fetch_add_explicit(hit ? &hits : &misses, 1, memory_order_relaxed);
	return hit;
}

void cache_put(const char *key, const char *snapshot, const struct response *res)
{
	if (!shards || res->status != HTTP_OK)
		return;
	size_t size = strlen(key) + strlen(snapshot) + res->body.len + OVERHEAD;
	for (unsigned i = 0; i < res->nheaders; i++)
		size += strlen(res->headers[i].name) + strlen(res->headers[i].value);
	if (size > shard_budget)
		return; /* too big to be worth a share of the budget */
	struct entry *e = xcalloc(1, sizeof *e);
	e->hash = hash_of(key);
	e->key = xstrdup(key);
	e->snapshot = xstrdup(snapshot);
	e->content_type = res->content_type;
	e->body = shared_bytes_new(buf_cstr(&res->body), res->body.len);
	memcpy(e->etag, res->etag, sizeof e->etag);
	for (unsigned i = 0; i < res->nheaders; i++) {
		e->headers[i].name = xstrdup(res->headers[i].name);
		e->headers[i].value = xstrdup(res->headers[i].value);
	}
	e->nheaders = res->nheaders;
	e->size = size;

	struct shard *s = &shards[e->hash % SHARDS];
	pthread_mutex_lock(&s->lock);
	struct entry *old = find(s, e->hash, key);
	if (old)
		remove_entry(s, old);
	while (s->bytes + size > shard_budget && s->lru_tail) {
		remove_entry(s, s->lru_tail);
		atomic_fetch_add_explicit(&evictions, 1, memory_order_relaxed);
	}
	e->next_in_bucket = s->buckets[e->hash % BUCKETS];
	s->buckets[e->hash % BUCKETS] = e;
	lru_push_front(s, e);
	s->bytes += size;
	s->entries++;
	pthread_mutex_unlock(&s->lock);
}

void cache_stats(struct cache_stats *out)
{
	memset(out, 0, sizeof *out);
	out->hits = atomic_load(&hits);
	out->misses = atomic_load(&misses);
	out->evictions = atomic_load(&evictions);
	out->max_bytes = budget;
	if (!shards)
		return;
	for (int i = 0; i < SHARDS; i++) {
		pthread_mutex_lock(&shards[i].lock);
		out->bytes += shards[i].bytes;
		out->entries += shards[i].entries;
		pthread_mutex_unlock(&shards[i].lock);
	}
}

/* ---- versions by subject: a small direct-mapped table ---- */

#define MEMO_SLOTS 1024

struct memo {
	char *subject; /* on, a unit separator, code */
	char *snapshot;
	char *version;
};
static struct memo memo[MEMO_SLOTS];
static pthread_mutex_t memo_lock = PTHREAD_MUTEX_INITIALIZER;

static char *memo_subject(const char *on, const char *code)
{
	size_t a = strlen(on), b = code ? strlen(code) : 0;
	char *s = xmalloc(a + b + 2);
	memcpy(s, on, a);
	s[a] = '\x1f';
	memcpy(s + a + 1, code ? code : "", b);
	s[a + 1 + b] = '\0';
	return s;
}

bool cache_memo_get(const char *on, const char *code, char **snapshot, char **version)
{
	*snapshot = *version = NULL;
	char *subject = memo_subject(on, code);
	struct memo *m = &memo[hash_of(subject) % MEMO_SLOTS];
	pthread_mutex_lock(&memo_lock);
	if (m->subject && !strcmp(m->subject, subject)) {
		*snapshot = xstrdup(m->snapshot);
		*version = xstrdup(m->version);
	}
	pthread_mutex_unlock(&memo_lock);
	free(subject);
	return *snapshot != NULL;
}

void cache_memo_put(const char *on, const char *code, const char *snapshot, const char *version)
{
	char *subject = memo_subject(on, code), *snap = xstrdup(snapshot), *ver = xstrdup(version);
	struct memo *m = &memo[hash_of(subject) % MEMO_SLOTS];
	pthread_mutex_lock(&memo_lock);
	struct memo old = *m;
	*m = (struct memo){subject, snap, ver};
	pthread_mutex_unlock(&memo_lock);
	free(old.subject);
	free(old.snapshot);
	free(old.version);
}

void cache_cleanup(void)
{
	pthread_mutex_lock(&memo_lock);
	for (size_t i = 0; i < MEMO_SLOTS; i++) {
		free(memo[i].subject);
		free(memo[i].snapshot);
		free(memo[i].version);
		memo[i] = (struct memo){0};
	}
	pthread_mutex_unlock(&memo_lock);
	if (!shards)
		return;
	for (int i = 0; i < SHARDS; i++) {
		while (shards[i].lru_tail)
			remove_entry(&shards[i], shards[i].lru_tail);
		pthread_mutex_destroy(&shards[i].lock);
	}
	free(shards);
	shards = NULL;
}
