/* Reading CSV bodies record by record (see record.h). */
#ifndef THIDUA_IMPORT_CSV_READER_H
#define THIDUA_IMPORT_CSV_READER_H

#include "import/record.h"

/* CSV: UTF-8 (a BOM is skipped by the caller), comma, semicolon or tab
 * separated (whichever the header line uses), RFC 4180 quoting with
 * fields that span lines. The first line names the columns (import/table.h
 * says how); the names of the columns an export carries and the import
 * ignores are appended to `ignored` (when not NULL), one per line. */
bool csv_read(const char *body, size_t len, const struct import_columns *cols, const struct import_sink *sink,
              struct read_error *err, struct buf *ignored) __attribute__((warn_unused_result));

/* The separator of the header line: the one of , ; and tab it uses most. */
unsigned char csv_separator(const char *body, size_t len);

#endif
