/* Responses as HTTP knows them (see response.h). */
#include "http/response.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core/log.h"
#include "util/alloc.h"
#include "util/shared.h"

void response_header(struct response *res, const char *name, const char *value)
{
	for (unsigned i = 0; i < res->nheaders; i++) {
		if (!strcasecmp(res->headers[i].name, name)) {
			free(res->headers[i].value);
			res->headers[i].value = xstrdup(value);
			return;
		}
	}
	if (res->nheaders == REQUEST_MAX_HEADERS) {
		log_error(NULL, "too many response headers; dropped %s", name);
		return;
	}
	res->headers[res->nheaders].name = xstrdup(name);
	res->headers[res->nheaders].value = xstrdup(value);
	res->nheaders++;
}

void response_free(struct response *res)
{
	for (unsigned i = 0; i < res->nheaders; i++) {
		free(res->headers[i].name);
		free(res->headers[i].value);
	}
	res->nheaders = 0;
	buf_free(&res->body);
	shared_bytes_unref(res->shared_body);
	res->shared_body = NULL;
}

const char *http_status_text(unsigned status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 204: return "No Content";
	case 302: return "Found";
	case 304: return "Not Modified";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 409: return "Conflict";
	case 412: return "Precondition Failed";
	case 413: return "Content Too Large";
	case 415: return "Unsupported Media Type";
	case 422: return "Unprocessable Content";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	}
	return "Error";
}

void response_etag(const struct buf *body, char out[40])
{
	unsigned char digest[16];
	crypto_generichash(digest, sizeof digest, (const unsigned char *)buf_cstr(body), body->len, NULL, 0);
	out[0] = '"';
	sodium_bin2hex(out + 1, 33, digest, sizeof digest);
	out[33] = '"';
	out[34] = '\0';
}

bool etag_list_matches(const char *header, const char *etag, bool weak)
{
	if (!header)
		return false;
	size_t olen = strlen(etag);
	const char *p = header;
	while (*p) {
		while (*p == ' ' || *p == ',' || *p == '\t')
			p++;
		if (*p == '*')
			return true;
		bool is_weak = !strncmp(p, "W/", 2);
		if (is_weak)
			p += 2;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m && (p[m - 1] == ' ' || p[m - 1] == '\t'))
			m--;
		if ((weak || !is_weak) && m == olen && !memcmp(p, etag, olen))
			return true;
		p += n;
	}
	return false;
}
