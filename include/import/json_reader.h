/* Reading JSON array bodies record by record (see record.h). */
#ifndef THIDUA_IMPORT_JSON_READER_H
#define THIDUA_IMPORT_JSON_READER_H

#include "import/record.h"

/* JSON: an array of objects, each checked by jansson; their members are
 * read from the element's own text, so numbers keep every digit they were
 * written with. */
bool json_read(const char *body, size_t len, const struct import_sink *sink, struct read_error *err)
	__attribute__((warn_unused_result));

#endif
