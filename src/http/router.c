/* Route table lookup (see router.h). The table has tens of rows, so a linear
 * scan comparing segment by segment is both simplest and fast enough: it
 * touches no memory but the pattern and the path. */
#include "http/router.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/schema.h"
#include "util/alloc.h"

/* Matches one pattern against a path; on success records the {name}
 * captures (as offsets into path) in caps. */
struct capture {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
};

static bool match(const char *pattern, const char *path, struct capture caps[REQUEST_MAX_PARAMS],
                  unsigned *ncaps)
{
	*ncaps = 0;
	const char *p = pattern, *s = path;
	for (;;) {
		if (*p == '\0' || *s == '\0')
			return *p == '\0' && *s == '\0';
		if (*p != '/' || *s != '/')
			return false;
		p++;
		s++;
		size_t plen = strcspn(p, "/"), slen = strcspn(s, "/");
		if (plen > 2 && p[0] == '{' && p[plen - 1] == '}') {
			if (slen == 0 || *ncaps == REQUEST_MAX_PARAMS) /* a long value is its type's to refuse */
				return false;
			caps[*ncaps] = (struct capture){p + 1, plen - 2, s, slen};
			(*ncaps)++;
		} else if (plen != slen || memcmp(p, s, plen) != 0) {
			return false;
		}
		p += plen;
		s += slen;
	}
}

enum route_result router_lookup(const struct route *table, size_t n, enum http_method method,
                                const char *path, struct request *req, const struct route **found,
                                unsigned *allowed)
{
	enum http_method want = method == HTTP_HEAD ? HTTP_GET : method;
	struct capture caps[REQUEST_MAX_PARAMS];
	unsigned ncaps, methods = 0;

	for (size_t i = 0; i < n; i++) {
		if (!match(table[i].pattern, path, caps, &ncaps))
			continue;
		methods |= table[i].method;
		if (table[i].method != want)
			continue;
		router_params_free(req);
		for (unsigned c = 0; c < ncaps; c++) {
			req->param_names[c] = caps[c].name;
			req->param_name_lens[c] = caps[c].name_len;
			req->param_values[c] = xstrndup(caps[c].value, caps[c].value_len);
		}
		req->nparams = ncaps;
		*found = &table[i];
		return ROUTE_FOUND;
	}
	if (!methods)
		return ROUTE_NOT_FOUND;
	if (methods & HTTP_GET)
		methods |= HTTP_HEAD;
	*allowed = methods | HTTP_OPTIONS;
	return ROUTE_METHOD_NOT_ALLOWED;
}

unsigned router_allowed(const struct route *table, size_t n, const char *path)
{
	struct capture caps[REQUEST_MAX_PARAMS];
	unsigned ncaps, methods = 0;
	for (size_t i = 0; i < n; i++)
		if (match(table[i].pattern, path, caps, &ncaps))
			methods |= table[i].method;
	if (!methods)
		return 0;
	if (methods & HTTP_GET)
		methods |= HTTP_HEAD;
	return methods | HTTP_OPTIONS;
}

void router_format_allow(unsigned methods, char *out, size_t outlen)
{
	static const enum http_method order[] = {HTTP_GET, HTTP_HEAD, HTTP_POST, HTTP_PUT,
	                                         HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};
	size_t used = 0;
	out[0] = '\0';
	for (size_t i = 0; i < sizeof order / sizeof order[0]; i++) {
		if (!(methods & order[i]))
			continue;
		int w = snprintf(out + used, outlen - used, "%s%s", used ? ", " : "", http_method_name(order[i]));
		if (w < 0 || (size_t)w >= outlen - used)
			return;
		used += (size_t)w;
	}
}

void router_params_free(struct request *req)
{
	for (unsigned i = 0; i < req->nparams; i++) {
		free(req->param_values[i]);
		req->param_values[i] = NULL;
	}
	req->nparams = 0;
}

/* enum role lists the key roles in the schema's order, after public. */
const char *role_name(enum role role)
{
	return role == ROLE_PUBLIC ? "public" : key_role_names[role - 1];
}

enum role role_parse(const char *name)
{
	for (int r = 0; key_role_names[r]; r++)
		if (!strcmp(name, key_role_names[r]))
			return (enum role)(r + 1);
	return ROLE_PUBLIC;
}
