/* The HTTP server around libmicrohttpd (see server.h).
 *
 * Lifecycle of a request: MHD hands over the request-target as received
 * (on_target: the struct request is allocated there), calls on_request once
 * the headers are in, then once per body chunk, then a last time with no
 * data; on_completed runs when MHD is done with it and is the one place the
 * request's memory is freed. */
#include "http/server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <sodium.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <systemd/sd-daemon.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "http/response.h"
#include "http/router.h"
#include "http/uri.h"
#include "util/alloc.h"
#include "util/shared.h"
#include "util/timeutil.h"

static struct MHD_Daemon *daemon_handle;
static const struct server_stages *stage;
static atomic_int inflight;
static atomic_bool draining;
static atomic_bool cut_off; /* past THIDUA_SHUTDOWN_TIMEOUT_S: what resumes is dropped */

#define CORS_EXPOSE_HEADERS "ETag, X-Request-Id, X-Cache, X-Next-Cursor, Content-Disposition, Retry-After, Location"

bool server_draining(void)
{
	return atomic_load(&draining);
}

/* A client-supplied X-Request-Id is kept when it is short and plain; anything
 * else is replaced so that it cannot inject into logs. */
static bool acceptable_request_id(const char *id)
{
	size_t n = strlen(id);
	if (n == 0 || n > 128)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = id[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		      c == '_' || c == '.' || c == ':'))
			return false;
	}
	return true;
}

/* The random half of the request ids this process makes, drawn at start. */
static unsigned char process_half[8];

static void assign_request_id(struct request *req)
{
	const char *given = request_header(req, "X-Request-Id");
	if (given && acceptable_request_id(given)) {
		snprintf(req->request_id, sizeof req->request_id, "%s", given);
		return;
	}
	/* 32 hex digits: this process's random half, then a count (one
	 * getrandom() per process instead of one per request) */
	static atomic_ullong counted;
	unsigned long long n = atomic_fetch_add_explicit(&counted, 1, memory_order_relaxed);
	unsigned char raw[16];
	memcpy(raw, process_half, sizeof process_half);
	for (int i = 0; i < 8; i++)
		raw[8 + i] = (unsigned char)(n >> (56 - 8 * i));
	sodium_bin2hex(req->request_id, sizeof req->request_id, raw, sizeof raw);
}

static void record_client(struct request *req)
{
	const union MHD_ConnectionInfo *ci = MHD_get_connection_info(req->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	req->client[0] = '\0';
	if (!ci || !ci->client_addr)
		return;
	const struct sockaddr *sa = ci->client_addr;
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, req->client,
		          sizeof req->client);
	else if (sa->sa_family == AF_INET6)
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, req->client,
		          sizeof req->client);
}

/* ---- sending ---- */

static void add_cors(struct request *req, struct MHD_Response *resp)
{
	const char *origin = request_header(req, "Origin");
	if (!cfg.cors_origins || !*cfg.cors_origins)
		return;
	MHD_add_response_header(resp, "Vary", "Origin");
	if (origin && config_cors_allows(origin)) {
		MHD_add_response_header(resp, "Access-Control-Allow-Origin", origin);
		MHD_add_response_header(resp, "Access-Control-Expose-Headers", CORS_EXPOSE_HEADERS);
	}
}

static enum MHD_Result send_response(struct request *req)
{
	struct response *res = &req->res;
	unsigned status = res->status ? res->status : HTTP_INTERNAL_ERROR;
	char etag[40] = "";

	bool is_read = req->method == HTTP_GET || req->method == HTTP_HEAD;
	if (is_read && status == HTTP_OK && !res->no_etag) {
		if (res->etag[0]) {
			memcpy(etag, res->etag, sizeof etag);
		} else {
			struct buf body = res->body;
			if (res->shared_body) { /* a view of it, for the tag */
				body.data = (char *)shared_bytes_data(res->shared_body);
				body.len = shared_bytes_len(res->shared_body);
			}
			response_etag(&body, etag);
		}
		if (etag_list_matches(request_header(req, "If-None-Match"), etag, true)) {
			status = HTTP_NOT_MODIFIED;
			buf_reset(&res->body);
			shared_bytes_unref(res->shared_body);
			res->shared_body = NULL;
		}
	}

	size_t len = res->shared_body ? shared_bytes_len(res->shared_body) : res->body.len;
	struct MHD_Response *resp;
	if (res->shared_body) {
		/* a cached answer: sent from the cache's bytes, which the response
		 * keeps alive until MHD is done with them */
		resp = MHD_create_response_from_buffer_with_free_callback_cls(
			len, (void *)shared_bytes_data(res->shared_body), shared_bytes_unref, res->shared_body);
		if (resp)
			res->shared_body = NULL; /* now the response's */
	} else if (len) {
		char *data = buf_steal(&res->body);
		resp = MHD_create_response_from_buffer_with_free_callback(len, data, free);
	} else {
		resp = MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
	}
	if (!resp)
		return MHD_NO;
	if (res->content_type && status != HTTP_NOT_MODIFIED)
		MHD_add_response_header(resp, "Content-Type", res->content_type);
	MHD_add_response_header(resp, "X-Request-Id", req->request_id);
	if (etag[0]) {
		MHD_add_response_header(resp, "ETag", etag);
		MHD_add_response_header(resp, "Cache-Control", "private, no-cache");
	}
	for (unsigned i = 0; i < res->nheaders; i++)
		MHD_add_response_header(resp, res->headers[i].name, res->headers[i].value);
	add_cors(req, resp);

	res->status = status;
	req->responded = true;
	req->bytes_sent = req->method == HTTP_HEAD ? 0 : len;
	enum MHD_Result r = MHD_queue_response(req->conn, status, resp);
	MHD_destroy_response(resp);
	return r;
}

void server_suspend(struct request *req)
{
	MHD_suspend_connection(req->conn);
}

void server_resume(struct request *req)
{
	MHD_resume_connection(req->conn);
}

/* MHD calls this with the request-target exactly as the client sent it,
 * before it decodes anything: the request starts here. */
static void *on_target(void *cls, const char *uri, struct MHD_Connection *conn)
{
	(void)cls;
	(void)conn;
	struct request *req = xcalloc(1, sizeof *req);
	req->target = xstrdup(uri);
	req->path = "";
	req->started_us = time_mono_us();
	atomic_fetch_add(&inflight, 1);
	return req;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version, const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
	(void)cls;
	(void)url; /* decoded by MHD; the pipeline decodes req->target itself (uri.h) */
	(void)version;
	struct request *req = *con_cls;
	if (!req || atomic_load(&cut_off))
		return MHD_NO; /* not started by on_target (cannot happen), or cut off */

	if (!req->conn) {
		req->conn = conn;
		assign_request_id(req);
		record_client(req);
		/* Answer on the last call, once MHD has the whole request: a response
		 * queued earlier makes MHD close the connection. Only a body already
		 * announced as too large is refused at once, without reading it. */
		req->decided = stage->headers(req, method);
		if (req->decided && req->res.status == HTTP_PAYLOAD_TOO_LARGE)
			return send_response(req);
		return MHD_YES;
	}

	if (*upload_data_size) {
		size_t n = *upload_data_size;
		if (req->decided) {
			/* The answer is known (404, 405...): the body is not needed. */
			*upload_data_size = 0;
			req->body_received += n;
			return req->body_received > 4 * (uint64_t)cfg.max_body_bytes ? MHD_NO : MHD_YES;
		}
		req->body_received += n;
		if (req->body_received > cfg.max_body_bytes) {
			req->body_too_large = true;
			buf_free(&req->body);
			/* Stop listening to a client that keeps sending far past the cap. */
			if (req->body_received > 4 * (uint64_t)cfg.max_body_bytes)
				return MHD_NO;
		} else {
			/* grows with what arrives: an announced length reserves nothing */
			buf_append(&req->body, upload_data, n);
		}
		*upload_data_size = 0;
		return MHD_YES;
	}

	if (req->responded)
		return MHD_YES;
	if (!req->decided && !stage->handle(req))
		return MHD_YES; /* suspended: called again once resumed */
	return send_response(req);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
	(void)cls;
	(void)conn;
	(void)toe;
	struct request *req = *con_cls;
	if (!req)
		return;
	*con_cls = NULL;
	if (req->conn) /* MHD may end a request it refused before handing it over */
		stage->done(req, req->responded ? req->res.status : 0, time_mono_us() - req->started_us);
	router_params_free(req);
	response_free(&req->res);
	buf_free(&req->body);
	uri_free(&req->uri);
	free(req->target);
	free(req);
	atomic_fetch_sub(&inflight, 1);
}

static void mhd_log(void *cls, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	(void)cls;
	struct buf msg = BUF_INIT;
	buf_vprintf(&msg, fmt, ap);
	while (msg.len && msg.data[msg.len - 1] == '\n')
		msg.data[--msg.len] = '\0';
	log_warn(NULL, "http: %s", buf_cstr(&msg));
	buf_free(&msg);
}

/* Every connection needs a descriptor; raise the soft limit as far as the
 * hard one allows so THIDUA_MAX_CONNECTIONS is reachable. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < (rlim_t)cfg.max_connections + 64)
		log_warn(NULL, "open-file limit %llu is below THIDUA_MAX_CONNECTIONS=%u",
		         (unsigned long long)rl.rlim_cur, cfg.max_connections);
}

bool server_start(const struct server_stages *stages)
{
	stage = stages;
	raise_fd_limit();
	randombytes_buf(process_half, sizeof process_half);

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_ALLOW_SUSPEND_RESUME | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	if (strchr(cfg.listen_host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)cfg.listen_port);
		inet_pton(AF_INET6, cfg.listen_host, &a->sin6_addr);
		flags |= MHD_USE_IPv6;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)cfg.listen_port);
		if (*cfg.listen_host)
			inet_pton(AF_INET, cfg.listen_host, &a->sin_addr);
		else
			a->sin_addr.s_addr = htonl(INADDR_ANY);
	}

	daemon_handle = MHD_start_daemon(
		flags, (uint16_t)cfg.listen_port, NULL, NULL, on_request, NULL, MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)cfg.threads, MHD_OPTION_CONNECTION_LIMIT,
		(unsigned)cfg.max_connections, MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)cfg.idle_timeout_s,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)cfg.connection_memory_bytes, MHD_OPTION_LISTEN_BACKLOG_SIZE,
		(unsigned)1024, MHD_OPTION_NOTIFY_COMPLETED, on_completed, NULL, MHD_OPTION_URI_LOG_CALLBACK, on_target, NULL,
		MHD_OPTION_END);
	if (!daemon_handle) {
		fprintf(stderr, "thidua: cannot listen on %s (THIDUA_LISTEN): %s\n", cfg.listen,
		        errno ? strerror(errno) : "the HTTP library refused the settings");
		return false;
	}
	sd_notify(0, "READY=1"); /* for Type=notify under systemd; a no-op elsewhere */
	log_info(NULL, "listening on http://%s%s%s:%u with %u threads", strchr(cfg.listen_host, ':') ? "[" : "",
	         *cfg.listen_host ? cfg.listen_host : "0.0.0.0", strchr(cfg.listen_host, ':') ? "]" : "",
	         cfg.listen_port, cfg.threads);
	return true;
}

/* New connections are refused from here on. MHD_quiesce_daemon would do it
 * but races the worker threads of libmicrohttpd 0.9.75: a worker that wakes
 * meanwhile drops the listening socket from its epoll set first, and the
 * quiesce then aborts the process ("Failed to remove listen FD from epoll
 * set"). Instead the listening socket is replaced, under its descriptor
 * number, by an eventfd that never becomes ready: the kernel closes the
 * socket (connections are refused) and removes it from every epoll set, MHD
 * sees no event on that descriptor again, and MHD_stop_daemon closes the
 * stand-in. */
static void stop_listening(void)
{
	const union MHD_DaemonInfo *info = MHD_get_daemon_info(daemon_handle, MHD_DAEMON_INFO_LISTEN_FD);
	if (!info || info->listen_fd == MHD_INVALID_SOCKET)
		return;
	int standin = eventfd(0, EFD_CLOEXEC);
	if (standin < 0 || dup2(standin, info->listen_fd) < 0)
		log_warn(NULL, "could not stop listening (%s); new connections wait for the exit", strerror(errno));
	if (standin >= 0)
		close(standin);
}

void server_wait_and_stop(void)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	int sig = 0;
	while (sigwait(&set, &sig) != 0)
		;
	log_info(NULL, "%s received: no new connections, finishing %d request(s) in flight",
	         sig == SIGTERM ? "SIGTERM" : "SIGINT", atomic_load(&inflight));
	atomic_store(&draining, true);
	sd_notify(0, "STOPPING=1");
	stop_listening();

	int64_t deadline = time_mono_us() + (int64_t)cfg.shutdown_timeout_s * 1000000;
	while (atomic_load(&inflight) > 0 && time_mono_us() < deadline) {
		struct timespec ts = {0, 10 * 1000 * 1000};
		nanosleep(&ts, NULL);
	}
	int left = atomic_load(&inflight);
	if (left > 0) {
		log_warn(NULL, "shutdown timeout: %d request(s) still running are cut off", left);
		atomic_store(&cut_off, true);
	}
	/* MHD must not stop with a connection suspended */
	if (stage->stopping)
		stage->stopping();
	MHD_stop_daemon(daemon_handle);
	daemon_handle = NULL;
	log_info(NULL, "stopped");
}
