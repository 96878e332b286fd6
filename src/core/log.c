/* JSON-lines logging (see log.h). Each line is formatted into one buffer and
 * written with one stdio call, so lines from different threads never mix. */
#include "core/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/timeutil.h"

static const char *level_names[] = {"debug", "info", "warn", "error"};

void log_msg(enum log_level level, const char *request_id, const char *fmt, ...)
{
	if ((unsigned)level < cfg.log_level)
		return;
	char now[32];
	time_iso8601_now(now);
	struct buf msg = BUF_INIT, line = BUF_INIT;
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&msg, fmt, ap);
	va_end(ap);

	buf_printf(&line, "{\"time\":\"%s\",\"level\":\"%s\"", now, level_names[level]);
	if (request_id) {
		buf_puts(&line, ",\"request_id\":");
		buf_json_string(&line, request_id, strlen(request_id));
	}
	buf_puts(&line, ",\"msg\":");
	buf_json_string(&line, buf_cstr(&msg), msg.len);
	buf_puts(&line, "}\n");
	fputs(buf_cstr(&line), stderr);
	buf_free(&msg);
	buf_free(&line);
}

static void put_field(struct buf *line, const char *name, const char *value)
{
	buf_printf(line, ",\"%s\":", name);
	if (value)
		buf_json_string(line, value, strlen(value));
	else
		buf_puts(line, "null");
}

void log_access(const struct access_entry *e)
{
	if (!cfg.access_log)
		return;
	char now[32];
	time_iso8601_now(now);
	struct buf line = BUF_INIT;
	buf_printf(&line, "{\"time\":\"%s\"", now);
	put_field(&line, "request_id", e->request_id);
	put_field(&line, "method", e->method);
	put_field(&line, "path", e->path);
	if (e->status)
		buf_printf(&line, ",\"status\":%u", e->status);
	else
		buf_puts(&line, ",\"status\":null");
	buf_printf(&line, ",\"bytes\":%llu,\"duration_us\":%lld", (unsigned long long)e->bytes,
	           (long long)e->duration_us);
	put_field(&line, "client", e->client);
	put_field(&line, "key", e->key_name);
	buf_puts(&line, "}\n");
	fputs(buf_cstr(&line), stdout);
	buf_free(&line);
}
