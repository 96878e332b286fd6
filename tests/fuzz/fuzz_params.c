/* The typed parameter layer, params_validate(), against every route's
 * declared parameters. Input layout:
 *
 *   byte 0           the route: routes[byte % routes_count]
 *   bytes 1 .. '\n'  the request-target (through uri_parse; a refused one
 *                    skips the input, as the server answers 400 before)
 *   after the '\n'   the body, sent as application/json (none without '\n')
 *
 * The path captures come from router_lookup() on the decoded path when it
 * matches the chosen route (else there are none, as for a wrong path).
 * number_check() also runs on the whole raw input. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "domain/number.h"
#include "fuzz.h"
#include "http/router.h"
#include "http/uri.h"
#include "routes.h"
#include "util/utf8.h"

static void check_number(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	enum number_verdict v = number_check(s, size);
	FUZZ_CHECK(v >= NUMBER_OK && v <= NUMBER_TOO_LONG, "verdict %d", (int)v);
	/* a sign changes nothing but the sign */
	if (size > 0 && size < NUMBER_MAX_TEXT && s[0] != '-' && s[0] != '+') {
		char neg[NUMBER_MAX_TEXT + 1];
		neg[0] = '-';
		memcpy(neg + 1, s, size);
		enum number_verdict w = number_check(neg, size + 1);
		FUZZ_CHECK(v == w, "%.*s is %d but -%.*s is %d", (int)size, s, (int)v, (int)size, s, (int)w);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	check_number(data, size);
	if (size == 0)
		return 0;
	const struct route *route = &routes[data[0] % routes_count];
	const uint8_t *nl = memchr(data + 1, '\n', size - 1);
	size_t target_len = nl ? (size_t)(nl - (data + 1)) : size - 1;
	char *target = fuzz_cstr(data + 1, target_len);
	struct uri u;
	struct uri_problem why;
	if (!uri_parse(target, &u, &why)) {
		free(target);
		return 0;
	}
	free(target);
	size_t body_len = nl ? size - (size_t)(nl + 1 - data) : 0;
	char *body = fuzz_cstr(nl ? nl + 1 : data, body_len);

	/* the captures, as the server hands them on (names NUL-terminated) */
	struct request req;
	memset(&req, 0, sizeof req);
	const struct route *found = NULL;
	unsigned allowed = 0;
	const char *names[REQUEST_MAX_PARAMS], *values[REQUEST_MAX_PARAMS];
	char name_text[REQUEST_MAX_PARAMS][32];
	size_t npath = 0;
	if (router_lookup(routes, routes_count, route->method, u.path, &req, &found, &allowed) == ROUTE_FOUND &&
	    found == route) {
		for (unsigned i = 0; i < req.nparams; i++) {
			snprintf(name_text[i], sizeof name_text[i], "%.*s", (int)req.param_name_lens[i], req.param_names[i]);
			names[i] = name_text[i];
			values[i] = req.param_values[i];
		}
		npath = req.nparams;
	}

	struct param_input in = {
		.uri = &u,
		.path_names = names,
		.path_values = values,
		.npath = npath,
		.body = body,
		.body_len = body_len,
		.content_type = "application/json",
		.accept = NULL,
	};
	struct params p;
	bool ok = params_validate(&p, route->params, &in);
	FUZZ_CHECK(ok == (p.errors == NULL), "params_validate says %d with errors %p", ok, (void *)p.errors);
	if (ok) {
		FUZZ_CHECK(p.n <= PARAMS_MAX, "%zu values", p.n);
		for (size_t i = 0; i < p.n; i++) {
			size_t bad;
			FUZZ_CHECK(p.v[i].name, "value %zu without a name", i);
			if (p.v[i].value)
				FUZZ_CHECK(utf8_valid(p.v[i].value, strlen(p.v[i].value), &bad),
				           "%s %s: value of %s is not UTF-8 at byte %zu", http_method_name(route->method),
				           route->pattern, p.v[i].name, bad);
		}
		FUZZ_CHECK(p.limit >= 0 && p.limit <= EXPORT_MAX, "limit %d", p.limit);
	} else {
		FUZZ_CHECK(json_is_array(p.errors) && json_array_size(p.errors) >= 1, "errors that are not a list");
		FUZZ_CHECK(p.first_code && *p.first_code, "errors without a first code");
		size_t i;
		json_t *e;
		json_array_foreach(p.errors, i, e)
		{
			const char *msg = json_string_value(json_object_get(e, "message"));
			FUZZ_CHECK(msg && *msg, "error %zu without a message", i);
			FUZZ_CHECK(json_string_value(json_object_get(e, "code")), "error %zu without a code", i);
		}
		char *detail = params_problem_detail(&p);
		FUZZ_CHECK(detail && *detail, "an empty problem detail");
		free(detail);
	}
	params_free(&p);
	router_params_free(&req);
	uri_free(&u);
	free(body);
	return 0;
}
