/* UTF-8 validation (see utf8.h), by the table of well-formed byte sequences
 * in Unicode 15, section 3.9 (no overlongs, no surrogates, <= U+10FFFF). */
#include "util/utf8.h"

bool utf8_valid(const char *s, size_t len, size_t *bad)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;
	while (i < len) {
		unsigned char c = p[i];
		if (c >= 0x01 && c <= 0x7F) {
			i++;
			continue;
		}
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
			*bad = i; /* NUL, a continuation byte out of place, or never valid */
			return false;
		}
		if (i + n >= len) { /* the sequence runs past the end */
			*bad = i;
			return false;
		}
		if (p[i + 1] < lo || p[i + 1] > hi) {
			*bad = i;
			return false;
		}
		for (size_t k = 2; k <= n; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xBF) {
				*bad = i;
				return false;
			}
		}
		i += n + 1;
	}
	return true;
}
