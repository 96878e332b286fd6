/* The request and response as HTTP knows them. The server (server.c) reads
 * a request off the connection into struct request and writes req->res
 * back; what happens in between — routing, parameters, keys, the cache,
 * the handler — is the request pipeline's (api/pipeline.h), which fills
 * the fields marked as its own. */
#ifndef THIDUA_HTTP_HTTP_H
#define THIDUA_HTTP_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "http/uri.h"
#include "util/buf.h"

struct MHD_Connection;
struct route;

enum http_method {
	HTTP_GET = 1 << 0,
	HTTP_HEAD = 1 << 1,
	HTTP_POST = 1 << 2,
	HTTP_PUT = 1 << 3,
	HTTP_PATCH = 1 << 4,
	HTTP_DELETE = 1 << 5,
	HTTP_OPTIONS = 1 << 6,
};

enum http_status {
	/* Not a status: a step of a handler succeeded and no answer is made
	 * yet, so the handler goes on (handlers/common.h). */
	HTTP_PROCEED = 0,
	HTTP_OK = 200,
	HTTP_CREATED = 201,
	HTTP_NO_CONTENT = 204,
	HTTP_FOUND = 302,
	HTTP_NOT_MODIFIED = 304,
	HTTP_BAD_REQUEST = 400,
	HTTP_UNAUTHORIZED = 401,
	HTTP_FORBIDDEN = 403,
	HTTP_NOT_FOUND = 404,
	HTTP_METHOD_NOT_ALLOWED = 405,
	HTTP_NOT_ACCEPTABLE = 406,
	HTTP_CONFLICT = 409,
	HTTP_PRECONDITION_FAILED = 412,
	HTTP_PAYLOAD_TOO_LARGE = 413,
	HTTP_UNSUPPORTED_MEDIA_TYPE = 415,
	HTTP_UNPROCESSABLE = 422,
	HTTP_INTERNAL_ERROR = 500,
	HTTP_SERVICE_UNAVAILABLE = 503,
};

/* Roles in increasing power; a route names the least role it needs. */
enum role { ROLE_PUBLIC = 0, ROLE_READER, ROLE_EDITOR, ROLE_ADMIN };

#define REQUEST_MAX_PARAMS 4
#define REQUEST_MAX_HEADERS 10

struct header {
	char *name;
	char *value;
};

struct shared_bytes;

struct response {
	enum http_status status;
	const char *content_type; /* static string */
	struct buf body;
	/* when set, the body instead (read-only, a cached answer's: util/shared.h) */
	struct shared_bytes *shared_body;
	struct header headers[REQUEST_MAX_HEADERS];
	unsigned nheaders;
	bool no_etag;  /* set for bodies that must not be cached (keys) */
	bool no_cache; /* a cached route's answer that must not be kept (sync feeds) */
	char etag[40]; /* set by the server once computed, "" before */
};

struct params;
struct principal;
struct auth_wait;
struct pipeline_job;

struct request {
	struct MHD_Connection *conn;
	enum http_method method;
	const char *method_name;
	char *target;     /* the request-target as received, for the access log */
	struct uri uri;   /* its path and query, decoded and checked (uri.h) */
	const char *path; /* uri.path, or "" when the target was refused */
	char request_id[129];
	char client[64];
	int64_t started_us;
	unsigned nparams;
	const char *param_names[REQUEST_MAX_PARAMS];  /* point into the route pattern */
	size_t param_name_lens[REQUEST_MAX_PARAMS];
	char *param_values[REQUEST_MAX_PARAMS];
	struct buf body;
	uint64_t body_received;
	uint64_t announced_length; /* Content-Length, 0 when absent */
	bool body_too_large;
	bool decided;     /* the response is known before the body arrives */
	bool responded;
	uint64_t bytes_sent;
	struct response res;

	/* The pipeline's own (api/pipeline.h); opaque here. */
	const struct route *route;   /* the route matched, NULL before (or without) one */
	struct params *params;       /* the route's typed parameters, validated (api/params.h) */
	struct principal *who;       /* the caller (api/auth.h) */
	struct auth_wait *auth;      /* its key check while it is being answered (api/auth.h) */
	struct pipeline_job *job;    /* its handler's run (api/runner.h) */
};

/* A path parameter by its name in the route pattern ("code" for {code}). */
const char *request_param(const struct request *req, const char *name);
/* A request header, NULL when absent. */
const char *request_header(const struct request *req, const char *name);

const char *http_method_name(enum http_method m);
/* The method named exactly so ("GET"), 0 for any other. */
enum http_method http_method_parse(const char *name);

/* Whether an Accept-Language header (RFC 9110) puts the language given
 * ("vi": also vi-VN) first: ranked highest by q, or first among equals;
 * false for NULL or q=0. */
bool http_prefers_language(const char *accept_language, const char *lang);

/* Whether a Content-Type header names exactly the media type given
 * ("application/json" matches "application/json; charset=utf-8", not
 * "application/jsonx"); false for NULL. */
bool http_media_type_is(const char *content_type, const char *type);

#endif
