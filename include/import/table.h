/* A table read row by row — a CSV file, an XLSX sheet — turned into
 * import records. The first row that is not blank names the columns;
 * every later one is a record. What a header may say is decided here,
 * once for every tabular format:
 *
 *   - a column the import takes, by name (`actual`) or by the Vietnamese
 *     title an export gives it (`Thực hiện`), ASCII case and surrounding
 *     spaces aside: an exported file comes back as it is;
 *   - a column an export writes but the import does not take (names,
 *     labels, `updated_at`, computed figures): ignored, and listed in
 *     `ignored` for the summary;
 *   - anything else: the file is refused, naming the columns.
 *
 * Above the header, a row of one cell of words that names no column is a
 * title (an XLSX export writes one; officers type them) and is skipped. In
 * a column whose values an export shows in Vietnamese (`kind`: "LĐLĐ
 * quận, huyện"), the label is read back as its value ("district").
 *
 * In `key` columns an empty cell means the field is absent; in the others
 * it is absent too unless the sink says empty_clears (then null). A row
 * of empty cells is skipped. */
#ifndef THIDUA_IMPORT_TABLE_H
#define THIDUA_IMPORT_TABLE_H

#include <stdbool.h>
#include <stddef.h>

#include "import/record.h"
#include "util/buf.h"

#define TABLE_MAX_COLUMNS 64

struct table_cell {
	const char *text; /* not NUL-terminated; may be NULL when len is 0 */
	size_t len;
	/* An XLSX number cell (text as the file stores it, 2529.554): in a
	 * `numbers` column it is a number, which no decimal convention
	 * touches; elsewhere (a period typed as 2024) its text. */
	bool number;
};

enum table_column { TABLE_FIELD, TABLE_KEY, TABLE_IGNORED };

struct table {
	const struct import_columns *cols;
	const struct import_sink *sink;
	struct read_error *err;
	const char *what; /* "line" (CSV) or "row" (XLSX), for messages */
	bool failed;      /* err is filled */
	bool stopped;     /* the sink asked to stop */
	bool have_header;
	int titles;       /* title rows skipped above the header */
	int ncols;
	char *names[TABLE_MAX_COLUMNS];
	enum table_column kinds[TABLE_MAX_COLUMNS];
	struct buf ignored; /* the ignored headers, one per line */
	struct buf texts;   /* the record being handed on */
};

void table_init(struct table *t, const struct import_columns *cols, const struct import_sink *sink,
                struct read_error *err, const char *what);
void table_free(struct table *t);

/* One row: its cells (more than TABLE_MAX_COLUMNS are counted in `more`)
 * and the line or row number it starts on. False once reading must stop:
 * the file is refused (t->failed) or the sink stopped. */
bool table_row(struct table *t, const struct table_cell *cells, int n, int more, long line);

/* The end of the table: false (t->failed) when it had no header. */
bool table_end(struct table *t);

/* Fails the read with a problem code and message (the first failure
 * stays). */
void table_fail(struct table *t, const char *code, long line, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
