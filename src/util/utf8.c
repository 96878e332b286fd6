/* UTF-8 (see utf8.h), by the table of well-formed byte sequences in
 * Unicode 15, section 3.9 (no overlongs, no surrogates, <= U+10FFFF). */
#include "util/utf8.h"

#include <string.h>

#include "util/buf.h"

size_t utf8_sequence(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	if (len == 0)
		return 0;
	unsigned char c = p[0];
	if (c >= 0x01 && c <= 0x7F)
		return 1;
	size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0; /* NUL, a continuation byte out of place, or never valid */
	}
	if (n >= len || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t k = 2; k <= n; k++)
		if (p[k] < 0x80 || p[k] > 0xBF)
			return 0;
	return n + 1;
}

bool utf8_valid(const char *s, size_t len, size_t *bad)
{
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_sequence(s + i, len - i);
		if (!n) {
			*bad = i;
			return false;
		}
		i += n;
	}
	return true;
}

int utf8_cut(const char *s, size_t len, size_t max)
{
	size_t i = 0;
	while (i < len) {
		size_t n = utf8_sequence(s + i, len - i);
		if (!n)
			n = 1; /* a stray byte counts as one; the caller repairs it when it writes */
		if (i + n > max)
			break;
		i += n;
	}
	return (int)i;
}

size_t utf8_chars(const char *s, size_t len)
{
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

char *utf8_repaired(const char *s)
{
	size_t len = strlen(s);
	struct buf out = BUF_INIT;
	buf_reserve(&out, len);
	for (size_t i = 0; i < len;) {
		size_t n = utf8_sequence(s + i, len - i);
		if (n) {
			buf_append(&out, s + i, n);
			i += n;
		} else {
			buf_puts(&out, "\xEF\xBF\xBD");
			i++;
		}
	}
	return buf_steal(&out);
}
