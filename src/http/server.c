/* The HTTP server around libmicrohttpd (see server.h).
 *
 * Lifecycle of a request: MHD hands over the request-target as received
 * (on_target: the struct request is allocated there), calls on_request once
 * the headers are in, then once per body chunk, then a last time with no
 * data; on_completed runs when MHD is done with it and is the one place the
 * request's memory is freed and the access line written.
 *
 * Around every handler, in this order: the target is decoded and checked
 * (uri.h), the route found (404, 405), the body capped (413), the route's
 * typed parameters validated (400, api/params.h), the key checked (401,
 * 403), and a cached answer reused when the database has not changed. */
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

#include "api/params.h"
#include "core/auth.h"
#include "core/cache.h"
#include "core/config.h"
#include "core/log.h"
#include "core/metrics.h"
#include "db/db.h"
#include "http/response.h"
#include "util/alloc.h"
#include "util/timeutil.h"
#include "util/utf8.h"

static struct MHD_Daemon *daemon_handle;
static const struct route *route_table;
static size_t route_count;
static atomic_int inflight;
static atomic_bool draining;

#define CORS_ALLOW_HEADERS "Authorization, Content-Type, Accept, If-None-Match, If-Match, X-Request-Id"
#define CORS_EXPOSE_HEADERS "ETag, X-Request-Id, X-Cache, Content-Disposition, Retry-After, Location"

bool server_draining(void)
{
	return atomic_load(&draining);
}

const struct route *server_routes(size_t *n)
{
	*n = route_count;
	return route_table;
}

static enum http_method parse_method(const char *m)
{
	static const struct {
		const char *name;
		enum http_method method;
	} methods[] = {{"GET", HTTP_GET},     {"HEAD", HTTP_HEAD},     {"POST", HTTP_POST},      {"PUT", HTTP_PUT},
	               {"PATCH", HTTP_PATCH}, {"DELETE", HTTP_DELETE}, {"OPTIONS", HTTP_OPTIONS}};
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (!strcmp(m, methods[i].name))
			return methods[i].method;
	return 0;
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

static void assign_request_id(struct request *req)
{
	const char *given = request_header(req, "X-Request-Id");
	if (given && acceptable_request_id(given)) {
		snprintf(req->request_id, sizeof req->request_id, "%s", given);
		return;
	}
	unsigned char raw[16];
	randombytes_buf(raw, sizeof raw);
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
		if (res->etag[0])
			memcpy(etag, res->etag, sizeof etag);
		else
			response_etag(&res->body, etag);
		if (etag_list_matches(request_header(req, "If-None-Match"), etag, true)) {
			status = HTTP_NOT_MODIFIED;
			buf_reset(&res->body);
		}
	}

	size_t len = res->body.len;
	struct MHD_Response *resp;
	if (len) {
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

/* ---- the response cache ---- */

/* What a cached answer depends on besides the snapshot: exactly what the
 * handler reads — the route, its validated parameters (each value with its
 * length, so no two requests share a key unless their arguments are the
 * same), the caller's scope — and the hour: answers that default to
 * "today" must not outlive the day in any whole-hour time zone. */
static char *cache_key(const struct request *req)
{
	struct buf key = BUF_INIT;
	buf_printf(&key, "%s %s\n", http_method_name(req->route->method), req->route->pattern);
	for (size_t i = 0; i < req->params->n; i++) {
		const char *v = req->params->v[i].value;
		if (v)
			buf_printf(&key, "%s=%zu:%s\n", req->params->v[i].name, strlen(v), v);
		else
			buf_printf(&key, "%s\n", req->params->v[i].name);
	}
	buf_printf(&key, "scope=%s\nhour=%lld", req->who.scope_id, (long long)(time(NULL) / 3600));
	return buf_steal(&key);
}

static bool cacheable(struct request *req)
{
	if (!(req->route->flags & ROUTE_CACHED) || !cache_enabled())
		return false;
	if (!req->snapshot) {
		PGresult *r;
		if (db_query(Q_SNAPSHOT, 0, NULL, &r) != DB_OK)
			return false; /* the handler meets the same failure and says so */
		req->snapshot = xstrdup(PQgetvalue(r, 0, 0));
		PQclear(r);
	}
	return true;
}

/* Runs the route's handler, or answers from the cache when an answer to
 * the same request was computed under the same database snapshot. */
static void run_handler(struct request *req)
{
	if (!cacheable(req)) {
		req->res.status = req->route->handler(req);
		return;
	}
	char *key = cache_key(req);
	if (cache_get(key, req->snapshot, &req->res)) {
		response_header(&req->res, "X-Cache", "hit");
	} else {
		req->res.status = req->route->handler(req);
		if (req->res.status == HTTP_OK && !req->res.no_cache && !req->res.no_etag) {
			response_etag(&req->res.body, req->res.etag);
			cache_put(key, req->snapshot, &req->res);
		}
		response_header(&req->res, "X-Cache", "miss");
	}
	free(key);
}

/* ---- dispatch ---- */

static void preflight(struct request *req, unsigned allowed)
{
	char allow[96];
	router_format_allow(allowed, allow, sizeof allow);
	const char *origin = request_header(req, "Origin");
	const char *want = request_header(req, "Access-Control-Request-Method");
	if (!origin || !want) {
		/* A plain OPTIONS: say what the path accepts. */
		response_header(&req->res, "Allow", allow);
		reply_empty(req, HTTP_NO_CONTENT);
		return;
	}
	if (!config_cors_allows(origin)) {
		reply_problem(req, HTTP_FORBIDDEN, "cors_origin_refused",
		              "Origin %s is not allowed to call this service; an administrator can add it to "
		              "THIDUA_CORS_ORIGINS.",
		              origin);
		return;
	}
	enum http_method m = parse_method(want);
	if (!m || !(allowed & m)) {
		response_header(&req->res, "Allow", allow);
		reply_problem(req, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed",
		              "%s is not allowed on %s; allowed: %s.", want, req->path, allow);
		return;
	}
	response_header(&req->res, "Access-Control-Allow-Methods", allow);
	response_header(&req->res, "Access-Control-Allow-Headers", CORS_ALLOW_HEADERS);
	response_header(&req->res, "Access-Control-Max-Age", "600");
	reply_empty(req, HTTP_NO_CONTENT);
}

/* Decides what can be decided from the request line and headers alone.
 * Returns true when the response is ready (an error, OPTIONS). */
static bool route_request(struct request *req, const char *method)
{
	unsigned allowed = 0;
	req->method = parse_method(method);
	req->method_name = req->method ? http_method_name(req->method) : method;

	/* A body announced too large is refused before anything else, unread. */
	const char *length = request_header(req, "Content-Length");
	if (length) {
		char *end;
		errno = 0;
		unsigned long long n = strtoull(length, &end, 10);
		if (errno || *end || n > cfg.max_body_bytes) {
			char *shown = utf8_repaired(length);
			reply_problem(req, HTTP_PAYLOAD_TOO_LARGE, "body_too_large",
			              "The request body (%.40s bytes) is larger than the %zu bytes this service accepts "
			              "(THIDUA_MAX_BODY_BYTES); split it into smaller requests.",
			              shown, cfg.max_body_bytes);
			free(shown);
			return true;
		}
		req->announced_length = n;
	}

	struct uri_problem why;
	if (!uri_parse(req->target, &req->uri, &why)) {
		json_t *errors = json_array();
		json_array_append_new(errors, problem_error(why.in, why.field, why.code, why.message));
		reply_problem_errors(req, HTTP_BAD_REQUEST, why.code, why.message, errors);
		return true;
	}
	req->path = req->uri.path;

	if (req->method == HTTP_OPTIONS) {
		allowed = router_allowed(route_table, route_count, req->path);
		if (!allowed)
			reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is no resource at %s.", req->path);
		else
			preflight(req, allowed);
		return true;
	}

	enum route_result rr = req->method
		? router_lookup(route_table, route_count, req->method, req->path, req, &req->route, &allowed)
		: (router_allowed(route_table, route_count, req->path) ? ROUTE_METHOD_NOT_ALLOWED : ROUTE_NOT_FOUND);
	if (rr == ROUTE_METHOD_NOT_ALLOWED && !req->method)
		allowed = router_allowed(route_table, route_count, req->path);
	if (rr == ROUTE_NOT_FOUND) {
		reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is no resource at %s; GET /v1 lists them.",
		              req->path);
		return true;
	}
	if (rr == ROUTE_METHOD_NOT_ALLOWED) {
		char allow[96];
		router_format_allow(allowed, allow, sizeof allow);
		response_header(&req->res, "Allow", allow);
		reply_problem(req, HTTP_METHOD_NOT_ALLOWED, "method_not_allowed", "%s is not allowed on %s; allowed: %s.",
		              req->method_name, req->path, allow);
		return true;
	}
	return false;
}

/* The route's parameters, checked and normalised; false when the answer
 * is already a 400 (or 415) naming every problem. */
static bool validate_params(struct request *req)
{
	/* the captured names point into the pattern; params wants them ended */
	const char *names[REQUEST_MAX_PARAMS], *values[REQUEST_MAX_PARAMS];
	char name_text[REQUEST_MAX_PARAMS][32];
	for (unsigned i = 0; i < req->nparams; i++) {
		snprintf(name_text[i], sizeof name_text[i], "%.*s", (int)req->param_name_lens[i], req->param_names[i]);
		names[i] = name_text[i];
		values[i] = req->param_values[i];
	}
	struct param_input in = {
		.uri = &req->uri,
		.path_names = names,
		.path_values = values,
		.npath = req->nparams,
		.body = buf_cstr(&req->body),
		.body_len = req->body.len,
		.content_type = request_header(req, "Content-Type"),
		.accept = request_header(req, "Accept"),
	};
	req->params = xcalloc(1, sizeof *req->params);
	if (params_validate(req->params, req->route->params, &in)) {
		params_set(req->params, "scope", NULL); /* filled in once the key is known */
		return true;
	}
	char *detail = params_problem_detail(req->params);
	size_t count = json_array_size(req->params->errors);
	enum http_status status = req->params->wrong_media_type ? HTTP_UNSUPPORTED_MEDIA_TYPE : HTTP_BAD_REQUEST;
	const char *code = count == 1 || req->params->wrong_media_type ? req->params->first_code : "invalid_parameter";
	reply_problem_errors(req, status, code, detail, json_incref(req->params->errors));
	free(detail);
	return false;
}

static void dispatch(struct request *req)
{
	if (req->body_too_large) {
		reply_problem(req, HTTP_PAYLOAD_TOO_LARGE, "body_too_large",
		              "The request body is larger than the %zu bytes this service accepts "
		              "(THIDUA_MAX_BODY_BYTES); split it into smaller requests.",
		              cfg.max_body_bytes);
		return;
	}
	if (!validate_params(req))
		return;
	if (auth_authorize(req) != HTTP_OK)
		return;
	params_set(req->params, "scope", req->who.scope_id[0] ? req->who.scope_id : NULL);
	run_handler(req);
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
	if (!req)
		return MHD_NO; /* not started by on_target: cannot happen */

	if (!req->conn) {
		req->conn = conn;
		assign_request_id(req);
		record_client(req);
		/* Answer on the last call, once MHD has the whole request: a response
		 * queued earlier makes MHD close the connection. Only a body already
		 * announced as too large is refused at once, without reading it. */
		req->decided = route_request(req, method);
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
	if (!req->decided)
		dispatch(req);
	return send_response(req);
}

/* The target as it goes to the access log: the value of any parameter
 * whose name says it is a credential, and anything shaped like a thidua
 * key, replaced, so no secret is ever written to a log. */
static char *loggable_target(const char *target)
{
	static const char *const secret_names[] = {"api_key", "apikey", "key", "token", "access_token", "auth",
	                                           "authorization", "bearer", "password", NULL};
	struct buf out = BUF_INIT;
	const char *q = strchr(target, '?');
	buf_append(&out, target, q ? (size_t)(q - target) : strlen(target));
	while (q && *q) {
		buf_putc(&out, *q++); /* ? or & */
		size_t n = strcspn(q, "&"), name_len = strcspn(q, "=");
		if (name_len > n)
			name_len = n;
		bool secret = false;
		for (const char *const *s = secret_names; *s && !secret; s++)
			secret = strlen(*s) == name_len && !strncasecmp(q, *s, name_len);
		if (secret && name_len < n) {
			buf_append(&out, q, name_len);
			buf_puts(&out, "=[redacted]");
		} else {
			buf_append(&out, q, n);
		}
		q += n;
	}
	/* thd_<12 hex>_<secret>: keep the prefix, which identifies but does not open */
	for (char *k = strstr(out.data ? out.data : "", "thd_"); k; k = strstr(k + 4, "thd_")) {
		char *secret = k + 4 + strspn(k + 4, "0123456789abcdefABCDEF");
		if (*secret == '_')
			for (secret++; *secret && *secret != '&' && *secret != '/' && *secret != '?'; secret++)
				*secret = '*';
	}
	return buf_steal(&out);
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
	int64_t duration = time_mono_us() - req->started_us;
	unsigned status = req->responded ? req->res.status : 0;
	if (req->conn) { /* MHD may end a request it refused before handing it over */
		char *logged = loggable_target(req->target);
		struct access_entry e = {
			.request_id = req->request_id,
			.method = req->method_name,
			.path = logged,
			.client = req->client,
			.key_name = req->who.authenticated ? req->who.key_name : NULL,
			.status = status,
			.bytes = req->bytes_sent,
			.duration_us = duration,
		};
		log_access(&e);
		free(logged);
		metrics_observe(req->route ? (int)(req->route - route_table) : -1, status, duration);
	}
	router_params_free(req);
	if (req->params) {
		params_free(req->params);
		free(req->params);
	}
	response_free(&req->res);
	buf_free(&req->body);
	uri_free(&req->uri);
	free(req->target);
	free(req->snapshot);
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

bool server_start(const struct route *routes, size_t nroutes)
{
	route_table = routes;
	route_count = nroutes;
	metrics_init(routes, nroutes);
	raise_fd_limit();

	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof ss);
	unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC | MHD_USE_ERROR_LOG | MHD_USE_TURBO;
	socklen_t sslen;
	if (strchr(cfg.listen_host, ':')) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;
		a->sin6_family = AF_INET6;
		a->sin6_port = htons((uint16_t)cfg.listen_port);
		inet_pton(AF_INET6, cfg.listen_host, &a->sin6_addr);
		flags |= MHD_USE_IPv6;
		sslen = sizeof *a;
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;
		a->sin_family = AF_INET;
		a->sin_port = htons((uint16_t)cfg.listen_port);
		if (*cfg.listen_host)
			inet_pton(AF_INET, cfg.listen_host, &a->sin_addr);
		else
			a->sin_addr.s_addr = htonl(INADDR_ANY);
		sslen = sizeof *a;
	}
	(void)sslen;

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
	if (left > 0)
		log_warn(NULL, "shutdown timeout: %d request(s) still running are cut off", left);
	MHD_stop_daemon(daemon_handle);
	daemon_handle = NULL;
	log_info(NULL, "stopped");
}
