/* The Excel workbook import reader, xlsx_read(), with the value-import
 * columns, each record encoded as a COPY line by encode_value_row().
 * Input: one switch byte, then the body. Switch bit 0: decimal=comma; bit
 * 1: empty=clear; bit 2: the body holds a workbook's parts rather than the
 * file, separated by 0xFF bytes (which UTF-8 XML never holds) in the order
 * sheet, shared strings, styles, workbook, workbook relationships (an
 * empty one left out, a minimal workbook when none is given): they are
 * packed here, stored with their checksums right, so mutations reach the
 * XML, which deflate and CRCs would otherwise hide from the fuzzer. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "fuzz.h"
#include "import/encode.h"
#include "import/xlsx_reader.h"
#include "util/buf.h"
#include "util/utf8.h"

/* The value-import columns, as src/handlers/values.c declares them. */
static const char *const allowed[] = {"org", "bloc", "indicator", "period", "actual", "target", "note", NULL};
static const struct import_columns columns = {
	.allowed = allowed,
	.key = (const char *const[]){"org", "bloc", "indicator", "period", NULL},
	.required = (const char *const[]){"org|bloc", "indicator", "period", NULL},
	.numbers = (const char *const[]){"actual", "target", NULL},
};

struct run {
	bool empty_clears;
	struct buf copy;
	struct encode_ctx enc;
};

static void on_reject(void *ctx, long line, long idx, const char *field, const char *code, const char *message)
{
	FUZZ_CHECK(code && *code, "a rejection without a code (row %ld)", line);
	FUZZ_CHECK(message && *message, "rejection %s without a message (row %ld)", code, line);
	FUZZ_CHECK(line >= 1 && line <= 1048576, "rejection %s on row %ld", code, line);
	FUZZ_CHECK(idx == -1, "rejection %s with idx %ld", code, idx);
	if (field)
		(void)strlen(field);
}

/* What a cell may hand on: UTF-8 with no control character but tab and
 * line break. */
static bool clean_cell(const char *s, size_t len)
{
	size_t bad;
	if (!utf8_valid(s, len, &bad))
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7F ||
		    (c == 0xC2 && i + 1 < len && (unsigned char)s[i + 1] < 0xA0))
			return false;
	}
	return true;
}

static bool on_row(void *ctx, const struct import_record *rec)
{
	struct run *run = ctx;
	FUZZ_CHECK(rec->nfields >= 0 && rec->nfields <= IMPORT_MAX_FIELDS, "a record with %d fields", rec->nfields);
	FUZZ_CHECK(rec->line >= 2 && rec->line <= 1048576, "a record on row %ld (the header is on row 1 or later)",
	           rec->line);
	FUZZ_CHECK(rec->idx == -1, "a record with idx %ld", rec->idx);
	for (int i = 0; i < rec->nfields; i++) {
		const struct import_field *f = &rec->fields[i];
		FUZZ_CHECK(f->name && f->text, "field %d without a name or text", i);
		FUZZ_CHECK(strlen(f->text) == f->len, "field %s: len %zu but strlen %zu", f->name, f->len, strlen(f->text));
		bool known = false;
		for (const char *const *a = allowed; *a && !known; a++)
			known = !strcmp(*a, f->name);
		FUZZ_CHECK(known, "a record names column '%s', which the header may not have", f->name);
		FUZZ_CHECK(f->kind == FIELD_STRING || f->kind == FIELD_NUMBER || (f->kind == FIELD_NULL && run->empty_clears),
		           "field %s of kind %d", f->name, (int)f->kind);
		FUZZ_CHECK(f->kind != FIELD_NUMBER || !strcmp(f->name, "actual") || !strcmp(f->name, "target"),
		           "a number cell in column %s handed on as a number", f->name);
		FUZZ_CHECK(f->kind == FIELD_NULL ? f->len == 0 : f->len > 0, "field %s: kind %d with %zu bytes", f->name,
		           (int)f->kind, f->len);
		FUZZ_CHECK(clean_cell(f->text, f->len), "field %s holds a control character or is not UTF-8: %.*s", f->name,
		           (int)f->len, f->text);
	}
	fuzz_encode_value_row(&run->enc, rec);
	return true;
}

#define MAIN_NS "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
#define RELS_NS "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

static void need(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz_xlsx: %s failed\n", what);
		abort();
	}
}

static void add_part(zip_t *z, const char *name, const void *data, size_t len)
{
	zip_source_t *part = zip_source_buffer(z, data, len, 0);
	need(part != NULL, "zip_source_buffer");
	zip_int64_t i = zip_file_add(z, name, part, ZIP_FL_ENC_UTF_8);
	if (i < 0)
		zip_source_free(part);
	need(i >= 0, "zip_file_add");
	need(zip_set_file_compression(z, (zip_uint64_t)i, ZIP_CM_STORE, 0) == 0, "zip_set_file_compression");
}

/* The parts, packed into a workbook (a zip in memory, by libzip). */
static void pack(const uint8_t *data, size_t size, struct buf *out)
{
	static const char *const names[] = {"xl/worksheets/sheet1.xml", "xl/sharedStrings.xml", "xl/styles.xml",
	                                    "xl/workbook.xml", "xl/_rels/workbook.xml.rels"};
	static const char workbook[] = "<workbook xmlns=\"" MAIN_NS "\" xmlns:r=\"" RELS_NS "\"><sheets>"
	                               "<sheet name=\"1\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>";
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *src = zip_source_buffer_create(NULL, 0, 0, &ze);
	need(src != NULL, "zip_source_buffer_create");
	zip_source_keep(src); /* the archive is read back from it after zip_close */
	zip_t *z = zip_open_from_source(src, ZIP_TRUNCATE, &ze);
	need(z != NULL, "zip_open_from_source");
	size_t pos = 0;
	bool have_workbook = false;
	for (int k = 0; k < 5; k++) {
		const uint8_t *sep = memchr(data + pos, 0xFF, size - pos);
		size_t n = sep ? (size_t)(sep - (data + pos)) : size - pos;
		if (n)
			add_part(z, names[k], data + pos, n);
		have_workbook = have_workbook || (k == 3 && n);
		pos += n;
		if (!sep)
			break;
		pos++;
	}
	if (!have_workbook) /* also keeps the archive from being empty, which libzip would not write */
		add_part(z, names[3], workbook, sizeof workbook - 1);
	need(zip_close(z) == 0, "zip_close");
	need(zip_source_open(src) == 0 && zip_source_seek(src, 0, SEEK_END) == 0, "zip_source_open");
	zip_int64_t len = zip_source_tell(src);
	need(len >= 0 && zip_source_seek(src, 0, SEEK_SET) == 0, "zip_source_tell");
	buf_reserve(out, (size_t)len);
	need(zip_source_read(src, out->data, (zip_uint64_t)len) == len, "zip_source_read");
	out->len = (size_t)len;
	zip_source_close(src);
	zip_source_free(src);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size == 0)
		return 0;
	struct run run = {.empty_clears = data[0] & 2, .copy = BUF_INIT};
	run.enc = (struct encode_ctx){.decimal = data[0] & 1 ? DECIMAL_COMMA : DECIMAL_UNDECLARED, .copy = &run.copy,
	                              .reject = on_reject, .reject_ctx = &run, .scratch = BUF_INIT};
	struct buf packed = BUF_INIT;
	char *body;
	size_t len;
	if (data[0] & 4) {
		pack(data + 1, size - 1, &packed);
		body = packed.data;
		len = packed.len;
	} else {
		body = fuzz_cstr(data + 1, size - 1); /* its own allocation, so ASan sees reads past its end */
		len = size - 1;
	}
	struct import_sink sink = {.ctx = &run, .empty_clears = run.empty_clears, .row = on_row, .reject = on_reject};
	struct read_error err = {NULL, "", 0};
	struct buf ignored = BUF_INIT;
	if (!xlsx_read(body, len, &columns, &sink, &err, &ignored)) {
		FUZZ_CHECK(err.code && (!strcmp(err.code, "invalid_xlsx") || !strcmp(err.code, "invalid_csv_header")),
		           "a failed read with problem code %s", err.code ? err.code : "(none)");
		FUZZ_CHECK(memchr(err.message, '\0', sizeof err.message) && err.message[0],
		           "a failed read (%s) without a message", err.code);
		FUZZ_CHECK(err.line >= 1 && err.line <= 1048576, "a failed read (%s) on row %ld", err.code, err.line);
	}
	size_t bad;
	FUZZ_CHECK(utf8_valid(ignored.data ? ignored.data : "", ignored.len, &bad),
	           "the ignored column names are not UTF-8 at byte %zu", bad);
	if (data[0] & 4)
		buf_free(&packed);
	else
		free(body);
	buf_free(&ignored);
	buf_free(&run.copy);
	buf_free(&run.enc.scratch);
	return 0;
}
