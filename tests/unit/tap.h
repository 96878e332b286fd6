/* A minimal TAP producer for the C unit tests: one TEST per behaviour,
 * CHECK/CHECK_STR inside it, tap_run() at the end of main. */
#ifndef THIDUA_TESTS_TAP_H
#define THIDUA_TESTS_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed_count, tap_current_failed;

#define CHECK(cond)                                                                      \
	do {                                                                                 \
		if (!(cond)) {                                                                   \
			printf("#   %s:%d: CHECK(%s) failed\n", __FILE__, __LINE__, #cond);          \
			tap_current_failed = 1;                                                      \
		}                                                                                \
	} while (0)

#define CHECK_STR(got, want)                                                             \
	do {                                                                                 \
		const char *g_ = (got), *w_ = (want);                                            \
		if (!g_ || !w_ || strcmp(g_, w_)) {                                              \
			printf("#   %s:%d: got \"%s\", want \"%s\"\n", __FILE__, __LINE__,           \
			       g_ ? g_ : "(null)", w_ ? w_ : "(null)");                              \
			tap_current_failed = 1;                                                      \
		}                                                                                \
	} while (0)

#define CHECK_INT(got, want)                                                             \
	do {                                                                                 \
		long long g_ = (long long)(got), w_ = (long long)(want);                         \
		if (g_ != w_) {                                                                  \
			printf("#   %s:%d: %s is %lld, want %lld\n", __FILE__, __LINE__, #got, g_, w_); \
			tap_current_failed = 1;                                                      \
		}                                                                                \
	} while (0)

static inline void tap_test(const char *name, void (*fn)(void))
{
	tap_current_failed = 0;
	fn();
	tap_count++;
	if (tap_current_failed)
		tap_failed_count++;
	printf("%s %d - %s\n", tap_current_failed ? "not ok" : "ok", tap_count, name);
	fflush(stdout);
}

#define RUN(fn) tap_test(#fn, fn)

static inline int tap_done(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed_count ? 1 : 0;
}

#endif
