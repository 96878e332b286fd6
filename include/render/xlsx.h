/* The first `rows` rows of a result as an XLSX workbook (libxlsxwriter): a
 * bold header row in Vietnamese (labels.h), numbers as numbers,
 * percentages (columns *_pct) formatted as percentages, dates as dates,
 * readable column widths. */
#ifndef THIDUA_RENDER_XLSX_H
#define THIDUA_RENDER_XLSX_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

/* False (with a reason) when the workbook could not be written. */
bool render_xlsx(struct buf *out, const PGresult *res, int rows, const char *sheet, char *err, size_t errlen)
	__attribute__((warn_unused_result));

#endif
