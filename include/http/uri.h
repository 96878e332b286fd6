/* The request-target as the client sent it, taken apart: the path and the
 * query parameters, percent-decoded.
 *
 * libmicrohttpd decodes the target too, but it lets an encoded NUL (%00)
 * cut a path or a value short (so /v1/organizations/ZZ%00/summary would
 * reach /v1/organizations/ZZ) and passes on bytes that are not UTF-8. Here
 * the target is refused instead: an encoded NUL or control character, a
 * broken escape, an encoded slash in the path, text that is not UTF-8, a
 * parameter given twice. Every
 * name and value that comes out is UTF-8 with no control characters. */
#ifndef THIDUA_HTTP_URI_H
#define THIDUA_HTTP_URI_H

#include <stdbool.h>
#include <stddef.h>

#define URI_MAX_PARAMS 64

struct uri_param {
	char *name;
	char *value; /* "" for "?name" and "?name=" */
};

struct uri {
	char *path; /* decoded; one trailing slash removed ("/v1/x/" is "/v1/x") */
	struct uri_param params[URI_MAX_PARAMS];
	size_t nparams;
};

/* Why a target was refused: a problem code (invalid_uri, invalid_encoding,
 * invalid_parameter), where (path or query), the parameter concerned ("path"
 * for the path itself) and a message. */
struct uri_problem {
	const char *code;
	const char *in;
	char field[64];
	char message[256];
};

/* Parses an origin-form target ("/path?query"; an absolute-form one has
 * its scheme and host skipped). False, with *why filled and *out empty, when
 * the target is refused. */
bool uri_parse(const char *raw, struct uri *out, struct uri_problem *why) __attribute__((warn_unused_result));
void uri_free(struct uri *u);

/* The value of a query parameter, NULL when absent. */
const char *uri_param(const struct uri *u, const char *name);

/* The target as it may be written to a log (malloc'd): the value of any
 * parameter whose name says it is a credential (api_key, token, password
 * ...) and the secret part of anything shaped like a thidua key
 * (thd_<prefix>_<secret>) replaced, so no secret ever reaches a log. */
char *uri_redacted(const char *target);

#endif
