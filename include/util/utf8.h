/* UTF-8 validation. Request bodies must be UTF-8 without NUL bytes
 * (PostgreSQL text cannot hold NUL); a file saved in a legacy encoding is
 * refused with the place of the first bad byte. */
#ifndef THIDUA_UTIL_UTF8_H
#define THIDUA_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8 with no NUL; otherwise *bad is the
 * offset of the first offending byte. */
bool utf8_valid(const char *s, size_t len, size_t *bad);

#endif
