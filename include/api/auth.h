/* Who is calling. The pipeline asks before every handler, with the route's
 * least role: `Authorization: Bearer <key>`, looked up on every request (so
 * a revoked key stops at once on every instance). Which organizations a
 * key may touch (its scope) is checked where the organizations are known:
 * in the SQL functions, which get the scope with every call.
 * THIDUA_PUBLIC_READ lets requests without a key read. */
#ifndef THIDUA_API_AUTH_H
#define THIDUA_API_AUTH_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"
#include "http/router.h"

struct principal {
	bool authenticated;
	enum role role;
	int64_t key_id;
	char key_name[128];
	char scope[64];    /* organization code of the key's subtree, "" = all */
	char scope_id[24]; /* its internal id as text, "" = all */
	uint64_t seen_lsn; /* the primary's flushed WAL position at the key check: a read on a
	                      standby waits for it (db/db.h); 0 unknown, the primary reads */
};

enum auth_step {
	AUTH_GRANTED, /* no lookup needed (a public route, a public read): go on */
	AUTH_REFUSED, /* the answer (401) is made */
	AUTH_WAITING, /* the key is being checked (api/keycheck.h), the request suspended */
};

/* Starts the check of req->who for req->route. A lookup also brings the
 * version of what a cached answer depends on (cache_on and cache_code,
 * see api/pipeline.c; sql/012_cache.sql), in the same round trip.
 * AUTH_WAITING: the request is suspended, and then(req) is called on the
 * key-check thread once the check is answered, the request still
 * suspended; then() must resume it, or hand it to what will. */
enum auth_step auth_begin(struct request *req, const char *cache_on, const char *cache_code,
                          void (*then)(struct request *req));

/* After AUTH_WAITING, once then() is called, on any one thread: true when
 * req->who may call req->route, with *who filled and *version set
 * (malloc'd; NULL without cache_on). False when the answer (401, 403,
 * 503) is made. */
bool auth_finish(struct request *req, char **version);

/* Frees the check; when the request is done. */
void auth_free(struct request *req);

#endif
