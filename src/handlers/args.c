/* Validated request arguments (see args.h). The checks here are about
 * shape — is it a date, a period code, a number in range; whether a code
 * exists is the database's to say, with the same problem format. */
#include "handlers/args.h"

#include <errno.h>
#include <stdarg.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/period.h"
#include "util/utf8.h"
#include "http/response.h"
#include "util/alloc.h"
#include "util/buf.h"

void args_init(struct args *a, struct request *req)
{
	memset(a, 0, sizeof *a);
	a->req = req;
}

void args_free(struct args *a)
{
	for (int i = 0; i < a->n; i++)
		free(a->owned[i]);
	if (a->errors)
		json_decref(a->errors);
	a->errors = NULL;
	a->n = 0;
}

static void push(struct args *a, const char *value, char *owned)
{
	if (a->n == ARGS_MAX)
		abort(); /* a handler declaring too many parameters is a programming error */
	a->owned[a->n] = owned;
	a->values[a->n++] = owned ? owned : value;
}

void args_fail(struct args *a, const char *in, const char *name, const char *code, const char *message)
{
	if (!a->errors) {
		a->errors = json_array();
		a->first_code = code;
	}
	json_array_append_new(a->errors, problem_error(in, name, code, message));
}

bool args_ok(const struct args *a)
{
	return a->errors == NULL;
}

enum http_status reply_args_error(struct request *req, struct args *a)
{
	size_t count = json_array_size(a->errors);
	const char *first = json_string_value(json_object_get(json_array_get(a->errors, 0), "message"));
	struct buf detail = BUF_INIT;
	buf_puts(&detail, first ? first : "invalid request");
	if (count > 1)
		buf_printf(&detail, " (and %zu more problem%s, listed in errors)", count - 1, count > 2 ? "s" : "");
	const char *code = count == 1 ? a->first_code : "invalid_parameter";
	enum http_status st = reply_problem_errors(req, HTTP_BAD_REQUEST, code, buf_cstr(&detail), a->errors);
	a->errors = NULL; /* handed to the response */
	buf_free(&detail);
	return st;
}

static void failf(struct args *a, const char *name, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void failf(struct args *a, const char *name, const char *code, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	args_fail(a, "query", name, code, buf_cstr(&msg));
	buf_free(&msg);
}

/* Values are echoed in messages; keep them short and printable. */
static void shown(const char *v, char out[48])
{
	size_t n = strlen(v);
	if (n <= 40) {
		snprintf(out, 48, "%s", v);
		return;
	}
	size_t cut = 40;
	while (cut > 0 && ((unsigned char)v[cut] & 0xC0) == 0x80)
		cut--;
	snprintf(out, 48, "%.*s…", (int)cut, v);
}

static const char *get(struct args *a, const char *name)
{
	const char *v = request_query(a->req, name);
	return v && *v ? v : NULL;
}

void args_text(struct args *a, const char *name, size_t maxlen)
{
	const char *v = get(a, name);
	if (v && strlen(v) > maxlen) {
		failf(a, name, "invalid_parameter", "%s is longer than %zu bytes", name, maxlen);
		v = NULL;
	}
	push(a, v, NULL);
}

static bool code_shape(const char *v, size_t len, bool upper_only)
{
	if (len == 0 || len > 40 || v[0] == '-' || v[len - 1] == '-')
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		bool ok = (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
		          (!upper_only && c >= 'a' && c <= 'z');
		if (!ok || (c == '-' && v[i + 1] == '-'))
			return false;
	}
	return true;
}

static bool indicator_shape(const char *v, size_t len)
{
	if (len == 0 || len > 60 || !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')))
		return false;
	for (size_t i = 0; i < len; i++) {
		char c = v[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'))
			return false;
	}
	return true;
}

/* A comma list where every item passes check; items are trimmed of spaces. */
static void list(struct args *a, const char *name, bool (*check)(const char *, size_t, bool), const char *what)
{
	const char *v = get(a, name);
	if (!v) {
		push(a, NULL, NULL);
		return;
	}
	struct buf joined = BUF_INIT;
	int items = 0;
	for (const char *p = v;;) {
		size_t n = strcspn(p, ",");
		const char *s = p;
		size_t m = n;
		while (m && *s == ' ') {
			s++;
			m--;
		}
		while (m && s[m - 1] == ' ')
			m--;
		if (!check(s, m, false)) {
			char item[48], bad[48];
			snprintf(item, sizeof item, "%.*s", (int)(m > 40 ? 40 : m), s);
			shown(item, bad);
			failf(a, name, "invalid_parameter", "%s: '%s' is not a valid %s", name, bad, what);
			buf_free(&joined);
			push(a, NULL, NULL);
			return;
		}
		if (items++)
			buf_putc(&joined, ',');
		buf_append(&joined, s, m);
		if (items > 200) {
			failf(a, name, "invalid_parameter", "%s lists more than 200 items", name);
			buf_free(&joined);
			push(a, NULL, NULL);
			return;
		}
		p += n;
		if (!*p)
			break;
		p++;
	}
	push(a, NULL, buf_steal(&joined));
}

static bool check_code(const char *v, size_t len, bool unused)
{
	(void)unused;
	return code_shape(v, len, false);
}

static bool check_indicator(const char *v, size_t len, bool unused)
{
	(void)unused;
	return indicator_shape(v, len);
}

void args_code(struct args *a, const char *name)
{
	const char *v = get(a, name);
	if (v && !code_shape(v, strlen(v), false)) {
		char bad[48];
		shown(v, bad);
		failf(a, name, "invalid_parameter", "%s: '%s' is not a valid code (letters, digits and hyphens, as in HN-HBT)",
		      name, bad);
		v = NULL;
	}
	push(a, v, NULL);
}

void args_codes(struct args *a, const char *name)
{
	list(a, name, check_code, "code (letters, digits and hyphens, as in HN-HBT)");
}

void args_indicator(struct args *a, const char *name)
{
	const char *v = get(a, name);
	if (v && !indicator_shape(v, strlen(v))) {
		char bad[48];
		shown(v, bad);
		failf(a, name, "invalid_parameter", "%s: '%s' is not a valid indicator code (as in new_members)", name, bad);
		v = NULL;
	}
	push(a, v, NULL);
}

void args_indicators(struct args *a, const char *name)
{
	list(a, name, check_indicator, "indicator code (as in new_members)");
}

void args_enum(struct args *a, const char *name, const char *const *allowed)
{
	const char *v = get(a, name);
	if (v) {
		bool known = false;
		for (const char *const *p = allowed; *p && !known; p++)
			known = !strcmp(*p, v);
		if (!known) {
			struct buf msg = BUF_INIT;
			char bad[48];
			shown(v, bad);
			buf_printf(&msg, "%s: '%s' is not one of ", name, bad);
			for (const char *const *p = allowed; *p; p++)
				buf_printf(&msg, "%s%s", p == allowed ? "" : ", ", *p);
			args_fail(a, "query", name, "invalid_parameter", buf_cstr(&msg));
			buf_free(&msg);
			v = NULL;
		}
	}
	push(a, v, NULL);
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

void args_date(struct args *a, const char *name)
{
	const char *v = get(a, name);
	if (v) {
		static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
		int y, m, d, used = 0;
		bool ok = strlen(v) == 10 && sscanf(v, "%4d-%2d-%2d%n", &y, &m, &d, &used) == 3 && used == 10 &&
		          v[4] == '-' && v[7] == '-' && y >= 1900 && y <= 2100 && m >= 1 && m <= 12 && d >= 1 &&
		          d <= days[m - 1] + (m == 2 && leap(y));
		if (!ok) {
			char bad[48];
			shown(v, bad);
			failf(a, name, "invalid_parameter", "%s: '%s' is not a date as YYYY-MM-DD between 1900 and 2100", name, bad);
			v = NULL;
		}
	}
	push(a, v, NULL);
}

void args_bool(struct args *a, const char *name)
{
	const char *v = get(a, name);
	if (v && strcmp(v, "true") && strcmp(v, "false")) {
		char bad[48];
		shown(v, bad);
		failf(a, name, "invalid_parameter", "%s: '%s' must be true or false", name, bad);
		v = NULL;
	}
	push(a, v, NULL);
}

static bool parse_long(const char *v, long min, long max, long *out)
{
	if (!*v || strlen(v) > 12)
		return false;
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < min || n > max || v[0] == '+' || v[0] == ' ')
		return false;
	*out = n;
	return true;
}

void args_int(struct args *a, const char *name, long min, long max)
{
	const char *v = get(a, name);
	long n;
	if (v && !parse_long(v, min, max, &n)) {
		char bad[48];
		shown(v, bad);
		failf(a, name, "invalid_parameter", "%s: '%s' must be a whole number from %ld to %ld", name, bad, min, max);
		v = NULL;
	}
	push(a, v, NULL);
}

void args_period(struct args *a, const char *name)
{
	const char *v = get(a, name);
	struct period p;
	char err[160];
	if (!v) {
		push(a, NULL, NULL);
	} else if (!period_parse(v, &p, err, sizeof err)) {
		args_fail(a, "query", name, "invalid_period", err);
		push(a, NULL, NULL);
	} else {
		push(a, NULL, xstrdup(p.code));
	}
}

void args_periods(struct args *a, const char *name)
{
	const char *v = get(a, name);
	if (!v) {
		push(a, NULL, NULL);
		return;
	}
	struct buf joined = BUF_INIT;
	char *copy = xstrdup(v), *save = NULL;
	bool ok = true;
	int items = 0;
	for (char *tok = strtok_r(copy, ",", &save); tok && ok; tok = strtok_r(NULL, ",", &save)) {
		struct period p;
		char err[160];
		if (!period_parse(tok, &p, err, sizeof err) || ++items > 200) {
			args_fail(a, "query", name, "invalid_period", items > 200 ? "period lists more than 200 items" : err);
			ok = false;
			break;
		}
		if (joined.len)
			buf_putc(&joined, ',');
		buf_puts(&joined, p.code);
	}
	free(copy);
	if (ok && !joined.len) {
		char err[160];
		struct period p;
		if (!period_parse("", &p, err, sizeof err))
			args_fail(a, "query", name, "invalid_period", err);
		ok = false;
	}
	if (!ok) {
		buf_free(&joined);
		push(a, NULL, NULL);
		return;
	}
	push(a, NULL, buf_steal(&joined));
}

void args_path(struct args *a, const char *name)
{
	push(a, request_param(a->req, name), NULL);
}

void args_path_int(struct args *a, const char *name, long min, long max)
{
	const char *v = request_param(a->req, name);
	long n;
	if (!v || !parse_long(v, min, max, &n)) {
		char bad[48], msg[128];
		shown(v ? v : "", bad);
		snprintf(msg, sizeof msg, "%s: '%s' must be a whole number from %ld to %ld", name, bad, min, max);
		args_fail(a, "path", name, "invalid_parameter", msg);
		v = NULL;
	}
	push(a, v, NULL);
}

char *cursor_encode(const char *position)
{
	size_t len = strlen(position);
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = xmalloc(cap);
	sodium_bin2base64(out, cap, (const unsigned char *)position, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static char *cursor_decode(const char *text)
{
	size_t len = strlen(text);
	if (len == 0 || len > 2048)
		return NULL;
	unsigned char *bin = xmalloc(len + 1);
	size_t binlen;
	if (sodium_base642bin(bin, len, text, len, NULL, &binlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		free(bin);
		return NULL;
	}
	bin[binlen] = '\0';
	if (memchr(bin, '\0', binlen)) {
		free(bin);
		return NULL;
	}
	return (char *)bin;
}

void args_format(struct args *a)
{
	if (a->format_read)
		return;
	a->format_read = true;
	a->format = TABLE_JSON;
	const char *f = get(a, "format");
	const char *accept = request_header(a->req, "Accept");
	if (f) {
		if (!strcmp(f, "csv"))
			a->format = TABLE_CSV;
		else if (!strcmp(f, "xlsx"))
			a->format = TABLE_XLSX;
		else if (strcmp(f, "json"))
			failf(a, "format", "invalid_parameter", "format: '%.20s' is not one of json, csv, xlsx", f);
	} else if (accept && strstr(accept, "spreadsheetml")) {
		a->format = TABLE_XLSX;
	} else if (accept && strstr(accept, "text/csv")) {
		a->format = TABLE_CSV;
	}
	const char *d = get(a, "decimal");
	if (d && strcmp(d, "comma") && strcmp(d, "point"))
		failf(a, "decimal", "invalid_parameter",
		      "decimal must be point (2529.554, the default) or comma (2529,554 with ; between columns)");
	a->decimal_comma = d && !strcmp(d, "comma");
}

void args_page(struct args *a)
{
	args_format(a);
	const char *c = get(a, "cursor");
	char *decoded = c ? cursor_decode(c) : NULL;
	if (c && !decoded)
		failf(a, "cursor", "invalid_cursor", "cursor is not one this service handed out; start again without it");
	push(a, NULL, decoded);

	bool export = a->format != TABLE_JSON;
	long max = export ? EXPORT_MAX : PAGE_MAX;
	long limit = export ? EXPORT_MAX : PAGE_DEFAULT;
	const char *l = get(a, "limit");
	if (l && !parse_long(l, 1, max, &limit)) {
		char bad[48];
		shown(l, bad);
		failf(a, "limit", "invalid_parameter", "limit: '%s' must be a whole number from 1 to %ld", bad, max);
		limit = PAGE_DEFAULT;
	}
	a->limit = (int)limit;
	char text[24];
	snprintf(text, sizeof text, "%ld", limit + 1); /* one more tells whether a next page exists */
	push(a, NULL, xstrdup(text));
}

void args_scope(struct args *a)
{
	push(a, a->req->who.scope_id[0] ? a->req->who.scope_id : NULL, NULL);
}

void args_value(struct args *a, const char *value)
{
	push(a, NULL, value ? xstrdup(value) : NULL);
}

void args_require(struct args *a, const char *name)
{
	if (!get(a, name))
		failf(a, name, "missing_parameter", "%s is required", name);
}

/* PostgreSQL's jsonb cannot hold the NUL character. */
static bool has_nul_escape(const char *s, size_t len)
{
	for (size_t i = 0; i + 5 < len; i++) {
		if (s[i] != '\\')
			continue;
		if (!memcmp(s + i + 1, "u0000", 5))
			return true;
		i++;
	}
	return false;
}

void args_body_object(struct args *a)
{
	const char *ct = request_header(a->req, "Content-Type");
	const char *body = buf_cstr(&a->req->body);
	size_t len = a->req->body.len;
	json_error_t jerr;
	json_t *doc = NULL;
	if (ct && strncasecmp(ct, "application/json", 16)) {
		args_fail(a, "header", "Content-Type", "unsupported_media_type", "send the body as application/json");
	} else if (len == 0) {
		args_fail(a, "body", "body", "invalid_body", "the body is empty; send a JSON object");
	} else if (!(doc = json_loadb(body, len, 0, &jerr))) {
		char msg[256];
		snprintf(msg, sizeof msg, "the body is not valid JSON: %s (line %d, column %d)", jerr.text, jerr.line,
		         jerr.column);
		args_fail(a, "body", "body", "invalid_json", msg);
	} else if (!json_is_object(doc)) {
		args_fail(a, "body", "body", "invalid_body", "the body must be a JSON object");
	} else if (has_nul_escape(body, len)) {
		args_fail(a, "body", "body", "invalid_body", "text may not contain the NUL character (\\u0000)");
	} else {
		json_decref(doc);
		push(a, NULL, xstrndup(body, len));
		return;
	}
	json_decref(doc);
	push(a, NULL, NULL);
}

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

void args_timestamp(struct args *a, const char *name)
{
	const char *v = get(a, name);
	if (!v) {
		push(a, NULL, NULL);
		return;
	}
	/* YYYY-MM-DD[THH:MM[:SS[.f+]]][Z|+HH:MM|-HH:MM]; ranges are left to the
	 * database only after the shape is right, so no cast can fail there. */
	size_t n = strlen(v);
	bool ok = n >= 10 && n <= 40 && digits(v, 4) && v[4] == '-' && digits(v + 5, 2) && v[7] == '-' && digits(v + 8, 2);
	int y = ok ? atoi(v) : 0;
	int mo = ok ? (v[5] - '0') * 10 + (v[6] - '0') : 0, d = ok ? (v[8] - '0') * 10 + (v[9] - '0') : 0;
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	ok = ok && y >= 1900 && y <= 2100 && mo >= 1 && mo <= 12 && d >= 1 && d <= days[mo - 1] + (mo == 2 && leap(y));
	const char *p = v + 10;
	if (ok && (*p == 'T' || *p == ' ')) {
		ok = digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && (p[1] - '0') * 10 + (p[2] - '0') < 24 &&
		     (p[4] - '0') * 10 + (p[5] - '0') < 60;
		p += 6;
		if (ok && *p == ':') {
			ok = digits(p + 1, 2) && (p[1] - '0') * 10 + (p[2] - '0') < 60;
			p += 3;
			if (ok && *p == '.') {
				p++;
				int f = 0;
				while (*p >= '0' && *p <= '9' && f < 9) {
					p++;
					f++;
				}
				ok = f > 0;
			}
		}
		if (ok && *p == 'Z')
			p++;
		else if (ok && (*p == '+' || *p == '-'))
			ok = digits(p + 1, 2) && p[3] == ':' && digits(p + 4, 2) && (p += 6, true);
	}
	ok = ok && *p == '\0';
	if (!ok) {
		char bad[48];
		shown(v, bad);
		failf(a, name, "invalid_parameter",
		      "%s: '%s' is not a moment; write 2026-11-22T08:00:00Z (ISO 8601, with Z or an offset)", name, bad);
		push(a, NULL, NULL);
		return;
	}
	/* a moment without a zone is read as UTC, the service's zone */
	push(a, NULL, xstrdup(v));
}
