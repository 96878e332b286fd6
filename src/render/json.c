/* Query results as JSON (see json.h). Rows are written straight from the
 * result's text, so no number ever passes through a double. */
#include <string.h>

#include "render/json.h"

int render_column(const PGresult *res, const char *name)
{
	return PQfnumber(res, name);
}

void render_timestamp(struct buf *out, const char *s)
{
	size_t n = strlen(s);
	const char *zone = s + n;
	/* The zone is the last '+' or '-' after the time part. */
	for (const char *p = s + n; p > s + 10; p--) {
		if (*p == '+' || *p == '-') {
			zone = p;
			break;
		}
	}
	buf_putc(out, '"');
	for (const char *p = s; p < zone; p++)
		buf_putc(out, *p == ' ' ? 'T' : *p);
	if (!strcmp(zone, "+00"))
		buf_putc(out, 'Z');
	else if (strlen(zone) == 3)
		buf_printf(out, "%s:00", zone);
	else
		buf_puts(out, zone);
	buf_putc(out, '"');
}

/* PostgreSQL prints json with blanks after ':' and ','; drop every blank
 * outside strings. Only whitespace goes, so numbers keep their digits. */
static void compact_json(struct buf *out, const char *s, size_t len)
{
	bool in_string = false;
	size_t run = 0;
	buf_reserve(out, len);
	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		if (in_string) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = false;
			continue;
		}
		if (c == '"') {
			in_string = true;
		} else if (c == ' ' || c == '\n' || c == '\t' || c == '\r') {
			buf_append(out, s + run, i - run);
			run = i + 1;
		}
	}
	buf_append(out, s + run, len - run);
}

size_t render_numeric_len(const char *text, size_t len)
{
	if (!memchr(text, '.', len))
		return len;
	while (len && text[len - 1] == '0')
		len--;
	if (len && text[len - 1] == '.')
		len--;
	return len;
}

void render_json_value(struct buf *out, const PGresult *res, int row, int col)
{
	if (PQgetisnull(res, row, col)) {
		buf_puts(out, "null");
		return;
	}
	const char *v = PQgetvalue(res, row, col);
	switch (PQftype(res, col)) {
	case OID_BOOL:
		buf_puts(out, v[0] == 't' ? "true" : "false");
		break;
	case OID_INT2:
	case OID_INT4:
	case OID_INT8:
	case OID_FLOAT4:
	case OID_FLOAT8:
		buf_append(out, v, (size_t)PQgetlength(res, row, col));
		break;
	case OID_NUMERIC:
		buf_append(out, v, render_numeric_len(v, (size_t)PQgetlength(res, row, col)));
		break;
	case OID_JSON:
	case OID_JSONB:
		compact_json(out, v, (size_t)PQgetlength(res, row, col));
		break;
	case OID_TIMESTAMPTZ:
		render_timestamp(out, v);
		break;
	default:
		buf_json_string(out, v, (size_t)PQgetlength(res, row, col));
	}
}

void render_json_object(struct buf *out, const PGresult *res, int row)
{
	int ncols = PQnfields(res);
	bool first = true;
	buf_putc(out, '{');
	for (int c = 0; c < ncols; c++) {
		const char *name = PQfname(res, c);
		if (name[0] == '_')
			continue;
		if (!first)
			buf_putc(out, ',');
		first = false;
		buf_json_string(out, name, strlen(name));
		buf_putc(out, ':');
		render_json_value(out, res, row, c);
	}
	buf_putc(out, '}');
}

void render_json_array(struct buf *out, const PGresult *res, int from, int to)
{
	buf_putc(out, '[');
	for (int r = from; r < to; r++) {
		if (r > from)
			buf_putc(out, ',');
		render_json_object(out, res, r);
	}
	buf_putc(out, ']');
}
