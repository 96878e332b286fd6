/* JSON bodies (see readers.h): an array read one element at a time.
 * jansson checks each element's syntax and finds where it ends; the
 * element's own text is what goes on, so the database reads the numbers
 * exactly as they were written (jansson would turn 2516.100 into a double). */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "import/readers.h"

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

bool json_read(const char *body, size_t len, const struct import_sink *sink, struct read_error *err)
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
		json_t *element = json_loadb(body + pos, len - pos, JSON_DISABLE_EOF_CHECK | JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
		if (!element) {
			char msg[300];
			snprintf(msg, sizeof msg, "element %ld (line %ld, column %d): %s", idx, line + jerr.line - 1, jerr.column,
			         jerr.text);
			return fail(err, "invalid_json", line + jerr.line - 1, msg);
		}
		size_t used = jerr.position;
		long element_line = line;
		if (!json_is_object(element)) {
			sink->reject(sink->ctx, element_line, idx, NULL, "invalid_row",
			             "each element must be an object such as {\"org\": \"HP\", \"indicator\": \"new_members\", ...}");
		} else if (has_nul_escape(body + pos, used)) {
			sink->reject(sink->ctx, element_line, idx, NULL, "invalid_row", "text may not contain the NUL character (\\u0000)");
		} else if (!sink->row(sink->ctx, element_line, idx, body + pos, used)) {
			json_decref(element);
			return true;
		}
		json_decref(element);
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
