/* A growable byte buffer, always NUL-terminated, used to build response
 * bodies, log lines and SQL parameters. */
#ifndef THIDUA_UTIL_BUF_H
#define THIDUA_UTIL_BUF_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

struct buf {
	char *data;   /* NULL until the first append; then NUL-terminated */
	size_t len;
	size_t cap;
};

#define BUF_INIT {NULL, 0, 0}

void buf_reserve(struct buf *b, size_t extra);
void buf_append(struct buf *b, const void *data, size_t len);
void buf_puts(struct buf *b, const char *s);
void buf_putc(struct buf *b, char c);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(struct buf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Appends s as a JSON string literal, quotes included. Bytes that are not
 * UTF-8 become U+FFFD, so what is written is always valid JSON. */
void buf_json_string(struct buf *b, const char *s, size_t len);
/* Empties the buffer but keeps its memory. */
void buf_reset(struct buf *b);
/* Returns the data (never NULL) and leaves the buffer empty; caller frees. */
char *buf_steal(struct buf *b);
/* The contents as a C string ("" when empty). */
const char *buf_cstr(const struct buf *b);
void buf_free(struct buf *b);

#endif
