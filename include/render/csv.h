/* The first `rows` rows of a result as CSV for Excel: UTF-8 with a BOM, a
 * header row of Vietnamese column names (labels.h), document fields (@)
 * left out. With decimal_comma the separator is ';' and numbers use a
 * decimal comma, as Excel expects under Vietnamese regional settings. */
#ifndef THIDUA_RENDER_CSV_H
#define THIDUA_RENDER_CSV_H

#include <libpq-fe.h>
#include <stdbool.h>

#include "util/buf.h"

void render_csv(struct buf *out, const PGresult *res, int rows, bool decimal_comma);

#endif
