/* Query results as JSON, the base every renderer shares.
 *
 * Column types come from the result itself (PQftype): numbers and booleans
 * are written raw — a numeric leaves with exactly the digits PostgreSQL
 * stored —, json columns verbatim, timestamps as ISO-8601 UTC, everything
 * else as strings, NULL as null. Columns whose name starts with "_" are
 * internal (the keyset cursor) and never rendered. */
#ifndef THIDUA_RENDER_JSON_H
#define THIDUA_RENDER_JSON_H

#include <libpq-fe.h>

#include "util/buf.h"

/* One cell as a JSON value. */
void render_json_value(struct buf *out, const PGresult *res, int row, int col);
/* One row as a JSON object. */
void render_json_object(struct buf *out, const PGresult *res, int row);
/* Rows [from, to) as a JSON array of objects. */
void render_json_array(struct buf *out, const PGresult *res, int from, int to);
/* The length of a numeric's text in its shortest exact form: trailing
 * zeros after the decimal point go, and the point when nothing follows it
 * (95.0 is 95, 2516.100 is 2516.1). Every renderer writes numbers so. */
size_t render_numeric_len(const char *text, size_t len);
/* Index of a column by name, -1 when absent. */
int render_column(const PGresult *res, const char *name);

/* PostgreSQL type oids the renderers distinguish (catalog/pg_type.dat). */
enum {
	OID_BOOL = 16,
	OID_INT8 = 20,
	OID_INT2 = 21,
	OID_INT4 = 23,
	OID_JSON = 114,
	OID_FLOAT4 = 700,
	OID_FLOAT8 = 701,
	OID_DATE = 1082,
	OID_TEXT_ARRAY = 1009,
	OID_TIMESTAMPTZ = 1184,
	OID_NUMERIC = 1700,
	OID_JSONB = 3802,
};

/* Writes a timestamptz in PostgreSQL's ISO text form ("2026-11-22
 * 05:04:03.12+00") as ISO-8601 ("2026-11-22T05:04:03.12Z"). */
void render_timestamp(struct buf *out, const char *pg_text);

#endif
