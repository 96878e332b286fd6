/* JSON bodies (see json_reader.h): an array read one element at a time.
 * jansson checks each element's syntax and finds where it ends; the
 * members are then read from the element's own text, so a number keeps the
 * digits it was written with (jansson would turn 2516.100 into a double). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "domain/number.h"
#include "import/json_reader.h"
#include "util/buf.h"
#include "util/utf8.h"

static size_t skip_space(const char *s, size_t len, size_t pos, long *line)
{
	while (pos < len && (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')) {
		if (s[pos] == '\n')
			(*line)++;
		pos++;
	}
	return pos;
}

static long count_lines(const char *s, size_t from, size_t to)
{
	long n = 0;
	for (size_t i = from; i < to; i++)
		n += s[i] == '\n';
	return n;
}

static bool fail(struct read_error *err, const char *code, long line, const char *message)
{
	err->code = code;
	err->line = line;
	snprintf(err->message, sizeof err->message, "%s", message);
	return false;
}

/* PostgreSQL's jsonb cannot hold the NUL character. */
static bool has_nul_escape(const char *s, size_t len)
{
	for (size_t i = 0; i + 5 < len; i++)
		if (s[i] == '\\' && !memcmp(s + i + 1, "u0000", 5))
			return true;
		else if (s[i] == '\\')
			i++;
	return false;
}

static size_t skip_blank(const char *s, size_t pos)
{
	while (s[pos] == ' ' || s[pos] == '\t' || s[pos] == '\n' || s[pos] == '\r')
		pos++;
	return pos;
}

/* The end of the string token starting at s[pos] (the opening quote). */
static size_t string_end(const char *s, size_t pos)
{
	for (pos++; s[pos] != '"'; pos++)
		if (s[pos] == '\\')
			pos++;
	return pos + 1;
}

/* The end of the value starting at s[pos]. */
static size_t value_end(const char *s, size_t pos)
{
	if (s[pos] == '"')
		return string_end(s, pos);
	if (s[pos] == '{' || s[pos] == '[') {
		int depth = 0;
		do {
			if (s[pos] == '"') {
				pos = string_end(s, pos);
				continue;
			}
			if (s[pos] == '{' || s[pos] == '[')
				depth++;
			else if (s[pos] == '}' || s[pos] == ']')
				depth--;
			pos++;
		} while (depth > 0);
		return pos;
	}
	while (s[pos] && !strchr(",}] \t\n\r", s[pos]))
		pos++;
	return pos;
}

/* Appends the text of a string token, unescaped, and its NUL. */
static void string_text(const char *s, size_t from, size_t to, struct buf *texts)
{
	if (!memchr(s + from, '\\', to - from)) { /* the common case: no escapes */
		buf_append(texts, s + from + 1, to - from - 2);
	} else {
		json_t *v = json_loadb(s + from, to - from, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
		buf_append(texts, json_string_value(v), json_string_length(v));
		json_decref(v);
	}
	buf_putc(texts, '\0');
}

/* The members of one object element (already checked by jansson). */
static bool members(const char *s, struct import_record *rec, struct buf *texts)
{
	size_t offsets[IMPORT_MAX_FIELDS][2];
	size_t pos = skip_blank(s, 0) + 1; /* past '{' */
	rec->nfields = 0;
	buf_reset(texts);
	for (;;) {
		pos = skip_blank(s, pos);
		if (s[pos] == '}')
			break;
		if (s[pos] == ',')
			pos = skip_blank(s, pos + 1);
		if (rec->nfields == IMPORT_MAX_FIELDS)
			return false;
		struct import_field *f = &rec->fields[rec->nfields];
		size_t key_end = string_end(s, pos);
		offsets[rec->nfields][0] = texts->len;
		string_text(s, pos, key_end, texts);
		pos = skip_blank(s, skip_blank(s, key_end) + 1); /* past ':' */
		size_t end = value_end(s, pos);
		offsets[rec->nfields][1] = texts->len;
		char first = s[pos];
		if (first == '"') {
			f->kind = FIELD_STRING;
			string_text(s, pos, end, texts);
		} else {
			/* the rest keep their text as written: null as "" */
			f->kind = first == 'n' ? FIELD_NULL
			        : first == 't' || first == 'f' ? FIELD_BOOL
			        : first == '{' || first == '[' ? FIELD_OTHER
			                                       : FIELD_NUMBER;
			if (f->kind != FIELD_NULL)
				buf_append(texts, s + pos, end - pos);
			buf_putc(texts, '\0');
		}
		rec->nfields++;
		pos = end;
	}
	for (int i = 0; i < rec->nfields; i++) {
		rec->fields[i].name = texts->data + offsets[i][0];
		rec->fields[i].text = texts->data + offsets[i][1];
		rec->fields[i].len = strlen(rec->fields[i].text); /* no NUL inside: such elements are refused */
	}
	return true;
}

/* The end of the JSON value at s[0] by its structure alone (brackets and
 * strings), 0 when it does not end within len. */
static size_t structural_end(const char *s, size_t len)
{
	size_t i = 0;
	int depth = 0;
	do {
		if (i >= len)
			return 0;
		char c = s[i];
		if (c == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			if (i >= len)
				return 0;
		} else if (c == '{' || c == '[') {
			depth++;
		} else if (c == '}' || c == ']') {
			depth--;
		} else if (depth == 0) { /* a scalar */
			while (i < len && s[i] && !strchr(",]} \t\n\r", s[i]))
				i++;
			return i;
		}
		i++;
	} while (depth > 0);
	return i;
}

/* An element jansson refused only because a number in it overflows a
 * double: when it is valid JSON with its numbers written as 0, it is a row
 * to reject for that number, and *used is its length. */
static bool number_too_large(const char *s, size_t len, size_t *used, struct buf *copy, char *message, size_t msglen)
{
	size_t end = structural_end(s, len);
	const char *bad;
	size_t bad_len;
	enum number_verdict v = end ? number_check_json(s, end, &bad, &bad_len) : NUMBER_OK;
	if (v == NUMBER_OK)
		return false;
	buf_reset(copy);
	for (size_t i = 0; i < end; i++) {
		if (s[i] == '"') {
			size_t j = i + 1;
			while (j < end && s[j] != '"')
				j += s[j] == '\\' ? 2 : 1;
			if (j >= end)
				return false; /* a string that does not end: not an element */
			buf_append(copy, s + i, j + 1 - i);
			i = j;
		} else if (s[i] == '-' || (s[i] >= '0' && s[i] <= '9')) {
			while (i + 1 < end && s[i + 1] && strchr("+-.eE0123456789", s[i + 1]))
				i++;
			buf_putc(copy, '0');
		} else {
			buf_putc(copy, s[i]);
		}
	}
	json_t *doc = json_loadb(buf_cstr(copy), copy->len, 0, NULL);
	bool row = json_is_object(doc);
	json_decref(doc);
	if (!row)
		return false;
	int cut = bad_len > 40 ? 40 : (int)bad_len;
	snprintf(message, msglen, "the number %.*s%s %s", cut, bad, (size_t)cut < bad_len ? "…" : "", number_verdict_text(v));
	*used = end;
	return true;
}

/* A field name an element gives twice, NULL when none is. */
static const char *repeated_field(const struct import_record *rec)
{
	for (int i = 0; i < rec->nfields; i++)
		for (int j = 0; j < i; j++)
			if (!strcmp(rec->fields[i].name, rec->fields[j].name))
				return rec->fields[i].name;
	return NULL;
}

static bool json_elements(const char *body, size_t len, const struct import_sink *sink, struct read_error *err,
                          struct buf *text_copy, struct buf *texts);

bool json_read(const char *body, size_t len, const struct import_sink *sink, struct read_error *err)
{
	struct buf text_copy = BUF_INIT, texts = BUF_INIT;
	bool ok = json_elements(body, len, sink, err, &text_copy, &texts);
	buf_free(&text_copy);
	buf_free(&texts);
	return ok;
}

static bool json_elements(const char *body, size_t len, const struct import_sink *sink, struct read_error *err,
                          struct buf *text_copy, struct buf *texts)
{
	long line = 1;
	size_t pos = skip_space(body, len, 0, &line);
	if (pos == len || body[pos] != '[')
		return fail(err, "invalid_body", line,
		            "the body must be a JSON array of objects, or CSV (Content-Type: text/csv) with a header line");
	pos = skip_space(body, len, pos + 1, &line);
	if (pos < len && body[pos] == ']') {
		pos = skip_space(body, len, pos + 1, &line);
		return pos == len ? true : fail(err, "invalid_json", line, "there is text after the closing ]");
	}
	for (long idx = 0;; idx++) {
		json_error_t jerr;
		json_t *parsed = json_loadb(body + pos, len - pos, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		size_t skipped;
		char message[160];
		if (!parsed && json_error_code(&jerr) == json_error_numeric_overflow &&
		    number_too_large(body + pos, len - pos, &skipped, text_copy, message, sizeof message)) {
			sink->reject(sink->ctx, line, idx, NULL, "invalid_number", message);
			line += count_lines(body, pos, pos + skipped);
			pos = skip_space(body, len, pos + skipped, &line);
			if (pos < len && body[pos] == ',') {
				pos = skip_space(body, len, pos + 1, &line);
				continue;
			}
			if (pos < len && body[pos] == ']') {
				pos = skip_space(body, len, pos + 1, &line);
				return pos == len ? true : fail(err, "invalid_json", line, "there is text after the closing ]");
			}
			return fail(err, "invalid_json", line, pos == len ? "the array is not closed with ]"
			                                                : "elements must be separated by commas");
		}
		if (!parsed) {
			char msg[300];
			snprintf(msg, sizeof msg, "element %ld (line %ld, column %d): %s", idx, line + jerr.line - 1, jerr.column,
			         jerr.text);
			return fail(err, "invalid_json", line + jerr.line - 1, msg);
		}
		size_t used = jerr.position;
		long element_line = line;
		if (!json_is_object(parsed)) {
			sink->reject(sink->ctx, element_line, idx, NULL, "invalid_row",
			             "each element must be an object such as {\"org\": \"HP\", \"indicator\": \"new_members\", ...}");
		} else if (has_nul_escape(body + pos, used)) {
			sink->reject(sink->ctx, element_line, idx, NULL, "invalid_row", "text may not contain the NUL character (\\u0000)");
		} else {
			/* a copy with a NUL, so the member scanner can look one past */
			buf_reset(text_copy);
			buf_append(text_copy, body + pos, used);
			struct import_record rec = {.line = element_line, .idx = idx};
			const char *twice = NULL;
			if (!members(text_copy->data, &rec, texts)) {
				sink->reject(sink->ctx, element_line, idx, NULL, "invalid_row", "an element may have at most 32 fields");
			} else if ((twice = repeated_field(&rec)) != NULL) {
				/* which one counts would be a guess */
				char why[160];
				snprintf(why, sizeof why, "%.*s is given twice", utf8_cut(twice, strlen(twice), 40), twice);
				sink->reject(sink->ctx, element_line, idx, twice, "invalid_field", why);
			} else if (!sink->row(sink->ctx, &rec)) {
				json_decref(parsed);
				return true;
			}
		}
		json_decref(parsed);
		line += count_lines(body, pos, pos + used);
		pos = skip_space(body, len, pos + used, &line);
		if (pos < len && body[pos] == ',') {
			pos = skip_space(body, len, pos + 1, &line);
			continue;
		}
		if (pos < len && body[pos] == ']') {
			pos = skip_space(body, len, pos + 1, &line);
			if (pos != len)
				return fail(err, "invalid_json", line, "there is text after the closing ]");
			return true;
		}
		return fail(err, "invalid_json", line, pos == len ? "the array is not closed with ]"
		                                                : "elements must be separated by commas");
	}
}

