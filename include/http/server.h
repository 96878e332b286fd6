/* The HTTP server: libmicrohttpd with an internal thread pool on epoll.
 *
 * Everything that is the same for every route happens here, once: route
 * lookup (404/405/OPTIONS), the request id, the body cap (413), query
 * parameter checking, authorization, ETag/304, CORS headers, the access log
 * and metrics. Handlers only do their own work. */
#ifndef THIDUA_HTTP_SERVER_H
#define THIDUA_HTTP_SERVER_H

#include <stdbool.h>
#include <stddef.h>

#include "http/router.h"

/* Starts listening with the route table; prints why and returns false on
 * failure (address in use, bad address). */
bool server_start(const struct route *routes, size_t nroutes) __attribute__((warn_unused_result));

/* Blocks until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests finish within THIDUA_SHUTDOWN_TIMEOUT_S and stops the daemon.
 * The signals must be blocked in every thread before server_start. */
void server_wait_and_stop(void);

/* True once shutdown has begun (readiness answers 503 from then on). */
bool server_draining(void);

/* The route table the server was started with (for the /v1 index). */
const struct route *server_routes(size_t *n);

#endif
