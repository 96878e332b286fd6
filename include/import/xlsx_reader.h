/* Reading an Excel workbook (.xlsx) record by record: the first worksheet
 * is a table (import/table.h), its first row that is not empty naming the
 * columns. Number cells keep the digits the file stores (no decimal
 * convention applies to them), dates become YYYY-MM-DD, text cells their
 * text. Built on libzip (the archive) and expat (the XML). */
#ifndef THIDUA_IMPORT_XLSX_READER_H
#define THIDUA_IMPORT_XLSX_READER_H

#include "import/record.h"
#include "util/buf.h"

/* As csv_read: records to the sink, a workbook it cannot read at all (not
 * a zip, no worksheet, broken XML, bigger unpacked than allowed) fails
 * with a read_error whose line is the worksheet row; the export columns
 * the import ignores are appended to `ignored` (when not NULL), one per
 * line. */
bool xlsx_read(const char *body, size_t len, const struct import_columns *cols, const struct import_sink *sink,
               struct read_error *err, struct buf *ignored) __attribute__((warn_unused_result));

#endif
