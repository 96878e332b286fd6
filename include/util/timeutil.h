/* Clocks: a monotonic microsecond counter for durations and the wall clock
 * formatted as ISO-8601 UTC for logs. */
#ifndef THIDUA_UTIL_TIMEUTIL_H
#define THIDUA_UTIL_TIMEUTIL_H

#include <stdint.h>

int64_t time_mono_us(void);
/* "2026-11-22T05:04:03.123456Z"; out must hold 32 bytes. */
void time_iso8601_now(char out[32]);

#endif
