/* The Vietnamese titles of columns: exports write them as headers, so the
 * people who open the files in Excel read Vietnamese, and imports read
 * them back (the JSON keeps the English field names). */
#ifndef THIDUA_DOMAIN_LABELS_H
#define THIDUA_DOMAIN_LABELS_H

#include <stddef.h>

/* The title for a column name (the name itself when the dictionary has
 * none). */
const char *label_of(const char *column);

/* The column a header cell names, by its title ("Mã đơn vị" is org) or by
 * a column name the dictionary knows ("updated_at"); NULL for anything
 * else. Spaces around the text do not count, nor the case of ASCII
 * letters. */
const char *label_column(const char *text, size_t len);

/* An enum column's value in Vietnamese ("district" in `kind` is "LĐLĐ
 * quận, huyện"); the value itself when the dictionary has none. */
const char *label_of_value(const char *column, const char *value);

/* The value a Vietnamese label stands for in that column, NULL when it is
 * none (the text is then taken as it is). */
const char *label_value(const char *column, const char *text, size_t len);

/* Every title and every value label, for the dashboard's scripts (which
 * show the same words as the exports): fn gets (column, NULL, title) for
 * a column title and (column, value, label) for a value's label. */
void labels_each(void (*fn)(const char *column, const char *value, const char *label, void *ctx), void *ctx);

#endif
