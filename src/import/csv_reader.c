/* CSV bodies (see csv_reader.h), with libcsv. libcsv does not count lines, so
 * the body is fed to it one line at a time: a record starts on the first
 * non-blank line fed after the previous record ended. */
#include <csv.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "import/csv_reader.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

#define MAX_COLUMNS 32

struct csv_state {
	const struct import_columns *cols;
	const struct import_sink *sink;
	struct read_error *err;
	bool failed;
	bool stopped;
	/* the record being read: its fields back to back in `text` */
	struct buf text;
	size_t starts[MAX_COLUMNS + 1];
	size_t lens[MAX_COLUMNS + 1];
	int nfields;
	int overflow;        /* fields beyond MAX_COLUMNS */
	long line;           /* the line being fed */
	long record_line;    /* where the current record started, 0 when none */
	/* the header */
	bool have_header;
	int ncols;
	char *names[MAX_COLUMNS];
	bool is_key[MAX_COLUMNS];
	struct buf json; /* the NUL-terminated cells of the record being handed on */
};

static bool listed(const char *const *list, const char *name)
{
	for (const char *const *p = list; p && *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

static void field_cb(void *field, size_t len, void *data)
{
	struct csv_state *st = data;
	if (st->nfields >= MAX_COLUMNS + 1) {
		st->overflow++;
		return;
	}
	st->starts[st->nfields] = st->text.len;
	st->lens[st->nfields] = len;
	buf_append(&st->text, field ? field : "", field ? len : 0);
	st->nfields++;
}

static void fail(struct csv_state *st, const char *code, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void fail(struct csv_state *st, const char *code, long line, const char *fmt, ...)
{
	if (st->failed)
		return;
	st->failed = true;
	st->err->code = code;
	st->err->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(st->err->message, sizeof st->err->message, fmt, ap);
	va_end(ap);
}

static void header(struct csv_state *st)
{
	st->have_header = true;
	if (st->overflow || st->nfields > MAX_COLUMNS) {
		fail(st, "invalid_csv_header", st->record_line, "the header has more than %d columns", MAX_COLUMNS);
		return;
	}
	st->ncols = st->nfields;
	for (int i = 0; i < st->nfields; i++) {
		/* Column names are matched without regard to case or spaces. */
		const char *f = st->text.data + st->starts[i];
		size_t n = st->lens[i];
		while (n && (*f == ' ' || *f == '\t')) {
			f++;
			n--;
		}
		while (n && (f[n - 1] == ' ' || f[n - 1] == '\t' || f[n - 1] == '\r'))
			n--;
		char *name = xstrndup(f, n);
		for (char *c = name; *c; c++)
			if (*c >= 'A' && *c <= 'Z')
				*c = (char)(*c - 'A' + 'a');
		st->names[i] = name;
		if (!listed(st->cols->allowed, name)) {
			struct buf allowed = BUF_INIT;
			for (const char *const *p = st->cols->allowed; *p; p++)
				buf_printf(&allowed, "%s%s", p == st->cols->allowed ? "" : ",", *p);
			fail(st, "invalid_csv_header", st->record_line, "unknown column '%.*s' in the header; the columns are %s",
			     utf8_cut(name, strlen(name), 40), name, buf_cstr(&allowed));
			buf_free(&allowed);
			return;
		}
		for (int j = 0; j < i; j++)
			if (!strcmp(st->names[j], name)) {
				fail(st, "invalid_csv_header", st->record_line, "column '%s' appears twice in the header", name);
				return;
			}
		st->is_key[i] = listed(st->cols->key, name);
	}
	for (const char *const *req = st->cols->required; req && *req; req++) {
		bool found = false;
		char alt[64];
		snprintf(alt, sizeof alt, "%s", *req);
		for (char *save = NULL, *tok = strtok_r(alt, "|", &save); tok && !found; tok = strtok_r(NULL, "|", &save))
			for (int i = 0; i < st->ncols; i++)
				found = found || !strcmp(st->names[i], tok);
		if (!found) {
			char shown[64];
			snprintf(shown, sizeof shown, "%s", *req);
			for (char *c = shown; *c; c++)
				if (*c == '|')
					*c = '/';
			fail(st, "invalid_csv_header", st->record_line, "the header has no %s column", shown);
			return;
		}
	}
}

static void record(struct csv_state *st)
{
	bool blank = true;
	for (int i = 0; i < st->nfields && blank; i++)
		for (size_t k = 0; k < st->lens[i] && blank; k++) {
			char c = st->text.data[st->starts[i] + k];
			blank = c == ' ' || c == '\t' || c == '\r';
		}
	if (blank)
		return; /* a row of empty cells, as spreadsheets leave at the end */
	int nfields = st->nfields + st->overflow;
	if (nfields != st->ncols) {
		char msg[160];
		snprintf(msg, sizeof msg, "this line has %d field%s but the header has %d", nfields, nfields == 1 ? "" : "s",
		         st->ncols);
		st->sink->reject(st->sink->ctx, st->record_line, -1, NULL, "wrong_field_count", msg);
		return;
	}
	/* The cells are back to back in st->text; each gets its NUL now. */
	struct import_record rec;
	rec.line = st->record_line;
	rec.idx = -1;
	rec.nfields = 0;
	buf_reset(&st->json);
	size_t offsets[MAX_COLUMNS];
	for (int i = 0; i < st->ncols; i++) {
		const char *f = st->text.data + st->starts[i];
		size_t n = st->lens[i];
		/* a trailing CR of a CRLF line ending is not data */
		if (i == st->ncols - 1 && n && f[n - 1] == '\r')
			n--;
		offsets[i] = st->json.len;
		buf_append(&st->json, f, n);
		buf_putc(&st->json, '\0');
		if (n == 0 && (st->is_key[i] || !st->sink->empty_clears))
			continue;
		rec.fields[rec.nfields].name = st->names[i];
		rec.fields[rec.nfields].len = n;
		rec.fields[rec.nfields].kind = n == 0 ? FIELD_NULL : FIELD_STRING;
		rec.fields[rec.nfields].text = (const char *)(uintptr_t)offsets[i]; /* fixed up below */
		rec.nfields++;
	}
	for (int i = 0; i < rec.nfields; i++)
		rec.fields[i].text = st->json.data + (uintptr_t)rec.fields[i].text;
	if (!st->sink->row(st->sink->ctx, &rec))
		st->stopped = true;
}

static void record_cb(int c, void *data)
{
	(void)c;
	struct csv_state *st = data;
	if (!st->failed && !st->stopped) {
		if (!st->have_header)
			header(st);
		else
			record(st);
	}
	buf_reset(&st->text);
	st->nfields = 0;
	st->overflow = 0;
	st->record_line = 0;
}

unsigned char csv_separator(const char *body, size_t len)
{
	size_t counts[3] = {0, 0, 0};
	for (size_t i = 0; i < len && body[i] != '\n'; i++) {
		if (body[i] == ',')
			counts[0]++;
		else if (body[i] == ';')
			counts[1]++;
		else if (body[i] == '\t')
			counts[2]++;
	}
	if (counts[1] > counts[0] && counts[1] >= counts[2])
		return ';';
	if (counts[2] > counts[0] && counts[2] > counts[1])
		return '\t';
	return ',';
}

/* Where the line starting at pos ends (past its break): at LF, CRLF, or a
 * bare CR, which Excel for Mac still writes ("CSV (Macintosh)"). */
static size_t line_end(const char *body, size_t pos, size_t len)
{
	for (size_t i = pos; i < len; i++) {
		if (body[i] == '\n')
			return i + 1;
		if (body[i] == '\r')
			return i + 1 < len && body[i + 1] == '\n' ? i + 2 : i + 1;
	}
	return len;
}

static int is_space(unsigned char c)
{
	return c == ' ';
}

bool csv_read(const char *body, size_t len, const struct import_columns *cols, const struct import_sink *sink,
              struct read_error *err)
{
	struct csv_state st;
	memset(&st, 0, sizeof st);
	st.cols = cols;
	st.sink = sink;
	st.err = err;
	struct csv_parser parser;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		abort();
	csv_set_delim(&parser, csv_separator(body, len));
	csv_set_space_func(&parser, is_space);

	size_t pos = 0;
	while (pos < len && !st.failed && !st.stopped) {
		size_t end = line_end(body, pos, len);
		st.line++;
		if (st.record_line == 0) {
			bool blank = true;
			for (size_t i = pos; i < end && blank; i++)
				blank = body[i] == '\n' || body[i] == '\r' || body[i] == ' ';
			if (!blank)
				st.record_line = st.line;
		}
		if (csv_parse(&parser, body + pos, end - pos, field_cb, record_cb, &st) != end - pos) {
			fail(&st, "invalid_csv", st.line,
			     "line %ld: a quote is out of place; inside a quoted field write a quote as two quotes (\"\")", st.line);
		}
		pos = end;
	}
	if (!st.failed && !st.stopped && csv_fini(&parser, field_cb, record_cb, &st) != 0)
		fail(&st, "invalid_csv", st.record_line ? st.record_line : st.line,
		     "the quoted field that starts on line %ld never ends", st.record_line ? st.record_line : st.line);
	if (!st.failed && !st.have_header)
		fail(&st, "invalid_csv_header", 1, "the file is empty; the first line names the columns");
	csv_free(&parser);
	for (int i = 0; i < st.ncols; i++)
		free(st.names[i]);
	buf_free(&st.text);
	buf_free(&st.json);
	return !st.failed;
}
