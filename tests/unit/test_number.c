/* Exact number checks: what a figure may be (at most 10^15, at most 15
 * digits after the point), digit by digit, never through a double. */
#include <string.h>

#include "domain/number.h"
#include "tap.h"

static enum number_verdict check(const char *s)
{
	return number_check(s, strlen(s));
}

static void plain_decimals_pass_as_written(void)
{
	CHECK_INT(check("2516.100"), NUMBER_OK);
	CHECK_INT(check("0"), NUMBER_OK);
	CHECK_INT(check("-0"), NUMBER_OK);
	CHECK_INT(check("2529.554"), NUMBER_OK);
	CHECK_INT(check("-15536"), NUMBER_OK);
	CHECK_INT(check("+5"), NUMBER_OK);
	CHECK_INT(check("007"), NUMBER_OK);
}

static void the_largest_figure_is_ten_to_the_fifteenth(void)
{
	CHECK_INT(check("1000000000000000"), NUMBER_OK);
	CHECK_INT(check("-1000000000000000"), NUMBER_OK);
	CHECK_INT(check("1000000000000000.000"), NUMBER_OK);
	CHECK_INT(check("999999999999999.999999999999999"), NUMBER_OK);
	CHECK_INT(check("1e15"), NUMBER_OK);
	CHECK_INT(check("-1e15"), NUMBER_OK);
	CHECK_INT(check("0.1e16"), NUMBER_OK);
	CHECK_INT(check("1000000000000000.01"), NUMBER_TOO_LARGE);
	CHECK_INT(check("1000000000000001"), NUMBER_TOO_LARGE);
	CHECK_INT(check("2000000000000000"), NUMBER_TOO_LARGE);
	CHECK_INT(check("10000000000000000"), NUMBER_TOO_LARGE);
	CHECK_INT(check("1e16"), NUMBER_TOO_LARGE);
	CHECK_INT(check("-1e16"), NUMBER_TOO_LARGE);
	CHECK_INT(check("1.1e15"), NUMBER_TOO_LARGE);
	CHECK_INT(check("1e999"), NUMBER_TOO_LARGE);
	CHECK_INT(check("1e999999999999999999"), NUMBER_TOO_LARGE);
}

static void at_most_fifteen_decimals(void)
{
	CHECK_INT(check("0.000000000000001"), NUMBER_OK);
	CHECK_INT(check("-0.000000000000001"), NUMBER_OK);
	CHECK_INT(check("1e-15"), NUMBER_OK);
	CHECK_INT(check("0.0000000000000001"), NUMBER_TOO_PRECISE);
	CHECK_INT(check("1e-16"), NUMBER_TOO_PRECISE);
	CHECK_INT(check("0.001e-13"), NUMBER_TOO_PRECISE);
	CHECK_INT(check("1e-20000"), NUMBER_TOO_PRECISE);
	CHECK_INT(check("1e-999999"), NUMBER_TOO_PRECISE);
	CHECK_INT(check("1e-999999999999999999"), NUMBER_TOO_PRECISE);
}

static void exponents_are_read_exactly(void)
{
	CHECK_INT(check("1.5e3"), NUMBER_OK);
	CHECK_INT(check("1.5E+3"), NUMBER_OK);
	CHECK_INT(check("25e-3"), NUMBER_OK);
	CHECK_INT(check("0e10"), NUMBER_OK);
	CHECK_INT(check("0e-10"), NUMBER_OK);
	CHECK_INT(check("0.0e0"), NUMBER_OK);
	/* zero takes any exponent PostgreSQL takes, up to e1000 */
	CHECK_INT(check("0e1000"), NUMBER_OK);
	CHECK_INT(check("0e1001"), NUMBER_TOO_LARGE);
	/* 1234.5 × 10^12 = 1 234 500 000 000 000 > 10^15 */
	CHECK_INT(check("1234.5e12"), NUMBER_TOO_LARGE);
	/* 123.45 × 10^12 = 123 450 000 000 000 */
	CHECK_INT(check("123.45e12"), NUMBER_OK);
	CHECK_INT(check("10e14"), NUMBER_OK);
	CHECK_INT(check("1.0e15"), NUMBER_OK);
	CHECK_INT(check("0001e15"), NUMBER_OK);
	CHECK_INT(check("0.1e17"), NUMBER_TOO_LARGE);
	CHECK_INT(check("1.5e-14"), NUMBER_OK);
	CHECK_INT(check("1.55e-14"), NUMBER_TOO_PRECISE);
}

static void what_is_not_a_number(void)
{
	CHECK_INT(check("12a"), NUMBER_SYNTAX);
	CHECK_INT(check(".5"), NUMBER_SYNTAX);
	CHECK_INT(check("5."), NUMBER_SYNTAX);
	CHECK_INT(check(""), NUMBER_SYNTAX);
	CHECK_INT(check("-"), NUMBER_SYNTAX);
	CHECK_INT(check("+"), NUMBER_SYNTAX);
	CHECK_INT(check("1e"), NUMBER_SYNTAX);
	CHECK_INT(check("1e+"), NUMBER_SYNTAX);
	CHECK_INT(check("e5"), NUMBER_SYNTAX);
	CHECK_INT(check("--5"), NUMBER_SYNTAX);
	CHECK_INT(check("+-5"), NUMBER_SYNTAX);
	CHECK_INT(check("1.2.3"), NUMBER_SYNTAX);
	CHECK_INT(check("2.529,554"), NUMBER_SYNTAX);
	CHECK_INT(check("1 000"), NUMBER_SYNTAX);
	CHECK_INT(check(" 5"), NUMBER_SYNTAX);
	CHECK_INT(check("5 "), NUMBER_SYNTAX);
	CHECK_INT(check("NaN"), NUMBER_SYNTAX);
	CHECK_INT(check("Infinity"), NUMBER_SYNTAX);
	CHECK_INT(check("0x10"), NUMBER_SYNTAX);
}

static void only_the_given_length_is_read(void)
{
	/* "12" of "12a", "1" of "1e" */
	CHECK_INT(number_check("12a", 2), NUMBER_OK);
	CHECK_INT(number_check("1e", 1), NUMBER_OK);
	CHECK_INT(number_check("1000000000000000.01", 16), NUMBER_OK);
	CHECK_INT(number_check("5.", 0), NUMBER_SYNTAX);
}

static void more_than_64_characters_is_too_long(void)
{
	/* 64 characters: "0." and 62 zeros */
	const char *s64 = "0.00000000000000000000000000000000000000000000000000000000000000";
	/* 65 characters: "1" and 64 zeros */
	const char *s65 = "10000000000000000000000000000000000000000000000000000000000000000";
	CHECK_INT(strlen(s64), 64);
	CHECK_INT(strlen(s65), 65);
	CHECK_INT(check(s64), NUMBER_TOO_PRECISE);
	CHECK_INT(check(s65), NUMBER_TOO_LONG);
	/* 65 characters of zeros: too long, whatever it is worth */
	CHECK_INT(check("00000000000000000000000000000000000000000000000000000000000000000"), NUMBER_TOO_LONG);
}

static void each_verdict_has_a_sentence(void)
{
	CHECK_STR(number_verdict_text(NUMBER_OK), "is a number");
	CHECK_STR(number_verdict_text(NUMBER_SYNTAX), "is not a number; write it as 2529.554");
	CHECK_STR(number_verdict_text(NUMBER_TOO_LARGE), "is larger than 10^15, the largest figure this service holds");
	CHECK_STR(number_verdict_text(NUMBER_TOO_PRECISE), "has more than 15 digits after the decimal point");
	CHECK_STR(number_verdict_text(NUMBER_TOO_LONG), "is longer than 64 characters");
	const enum number_verdict all[] = {NUMBER_OK, NUMBER_SYNTAX, NUMBER_TOO_LARGE, NUMBER_TOO_PRECISE,
	                                   NUMBER_TOO_LONG};
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
		const char *t = number_verdict_text(all[i]);
		CHECK(t != NULL && t[0] != '\0');
		for (size_t j = 0; j < i; j++)
			CHECK(strcmp(t, number_verdict_text(all[j])) != 0);
	}
}

int main(void)
{
	RUN(plain_decimals_pass_as_written);
	RUN(the_largest_figure_is_ten_to_the_fifteenth);
	RUN(at_most_fifteen_decimals);
	RUN(exponents_are_read_exactly);
	RUN(what_is_not_a_number);
	RUN(only_the_given_length_is_read);
	RUN(more_than_64_characters_is_too_long);
	RUN(each_verdict_has_a_sentence);
	return tap_done();
}
