/* A record of a bulk-import body, as the readers (csv_reader.h,
 * json_reader.h) hand it on: a list of named fields with the line it
 * started on. Each reader passes every record to a sink without holding
 * more than one in memory. A JSON number keeps the text it was written
 * with (2516.100 stays 2516.100). Records a reader cannot read go to the
 * sink as rejections; a body it cannot read at all (no header, broken
 * JSON) fails the whole call with a read_error. */
#ifndef THIDUA_IMPORT_RECORD_H
#define THIDUA_IMPORT_RECORD_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

#define IMPORT_MAX_FIELDS 32

enum field_kind {
	FIELD_STRING, /* text: a CSV cell, a JSON string (decoded) */
	FIELD_NUMBER, /* a JSON number, as written */
	FIELD_NULL,   /* JSON null, an empty CSV cell */
	FIELD_BOOL,   /* JSON true or false */
	FIELD_OTHER,  /* a JSON object or array, as written */
};

struct import_field {
	const char *name;  /* NUL-terminated */
	const char *text;  /* NUL-terminated; "" for null */
	size_t len;
	enum field_kind kind;
};

struct import_record {
	long line;         /* where the record starts */
	long idx;          /* position in a JSON array, -1 for CSV */
	int nfields;
	struct import_field fields[IMPORT_MAX_FIELDS];
};

struct import_sink {
	void *ctx;
	/* An empty CSV or XLSX cell: false, the field is left out (the stored
	 * one stays); true, it is null (clears it). JSON says null itself. */
	bool empty_clears;
	/* One record; its texts live until the call returns. False stops the
	 * reading. */
	bool (*row)(void *ctx, const struct import_record *record);
	/* Optional: the header is read. `titled` when it names its columns by
	 * the Vietnamese titles this service's exports write, so the file is
	 * (or was) one of its exports. */
	void (*header)(void *ctx, bool titled);
	void (*reject)(void *ctx, long line, long idx, const char *field, const char *code, const char *message);
};

/* The columns a CSV header may have. In `key` columns an empty cell always
 * means the field is absent; in the others, see empty_clears.
 * `required` entries are column names, or alternatives as "org|bloc". */
struct import_columns {
	const char *const *allowed;
	const char *const *key;
	const char *const *required;
	const char *const *numbers; /* whose spreadsheet number cells are numbers (import/table.h) */
};

struct read_error {
	const char *code; /* problem code */
	char message[320];
	long line;
};

/* Renders a record as a JSON object (strings escaped, numbers and nested
 * values as written): how organization and indicator rows reach SQL. */
void import_record_json(const struct import_record *record, struct buf *out);

#endif
