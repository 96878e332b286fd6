/* Rows as CSV for Excel (see render_csv in render.h). */
#include <jansson.h>
#include <string.h>

#include "render/render.h"

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

void render_csv(struct buf *out, const PGresult *res, int rows, bool decimal_comma)
{
	char sep = decimal_comma ? ';' : ',';
	int ncols = PQnfields(res);
	buf_puts(out, "\xEF\xBB\xBF"); /* BOM: Excel then reads the file as UTF-8 */
	bool first = true;
	for (int c = 0; c < ncols; c++) {
		if (!exported(PQfname(res, c)))
			continue;
		if (!first)
			buf_putc(out, sep);
		first = false;
		const char *label = render_label(PQfname(res, c));
		cell(out, label, strlen(label), sep);
	}
	buf_puts(out, "\r\n");
	for (int r = 0; r < rows && r < PQntuples(res); r++) {
		bool empty = true; /* an outer join that found nothing */
		for (int c = 0; c < ncols && empty; c++)
			empty = !exported(PQfname(res, c)) || PQgetisnull(res, r, c);
		if (empty)
			continue;
		first = true;
		for (int c = 0; c < ncols; c++) {
			if (!exported(PQfname(res, c)))
				continue;
			if (!first)
				buf_putc(out, sep);
			first = false;
			if (PQgetisnull(res, r, c))
				continue;
			const char *v = PQgetvalue(res, r, c);
			size_t len = (size_t)PQgetlength(res, r, c);
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
		buf_puts(out, "\r\n");
	}
}
