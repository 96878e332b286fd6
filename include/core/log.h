/* Logging. Diagnostics go to stderr, access lines to stdout; both are one
 * JSON object per line so that a log shipper needs no parser of its own. */
#ifndef THIDUA_CORE_LOG_H
#define THIDUA_CORE_LOG_H

#include <stddef.h>
#include <stdint.h>

#include "core/config.h"

/* request_id may be NULL for messages outside a request. */
void log_msg(enum log_level level, const char *request_id, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

#define log_debug(rid, ...) log_msg(LOG_DEBUG, rid, __VA_ARGS__)
#define log_info(rid, ...) log_msg(LOG_INFO, rid, __VA_ARGS__)
#define log_warn(rid, ...) log_msg(LOG_WARN, rid, __VA_ARGS__)
#define log_error(rid, ...) log_msg(LOG_ERROR, rid, __VA_ARGS__)

struct access_entry {
	const char *request_id;
	const char *method;
	const char *path;
	const char *client;
	const char *key_name;   /* NULL when the request carried no valid key */
	unsigned status;        /* 0 when no response was sent */
	uint64_t bytes;
	int64_t duration_us;
};

void log_access(const struct access_entry *e);

#endif
