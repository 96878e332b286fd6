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
#include "import/table.h"
#include "util/alloc.h"
#include "util/buf.h"
#include "util/utf8.h"

#define MAX_FIELDS (TABLE_MAX_COLUMNS + 1)

struct csv_state {
	struct table table;
	/* the row being read: its fields back to back in `text` */
	struct buf text;
	size_t starts[MAX_FIELDS];
	size_t lens[MAX_FIELDS];
	int nfields;
	int overflow;     /* fields beyond MAX_FIELDS */
	long line;        /* the line being fed */
	long record_line; /* where the current row started, 0 when none */
};

static void field_cb(void *field, size_t len, void *data)
{
	struct csv_state *st = data;
	if (st->nfields >= MAX_FIELDS) {
		st->overflow++;
		return;
	}
	st->starts[st->nfields] = st->text.len;
	st->lens[st->nfields] = len;
	buf_append(&st->text, field ? field : "", field ? len : 0);
	st->nfields++;
}

static void record_cb(int c, void *data)
{
	(void)c;
	struct csv_state *st = data;
	struct table_cell cells[MAX_FIELDS];
	for (int i = 0; i < st->nfields; i++) {
		cells[i] = (struct table_cell){.text = st->text.data + st->starts[i], .len = st->lens[i]};
	}
	/* a trailing CR of a CRLF line ending is not data */
	if (st->nfields && cells[st->nfields - 1].len && cells[st->nfields - 1].text[cells[st->nfields - 1].len - 1] == '\r')
		cells[st->nfields - 1].len--;
	table_row(&st->table, cells, st->nfields, st->overflow, st->record_line);
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
              struct read_error *err, struct buf *ignored)
{
	struct csv_state st;
	memset(&st, 0, sizeof st);
	table_init(&st.table, cols, sink, err, "line");
	struct table *t = &st.table;
	struct csv_parser parser;
	if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		abort();
	csv_set_delim(&parser, csv_separator(body, len));
	csv_set_space_func(&parser, is_space);

	size_t pos = 0;
	while (pos < len && !t->failed && !t->stopped) {
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
			table_fail(t, "invalid_csv", st.line,
			           "line %ld: a quote is out of place; inside a quoted field write a quote as two quotes (\"\")",
			           st.line);
		}
		pos = end;
	}
	if (!t->failed && !t->stopped && csv_fini(&parser, field_cb, record_cb, &st) != 0)
		table_fail(t, "invalid_csv", st.record_line ? st.record_line : st.line,
		           "the quoted field that starts on line %ld never ends", st.record_line ? st.record_line : st.line);
	bool ok = t->stopped || table_end(t);
	if (ignored)
		buf_append(ignored, t->ignored.data ? t->ignored.data : "", t->ignored.len);
	csv_free(&parser);
	table_free(t);
	buf_free(&st.text);
	return ok;
}
