/* The HTTP server: libmicrohttpd with an internal thread pool on epoll.
 *
 * It knows HTTP only: it reads a request off the connection (the target as
 * sent, the headers, the body up to THIDUA_MAX_BODY_BYTES), hands it to
 * the layer above through three calls, and writes the answer back with
 * the request id, the ETag (304 on If-None-Match) and CORS headers. What
 * the answer is — route, parameters, key, cache, handler — is decided
 * above (api/pipeline.h). */
#ifndef THIDUA_HTTP_SERVER_H
#define THIDUA_HTTP_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "http/http.h"

struct server_stages {
	/* The request line and headers are in: true when the answer is already
	 * in req->res (an error, OPTIONS). A 413 decided here is sent at once,
	 * without reading the body; any other answer once the body is read. */
	bool (*headers)(struct request *req, const char *method);
	/* The whole request is in (req->body, or req->body_too_large): fill
	 * req->res and return true; or suspend the request (server_suspend)
	 * and return false, and once resumed it is called again. */
	bool (*handle)(struct request *req);
	/* The request is over, answered (status) or cut off (status 0): the
	 * last moment its fields are readable. */
	void (*done)(struct request *req, unsigned status, int64_t duration_us);
	/* The service stops: resume every request still suspended. */
	void (*stopping)(void);
};

/* Takes the request off the worker's loop until server_resume(): only
 * from within handle. Its worker serves other connections meanwhile. */
void server_suspend(struct request *req);
/* Puts it back, from any thread, at any time after server_suspend(). */
void server_resume(struct request *req);

/* Starts listening; prints why and returns false on failure (address in
 * use, bad address). */
bool server_start(const struct server_stages *stages) __attribute__((warn_unused_result));

/* Blocks until SIGTERM or SIGINT, then stops accepting, lets in-flight
 * requests finish within THIDUA_SHUTDOWN_TIMEOUT_S and stops the daemon.
 * The signals must be blocked in every thread before server_start. */
void server_wait_and_stop(void);

/* True once shutdown has begun (readiness answers 503 from then on). */
bool server_draining(void);

#endif
