/* Rows as CSV for Excel (see csv.h). */
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "domain/labels.h"
#include "render/csv.h"
#include "render/json.h"
#include "util/alloc.h"

static bool exported(const char *name)
{
	return name[0] != '@' && name[0] != '_';
}

static void cell(struct buf *out, const char *s, size_t len, char sep)
{
	bool quote = false;
	for (size_t i = 0; i < len && !quote; i++)
		quote = s[i] == sep || s[i] == '"' || s[i] == '\n' || s[i] == '\r';
	if (!quote) {
		buf_append(out, s, len);
		return;
	}
	buf_putc(out, '"');
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"')
			buf_putc(out, '"');
		buf_putc(out, s[i]);
	}
	buf_putc(out, '"');
}

/* A json cell: a list of texts becomes "a, b"; anything else its text. */
static void json_cell(struct buf *out, const char *text, char sep)
{
	json_t *v = json_loads(text, JSON_DECODE_ANY, NULL);
	struct buf joined = BUF_INIT;
	if (json_is_array(v)) {
		size_t i;
		json_t *e;
		json_array_foreach(v, i, e)
		{
			if (i)
				buf_puts(&joined, ", ");
			if (json_is_string(e))
				buf_puts(&joined, json_string_value(e));
		}
		cell(out, buf_cstr(&joined), joined.len, sep);
	} else {
		cell(out, text, strlen(text), sep);
	}
	buf_free(&joined);
	json_decref(v);
}

/* One value in its column's way: numbers with the decimal separator asked
 * for, json lists joined, timestamps as ISO-8601, the rest as text. */
static void value_cell(struct buf *out, const PGresult *res, int r, int c, bool decimal_comma, char sep)
{
	const char *v = PQgetvalue(res, r, c);
	size_t len = (size_t)PQgetlength(res, r, c);
	if (PQftype(res, c) == OID_NUMERIC)
		len = render_numeric_len(v, len);
	switch (PQftype(res, c)) {
	case OID_NUMERIC:
	case OID_FLOAT4:
	case OID_FLOAT8:
		if (decimal_comma) {
			for (size_t i = 0; i < len; i++)
				buf_putc(out, v[i] == '.' ? ',' : v[i]);
		} else {
			buf_append(out, v, len);
		}
		break;
	case OID_JSON:
	case OID_JSONB:
		json_cell(out, v, sep);
		break;
	case OID_TIMESTAMPTZ: {
		struct buf ts = BUF_INIT;
		render_timestamp(&ts, v);
		cell(out, ts.data + 1, ts.len - 2, sep); /* without the JSON quotes */
		buf_free(&ts);
		break;
	}
	default:
		cell(out, v, len, sep);
	}
}

void render_csv(struct buf *out, const PGresult *res, int rows, bool decimal_comma)
{
	char sep = decimal_comma ? ';' : ',';
	int ncols = PQnfields(res), n = 0;
	int *cols = xcalloc((size_t)ncols + 1, sizeof *cols); /* the exported ones */
	for (int c = 0; c < ncols; c++)
		if (exported(PQfname(res, c)))
			cols[n++] = c;
	buf_puts(out, "\xEF\xBB\xBF"); /* BOM: Excel then reads the file as UTF-8 */
	for (int k = 0; k < n; k++) {
		const char *label = label_of(PQfname(res, cols[k]));
		if (k)
			buf_putc(out, sep);
		cell(out, label, strlen(label), sep);
	}
	buf_puts(out, "\r\n");
	for (int r = 0; r < rows && r < PQntuples(res); r++) {
		bool empty = true; /* an outer join that found nothing */
		for (int k = 0; k < n && empty; k++)
			empty = PQgetisnull(res, r, cols[k]);
		if (empty)
			continue;
		for (int k = 0; k < n; k++) {
			if (k)
				buf_putc(out, sep);
			if (!PQgetisnull(res, r, cols[k]))
				value_cell(out, res, r, cols[k], decimal_comma, sep);
		}
		buf_puts(out, "\r\n");
	}
	free(cols);
}
