/* Import records (see record.h). */
#include "import/record.h"

#include <string.h>

#include "util/buf.h"

void import_record_json(const struct import_record *record, struct buf *out)
{
	buf_reset(out);
	buf_putc(out, '{');
	for (int i = 0; i < record->nfields; i++) {
		const struct import_field *f = &record->fields[i];
		if (i)
			buf_putc(out, ',');
		buf_json_string(out, f->name, strlen(f->name));
		buf_putc(out, ':');
		switch (f->kind) {
		case FIELD_STRING:
			buf_json_string(out, f->text, f->len);
			break;
		case FIELD_NULL:
			buf_puts(out, "null");
			break;
		default:
			buf_append(out, f->text, f->len);
		}
	}
	buf_putc(out, '}');
}
