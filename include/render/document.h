/* A JSON document from a statement's rows: columns named "@field" are the
 * document's own fields (taken from the first row), the rest form the rows
 * of the array `array_name`; a column "group.field" nests: consecutive rows
 * equal in their plain columns become one object whose "group" array holds
 * an object per row. A row whose plain columns are all NULL (an outer join
 * that found nothing) adds no element. */
#ifndef THIDUA_RENDER_DOCUMENT_H
#define THIDUA_RENDER_DOCUMENT_H

#include <libpq-fe.h>

#include "util/buf.h"

void render_json_document(struct buf *out, const PGresult *res, const char *array_name);

#endif
