/* The request pipeline: what happens to every request between the HTTP
 * server reading it (http/server.h) and writing the answer back, in this
 * order:
 *
 *   headers  the target is decoded and checked (http/uri.h), OPTIONS and
 *            CORS preflight answered, the route found (404, 405), a body
 *            announced too large refused (413) before it is read;
 *   handle   a body too large refused (413), the route's typed parameters
 *            validated (400, 415; api/params.h), the key checked (401,
 *            403; api/auth.h: the request is suspended while its look-up
 *            shares a statement with others, api/keycheck.h), then the
 *            handler run on a runner thread (api/runner.h) — or, on a
 *            cached route, its answer reused when the database has not
 *            changed since it was computed (api/cache.h). An answer the
 *            cache cannot hold goes from the key check straight to the
 *            runners; a refusal, or an answer the cache or memory may
 *            give, comes back to handle;
 *   done     metrics and the access line.
 *
 * Handlers (handlers/) see a request whose parameters are valid and whose
 * caller may call them, and only do their own work. */
#ifndef THIDUA_API_PIPELINE_H
#define THIDUA_API_PIPELINE_H

#include <stddef.h>

#include "http/router.h"
#include "http/server.h"

/* The route table the pipeline serves; once, before server_start. */
void pipeline_init(const struct route *routes, size_t nroutes);

extern const struct server_stages pipeline_stages;

#endif
