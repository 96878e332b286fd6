/* Import records to staging rows (see encode.h). */
#include "import/encode.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/number.h"
#include "domain/period.h"
#include "domain/schema.h"
#include "util/utf8.h"

#define MAX_NOTE_CHARS 2000

void copy_text(struct buf *out, const char *s, size_t len)
{
	size_t run = 0;
	buf_reserve(out, len + 8);
	for (size_t i = 0; i < len; i++) {
		const char *esc = NULL;
		switch (s[i]) {
		case '\\': esc = "\\\\"; break;
		case '\t': esc = "\\t"; break;
		case '\n': esc = "\\n"; break;
		case '\r': esc = "\\r"; break;
		default: continue;
		}
		buf_append(out, s + run, i - run);
		buf_puts(out, esc);
		run = i + 1;
	}
	buf_append(out, s + run, len - run);
}

static void copy_field(struct buf *out, const char *s, size_t len, bool last)
{
	if (s)
		copy_text(out, s, len);
	else
		buf_puts(out, "\\N");
	buf_putc(out, last ? '\n' : '\t');
}

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

/* [+-]?digits(.digits)?  over s[0..len) */
static bool plain_number(const char *s, size_t len)
{
	size_t i = 0, d = 0;
	if (i < len && (s[i] == '+' || s[i] == '-'))
		i++;
	while (i < len && digit(s[i])) {
		i++;
		d++;
	}
	if (!d)
		return false;
	if (i < len && s[i] == '.') {
		i++;
		size_t f = 0;
		while (i < len && digit(s[i])) {
			i++;
			f++;
		}
		if (!f)
			return false;
	}
	return i == len;
}

/* [+-]?(d{1,3}(.ddd)+|d+)(,d+)?  — 2.529,554 — rewritten as 2529.554. A
 * grouped number does not start with 0 (0.500 is no thousands). */
static bool comma_number(const char *s, size_t len, struct buf *out)
{
	size_t i = 0;
	buf_reset(out);
	if (i < len && (s[i] == '+' || s[i] == '-'))
		buf_putc(out, s[i++]);
	size_t group = 0, groups = 0, first = i;
	bool dots = false;
	while (i < len && (digit(s[i]) || s[i] == '.')) {
		if (s[i] == '.') {
			if (group == 0 || (groups == 0 && (group > 3 || s[first] == '0')) || (groups > 0 && group != 3))
				return false;
			dots = true;
			groups++;
			group = 0;
		} else {
			buf_putc(out, s[i]);
			group++;
		}
		i++;
	}
	if (group == 0 || (dots && group != 3))
		return false;
	if (i < len && s[i] == ',') {
		buf_putc(out, '.');
		i++;
		size_t f = 0;
		while (i < len && digit(s[i])) {
			buf_putc(out, s[i++]);
			f++;
		}
		if (!f)
			return false;
	}
	return i == len;
}

/* 2,500: one comma, three digits after it, no dot — English thousands? */
static bool thousands_comma(const char *s, size_t len)
{
	const char *c = memchr(s, ',', len);
	return c && !memchr(s, '.', len) && (size_t)(c - s) + 4 == len && c > s && digit(c[-1]);
}

bool encode_text_number(const char *field, const char *s, size_t len, enum decimal_mode mode, struct buf *out,
                        struct buf *why)
{
	while (len && (*s == ' ' || *s == '\t')) {
		s++;
		len--;
	}
	while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
		len--;
	buf_reset(out);
	buf_reset(why);
	int cut = utf8_cut(s, len, 40);
	const char *more = (size_t)cut < len ? "…" : "";
	if (len > NUMBER_MAX_TEXT) {
		buf_printf(why, "%s: %.*s%s is not a number; write it as 2529.554", field, cut, s, more);
		return false;
	}
	struct buf comma = BUF_INIT;
	bool point_ok = plain_number(s, len), comma_ok = comma_number(s, len, &comma);
	bool comma_mode = mode == DECIMAL_COMMA || mode == DECIMAL_COMMA_IMPLIED;
	/* the two readings differ exactly when the text has a dot */
	bool ambiguous = point_ok && comma_ok && memchr(s, '.', len);
	bool ok = comma_mode ? comma_ok : point_ok && (mode != DECIMAL_UNDECLARED || !ambiguous);
	if (ok) {
		if (comma_mode)
			buf_append(out, comma.data, comma.len);
		else
			buf_append(out, s, len);
	} else if (ambiguous) {
		buf_printf(why,
		           "%s: %.*s%s reads as %.*s with a decimal point, or as %s with dots between thousands; say which: "
		           "send decimal=point or decimal=comma",
		           field, cut, s, more, cut, s, buf_cstr(&comma));
	} else if (!comma_mode && comma_ok && thousands_comma(s, len)) {
		size_t at = (size_t)((const char *)memchr(s, ',', len) - s);
		buf_printf(why,
		           "%s: %.*s%s reads as %s with a decimal comma, or as %.*s%.*s with a comma between thousands; send "
		           "decimal=comma for the first, or write the number without separators",
		           field, cut, s, more, buf_cstr(&comma), (int)at, s, (int)(len - at - 1), s + at + 1);
	} else if (!comma_mode && comma_ok) {
		buf_printf(why,
		           "%s: %.*s%s reads as %s only with a decimal comma (Vietnamese style, 2.529,554); send "
		           "decimal=comma to read it so, or write it as %s",
		           field, cut, s, more, buf_cstr(&comma), buf_cstr(&comma));
	} else if (comma_mode && point_ok) {
		buf_printf(why,
		           "%s: %.*s%s is not a number with a decimal comma (2.529,554: dots between thousands, a comma "
		           "before the decimals)%s; if it means %.*s, send decimal=point",
		           field, cut, s, more,
		           mode == DECIMAL_COMMA_IMPLIED ? ", which a file separated by semicolons uses, as Excel writes it "
		                                           "under Vietnamese regional settings"
		                                         : "",
		           cut, s);
	} else if (comma_mode) {
		buf_printf(why,
		           "%s: %.*s%s is not a number in the decimal=comma style (2.529,554: dots between thousands, a comma "
		           "before the decimals)",
		           field, cut, s, more);
	} else {
		buf_printf(why, "%s: %.*s%s is not a number; write it as 2529.554", field, cut, s, more);
	}
	buf_free(&comma);
	return ok;
}

static bool reject(struct encode_ctx *ctx, const struct import_record *rec, const char *field, const char *code,
                   const char *message)
{
	ctx->reject(ctx->reject_ctx, rec->line, rec->idx, field, code, message);
	return true;
}

enum { F_ORG, F_BLOC, F_INDICATOR, F_PERIOD, F_ACTUAL, F_TARGET, F_NOTE, F_COUNT };
static const char *const value_fields[F_COUNT] = {"org", "bloc", "indicator", "period", "actual", "target", "note"};

/* The columns every staging row starts with: seq, line, idx. */
static void row_start(struct encode_ctx *ctx, const struct import_record *rec)
{
	buf_printf(ctx->copy, "%ld\t%ld\t", ctx->seq++, rec->line);
	if (rec->idx >= 0)
		buf_printf(ctx->copy, "%ld\t", rec->idx);
	else
		buf_puts(ctx->copy, "\\N\t");
}

bool encode_value_row(struct encode_ctx *ctx, const struct import_record *rec)
{
	const struct import_field *f[F_COUNT] = {0};
	char msg[320];
	for (int i = 0; i < rec->nfields; i++) {
		int k = 0;
		while (k < F_COUNT && strcmp(value_fields[k], rec->fields[i].name))
			k++;
		if (k == F_COUNT) {
			const char *name = rec->fields[i].name;
			snprintf(msg, sizeof msg,
			         "unknown field %.*s; the fields are org (or bloc), indicator, period, actual, target, note",
			         utf8_cut(name, strlen(name), 40), name);
			return reject(ctx, rec, rec->fields[i].name, "unknown_field", msg);
		}
		if (f[k]) {
			snprintf(msg, sizeof msg, "%s is given twice", value_fields[k]);
			return reject(ctx, rec, value_fields[k], "invalid_field", msg);
		}
		f[k] = &rec->fields[i];
	}
	if (f[F_ORG] && f[F_BLOC])
		return reject(ctx, rec, "bloc", "invalid_field", "give org or bloc, not both");
	const struct import_field *subject = f[F_ORG] ? f[F_ORG] : f[F_BLOC];
	const char *subject_name = f[F_ORG] ? "org" : "bloc";
	if (!subject || subject->kind == FIELD_NULL)
		return reject(ctx, rec, "org", "missing_field", "org is missing: the organization's code, as in HP");
	if (subject->kind != FIELD_STRING || !schema_code_shape(subject->text, subject->len)) {
		snprintf(msg, sizeof msg, "%s must be a code written as text, as in \"%s\"", subject_name,
		         f[F_ORG] ? "HP" : "HN-CUM1");
		return reject(ctx, rec, subject_name, "invalid_field", msg);
	}
	if (!f[F_INDICATOR] || f[F_INDICATOR]->kind == FIELD_NULL)
		return reject(ctx, rec, "indicator", "missing_field", "indicator is missing: an indicator code, as in new_members");
	if (f[F_INDICATOR]->kind != FIELD_STRING || f[F_INDICATOR]->len > schema_indicator_code_max_len)
		return reject(ctx, rec, "indicator", "invalid_field", "indicator must be a code written as text, as in \"new_members\"");
	if (!f[F_PERIOD] || f[F_PERIOD]->kind == FIELD_NULL)
		return reject(ctx, rec, "period", "missing_field", "period is missing: a code such as 2022, 2022H1, 2022Q3 or 2022YTD09");
	if (f[F_PERIOD]->kind != FIELD_STRING)
		return reject(ctx, rec, "period", "invalid_period", "period must be a code written as text, as in \"2022\"");
	struct period period;
	if (!period_parse(f[F_PERIOD]->text, &period, msg, sizeof msg))
		return reject(ctx, rec, "period", "invalid_period", msg);

	/* actual and target: a JSON number as written, or text in the
	 * request's decimal style; an empty cell or null clears */
	char numbers[2][NUMBER_MAX_TEXT + 8] = {"", ""};
	bool has_number[2] = {false, false};
	struct buf text = BUF_INIT, why = BUF_INIT;
	for (int k = F_ACTUAL; k <= F_TARGET; k++) {
		const struct import_field *v = f[k];
		int slot = k - F_ACTUAL;
		if (!v || v->kind == FIELD_NULL || (v->kind == FIELD_STRING && v->len == 0))
			continue;
		bool ok = false;
		if (v->kind == FIELD_NUMBER) {
			buf_reset(&text);
			buf_append(&text, v->text, v->len);
			ok = true;
		} else if (v->kind == FIELD_STRING) {
			ok = encode_text_number(value_fields[k], v->text, v->len, ctx->decimal, &text, &why);
		} else {
			buf_reset(&why);
			buf_printf(&why, "%s must be a number", value_fields[k]);
		}
		/* exactly what the database can hold: never through a double */
		enum number_verdict nv = ok ? number_check(text.data, text.len) : NUMBER_OK;
		if (nv != NUMBER_OK) {
			ok = false;
			int cut = utf8_cut(buf_cstr(&text), text.len, 40);
			buf_reset(&why);
			buf_printf(&why, "%s: %.*s%s %s", value_fields[k], cut, buf_cstr(&text), (size_t)cut < text.len ? "…" : "",
			           number_verdict_text(nv));
		}
		if (!ok) {
			reject(ctx, rec, value_fields[k], "invalid_number", buf_cstr(&why));
			buf_free(&text);
			buf_free(&why);
			return true;
		}
		snprintf(numbers[slot], sizeof numbers[slot], "%s", buf_cstr(&text));
		has_number[slot] = true;
	}
	buf_free(&text);
	buf_free(&why);
	const struct import_field *note = f[F_NOTE];
	if (note && note->kind != FIELD_STRING && note->kind != FIELD_NULL)
		return reject(ctx, rec, "note", "invalid_field", "note must be text");
	if (note && utf8_chars(note->text, note->len) > MAX_NOTE_CHARS)
		return reject(ctx, rec, "note", "invalid_field", "note is longer than 2000 characters");
	if (!f[F_ACTUAL] && !f[F_TARGET] && !note) {
		if (rec->idx < 0) { /* a row of a sheet left blank, as in a template: it says nothing */
			ctx->blank++;
			return true;
		}
		return reject(ctx, rec, "actual", "missing_field", "nothing to write: give actual, target or note");
	}

	struct buf *out = ctx->copy;
	row_start(ctx, rec);
	/* codes are matched as the database stores them */
	char code[128]; /* a code's shape holds it to schema_code_max_len, under 128 */
	for (size_t i = 0; i < subject->len; i++)
		code[i] = subject->text[i] >= 'a' && subject->text[i] <= 'z' ? (char)(subject->text[i] - 32) : subject->text[i];
	code[subject->len] = '\0';
	copy_field(out, f[F_ORG] ? code : NULL, subject->len, false);
	copy_field(out, f[F_BLOC] ? code : NULL, subject->len, false);
	buf_reset(&ctx->scratch);
	for (size_t i = 0; i < f[F_INDICATOR]->len; i++) {
		char c = f[F_INDICATOR]->text[i];
		buf_putc(&ctx->scratch, c >= 'A' && c <= 'Z' ? (char)(c + 32) : c);
	}
	copy_field(out, ctx->scratch.data, ctx->scratch.len, false);
	copy_field(out, period.code, strlen(period.code), false);
	copy_field(out, has_number[0] ? numbers[0] : NULL, strlen(numbers[0]), false);
	copy_field(out, has_number[1] ? numbers[1] : NULL, strlen(numbers[1]), false);
	bool note_text = note && note->kind == FIELD_STRING && note->len > 0;
	copy_field(out, note_text ? note->text : NULL, note_text ? note->len : 0, false);
	buf_printf(out, "%d\n", (f[F_ACTUAL] ? 1 : 0) | (f[F_TARGET] ? 2 : 0) | (note ? 4 : 0));
	return true;
}

bool encode_doc_row(struct encode_ctx *ctx, const struct import_record *rec)
{
	import_record_json(rec, &ctx->scratch);
	struct buf *out = ctx->copy;
	row_start(ctx, rec);
	copy_text(out, ctx->scratch.data, ctx->scratch.len);
	buf_putc(out, '\n');
	return true;
}

const struct row_encoding value_rows = {VALUE_STAGING, VALUE_COPY, encode_value_row};
const struct row_encoding document_rows = {DOC_STAGING, DOC_COPY, encode_doc_row};
