/* Shared by the libFuzzer targets (tests/fuzz/README.md): the entry point's
 * prototype, an invariant check that crashes loudly, and the value-import
 * sink the CSV and JSON targets both drive. */
#ifndef THIDUA_TESTS_FUZZ_H
#define THIDUA_TESTS_FUZZ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Prints the failed invariant and aborts: libFuzzer then keeps the input
 * as a crash artifact. */
void fuzz_fail(const char *file, int line, const char *expr, const char *fmt, ...)
	__attribute__((noreturn, format(printf, 4, 5)));

#define FUZZ_CHECK(cond, ...)                                         \
	do {                                                              \
		if (!(cond))                                                  \
			fuzz_fail(__FILE__, __LINE__, #cond, __VA_ARGS__);        \
	} while (0)

/* A malloc'd copy of data[0..size) with a NUL after it, as the service
 * holds a request target or body (the caller frees it). */
char *fuzz_cstr(const uint8_t *data, size_t size);

/* True when s[0..len) is UTF-8 with no byte below 0x20 (and no NUL). */
bool fuzz_clean_text(const char *s, size_t len);

/* Fails unless s[0..len) is one COPY text line of a value row: 11
 * columns (10 raw tabs), one raw newline at its end, no raw CR, UTF-8. */
void fuzz_check_copy_line(const char *s, size_t len);

/* encode_value_row(), then fuzz_check_copy_line() on what it wrote; the
 * COPY buffer is emptied after. */
struct encode_ctx;
struct import_record;
void fuzz_encode_value_row(struct encode_ctx *enc, const struct import_record *rec);

enum fuzz_reader { FUZZ_CSV, FUZZ_JSON };

/* A PUT /v1/values body through the reader and encode_value_row(), as
 * src/handlers/import.c runs it, minus the database. The first byte is the
 * decimal switch (odd: decimal=comma), the rest is the body. */
void fuzz_values_import(const uint8_t *data, size_t size, enum fuzz_reader reader);

#endif
