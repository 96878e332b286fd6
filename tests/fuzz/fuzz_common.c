/* Helpers shared by the fuzz targets (see fuzz.h). */
#include "fuzz.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "import/encode.h"
#include "import/csv_reader.h"
#include "import/json_reader.h"
#include "util/buf.h"
#include "util/utf8.h"

void fuzz_fail(const char *file, int line, const char *expr, const char *fmt, ...)
{
	va_list ap;
	fprintf(stderr, "\n==fuzz== invariant failed at %s:%d: %s\n==fuzz== ", file, line, expr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	abort();
}

char *fuzz_cstr(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	if (!s)
		abort();
	if (size)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

bool fuzz_clean_text(const char *s, size_t len)
{
	size_t bad;
	if (!utf8_valid(s, len, &bad))
		return false;
	for (size_t i = 0; i < len; i++)
		if ((unsigned char)s[i] < 0x20)
			return false;
	return true;
}

/* The value-import columns, as src/handlers/values.c declares them. */
static const char *const value_allowed[] = {"org", "bloc", "indicator", "period", "actual", "target", "note", NULL};
static const struct import_columns value_columns = {
	.allowed = value_allowed,
	.key = (const char *const[]){"org", "bloc", "indicator", "period", NULL},
	.required = (const char *const[]){"org|bloc", "indicator", "period", NULL},
};

struct fuzz_run {
	enum fuzz_reader reader;
	struct buf copy;
	struct encode_ctx enc;
	long rows, rejects;
};

static void on_reject(void *ctx, long line, long idx, const char *field, const char *code, const char *message)
{
	struct fuzz_run *run = ctx;
	run->rejects++;
	FUZZ_CHECK(code && *code, "a rejection without a code (line %ld)", line);
	FUZZ_CHECK(message && *message, "rejection %s without a message (line %ld)", code, line);
	FUZZ_CHECK(line >= 1, "rejection %s on line %ld", code, line);
	FUZZ_CHECK(run->reader == FUZZ_JSON ? idx >= 0 : idx == -1, "rejection %s with idx %ld", code, idx);
	if (field)
		(void)strlen(field);
}

/* One COPY text line: 11 columns, so exactly 10 raw tabs, one raw newline
 * at the end, no raw carriage return, UTF-8 without NUL. */
void fuzz_check_copy_line(const char *s, size_t len)
{
	FUZZ_CHECK(len > 0 && s[len - 1] == '\n', "the COPY line does not end with a newline: %.*s", (int)len, s);
	size_t tabs = 0, newlines = 0, bad;
	for (size_t i = 0; i < len; i++) {
		tabs += s[i] == '\t';
		newlines += s[i] == '\n';
		FUZZ_CHECK(s[i] != '\r', "a raw CR in the COPY line at byte %zu", i);
	}
	FUZZ_CHECK(tabs == 10, "the COPY line has %zu tabs, not 10: %.*s", tabs, (int)len, s);
	FUZZ_CHECK(newlines == 1, "the COPY line has %zu newlines: %.*s", newlines, (int)len, s);
	FUZZ_CHECK(utf8_valid(s, len, &bad), "the COPY line is not UTF-8 at byte %zu", bad);
}

static bool on_row(void *ctx, const struct import_record *rec)
{
	struct fuzz_run *run = ctx;
	run->rows++;
	FUZZ_CHECK(rec->nfields >= 0 && rec->nfields <= IMPORT_MAX_FIELDS, "a record with %d fields", rec->nfields);
	FUZZ_CHECK(rec->line >= 1, "a record on line %ld", rec->line);
	FUZZ_CHECK(run->reader == FUZZ_JSON ? rec->idx >= 0 : rec->idx == -1, "a record with idx %ld", rec->idx);
	for (int i = 0; i < rec->nfields; i++) {
		const struct import_field *f = &rec->fields[i];
		FUZZ_CHECK(f->name && f->text, "field %d without a name or text", i);
		FUZZ_CHECK(strlen(f->text) == f->len, "field %s: len %zu but strlen %zu", f->name, f->len, strlen(f->text));
		if (run->reader == FUZZ_CSV) {
			bool known = false;
			for (const char *const *a = value_allowed; *a && !known; a++)
				known = !strcmp(*a, f->name);
			FUZZ_CHECK(known, "a CSV record names column '%s', which the header may not have", f->name);
			FUZZ_CHECK(f->kind == FIELD_STRING || f->kind == FIELD_NULL, "a CSV field of kind %d", (int)f->kind);
		}
	}
	fuzz_encode_value_row(&run->enc, rec);
	return true;
}

void fuzz_encode_value_row(struct encode_ctx *enc, const struct import_record *rec)
{
	size_t before = enc->copy->len;
	encode_value_row(enc, rec);
	if (enc->copy->len > before)
		fuzz_check_copy_line(enc->copy->data + before, enc->copy->len - before);
	buf_reset(enc->copy);
}

void fuzz_values_import(const uint8_t *data, size_t size, enum fuzz_reader reader)
{
	if (size == 0)
		return;
	bool decimal_comma = data[0] & 1;
	const uint8_t *body = data + 1;
	size_t len = size - 1;

	/* what src/handlers/import.c checks before a reader runs */
	if (len >= 2 && body[0] == 0xFF && body[1] == 0xFE)
		return; /* UTF-16: refused */
	if (len >= 3 && !memcmp(body, "\xEF\xBB\xBF", 3)) {
		body += 3;
		len -= 3;
	}
	char *text = fuzz_cstr(body, len);
	size_t bad;
	if (len == 0 || !utf8_valid(text, len, &bad)) {
		free(text);
		return;
	}

	struct fuzz_run run = {.reader = reader, .copy = BUF_INIT};
	run.enc = (struct encode_ctx){.decimal = decimal_comma ? DECIMAL_COMMA : DECIMAL_UNDECLARED, .copy = &run.copy, .reject = on_reject,
	                              .reject_ctx = &run, .scratch = BUF_INIT};
	struct import_sink sink = {.ctx = &run, .row = on_row, .reject = on_reject};
	struct read_error err = {NULL, "", 0};
	bool ok = reader == FUZZ_CSV ? csv_read(text, len, &value_columns, &sink, &err, NULL) : json_read(text, len, &sink, &err);
	if (!ok) {
		FUZZ_CHECK(err.code && *err.code, "a failed read without a problem code");
		FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) && err.message[0],
		           "a failed read (%s) without a message", err.code);
		FUZZ_CHECK(err.line >= 1, "a failed read (%s) on line %ld", err.code, err.line);
	}
	buf_free(&run.copy);
	buf_free(&run.enc.scratch);
	free(text);
}
