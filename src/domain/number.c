/* Exact checks of numbers written as text (see number.h). The value is
 * 0.d1d2...dn × 10^point once leading zeros are gone; the digits after the
 * point that PostgreSQL keeps are max(0, fraction digits - exponent). */
#include "domain/number.h"

#include <string.h>

static bool digit(char c)
{
	return c >= '0' && c <= '9';
}

enum number_verdict number_check(const char *s, size_t len)
{
	if (len > NUMBER_MAX_TEXT)
		return NUMBER_TOO_LONG;
	size_t i = 0;
	if (i < len && (s[i] == '-' || s[i] == '+'))
		i++;
	size_t int_start = i;
	while (i < len && digit(s[i]))
		i++;
	size_t int_digits = i - int_start;
	size_t frac_start = i, frac_digits = 0;
	if (i < len && s[i] == '.') {
		i++;
		frac_start = i;
		while (i < len && digit(s[i]))
			i++;
		frac_digits = i - frac_start;
		if (!frac_digits)
			return NUMBER_SYNTAX;
	}
	if (!int_digits)
		return NUMBER_SYNTAX;
	long exponent = 0;
	if (i < len && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		bool negative = false;
		if (i < len && (s[i] == '-' || s[i] == '+'))
			negative = s[i++] == '-';
		size_t exp_start = i;
		while (i < len && digit(s[i])) {
			if (exponent < 100000) /* far past any limit; stops overflow */
				exponent = exponent * 10 + (s[i] - '0');
			i++;
		}
		if (i == exp_start)
			return NUMBER_SYNTAX;
		if (negative)
			exponent = -exponent;
	}
	if (i != len)
		return NUMBER_SYNTAX;

	long kept_decimals = (long)frac_digits - exponent;
	if (kept_decimals > NUMBER_MAX_DECIMALS)
		return NUMBER_TOO_PRECISE;

	/* the significant digits: integer then fraction, leading zeros dropped */
	long point = (long)int_digits + exponent; /* digits before the point */
	size_t total = int_digits + frac_digits, first = 0;
	char first_digit = 0;
	for (; first < total; first++) {
		char c = first < int_digits ? s[int_start + first] : s[frac_start + first - int_digits];
		if (c != '0') {
			first_digit = c;
			break;
		}
		point--;
	}
	if (first == total)
		return exponent > 1000 ? NUMBER_TOO_LARGE : NUMBER_OK; /* zero (PostgreSQL refuses e1001 even on it) */
	if (point < 16)
		return NUMBER_OK;
	if (point > 16)
		return NUMBER_TOO_LARGE;
	/* 16 digits before the point: only 10^15 itself, 1 and zeros */
	if (first_digit != '1')
		return NUMBER_TOO_LARGE;
	for (size_t k = first + 1; k < total; k++) {
		char c = k < int_digits ? s[int_start + k] : s[frac_start + k - int_digits];
		if (c != '0')
			return NUMBER_TOO_LARGE;
	}
	return NUMBER_OK;
}

enum number_verdict number_check_json(const char *s, size_t len, const char **bad, size_t *bad_len)
{
	for (size_t i = 0; i < len; i++) {
		if (s[i] == '"') {
			for (i++; i < len && s[i] != '"'; i++)
				if (s[i] == '\\')
					i++;
			continue;
		}
		if (s[i] == '-' || digit(s[i])) {
			size_t start = i;
			while (i < len && s[i] && strchr("+-.eE0123456789", s[i]))
				i++;
			enum number_verdict v = number_check(s + start, i - start);
			if (v != NUMBER_OK) {
				*bad = s + start;
				*bad_len = i - start;
				return v;
			}
			i--;
		}
	}
	return NUMBER_OK;
}

const char *number_verdict_text(enum number_verdict v)
{
	switch (v) {
	case NUMBER_OK: return "is a number";
	case NUMBER_SYNTAX: return "is not a number; write it as 2529.554";
	case NUMBER_TOO_LARGE: return "is larger than 10^15, the largest figure this service holds";
	case NUMBER_TOO_PRECISE: return "has more than 15 digits after the decimal point";
	case NUMBER_TOO_LONG: return "is longer than 64 characters";
	}
	return "is not a number";
}
