/* Request-targets taken apart (see uri.h). */
#include "http/uri.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* A piece of the raw target shown in a message: printable ASCII as it is,
 * anything else as %XX, at most 40 bytes of it. */
static void shown(const char *raw, size_t len, char *out, size_t outlen)
{
	size_t o = 0;
	for (size_t i = 0; i < len && o + 4 < outlen; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (i >= 40) {
			snprintf(out + o, outlen - o, "...");
			return;
		}
		if (c > 0x20 && c < 0x7F && c != '"')
			out[o++] = (char)c;
		else
			o += (size_t)snprintf(out + o, outlen - o, "%%%02X", c);
	}
	out[o] = '\0';
}

/* What can be wrong with a piece of the target, and what the client is told. */
enum flaw { FLAW_ESCAPE, FLAW_NUL, FLAW_CONTROL, FLAW_ENCODING, FLAW_SLASH, FLAW_TWICE, FLAW_TOO_MANY };

static const struct {
	const char *code;
	const char *what;
} flaws[] = {
	[FLAW_ESCAPE] = {"invalid_uri", "a % must be followed by two hexadecimal digits (write % itself as %25)"},
	[FLAW_NUL] = {"invalid_uri", "it contains an encoded NUL character (%00)"},
	[FLAW_CONTROL] = {"invalid_uri", "it contains a control character"},
	[FLAW_ENCODING] = {"invalid_encoding", "it is not UTF-8 text"},
	[FLAW_SLASH] = {"invalid_uri", "it contains an encoded slash (%2F), which no code or period contains"},
	[FLAW_TWICE] = {"invalid_parameter", "it is given twice; give it once (lists are comma-separated: org=HN,HP)"},
	[FLAW_TOO_MANY] = {"invalid_uri", "the query has more than 64 parameters"},
};

static bool refuse(struct uri_problem *why, enum flaw flaw, const char *raw, size_t len, bool path)
{
	why->code = flaws[flaw].code;
	why->in = path ? "path" : "query";
	if (path) {
		snprintf(why->field, sizeof why->field, "path");
		snprintf(why->message, sizeof why->message, "The path is refused: %s.", flaws[flaw].what);
	} else {
		shown(raw, len, why->field, sizeof why->field);
		snprintf(why->message, sizeof why->message, "The query parameter '%s' is refused: %s.", why->field,
		         flaws[flaw].what);
	}
	return false;
}

/* Percent-decodes raw[0..len) into out; '+' is a space in the query. */
static bool decode(const char *raw, size_t len, bool query, struct buf *out, enum flaw *flaw)
{
	buf_reset(out);
	buf_reserve(out, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)raw[i];
		if (c == '%') {
			int hi = i + 1 < len ? hexval(raw[i + 1]) : -1;
			int lo = i + 2 < len ? hexval(raw[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				*flaw = FLAW_ESCAPE;
				return false;
			}
			c = (unsigned char)(hi * 16 + lo);
			i += 2;
			if (c == 0) {
				*flaw = FLAW_NUL;
				return false;
			}
			if (c == '/' && !query) { /* a segment's own text: it would split the path */
				*flaw = FLAW_SLASH;
				return false;
			}
		} else if (c == '+' && query) {
			c = ' ';
		}
		if (c < 0x20 || c == 0x7F) {
			*flaw = FLAW_CONTROL;
			return false;
		}
		buf_putc(out, (char)c);
	}
	size_t bad;
	if (!utf8_valid(buf_cstr(out), out->len, &bad)) {
		*flaw = FLAW_ENCODING;
		return false;
	}
	return true;
}

bool uri_parse(const char *raw, struct uri *out, struct uri_problem *why)
{
	memset(out, 0, sizeof *out);
	const char *target = raw;
	if (!strncasecmp(target, "http://", 7) || !strncasecmp(target, "https://", 8)) {
		target = strstr(target, "//") + 2;
		target += strcspn(target, "/?");
	}
	size_t path_len = strcspn(target, "?");
	struct buf text = BUF_INIT;
	enum flaw flaw;
	if (!decode(target, path_len, false, &text, &flaw)) {
		buf_free(&text);
		return refuse(why, flaw, target, path_len, true);
	}
	if (text.len > 1 && text.data[text.len - 1] == '/')
		text.data[--text.len] = '\0';
	if (text.len == 0)
		buf_putc(&text, '/');
	out->path = buf_steal(&text);

	const char *q = target[path_len] == '?' ? target + path_len + 1 : NULL;
	while (q && *q) {
		size_t n = strcspn(q, "&");
		size_t name_len = strcspn(q, "=");
		if (name_len > n)
			name_len = n;
		if (n == 0) { /* "a=1&&b=2": an empty piece says nothing */
			q++;
			continue;
		}
		struct buf name = BUF_INIT, value = BUF_INIT;
		bool ok = decode(q, name_len, true, &name, &flaw);
		if (ok && name_len < n)
			ok = decode(q + name_len + 1, n - name_len - 1, true, &value, &flaw);
		if (ok && out->nparams == URI_MAX_PARAMS) {
			ok = false;
			flaw = FLAW_TOO_MANY;
		}
		for (size_t i = 0; ok && i < out->nparams; i++) {
			if (!strcmp(out->params[i].name, buf_cstr(&name))) {
				ok = false;
				flaw = FLAW_TWICE;
			}
		}
		if (!ok) {
			buf_free(&name);
			buf_free(&value);
			uri_free(out);
			return refuse(why, flaw, q, name_len, false);
		}
		out->params[out->nparams].name = buf_steal(&name);
		out->params[out->nparams].value = buf_steal(&value);
		out->nparams++;
		q += n;
		if (*q == '&')
			q++;
	}
	return true;
}

void uri_free(struct uri *u)
{
	free(u->path);
	for (size_t i = 0; i < u->nparams; i++) {
		free(u->params[i].name);
		free(u->params[i].value);
	}
	memset(u, 0, sizeof *u);
}

const char *uri_param(const struct uri *u, const char *name)
{
	for (size_t i = 0; i < u->nparams; i++)
		if (!strcmp(u->params[i].name, name))
			return u->params[i].value;
	return NULL;
}

/* ---- redaction (see uri.h) ---- */

char *uri_redacted(const char *target)
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
