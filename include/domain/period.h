/* Reporting periods by code: 2022 (year), 2022H1 (half), 2022Q3 (quarter),
 * 2022M09 (month), 2022YTD09 (January to the end of September) and
 * 2023-2028 (congress term). The same rules live in SQL (sql/002_periods.sql,
 * period_parse); tests/vectors/periods.tsv pins both to the same answers. */
#ifndef THIDUA_DOMAIN_PERIOD_H
#define THIDUA_DOMAIN_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

enum period_kind { PERIOD_YEAR, PERIOD_HALF, PERIOD_QUARTER, PERIOD_MONTH, PERIOD_YTD, PERIOD_TERM };

#define PERIOD_MIN_YEAR 1900
#define PERIOD_MAX_YEAR 2100
#define PERIOD_MAX_TERM_YEARS 10

struct period {
	enum period_kind kind;
	char code[32];   /* canonical (16 would do; room for what the compiler cannot rule out) */
	int year;        /* first year */
	int year_end;    /* last year; == year except for terms */
	int number;      /* half 1-2, quarter 1-4, month 1-12, ytd 1-12; 0 for year and term */
	char start[11];  /* YYYY-MM-DD */
	char end[11];    /* YYYY-MM-DD, inclusive */
	char label[64];  /* Vietnamese, UTF-8 */
};

/* Parses and normalises a period code: surrounding blanks are ignored,
 * letters may be lowercase, months may have one digit. On failure writes
 * the reason to err (always NUL-terminated when errlen > 0) and returns
 * false. */
bool period_parse(const char *input, struct period *out, char *err, size_t errlen)
	__attribute__((warn_unused_result));

/* "year", "half", "quarter", "month", "ytd", "term": the SQL enum
 * period_kind (domain/schema.h), whose order enum period_kind follows. */
const char *period_kind_name(enum period_kind kind);

/* Days in month m (1-12) of year y, Gregorian: the one calendar rule. */
int period_month_days(int y, int m);

#endif
