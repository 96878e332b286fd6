/* Documents from rows (see document.h). */
#include <string.h>

#include "render/document.h"
#include "render/json.h"

enum column_role { COL_FIELD, COL_PLAIN, COL_NESTED, COL_HIDDEN };

static enum column_role role_of(const char *name)
{
	if (name[0] == '@')
		return COL_FIELD;
	if (name[0] == '_')
		return COL_HIDDEN;
	return strchr(name, '.') ? COL_NESTED : COL_PLAIN;
}

static bool same_cell(const PGresult *res, int a, int b, int col)
{
	bool na = PQgetisnull(res, a, col), nb = PQgetisnull(res, b, col);
	if (na || nb)
		return na && nb;
	return PQgetlength(res, a, col) == PQgetlength(res, b, col) &&
	       !memcmp(PQgetvalue(res, a, col), PQgetvalue(res, b, col), (size_t)PQgetlength(res, a, col));
}

static bool same_plain(const PGresult *res, int a, int b)
{
	for (int c = 0; c < PQnfields(res); c++)
		if (role_of(PQfname(res, c)) == COL_PLAIN && !same_cell(res, a, b, c))
			return false;
	return true;
}

static bool all_null(const PGresult *res, int row, enum column_role role, const char *group, size_t glen)
{
	for (int c = 0; c < PQnfields(res); c++) {
		const char *name = PQfname(res, c);
		if (role_of(name) != role || (group && strncmp(name, group, glen)) || (group && name[glen] != '.'))
			continue;
		if (!PQgetisnull(res, row, c))
			return false;
	}
	return true;
}

static void key(struct buf *out, const char *name, size_t len)
{
	buf_json_string(out, name, len);
	buf_putc(out, ':');
}

/* The nested arrays of rows [from, to) of one element. */
static void nested(struct buf *out, const PGresult *res, int from, int to)
{
	int ncols = PQnfields(res);
	for (int c = 0; c < ncols; c++) {
		const char *name = PQfname(res, c);
		if (role_of(name) != COL_NESTED)
			continue;
		size_t glen = (size_t)(strchr(name, '.') - name);
		bool seen = false; /* render each group once, at its first column */
		for (int k = 0; k < c && !seen; k++)
			seen = role_of(PQfname(res, k)) == COL_NESTED && !strncmp(PQfname(res, k), name, glen) &&
			       PQfname(res, k)[glen] == '.';
		if (seen)
			continue;
		buf_putc(out, ',');
		key(out, name, glen);
		buf_putc(out, '[');
		bool first_element = true;
		for (int r = from; r < to; r++) {
			if (all_null(res, r, COL_NESTED, name, glen))
				continue;
			if (!first_element)
				buf_putc(out, ',');
			first_element = false;
			buf_putc(out, '{');
			bool first = true;
			for (int k = c; k < ncols; k++) {
				const char *kn = PQfname(res, k);
				if (role_of(kn) != COL_NESTED || strncmp(kn, name, glen) || kn[glen] != '.')
					continue;
				if (!first)
					buf_putc(out, ',');
				first = false;
				key(out, kn + glen + 1, strlen(kn + glen + 1));
				render_json_value(out, res, r, k);
			}
			buf_putc(out, '}');
		}
		buf_putc(out, ']');
	}
}

void render_json_document(struct buf *out, const PGresult *res, const char *array_name)
{
	int nrows = PQntuples(res), ncols = PQnfields(res);
	buf_putc(out, '{');
	for (int c = 0; c < ncols; c++) {
		const char *name = PQfname(res, c);
		if (role_of(name) != COL_FIELD)
			continue;
		key(out, name + 1, strlen(name + 1));
		if (nrows)
			render_json_value(out, res, 0, c);
		else
			buf_puts(out, "null");
		buf_putc(out, ',');
	}
	key(out, array_name, strlen(array_name));
	buf_putc(out, '[');
	bool first_element = true;
	for (int r = 0; r < nrows;) {
		int end = r + 1;
		while (end < nrows && same_plain(res, r, end))
			end++;
		if (!all_null(res, r, COL_PLAIN, NULL, 0)) {
			if (!first_element)
				buf_putc(out, ',');
			first_element = false;
			buf_putc(out, '{');
			bool first = true;
			for (int c = 0; c < ncols; c++) {
				const char *name = PQfname(res, c);
				if (role_of(name) != COL_PLAIN)
					continue;
				if (!first)
					buf_putc(out, ',');
				first = false;
				key(out, name, strlen(name));
				render_json_value(out, res, r, c);
			}
			nested(out, res, r, end);
			buf_putc(out, '}');
		}
		r = end;
	}
	buf_puts(out, "]}");
}
