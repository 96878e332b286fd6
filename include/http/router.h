/* Route table lookup. Routes are one table (src/routes.c): method, path
 * pattern with {name} segments, handler, least role, typed parameters.
 * router_lookup tells an unknown path (404) from a known path asked with
 * the wrong method (405, with the methods to put in Allow). */
#ifndef THIDUA_HTTP_ROUTER_H
#define THIDUA_HTTP_ROUTER_H

#include <stddef.h>

#include "http/http.h"

typedef enum http_status (*route_handler)(struct request *req);

enum route_flags {
	ROUTE_CACHED = 1 << 0,    /* the answer may come from the response cache */
	ROUTE_IN_MEMORY = 1 << 1, /* answered from memory, never the database: run on the HTTP worker, so
	                             it answers while every handler thread waits on the database */
};

/* What a cached route's answer depends on (sql/012_cache.sql): the cache
 * reuses it while that has not changed. */
enum cache_on {
	CACHE_ON_ALL = 0,       /* every value anywhere, and the structure */
	CACHE_ON_STRUCTURE,     /* organizations, indicators, blocs, keys, locks: no value */
	CACHE_ON_PATH_ORG,      /* the values about the organization of the path's {code} */
	CACHE_ON_PATH_BLOC,     /* the values about the bloc of the path's {code} */
	CACHE_ON_QUERY,         /* the organization or bloc the query names (org, under, bloc), else all */
};

struct param_spec;

struct route {
	enum http_method method;
	const char *pattern;             /* "/v1/organizations/{code}" */
	route_handler handler;
	enum role role;                  /* the least role that may call it */
	unsigned flags;
	const char *summary;             /* one line for the /v1 index */
	const struct param_spec *params; /* typed parameters (api/params.h), ended by a NULL name; NULL: none */
	unsigned call;                   /* the statement its handler runs (db/queries.h), 0: none */
	const char *array;               /* a table answer: the name of its rows' array in JSON */
	const char *file;                /* a table answer: the download's name, {param} filled in */
	const char *title;               /* a table answer: what it is, in Vietnamese, atop an XLSX export */
	enum cache_on cache_on;          /* ROUTE_CACHED: what its answer depends on */
};

enum route_result { ROUTE_FOUND, ROUTE_NOT_FOUND, ROUTE_METHOD_NOT_ALLOWED };

/* Matches path against the table. On ROUTE_FOUND sets *found and fills the
 * request's path parameters; on ROUTE_METHOD_NOT_ALLOWED sets *allowed to the
 * methods the path does accept. HEAD matches GET routes. */
enum route_result router_lookup(const struct route *table, size_t n, enum http_method method,
                                const char *path, struct request *req, const struct route **found,
                                unsigned *allowed);

/* The methods a path accepts (HEAD and OPTIONS added when GET is there);
 * 0 for an unknown path. */
unsigned router_allowed(const struct route *table, size_t n, const char *path);

/* Writes "GET, HEAD, OPTIONS" for a method mask. */
void router_format_allow(unsigned methods, char *out, size_t outlen);

/* A role's name: "public", then the key roles of the schema (key_role:
 * reader, editor, admin). */
const char *role_name(enum role role);
/* The key role of that name; ROLE_PUBLIC for any other. */
enum role role_parse(const char *name);

/* Frees the request's copied path parameters. */
void router_params_free(struct request *req);

#endif
