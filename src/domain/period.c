/* Period codes (see period.h). Plain ASCII checks, no locale, no
 * allocation: the parser runs on every query parameter and import row. */
#include "domain/period.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "domain/schema.h"

#define EXPECTED "2022, 2022H1, 2022Q3, 2022M09, 2022YTD09 or 2023-2028"

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static char upper(char c)
{
	return c >= 'a' && c <= 'z' ? (char)(c - 'a' + 'A') : c;
}

static void fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void fail(char *err, size_t errlen, const char *fmt, ...)
{
	if (!errlen)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* The input as shown in messages: at most 32 bytes, cut on a character
 * boundary, with an ellipsis when cut. */
static void shown(const char *s, size_t len, char out[40])
{
	if (len <= 32) {
		memcpy(out, s, len);
		out[len] = '\0';
		return;
	}
	size_t cut = 32;
	while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
		cut--;
	memcpy(out, s, cut);
	memcpy(out + cut, "\xE2\x80\xA6", 4); /* … */
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

int period_month_days(int y, int m)
{
	static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	return days[m - 1] + (m == 2 && leap(y));
}

static void set_date(char out[11], int y, int m, int d)
{
	/* y, m and d are range-checked by the parser; the masks only tell the
	 * compiler the output fits. */
	snprintf(out, 11, "%04d-%02d-%02d", (y & 0x1fff) % 10000, (m & 0xf) % 13, (d & 0x1f) % 32);
}

/* Reads one or two digits (max_digits) that end the input. */
static bool trailing_number(const char *p, size_t len, size_t max_digits, int *out)
{
	if (len == 0 || len > max_digits)
		return false;
	int n = 0;
	for (size_t i = 0; i < len; i++) {
		if (!is_digit(p[i]))
			return false;
		n = n * 10 + (p[i] - '0');
	}
	*out = n;
	return true;
}

static bool matches(const char *p, size_t len, const char *word)
{
	size_t n = strlen(word);
	if (len < n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (upper(p[i]) != word[i])
			return false;
	return true;
}

/* The periods within a year: a letter code and a number of at most
 * `digits` digits, from 1 to max. */
struct sub_period {
	const char *prefix;
	int digits, max;
	enum period_kind kind;
	const char *range; /* the message for a number out of range, up to the number */
};

static const struct sub_period sub_periods[] = {
	{"YTD", 2, 12, PERIOD_YTD, "year-to-date must run to a month from YTD01 to YTD12, not YTD"},
	{"H", 1, 2, PERIOD_HALF, "half must be H1 or H2, not H"},
	{"Q", 1, 4, PERIOD_QUARTER, "quarter must be Q1 to Q4, not Q"},
	{"M", 2, 12, PERIOD_MONTH, "month must be M01 to M12, not M"},
};

/* Which sub-period rest (after the year) names, with its number in *n. */
static const struct sub_period *sub_period(const char *rest, size_t rlen, int *n)
{
	for (size_t i = 0; i < sizeof sub_periods / sizeof sub_periods[0]; i++) {
		const struct sub_period *sp = &sub_periods[i];
		size_t plen = strlen(sp->prefix);
		if (matches(rest, rlen, sp->prefix) && trailing_number(rest + plen, rlen - plen, sp->digits, n))
			return sp;
	}
	return NULL;
}

bool period_parse(const char *input, struct period *out, char *err, size_t errlen)
{
	static const char *roman[] = {"I", "II", "III", "IV"};
	if (errlen)
		err[0] = '\0';
	const char *s = input ? input : "";
	while (is_blank(*s))
		s++;
	size_t len = strlen(s);
	while (len && is_blank(s[len - 1]))
		len--;
	char show[40];
	shown(s, len, show);

	if (len == 0) {
		fail(err, errlen, "period is empty; expected a code such as " EXPECTED);
		return false;
	}
	size_t digits = 0;
	while (digits < len && is_digit(s[digits]))
		digits++;
	if (digits == 0) {
		fail(err, errlen, "period '%s' is not a valid code; expected " EXPECTED, show);
		return false;
	}
	if (digits != 4) {
		fail(err, errlen, "period '%s' must start with a four-digit year, as in 2022", show);
		return false;
	}
	int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	if (y < PERIOD_MIN_YEAR || y > PERIOD_MAX_YEAR) {
		fail(err, errlen, "year %d is outside %d to %d", y, PERIOD_MIN_YEAR, PERIOD_MAX_YEAR);
		return false;
	}

	const char *rest = s + 4;
	size_t rlen = len - 4;
	struct period p;
	memset(&p, 0, sizeof p);
	p.year = p.year_end = y;
	int n = 0;
	const struct sub_period *part;

	if (rlen == 0) {
		p.kind = PERIOD_YEAR;
	} else if (rlen == 5 && rest[0] == '-' && trailing_number(rest + 1, 4, 4, &n)) {
		if (n < PERIOD_MIN_YEAR || n > PERIOD_MAX_YEAR) {
			fail(err, errlen, "year %d is outside %d to %d", n, PERIOD_MIN_YEAR, PERIOD_MAX_YEAR);
			return false;
		}
		if (n <= y) {
			fail(err, errlen, "a term must end after it starts, not %d-%d", y, n);
			return false;
		}
		if (n - y > PERIOD_MAX_TERM_YEARS) {
			fail(err, errlen, "a term spans at most %d years, not %d-%d", PERIOD_MAX_TERM_YEARS, y, n);
			return false;
		}
		p.kind = PERIOD_TERM;
		p.year_end = n;
		n = 0;
	} else if ((part = sub_period(rest, rlen, &n)) != NULL) {
		if (n < 1 || n > part->max) {
			fail(err, errlen, "%s%0*d", part->range, part->digits, n);
			return false;
		}
		p.kind = part->kind;
	} else {
		fail(err, errlen, "period '%s' is not a valid code; expected " EXPECTED, show);
		return false;
	}
	p.number = n;

	int first_month = 1, last_month = 12;
	switch (p.kind) {
	case PERIOD_YEAR:
		snprintf(p.code, sizeof p.code, "%04d", y);
		snprintf(p.label, sizeof p.label, "Năm %d", y);
		break;
	case PERIOD_HALF:
		first_month = n == 1 ? 1 : 7;
		last_month = n == 1 ? 6 : 12;
		snprintf(p.code, sizeof p.code, "%04dH%d", y, n);
		snprintf(p.label, sizeof p.label, "6 tháng %s năm %d", n == 1 ? "đầu" : "cuối", y);
		break;
	case PERIOD_QUARTER:
		first_month = 3 * n - 2;
		last_month = 3 * n;
		snprintf(p.code, sizeof p.code, "%04dQ%d", y, n);
		snprintf(p.label, sizeof p.label, "Quý %s/%d", roman[n - 1], y);
		break;
	case PERIOD_MONTH:
		first_month = last_month = n;
		snprintf(p.code, sizeof p.code, "%04dM%02d", y, n);
		snprintf(p.label, sizeof p.label, "Tháng %d/%d", n, y);
		break;
	case PERIOD_YTD:
		last_month = n;
		snprintf(p.code, sizeof p.code, "%04dYTD%02d", y, n);
		if (n == 12)
			snprintf(p.label, sizeof p.label, "12 tháng năm %d", y);
		else
			snprintf(p.label, sizeof p.label, "%d tháng đầu năm %d", n, y);
		break;
	case PERIOD_TERM:
		snprintf(p.code, sizeof p.code, "%04d-%04d", y, p.year_end);
		snprintf(p.label, sizeof p.label, "Nhiệm kỳ %d\xE2\x80\x93%d", y, p.year_end); /* en dash */
		break;
	}
	set_date(p.start, y, first_month, 1);
	set_date(p.end, p.year_end, last_month, period_month_days(p.year_end, last_month));
	*out = p;
	return true;
}

const char *period_kind_name(enum period_kind kind)
{
	return period_kind_names[kind];
}
