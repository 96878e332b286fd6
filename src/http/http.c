/* The request as handlers see it (see http.h): its path parameters, its
 * headers, and the few facts of HTTP every layer above needs. */
#include "http/http.h"

#include <microhttpd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *request_param(const struct request *req, const char *name)
{
	size_t len = strlen(name);
	for (unsigned i = 0; i < req->nparams; i++)
		if (req->param_name_lens[i] == len && !memcmp(req->param_names[i], name, len))
			return req->param_values[i];
	return NULL;
}

const char *request_header(const struct request *req, const char *name)
{
	return req->conn ? MHD_lookup_connection_value(req->conn, MHD_HEADER_KIND, name) : NULL;
}

enum http_method http_method_parse(const char *m)
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

const char *http_method_name(enum http_method m)
{
	switch (m) {
	case HTTP_GET: return "GET";
	case HTTP_HEAD: return "HEAD";
	case HTTP_POST: return "POST";
	case HTTP_PUT: return "PUT";
	case HTTP_PATCH: return "PATCH";
	case HTTP_DELETE: return "DELETE";
	case HTTP_OPTIONS: return "OPTIONS";
	}
	return "?";
}

bool http_media_type_is(const char *content_type, const char *type)
{
	if (!content_type)
		return false;
	while (*content_type == ' ')
		content_type++;
	size_t n = strlen(type);
	if (strncasecmp(content_type, type, n))
		return false;
	char next = content_type[n];
	return next == '\0' || next == ';' || next == ' ' || next == '\t';
}

/* The q of one Accept-Language element ("vi-VN;q=0.8" → 0.8; no q → 1). */
static double quality(const char *e, size_t n)
{
	const char *q = e;
	while ((q = memchr(q, ';', n - (size_t)(q - e))) != NULL) {
		q++;
		while (*q == ' ')
			q++;
		if ((q[0] == 'q' || q[0] == 'Q') && q[1] == '=')
			return strtod(q + 2, NULL);
	}
	return 1.0;
}

bool http_prefers_language(const char *header, const char *lang)
{
	if (!header)
		return false;
	size_t ll = strlen(lang);
	double best = 0;
	bool mine_first = false;
	for (const char *e = header; *e;) {
		while (*e == ' ' || *e == ',')
			e++;
		size_t n = strcspn(e, ",");
		if (!n)
			break;
		size_t tag = strcspn(e, ";, ");
		double q = quality(e, n);
		bool is_mine = tag >= ll && !strncasecmp(e, lang, ll) && (tag == ll || e[ll] == '-');
		if (q > best) { /* among equals the first listed wins */
			best = q;
			mine_first = is_mine;
		}
		e += n;
	}
	return mine_first;
}
