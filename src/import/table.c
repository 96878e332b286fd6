/* Tables to import records (see table.h). */
#include "import/table.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/labels.h"
#include "util/alloc.h"
#include "util/utf8.h"

void table_init(struct table *t, const struct import_columns *cols, const struct import_sink *sink,
                struct read_error *err, const char *what)
{
	memset(t, 0, sizeof *t);
	t->cols = cols;
	t->sink = sink;
	t->err = err;
	t->what = what;
	t->ignored = (struct buf)BUF_INIT;
	t->texts = (struct buf)BUF_INIT;
}

void table_free(struct table *t)
{
	for (int i = 0; i < t->ncols; i++)
		free(t->names[i]);
	t->ncols = 0;
	buf_free(&t->ignored);
	buf_free(&t->texts);
}

void table_fail(struct table *t, const char *code, long line, const char *fmt, ...)
{
	if (t->failed)
		return;
	t->failed = true;
	t->err->code = code;
	t->err->line = line;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(t->err->message, sizeof t->err->message, fmt, ap);
	va_end(ap);
}

static bool listed(const char *const *list, const char *name)
{
	for (const char *const *p = list; p && *p; p++)
		if (!strcmp(*p, name))
			return true;
	return false;
}

static bool blank(const struct table_cell *cells, int n)
{
	for (int i = 0; i < n; i++)
		for (size_t k = 0; k < cells[i].len; k++) {
			char c = cells[i].text[k];
			if (c != ' ' && c != '\t' && c != '\r')
				return false;
		}
	return true;
}

/* The header cell's text without the spaces around it. */
static char *trimmed(const struct table_cell *c)
{
	const char *f = c->text ? c->text : "";
	size_t n = c->len;
	while (n && (*f == ' ' || *f == '\t')) {
		f++;
		n--;
	}
	while (n && (f[n - 1] == ' ' || f[n - 1] == '\t' || f[n - 1] == '\r'))
		n--;
	return xstrndup(f, n);
}

/* The header cell as a column name: trimmed, ASCII letters lowercased. */
static char *plain_name(const struct table_cell *c)
{
	char *name = trimmed(c);
	for (char *p = name; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return name;
}

static void unknown_column(struct table *t, const char *shown, long line)
{
	struct buf allowed = BUF_INIT;
	for (const char *const *p = t->cols->allowed; *p; p++)
		buf_printf(&allowed, "%s%s", p == t->cols->allowed ? "" : ",", *p);
	table_fail(t, "invalid_csv_header", line,
	           "unknown column '%.*s' in the header; the columns are %s (or their Vietnamese titles, as an export "
	           "writes them)",
	           utf8_cut(shown, strlen(shown), 40), shown, buf_cstr(&allowed));
	buf_free(&allowed);
}

static void header(struct table *t, const struct table_cell *cells, int n, int more, long line)
{
	t->have_header = true;
	if (more || n > TABLE_MAX_COLUMNS) {
		table_fail(t, "invalid_csv_header", line, "the header has more than %d columns", TABLE_MAX_COLUMNS);
		return;
	}
	bool titled = false;
	for (int i = 0; i < n; i++) {
		char *name = plain_name(&cells[i]);
		const char *column = listed(t->cols->allowed, name) ? name : label_column(cells[i].text, cells[i].len);
		t->names[t->ncols++] = name;
		if (!column) {
			unknown_column(t, name, line);
			return;
		}
		titled = titled || strcmp(column, name);
		if (!listed(t->cols->allowed, column)) {
			/* an export's own column the import does not take */
			t->kinds[i] = TABLE_IGNORED;
			char *shown = trimmed(&cells[i]);
			buf_printf(&t->ignored, "%s%s", t->ignored.len ? "\n" : "", shown);
			free(shown);
			continue;
		}
		if (column != name) {
			free(name);
			t->names[i] = xstrdup(column);
		}
		t->kinds[i] = listed(t->cols->key, column) ? TABLE_KEY : TABLE_FIELD;
		for (int j = 0; j < i; j++)
			if (t->kinds[j] != TABLE_IGNORED && !strcmp(t->names[j], t->names[i])) {
				table_fail(t, "invalid_csv_header", line, "column '%s' appears twice in the header", t->names[i]);
				return;
			}
	}
	for (const char *const *req = t->cols->required; req && *req; req++) {
		bool found = false;
		char alt[64];
		snprintf(alt, sizeof alt, "%s", *req);
		for (char *save = NULL, *tok = strtok_r(alt, "|", &save); tok && !found; tok = strtok_r(NULL, "|", &save))
			for (int i = 0; i < t->ncols; i++)
				found = found || (t->kinds[i] != TABLE_IGNORED && !strcmp(t->names[i], tok));
		if (!found) {
			char shown[64];
			snprintf(shown, sizeof shown, "%s", *req);
			for (char *c = shown; *c; c++)
				if (*c == '|')
					*c = '/';
			table_fail(t, "invalid_csv_header", line, "the header has no %s column", shown);
			return;
		}
	}
	if (t->sink->header)
		t->sink->header(t->sink->ctx, titled);
}

static void record(struct table *t, const struct table_cell *cells, int n, int more, long line)
{
	if (n + more != t->ncols) {
		char msg[160];
		snprintf(msg, sizeof msg, "this %s has %d field%s but the header has %d", t->what, n + more,
		         n + more == 1 ? "" : "s", t->ncols);
		t->sink->reject(t->sink->ctx, line, -1, NULL, "wrong_field_count", msg);
		return;
	}
	/* The cells go back to back in t->texts, each with its NUL; the
	 * pointers are set once the buffer stops moving. */
	struct import_record rec;
	rec.line = line;
	rec.idx = -1;
	rec.nfields = 0;
	buf_reset(&t->texts);
	for (int i = 0; i < t->ncols; i++) {
		size_t len = cells[i].len;
		if (t->kinds[i] == TABLE_IGNORED || (len == 0 && (t->kinds[i] == TABLE_KEY || !t->sink->empty_clears)))
			continue;
		if (rec.nfields == IMPORT_MAX_FIELDS)
			break; /* cannot happen: the import columns are fewer */
		struct import_field *f = &rec.fields[rec.nfields++];
		f->name = t->names[i];
		f->kind = len == 0                                                     ? FIELD_NULL
		          : cells[i].number && listed(t->cols->numbers, t->names[i]) ? FIELD_NUMBER
		                                                                     : FIELD_STRING;
		/* an export shows enum values in Vietnamese (LĐLĐ quận, huyện): back to the value */
		const char *value = f->kind == FIELD_STRING ? label_value(t->names[i], cells[i].text, len) : NULL;
		const char *text = value ? value : cells[i].text ? cells[i].text : "";
		f->len = value ? strlen(value) : len;
		f->text = (const char *)(uintptr_t)t->texts.len;
		buf_append(&t->texts, text, f->len);
		buf_putc(&t->texts, '\0');
	}
	for (int i = 0; i < rec.nfields; i++)
		rec.fields[i].text = t->texts.data + (uintptr_t)rec.fields[i].text;
	if (!t->sink->row(t->sink->ctx, &rec))
		t->stopped = true;
}

/* A title above the header, as an XLSX export writes one ("Bảng xếp hạng
 * thi đua — HN-CUM1 — …") and officers type: one cell of words that names
 * no column. */
static bool title(const struct table *t, const struct table_cell *cells, int n)
{
	int filled = -1;
	for (int i = 0; i < n; i++)
		if (!blank(&cells[i], 1)) {
			if (filled >= 0)
				return false;
			filled = i;
		}
	if (filled < 0 || !memchr(cells[filled].text, ' ', cells[filled].len))
		return false;
	char *name = plain_name(&cells[filled]);
	bool names_a_column = listed(t->cols->allowed, name) || label_column(cells[filled].text, cells[filled].len);
	free(name);
	return !names_a_column;
}

bool table_row(struct table *t, const struct table_cell *cells, int n, int more, long line)
{
	if (t->failed || t->stopped)
		return false;
	if (blank(cells, n) && !more)
		return true; /* a row of empty cells, as spreadsheets leave at the end */
	if (!t->have_header && !more && t->titles < 5 && title(t, cells, n)) {
		t->titles++;
		return true;
	}
	if (!t->have_header)
		header(t, cells, n, more, line);
	else
		record(t, cells, n, more, line);
	return !t->failed && !t->stopped;
}

bool table_end(struct table *t)
{
	if (!t->failed && !t->have_header)
		table_fail(t, "invalid_csv_header", 1, "the file is empty; its first %s names the columns", t->what);
	return !t->failed;
}
