/* Reading bulk-import bodies record by record. Each reader turns every
 * record into a JSON object text and hands it to the sink with the line it
 * started on, without holding more than one record in memory. Records it
 * cannot read go to the sink as rejections; a body it cannot read at all
 * (no header, broken JSON) fails the whole call with a read_error. */
#ifndef THIDUA_IMPORT_READERS_H
#define THIDUA_IMPORT_READERS_H

#include <stdbool.h>
#include <stddef.h>

struct import_sink {
	void *ctx;
	/* One record as a JSON object (len bytes, not NUL-terminated); idx is
	 * the position in a JSON array, -1 for CSV. False stops the reading. */
	bool (*row)(void *ctx, long line, long idx, const char *json, size_t len);
	void (*reject)(void *ctx, long line, long idx, const char *field, const char *code, const char *message);
};

/* The columns a CSV header may have. In `key` columns an empty cell means
 * the field is absent; in the others it means null (clear the value).
 * `required` entries are column names, or alternatives as "org|bloc". */
struct import_columns {
	const char *const *allowed;
	const char *const *key;
	const char *const *required;
};

struct read_error {
	const char *code; /* problem code */
	char message[320];
	long line;
};

/* CSV: UTF-8 (a BOM is skipped by the caller), comma, semicolon or tab
 * separated (whichever the header line uses), RFC 4180 quoting with
 * fields that span lines. The first line names the columns. */
bool csv_read(const char *body, size_t len, const struct import_columns *cols, const struct import_sink *sink,
              struct read_error *err) __attribute__((warn_unused_result));

/* JSON: an array of objects. Elements are passed on verbatim, so numbers
 * keep every digit they were written with. */
bool json_read(const char *body, size_t len, const struct import_sink *sink, struct read_error *err)
	__attribute__((warn_unused_result));

#endif
