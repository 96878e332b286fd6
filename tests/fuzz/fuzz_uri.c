/* The request-target parser, uri_parse(), then router_lookup() on the real
 * route table with the decoded path and every method. Input: the target as
 * a C string (the server gets it NUL-terminated from libmicrohttpd). What
 * must hold: a refused target leaves nothing behind and says why; an
 * accepted one decodes to UTF-8 text without control characters, with no
 * parameter twice; the router agrees with itself on which methods a path
 * takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "http/router.h"
#include "http/uri.h"
#include "routes.h"

static void check_text(const char *what, const char *s)
{
	FUZZ_CHECK(s != NULL, "%s is NULL", what);
	size_t len = strlen(s);
	FUZZ_CHECK(fuzz_clean_text(s, len), "%s '%s' is not UTF-8 without control characters", what, s);
	FUZZ_CHECK(!memchr(s, 0x7F, len), "%s '%s' holds DEL (0x7F)", what, s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const enum http_method methods[] = {HTTP_GET,   HTTP_HEAD,   HTTP_POST,   HTTP_PUT,
	                                           HTTP_PATCH, HTTP_DELETE, HTTP_OPTIONS};
	char *raw = fuzz_cstr(data, size);
	struct uri u;
	struct uri_problem why;
	memset(&why, 0, sizeof why);
	if (!uri_parse(raw, &u, &why)) {
		FUZZ_CHECK(u.path == NULL && u.nparams == 0, "a refused target leaves %zu parameters behind", u.nparams);
		FUZZ_CHECK(why.code && why.in, "a refused target without a code");
		FUZZ_CHECK(memchr(why.field, '\0', sizeof why.field) && memchr(why.message, '\0', sizeof why.message) &&
		               why.message[0],
		           "a refused target (%s) without a message", why.code);
		free(raw);
		return 0;
	}
	free(raw);

	check_text("the path", u.path);
	FUZZ_CHECK(u.path[0] != '\0', "an empty path");
	FUZZ_CHECK(u.nparams <= URI_MAX_PARAMS, "%zu parameters", u.nparams);
	for (size_t i = 0; i < u.nparams; i++) {
		check_text("a parameter name", u.params[i].name);
		check_text("a parameter value", u.params[i].value);
		FUZZ_CHECK(uri_param(&u, u.params[i].name) == u.params[i].value, "parameter '%s' is there twice",
		           u.params[i].name);
	}

	unsigned accepts = router_allowed(routes, routes_count, u.path);
	struct request req;
	memset(&req, 0, sizeof req);
	for (size_t m = 0; m < sizeof methods / sizeof methods[0]; m++) {
		const struct route *found = NULL;
		unsigned allowed = 0;
		enum route_result rr = router_lookup(routes, routes_count, methods[m], u.path, &req, &found, &allowed);
		switch (rr) {
		case ROUTE_FOUND:
			FUZZ_CHECK(found && found >= routes && found < routes + routes_count, "a route outside the table");
			FUZZ_CHECK(found->method == (methods[m] == HTTP_HEAD ? HTTP_GET : methods[m]), "%s found route %s %s",
			           http_method_name(methods[m]), http_method_name(found->method), found->pattern);
			FUZZ_CHECK(accepts & methods[m], "%s %s is found but router_allowed says %#x",
			           http_method_name(methods[m]), u.path, accepts);
			FUZZ_CHECK(req.nparams <= REQUEST_MAX_PARAMS, "%u captures", req.nparams);
			for (unsigned i = 0; i < req.nparams; i++) {
				FUZZ_CHECK(req.param_values[i] && req.param_values[i][0], "capture %u is empty", i);
				FUZZ_CHECK(!strchr(req.param_values[i], '/'), "capture '%s' holds a slash", req.param_values[i]);
				check_text("a path capture", req.param_values[i]);
			}
			break;
		case ROUTE_METHOD_NOT_ALLOWED:
			/* OPTIONS never reaches the router in the server: Allow always names it */
			FUZZ_CHECK(allowed && (methods[m] == HTTP_OPTIONS || !(allowed & methods[m])),
			           "%s %s: not allowed, yet Allow is %#x",
			           http_method_name(methods[m]), u.path, allowed);
			FUZZ_CHECK(accepts == allowed, "%s: router_allowed %#x, router_lookup %#x", u.path, accepts, allowed);
			char allow[96];
			router_format_allow(allowed, allow, sizeof allow);
			FUZZ_CHECK(allow[0], "an empty Allow for %#x", allowed);
			break;
		case ROUTE_NOT_FOUND:
			FUZZ_CHECK(accepts == 0, "%s %s not found, but router_allowed says %#x", http_method_name(methods[m]),
			           u.path, accepts);
			break;
		}
		router_params_free(&req);
	}
	uri_free(&u);
	return 0;
}
