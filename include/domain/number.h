/* Figures as they arrive: a number written as text is checked here, exactly
 * (digit by digit, never through a double), against what a value may hold.
 * A figure is at most 10^15 in size and has at most 15 digits after the
 * decimal point; within that, PostgreSQL's numeric stores it digit for
 * digit (2516.100 stays 2516.100). */
#ifndef THIDUA_DOMAIN_NUMBER_H
#define THIDUA_DOMAIN_NUMBER_H

#include <stdbool.h>
#include <stddef.h>

#define NUMBER_MAX_TEXT 64
#define NUMBER_MAX_DECIMALS 15

enum number_verdict {
	NUMBER_OK,
	NUMBER_SYNTAX,      /* not [+-]digits[.digits][e[+-]digits] */
	NUMBER_TOO_LARGE,   /* beyond ±10^15 */
	NUMBER_TOO_PRECISE, /* more than 15 digits after the point */
	NUMBER_TOO_LONG,    /* more than 64 characters */
};

/* Checks s[0..len): a JSON number, or a plain decimal with an optional
 * leading + (as a CSV cell). */
enum number_verdict number_check(const char *s, size_t len);

/* Every number of a JSON text: the verdict on the first that is not
 * NUMBER_OK, with *bad and *bad_len pointing at it; NUMBER_OK when all are.
 * Strings are skipped; the text need not be valid JSON otherwise. */
enum number_verdict number_check_json(const char *json, size_t len, const char **bad, size_t *bad_len);

/* "is larger than 10^15" ...: the end of a sentence naming the number. */
const char *number_verdict_text(enum number_verdict v);

#endif
