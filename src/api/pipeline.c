/* The request pipeline (see pipeline.h). */
#include "api/pipeline.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "api/auth.h"
#include "api/cache.h"
#include "api/keycheck.h"
#include "api/metrics.h"
#include "api/params.h"
#include "api/reply.h"
#include "api/runner.h"
#include "core/config.h"
#include "core/log.h"
#include "db/db.h"
#include "http/response.h"
#include "http/uri.h"
#include "util/alloc.h"
#include "util/utf8.h"

#define CORS_ALLOW_HEADERS "Authorization, Content-Type, Accept, If-None-Match, If-Match, X-Request-Id"

static const struct route *route_table;
static size_t route_count;

void pipeline_init(const struct route *routes, size_t nroutes)
{
	route_table = routes;
	route_count = nroutes;
	metrics_init(routes, nroutes);
}

/* ---- before the body: target, route, announced length ---- */

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
	enum http_method m = http_method_parse(want);
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
static bool on_headers(struct request *req, const char *method)
{
	unsigned allowed = 0;
	req->who = xcalloc(1, sizeof *req->who);
	req->method = http_method_parse(method);
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
		reply_field_problem(req, HTTP_BAD_REQUEST, why.code, why.in, why.field, why.message);
		return true;
	}
	req->path = req->uri.path;

	if (req->method == HTTP_OPTIONS) {
		allowed = router_allowed(route_table, route_count, req->path);
		if (!allowed) {
			reply_problem(req, HTTP_NOT_FOUND, "not_found", "There is no resource at %s.", req->path);
			return true;
		}
		/* counted in the metrics under the path's first route */
		unsigned ignored;
		for (unsigned m = HTTP_GET; m <= HTTP_DELETE && !req->route; m <<= 1)
			if (allowed & m)
				router_lookup(route_table, route_count, (enum http_method)m, req->path, req, &req->route, &ignored);
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

/* ---- with the body: parameters, key, handler or cache ---- */

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
	buf_printf(&key, "scope=%s\nhour=%lld", req->who->scope_id, (long long)(time(NULL) / 3600));
	return buf_steal(&key);
}

/* What the answer depends on (sql/012_cache.sql): *on is NULL for a
 * route whose answers are not cached, else "structure", "all", or "org"
 * or "bloc" with the subject's code in *code. A query naming one
 * organization (org, under) or one bloc is about it; one naming several,
 * or none, is about everything. */
static void cache_subject(const struct request *req, const char **on, const char **code)
{
	*on = NULL;
	*code = NULL;
	const struct route *r = req->route;
	if (!(r->flags & ROUTE_CACHED) || !cache_enabled())
		return;
	const char *org = params_get(req->params, "org"), *under = params_get(req->params, "under"),
	           *bloc = params_get(req->params, "bloc");
	switch (r->cache_on) {
	case CACHE_ON_STRUCTURE: *on = "structure"; return;
	case CACHE_ON_PATH_ORG: *on = "org"; *code = params_get(req->params, "code"); return;
	case CACHE_ON_PATH_BLOC: *on = "bloc"; *code = params_get(req->params, "code"); return;
	case CACHE_ON_QUERY:
		if (!!org + !!under + !!bloc == 1) {
			const char *one = org ? org : under ? under : bloc;
			if (!strchr(one, ',')) {
				*on = bloc ? "bloc" : "org";
				*code = one;
				return;
			}
		}
		*on = "all";
		return;
	case CACHE_ON_ALL: *on = "all"; return;
	}
}

/* A request past its key check: what the check said, then its handler's
 * run on a runner thread (api/runner.h). */
struct pipeline_job {
	struct runner_job job;
	struct request *req;
	enum job_stage {
		JOB_REFUSED, /* the key check made the answer (401, 403, 503) */
		JOB_CHECKED, /* allowed; back on the HTTP worker for the cache */
		JOB_QUEUED,  /* on a runner's queue, or running */
		JOB_DONE,    /* the handler has answered */
	} stage;
	char *version;   /* of what a cached answer depends on, or NULL */
	char *cache_key; /* when the answer may be kept */
};

/* The answer from the cache when it holds one to the same request
 * computed while what it depends on was the same; else *key is set when
 * the answer, once computed, may be kept. A version comes with the key
 * check of a cached route only (cache_subject(), auth_finish()): without
 * one the answer is neither looked up nor kept. */
static bool from_cache(struct request *req, const char *version, char **key)
{
	*key = NULL;
	if (!version || !*version)
		return false;
	*key = cache_key(req);
	if (!cache_get(*key, version, &req->res))
		return false;
	response_header(&req->res, "X-Cache", "hit");
	free(*key);
	*key = NULL;
	return true;
}

/* On a runner thread: the handler, its answer kept when it may be. */
static void run_handler(void *arg)
{
	struct pipeline_job *j = arg;
	struct request *req = j->req;
	req->res.status = req->route->handler(req);
	if (j->cache_key) {
		if (req->res.status == HTTP_OK && !req->res.no_cache && !req->res.no_etag) {
			response_etag(&req->res.body, req->res.etag);
			cache_put(j->cache_key, j->version, &req->res);
		}
		response_header(&req->res, "X-Cache", "miss");
	}
	j->stage = JOB_DONE;
	server_resume(req); /* the last use of the request here */
}

/* Queues the handler; the request is suspended (by the caller) until it
 * has run. */
static void run_later(struct request *req)
{
	struct pipeline_job *j = req->job;
	j->job.run = run_handler;
	j->job.arg = j;
	j->stage = JOB_QUEUED;
	runner_submit(&j->job);
}

/* The request is past its key check: refused, or allowed with the
 * caller's scope given to the handler. */
static void checked_in(struct request *req, bool allowed, char *version)
{
	struct pipeline_job *j = xcalloc(1, sizeof *j);
	j->req = req;
	j->version = version;
	j->stage = allowed ? JOB_CHECKED : JOB_REFUSED;
	req->job = j;
	if (allowed)
		params_set(req->params, "scope", req->who->scope_id[0] ? req->who->scope_id : NULL);
}

/* On the key-check thread, the request still suspended: an answer the
 * cache cannot hold (no version: an uncached route, or the cache off) and
 * that memory cannot give goes straight to a runner's queue; anything else
 * back to the HTTP worker, which answers a refusal or looks in the cache
 * (so the cache's copying stays on the workers, not on this one thread).
 * The straight way saves the worker a resumption and a second suspension:
 * one wake-up of a thread instead of two. */
static void key_checked(struct request *req)
{
	char *version = NULL;
	bool allowed = auth_finish(req, &version);
	checked_in(req, allowed, version);
	if (allowed && !version && !(req->route->flags & ROUTE_IN_MEMORY)) {
		run_later(req);
		return;
	}
	server_resume(req); /* the last use of the request here */
}

/* Allowed, the scope set: the answer from the cache, from memory, or
 * from a runner. */
static bool answer(struct request *req)
{
	struct pipeline_job *j = req->job;
	if (from_cache(req, j->version, &j->cache_key))
		return true;
	if (req->route->flags & ROUTE_IN_MEMORY) {
		req->res.status = req->route->handler(req);
		return true;
	}
	server_suspend(req);
	run_later(req);
	return false;
}

/* Called on arrival; again when the key check is answered and the cache
 * is to be looked in (api/keycheck.h); and again when the handler has
 * run (api/runner.h). */
static bool on_request(struct request *req)
{
	if (req->job) {
		switch (req->job->stage) {
		case JOB_REFUSED: return true;
		case JOB_CHECKED: return answer(req);
		case JOB_QUEUED: return false;
		case JOB_DONE: return true;
		}
	}
	if (req->body_too_large) {
		reply_problem(req, HTTP_PAYLOAD_TOO_LARGE, "body_too_large",
		              "The request body is larger than the %zu bytes this service accepts "
		              "(THIDUA_MAX_BODY_BYTES); split it into smaller requests.",
		              cfg.max_body_bytes);
		return true;
	}
	if (!validate_params(req))
		return true;
	const char *on, *code;
	cache_subject(req, &on, &code);
	switch (auth_begin(req, on, code, key_checked)) {
	case AUTH_REFUSED: return true;
	case AUTH_WAITING: return false;
	case AUTH_GRANTED: break;
	}
	checked_in(req, true, NULL);
	return answer(req);
}

static void stopping(void)
{
	keycheck_stop();
	runner_stop();
}

/* ---- after ---- */

static void on_done(struct request *req, unsigned status, int64_t duration_us)
{
	char *logged = uri_redacted(req->target);
	struct access_entry e = {
		.request_id = req->request_id,
		.method = req->method_name,
		.path = logged,
		.client = req->client,
		.key_name = req->who && req->who->authenticated ? req->who->key_name : NULL,
		.status = status,
		.bytes = req->bytes_sent,
		.duration_us = duration_us,
	};
	log_access(&e);
	free(logged);
	metrics_observe(req->route ? (int)(req->route - route_table) : -1, req->method == HTTP_OPTIONS, status,
	                duration_us);
	if (req->params) {
		params_free(req->params);
		free(req->params);
		req->params = NULL;
	}
	auth_free(req);
	if (req->job) {
		free(req->job->version);
		free(req->job->cache_key);
		free(req->job);
		req->job = NULL;
	}
	free(req->who);
	req->who = NULL;
}

const struct server_stages pipeline_stages = {
	.headers = on_headers,
	.handle = on_request,
	.done = on_done,
	.stopping = stopping,
};
