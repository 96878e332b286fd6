/* The byte buffer and its JSON string escaping. */
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "util/buf.h"
#include "util/shared.h"

static void appends_and_stays_terminated(void)
{
	struct buf b = BUF_INIT;
	CHECK_STR(buf_cstr(&b), "");
	buf_puts(&b, "Hải");
	buf_putc(&b, ' ');
	buf_printf(&b, "%d/%d", 2202, 1200);
	CHECK_STR(buf_cstr(&b), "Hải 2202/1200");
	CHECK_INT(b.len, strlen("Hải 2202/1200"));
	buf_free(&b);
}

static void grows_past_the_first_block(void)
{
	struct buf b = BUF_INIT;
	for (int i = 0; i < 10000; i++)
		buf_putc(&b, 'x');
	CHECK_INT(b.len, 10000);
	CHECK(b.data[10000] == '\0');
	buf_free(&b);
}

static void printf_longer_than_the_stack_buffer(void)
{
	struct buf b = BUF_INIT;
	char big[600];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	buf_printf(&b, "<%s>", big);
	CHECK_INT(b.len, 601);
	CHECK(b.data[0] == '<' && b.data[600] == '>');
	buf_free(&b);
}

static void json_string_escapes_quotes_controls_and_keeps_utf8(void)
{
	struct buf b = BUF_INIT;
	const char *s = "Cụm \"số 1\"\n\t\\\x01";
	buf_json_string(&b, s, strlen(s));
	CHECK_STR(buf_cstr(&b), "\"Cụm \\\"số 1\\\"\\n\\t\\\\\\u0001\"");
	buf_free(&b);
}

static void steal_leaves_the_buffer_empty(void)
{
	struct buf b = BUF_INIT;
	buf_puts(&b, "HN-HBT");
	char *s = buf_steal(&b);
	CHECK_STR(s, "HN-HBT");
	CHECK(b.data == NULL && b.len == 0);
	free(s);
	s = buf_steal(&b);
	CHECK_STR(s, "");
	free(s);
}

/* A cached answer's body, shared by the cache and the responses sending it. */
static void shared_bytes_live_until_the_last_owner(void)
{
	struct shared_bytes *s = shared_bytes_new("Hải Phòng", strlen("Hải Phòng"));
	CHECK_INT(shared_bytes_len(s), strlen("Hải Phòng"));
	CHECK_STR(shared_bytes_data(s), "Hải Phòng");
	CHECK(shared_bytes_ref(s) == s);
	shared_bytes_unref(s); /* one owner left: still readable (ASan would say otherwise) */
	CHECK_STR(shared_bytes_data(s), "Hải Phòng");
	shared_bytes_unref(s);
	shared_bytes_unref(NULL);
	struct shared_bytes *empty = shared_bytes_new(NULL, 0);
	CHECK_INT(shared_bytes_len(empty), 0);
	CHECK_STR(shared_bytes_data(empty), "");
	shared_bytes_unref(empty);
}

int main(void)
{
	RUN(appends_and_stays_terminated);
	RUN(grows_past_the_first_block);
	RUN(printf_longer_than_the_stack_buffer);
	RUN(json_string_escapes_quotes_controls_and_keeps_utf8);
	RUN(steal_leaves_the_buffer_empty);
	RUN(shared_bytes_live_until_the_last_owner);
	return tap_done();
}
