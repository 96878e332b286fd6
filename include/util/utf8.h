/* UTF-8: validation, truncation that never splits a character, and
 * repair for text that must leave as UTF-8 whatever came in. Request input
 * must be UTF-8 without NUL (PostgreSQL text cannot hold NUL); a file saved
 * in a legacy encoding is refused with the place of the first bad byte. */
#ifndef THIDUA_UTIL_UTF8_H
#define THIDUA_UTIL_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* True when s[0..len) is valid UTF-8 with no NUL; otherwise *bad is the
 * offset of the first offending byte. */
bool utf8_valid(const char *s, size_t len, size_t *bad);

/* The length of the longest sequence of whole characters in s[0..len)
 * that is at most max bytes long (for "%.*s" in messages). */
int utf8_cut(const char *s, size_t len, size_t max);

/* The number of characters (code points) in valid UTF-8 text. */
size_t utf8_chars(const char *s, size_t len);

/* The length of the valid UTF-8 sequence starting at s[0] (1 to 4), or 0
 * when s[0] does not start one (NUL included). */
size_t utf8_sequence(const char *s, size_t len);

/* A copy of s in which every byte that does not begin a valid UTF-8
 * sequence is replaced by U+FFFD (the caller frees it). */
char *utf8_repaired(const char *s);

#endif
