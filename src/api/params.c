/* Typed request parameters (see params.h). The checks here are about shape:
 * is it a date, a period code, a number in range. Whether a code exists is
 * the database's to say, with the same problem format. */
#include "api/params.h"

#include <errno.h>
#include <sodium.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "domain/number.h"
#include "domain/period.h"
#include "domain/schema.h"
#include "http/http.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

#define LIST_MAX 200
#define CURSOR_MAX 2048

/* ---- the value set ---- */

const char *params_get(const struct params *p, const char *name)
{
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			return p->v[i].value;
	return NULL;
}

const char *params_lookup(const void *ctx, const char *name)
{
	return params_get(ctx, name);
}

void params_set(struct params *p, const char *name, const char *value)
{
	for (size_t i = 0; i < p->n; i++) {
		if (!strcmp(p->v[i].name, name)) {
			free(p->v[i].value);
			p->v[i].value = value ? xstrdup(value) : NULL;
			return;
		}
	}
	if (p->n == PARAMS_MAX)
		abort(); /* a route declaring more parameters than the set holds is a programming error */
	p->v[p->n].name = name;
	p->v[p->n].value = value ? xstrdup(value) : NULL;
	p->n++;
}

static void take(struct params *p, const char *name, char *value)
{
	params_set(p, name, NULL);
	for (size_t i = 0; i < p->n; i++)
		if (!strcmp(p->v[i].name, name))
			p->v[i].value = value;
}

void params_free(struct params *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i].value);
	p->n = 0;
	if (p->errors)
		json_decref(p->errors);
	p->errors = NULL;
}

/* ---- problems ---- */

void params_fail(struct params *p, const char *in, const char *field, const char *code, const char *message)
{
	if (!p->errors) {
		p->errors = json_array();
		p->first_code = code;
	}
	char *f = utf8_repaired(field), *m = utf8_repaired(message);
	json_array_append_new(p->errors, json_pack("{s:s, s:s, s:s, s:s}", "in", in, "field", f, "code", code, "message", m));
	free(f);
	free(m);
}

static void failf(struct params *p, const char *in, const char *field, const char *code, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void failf(struct params *p, const char *in, const char *field, const char *code, const char *fmt, ...)
{
	struct buf msg = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);
	params_fail(p, in, field, code, buf_cstr(&msg));
	buf_free(&msg);
}

char *params_problem_detail(const struct params *p)
{
	size_t count = json_array_size(p->errors);
	const char *first = json_string_value(json_object_get(json_array_get(p->errors, 0), "message"));
	struct buf detail = BUF_INIT;
	buf_puts(&detail, first ? first : "invalid request");
	if (count > 1)
		buf_printf(&detail, " (and %zu more problem%s, listed in errors)", count - 1, count > 2 ? "s" : "");
	return buf_steal(&detail);
}

/* A value echoed in a message: at most 40 bytes of whole characters. */
static void shown(const char *v, char out[56])
{
	size_t n = strlen(v);
	int cut = utf8_cut(v, n, 40);
	snprintf(out, 56, "%.*s%s", cut, v, (size_t)cut < n ? "…" : "");
}

static const char *where(enum param_in in)
{
	return in == IN_PATH ? "path" : in == IN_QUERY ? "query" : "body";
}

/* ---- shapes ---- */

static bool digits(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* YYYY-MM-DD at s, a real day of the years periods may have. */
static bool date_at(const char *s)
{
	if (!digits(s, 4) || s[4] != '-' || !digits(s + 5, 2) || s[7] != '-' || !digits(s + 8, 2))
		return false;
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
	return y >= PERIOD_MIN_YEAR && y <= PERIOD_MAX_YEAR && m >= 1 && m <= 12 && d >= 1 && d <= period_month_days(y, m);
}

static bool date_shape(const char *v)
{
	return strlen(v) == 10 && date_at(v);
}

/* YYYY-MM-DD(T| )HH:MM[:SS[.f…]](Z|±HH:MM), offsets within ±14:00 (the
 * zones of the world; PostgreSQL refuses beyond ±15:59). The zone is
 * required: 08:00 in Hà Nội is 01:00 UTC, and a moment must not be
 * guessed. */
static bool timestamp_shape(const char *v)
{
	size_t n = strlen(v);
	if (n < 16 || n > 40 || !date_at(v))
		return false;
	const char *p = v + 10;
	if (*p != 'T' && *p != ' ')
		return false;
	if (!digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2) || (p[1] - '0') * 10 + (p[2] - '0') > 23 ||
	    (p[4] - '0') * 10 + (p[5] - '0') > 59)
		return false;
	p += 6;
	if (*p == ':') {
		if (!digits(p + 1, 2) || (p[1] - '0') * 10 + (p[2] - '0') > 59)
			return false;
		p += 3;
		if (*p == '.') {
			int f = 0;
			for (p++; *p >= '0' && *p <= '9'; p++)
				if (++f > 9)
					return false;
			if (!f)
				return false;
		}
	}
	if (*p == 'Z')
		return p[1] == '\0';
	if (*p == '+' || *p == '-') {
		if (!digits(p + 1, 2) || p[3] != ':' || !digits(p + 4, 2) || p[6] != '\0')
			return false;
		int h = (p[1] - '0') * 10 + (p[2] - '0'), m = (p[4] - '0') * 10 + (p[5] - '0');
		return m <= 59 && (h < 14 || (h == 14 && m == 0));
	}
	return false;
}

static bool parse_long(const char *v, long min, long max, long *out)
{
	size_t n = strlen(v);
	if (n == 0 || n > 13)
		return false;
	size_t i = v[0] == '-' ? 1 : 0;
	if (i == n || !digits(v + i, (int)(n - i)))
		return false;
	errno = 0;
	long x = strtol(v, NULL, 10);
	if (errno || x < min || x > max)
		return false;
	*out = x;
	return true;
}

/* One line of text: no control characters (tabs and line breaks too,
 * unless multiline). */
static bool plain_text(const char *v, bool multiline)
{
	for (const unsigned char *c = (const unsigned char *)v; *c; c++)
		if ((*c < 0x20 || *c == 0x7F) && !(multiline && (*c == '\n' || *c == '\r' || *c == '\t')))
			return false;
	return true;
}

/* ---- one value ---- */

static char *upper(const char *s, size_t len)
{
	char *r = xstrndup(s, len);
	for (char *c = r; *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A');
	return r;
}

static char *lower(const char *s, size_t len)
{
	char *r = xstrndup(s, len);
	for (char *c = r; *c; c++)
		if (*c >= 'A' && *c <= 'Z')
			*c = (char)(*c - 'A' + 'a');
	return r;
}

/* A comma list, items trimmed of spaces and each checked: "HN, hp" -> "HN,HP". */
static char *list(struct params *p, const struct param_spec *s, const char *v)
{
	struct buf joined = BUF_INIT;
	int items = 0;
	for (const char *at = v;;) {
		size_t n = strcspn(at, ",");
		const char *item = at;
		size_t m = n;
		while (m && *item == ' ') {
			item++;
			m--;
		}
		while (m && item[m - 1] == ' ')
			m--;
		char *norm = NULL;
		char err[160] = "";
		if (s->type == PT_CODES && schema_code_shape(item, m)) {
			norm = upper(item, m);
		} else if (s->type == PT_INDICATORS && schema_indicator_code_shape(item, m)) {
			norm = lower(item, m);
		} else if (s->type == PT_PERIODS) {
			char *text = xstrndup(item, m);
			struct period per;
			if (period_parse(text, &per, err, sizeof err))
				norm = xstrdup(per.code);
			free(text);
		}
		if (!norm) {
			char *text = xstrndup(item, m);
			char bad[56];
			shown(text, bad);
			free(text);
			if (s->type == PT_PERIODS)
				failf(p, where(s->in), s->name, "invalid_period", "%s", err);
			else
				failf(p, where(s->in), s->name, "invalid_parameter", "%s: '%s' is not a valid %s", s->name, bad,
				      s->type == PT_CODES ? "code (letters, digits and hyphens, as in HN-HBT)"
				                          : "indicator code (as in new_members)");
			buf_free(&joined);
			return NULL;
		}
		if (++items > LIST_MAX) {
			free(norm);
			failf(p, where(s->in), s->name, "invalid_parameter", "%s lists more than %d items", s->name, LIST_MAX);
			buf_free(&joined);
			return NULL;
		}
		if (joined.len)
			buf_putc(&joined, ',');
		buf_puts(&joined, norm);
		free(norm);
		at += n;
		if (!*at)
			break;
		at++;
	}
	return buf_steal(&joined);
}

static char *cursor_decode(const char *text)
{
	size_t len = strlen(text);
	if (len == 0 || len > CURSOR_MAX)
		return NULL;
	unsigned char *bin = xmalloc(len + 1);
	size_t binlen;
	if (sodium_base642bin(bin, len, text, len, NULL, &binlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
		free(bin);
		return NULL;
	}
	bin[binlen] = '\0';
	size_t bad;
	bool ok = utf8_valid((const char *)bin, binlen, &bad);
	for (size_t i = 0; ok && i < binlen; i++)
		ok = (bin[i] >= 0x20 && bin[i] != 0x7F) || bin[i] == 0x1F; /* the unit separator parts a position */
	if (!ok) {
		free(bin);
		return NULL;
	}
	return (char *)bin;
}

char *params_cursor_encode(const char *position)
{
	size_t len = strlen(position);
	size_t cap = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	char *out = xmalloc(cap);
	sodium_bin2base64(out, cap, (const unsigned char *)position, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	return out;
}

static const char *stored_name(const struct param_spec *s)
{
	return s->as ? s->as : s->name;
}

/* Checks one present value (never NULL or "") and stores it normalised. */
static void check_value(struct params *p, const struct param_spec *s, const char *v)
{
	const char *in = where(s->in);
	char bad[56];
	shown(v, bad);
	size_t len = strlen(v);
	char *norm = NULL;
	char err[160];
	long n;
	struct period per;
	switch (s->type) {
	case PT_CODE:
		if (schema_code_shape(v, len))
			norm = upper(v, len);
		else
			failf(p, in, s->name, "invalid_parameter",
			      "%s: '%s' is not a valid code (letters, digits and hyphens, as in HN-HBT)", s->name, bad);
		break;
	case PT_INDICATOR:
		if (schema_indicator_code_shape(v, len))
			norm = lower(v, len);
		else
			failf(p, in, s->name, "invalid_parameter", "%s: '%s' is not a valid indicator code (as in new_members)",
			      s->name, bad);
		break;
	case PT_CODES:
	case PT_INDICATORS:
	case PT_PERIODS:
		norm = list(p, s, v);
		break;
	case PT_PERIOD:
		if (period_parse(v, &per, err, sizeof err))
			norm = xstrdup(per.code);
		else
			params_fail(p, in, s->name, "invalid_period", err);
		break;
	case PT_DATE:
		if (date_shape(v))
			norm = xstrdup(v);
		else
			failf(p, in, s->name, "invalid_parameter", "%s: '%s' is not a date as YYYY-MM-DD between 1900 and 2100",
			      s->name, bad);
		break;
	case PT_TIMESTAMP:
		if (timestamp_shape(v))
			norm = xstrdup(v);
		else
			failf(p, in, s->name, "invalid_parameter",
			      "%s: '%s' is not a moment with its zone; write 2026-11-22T08:00:00Z or "
			      "2026-11-22T15:00:00+07:00 (ISO 8601, with Z or an offset within ±14:00)",
			      s->name, bad);
		break;
	case PT_INT:
		if (parse_long(v, s->min, s->max, &n)) {
			char text[24];
			snprintf(text, sizeof text, "%ld", n);
			norm = xstrdup(text);
		} else {
			failf(p, in, s->name, "invalid_parameter", "%s: '%s' must be a whole number from %ld to %ld", s->name,
			      bad, s->min, s->max);
		}
		break;
	case PT_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "false"))
			norm = xstrdup(v);
		else
			failf(p, in, s->name, "invalid_parameter", "%s: '%s' must be true or false", s->name, bad);
		break;
	case PT_ENUM: {
		for (const char *const *c = s->choices; *c && !norm; c++)
			if (!strcmp(*c, v))
				norm = xstrdup(v);
		if (!norm) {
			struct buf msg = BUF_INIT;
			buf_printf(&msg, "%s: '%s' is not one of ", s->name, bad);
			for (const char *const *c = s->choices; *c; c++)
				buf_printf(&msg, "%s%s", c == s->choices ? "" : ", ", *c);
			params_fail(p, in, s->name, "invalid_parameter", buf_cstr(&msg));
			buf_free(&msg);
		}
		break;
	}
	case PT_TEXT:
		if (utf8_chars(v, len) > (size_t)s->max)
			failf(p, in, s->name, "invalid_parameter", "%s is longer than %ld characters", s->name, s->max);
		else if (!plain_text(v, s->flags & P_MULTILINE))
			failf(p, in, s->name, "invalid_parameter", "%s must be one line of text, without control characters",
			      s->name);
		else
			norm = xstrdup(v);
		break;
	case PT_CURSOR:
		norm = cursor_decode(v);
		if (!norm)
			params_fail(p, in, s->name, "invalid_cursor",
			            "cursor is not one this service handed out; start again without it");
		break;
	case PT_LIMIT:
	case PT_FORMAT:
	case PT_DECIMAL:
	case PT_DOCUMENT:
		break; /* handled by the caller */
	}
	if (norm)
		take(p, stored_name(s), norm);
}

/* ---- the body ---- */

static bool is_json_type(const char *ct)
{
	return !ct || http_media_type_is(ct, "application/json");
}

/* The body as one JSON object; NULL (with the problem recorded) when it is
 * not one. */
static json_t *body_object(struct params *p, const struct param_input *in)
{
	if (!is_json_type(in->content_type)) {
		p->wrong_media_type = true;
		params_fail(p, "header", "Content-Type", "unsupported_media_type", "send the body as application/json");
		return NULL;
	}
	if (in->body_len == 0) {
		params_fail(p, "body", "body", "invalid_body", "the body is empty; send a JSON object");
		return NULL;
	}
	size_t bad_at;
	if (!utf8_valid(in->body, in->body_len, &bad_at)) {
		failf(p, "body", "body", "invalid_encoding", "the body is not UTF-8 (byte %zu)%s; send JSON in UTF-8", bad_at,
		      in->body[bad_at] == '\0' ? ", it contains a NUL byte" : "");
		return NULL;
	}
	json_error_t jerr;
	json_t *doc = json_loadb(in->body, in->body_len, JSON_REJECT_DUPLICATES, &jerr);
	const char *bad;
	size_t bad_len;
	enum number_verdict v;
	if (!doc && json_error_code(&jerr) == json_error_numeric_overflow &&
	    (v = number_check_json(in->body, in->body_len, &bad, &bad_len)) != NUMBER_OK) {
		/* valid JSON, but a number past what jansson's double holds */
		int cut = utf8_cut(bad, bad_len, 40);
		failf(p, "body", "body", "invalid_number", "the number %.*s%s in the body %s", cut, bad,
		      (size_t)cut < bad_len ? "…" : "", number_verdict_text(v));
		return NULL;
	}
	if (!doc) {
		if (strstr(jerr.text, "\\u0000"))
			params_fail(p, "body", "body", "invalid_body", "text may not contain the NUL character (\\u0000)");
		else
			failf(p, "body", "body", "invalid_json", "the body is not valid JSON: %s (line %d, column %d)", jerr.text,
			      jerr.line, jerr.column);
		return NULL;
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		params_fail(p, "body", "body", "invalid_body", "the body must be a JSON object");
		return NULL;
	}
	v = number_check_json(in->body, in->body_len, &bad, &bad_len);
	if (v != NUMBER_OK) {
		json_decref(doc);
		int cut = utf8_cut(bad, bad_len, 40);
		failf(p, "body", "body", "invalid_number", "the number %.*s%s in the body %s", cut, bad,
		      (size_t)cut < bad_len ? "…" : "", number_verdict_text(v));
		return NULL;
	}
	return doc;
}

/* The members of a body object, each against its spec. */
static void body_members(struct params *p, const struct param_spec *specs, json_t *doc)
{
	const char *key;
	json_t *value;
	json_object_foreach(doc, key, value)
	{
		const struct param_spec *s = NULL;
		for (const struct param_spec *t = specs; t->name && !s; t++)
			if (t->in == IN_BODY && t->type != PT_DOCUMENT && !strcmp(t->name, key))
				s = t;
		if (!s) {
			struct buf msg = BUF_INIT;
			char bad[56];
			shown(key, bad);
			buf_printf(&msg, "unknown field %s; the fields are ", bad);
			int k = 0;
			for (const struct param_spec *t = specs; t->name; t++)
				if (t->in == IN_BODY)
					buf_printf(&msg, "%s%s", k++ ? ", " : "", t->name);
			params_fail(p, "body", key, "unknown_field", buf_cstr(&msg));
			buf_free(&msg);
			continue;
		}
		if (json_is_null(value)) {
			if (!(s->flags & P_NULLABLE))
				failf(p, "body", s->name, "invalid_field", "%s may not be null", s->name);
			continue;
		}
		if (s->type == PT_INT) {
			char text[32];
			if (!json_is_integer(value)) {
				failf(p, "body", s->name, "invalid_field", "%s must be a whole number", s->name);
				continue;
			}
			snprintf(text, sizeof text, "%lld", (long long)json_integer_value(value));
			check_value(p, s, text);
		} else if (s->type == PT_BOOL) {
			if (!json_is_boolean(value))
				failf(p, "body", s->name, "invalid_field", "%s must be true or false", s->name);
			else
				check_value(p, s, json_is_true(value) ? "true" : "false");
		} else if (!json_is_string(value)) {
			failf(p, "body", s->name, "invalid_field", "%s must be text", s->name);
		} else if (json_string_length(value) == 0) {
			if (!(s->flags & P_NULLABLE))
				failf(p, "body", s->name, "invalid_field", "%s may not be empty", s->name);
		} else {
			check_value(p, s, json_string_value(value));
		}
	}
}

/* ---- the whole request ---- */

static bool credential_name(const char *name)
{
	static const char *const names[] = {"api_key", "apikey", "key", "token", "access_token", "auth", "authorization",
	                                    "bearer", NULL};
	for (const char *const *n = names; *n; n++)
		if (!strcasecmp(*n, name))
			return true;
	return false;
}

static void unknown_query(struct params *p, const struct param_spec *specs, const char *name)
{
	char bad[56];
	shown(name, bad);
	if (credential_name(name)) {
		params_fail(p, "query", name, "key_in_url",
		            "API keys are not accepted in the URL, where logs and browser histories keep them; send the "
		            "header Authorization: Bearer <key>");
		return;
	}
	struct buf msg = BUF_INIT;
	buf_printf(&msg, "Unknown query parameter '%s'; ", bad);
	int k = 0;
	for (const struct param_spec *s = specs; s->name; s++)
		if (s->in == IN_QUERY)
			buf_printf(&msg, "%s%s", k++ ? ", " : "allowed: ", s->name);
	if (!k)
		buf_puts(&msg, "this resource takes no query parameters");
	buf_putc(&msg, '.');
	params_fail(p, "query", name, "unknown_parameter", buf_cstr(&msg));
	buf_free(&msg);
}

static const char *path_value(const struct param_input *in, const char *name)
{
	for (size_t i = 0; i < in->npath; i++)
		if (!strcmp(in->path_names[i], name))
			return in->path_values[i];
	return NULL;
}

static void table_format(struct params *p, const struct param_spec *s, const char *v, const char *accept)
{
	p->format = TABLE_JSON;
	if (v) {
		if (!strcmp(v, "csv"))
			p->format = TABLE_CSV;
		else if (!strcmp(v, "xlsx"))
			p->format = TABLE_XLSX;
		else if (strcmp(v, "json")) {
			char bad[56];
			shown(v, bad);
			failf(p, "query", s->name, "invalid_parameter", "format: '%s' is not one of json, csv, xlsx", bad);
		}
	} else if (accept && strstr(accept, "spreadsheetml")) {
		p->format = TABLE_XLSX;
	} else if (accept && strstr(accept, "text/csv")) {
		p->format = TABLE_CSV;
	}
	params_set(p, stored_name(s), p->format == TABLE_CSV ? "csv" : p->format == TABLE_XLSX ? "xlsx" : "json");
}

bool params_validate(struct params *p, const struct param_spec *specs, const struct param_input *in)
{
	memset(p, 0, sizeof *p);
	static const struct param_spec none[] = {{.name = NULL}};
	if (!specs)
		specs = none;

	/* every query parameter must be one the route declares */
	for (size_t i = 0; in->uri && i < in->uri->nparams; i++) {
		bool known = false;
		for (const struct param_spec *s = specs; s->name && !known; s++)
			known = s->in == IN_QUERY && !strcmp(s->name, in->uri->params[i].name);
		if (!known)
			unknown_query(p, specs, in->uri->params[i].name);
	}
	if (p->errors)
		return false;

	/* the format first: it sets the page limits */
	const struct param_spec *limit_spec = NULL;
	bool wants_body = false;
	for (const struct param_spec *s = specs; s->name; s++) {
		const char *v = s->in == IN_QUERY && in->uri ? uri_param(in->uri, s->name) : NULL;
		if (v && !*v)
			v = NULL; /* ?on= says nothing */
		if (s->type == PT_FORMAT)
			table_format(p, s, v, in->accept);
		if (s->type == PT_LIMIT)
			limit_spec = s;
		if (s->in == IN_BODY)
			wants_body = true;
	}

	for (const struct param_spec *s = specs; s->name; s++) {
		if (s->in == IN_BODY || s->type == PT_FORMAT || s->type == PT_LIMIT)
			continue;
		const char *v = s->in == IN_PATH ? path_value(in, s->name) : in->uri ? uri_param(in->uri, s->name) : NULL;
		if (v && !*v)
			v = NULL;
		if (!v) {
			if (s->flags & P_REQUIRED)
				failf(p, where(s->in), s->name, "missing_parameter", "%s is required", s->name);
			else if (s->def)
				params_set(p, stored_name(s), s->def);
			continue;
		}
		if (s->type == PT_DECIMAL) {
			if (strcmp(v, "comma") && strcmp(v, "point"))
				params_fail(p, "query", s->name, "invalid_parameter",
				            "decimal must be point (2529.554, the default) or comma (2.529,554, Vietnamese style)");
			else
				params_set(p, stored_name(s), v);
			p->decimal_comma = !strcmp(v, "comma");
			continue;
		}
		check_value(p, s, v);
	}

	if (limit_spec) {
		bool export = p->format != TABLE_JSON;
		long max = export ? EXPORT_MAX : PAGE_MAX, limit = export ? EXPORT_MAX : PAGE_DEFAULT;
		const char *v = in->uri ? uri_param(in->uri, limit_spec->name) : NULL;
		if (v && *v && !parse_long(v, 1, max, &limit)) {
			char bad[56];
			shown(v, bad);
			failf(p, "query", limit_spec->name, "invalid_parameter", "limit: '%s' must be a whole number from 1 to %ld",
			      bad, max);
			limit = PAGE_DEFAULT;
		}
		p->limit = (int)limit;
		char text[24];
		snprintf(text, sizeof text, "%ld", limit + 1); /* one more tells whether a next page exists */
		params_set(p, stored_name(limit_spec), text);
	}

	if (wants_body) {
		json_t *doc = body_object(p, in);
		bool members = false; /* the body's members are parameters of their own (else it goes on whole) */
		for (const struct param_spec *s = specs; doc && s->name; s++) {
			if (s->in != IN_BODY)
				continue;
			if (s->type == PT_DOCUMENT) {
				take(p, stored_name(s), xstrndup(in->body, in->body_len));
				continue;
			}
			members = true;
			if ((s->flags & P_REQUIRED) && !json_object_get(doc, s->name))
				failf(p, "body", s->name, "missing_field", "%s is required", s->name);
		}
		if (members)
			body_members(p, specs, doc);
		json_decref(doc);
	}
	return p->errors == NULL;
}

const char *params_type_name(enum param_type t)
{
	static const char *const names[] = {
		[PT_CODE] = "code",       [PT_CODES] = "codes",     [PT_INDICATOR] = "indicator", [PT_INDICATORS] = "indicators",
		[PT_PERIOD] = "period",   [PT_PERIODS] = "periods", [PT_DATE] = "date",           [PT_TIMESTAMP] = "timestamp",
		[PT_INT] = "integer",     [PT_BOOL] = "boolean",    [PT_ENUM] = "enum",           [PT_TEXT] = "text",
		[PT_CURSOR] = "cursor",   [PT_LIMIT] = "limit",     [PT_FORMAT] = "format",       [PT_DECIMAL] = "decimal",
		[PT_DOCUMENT] = "document",
	};
	return names[t];
}
