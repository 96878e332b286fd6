/* The first `rows` rows of a result as an XLSX workbook (libxlsxwriter):
 * the title (when given) in the first row, then a bold header row in
 * Vietnamese (domain/labels.h), numbers as numbers with thousands grouped
 * and their own decimals, percentages (columns *_pct) as percentages
 * without float noise (98.57 is 0.9857 exactly as Excel reads it), dates
 * as dates, enum values in Vietnamese (kind: LĐLĐ quận, huyện), readable
 * column widths. An import reads such a workbook back (import/table.h). */
#ifndef THIDUA_RENDER_XLSX_H
#define THIDUA_RENDER_XLSX_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* False (with a reason) when the workbook could not be written. */
bool render_xlsx(struct buf *out, const PGresult *res, int rows, const char *sheet, const char *title, char *err,
                 size_t errlen) __attribute__((warn_unused_result));

#endif
