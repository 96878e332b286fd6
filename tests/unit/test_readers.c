/* The import body readers: CSV through libcsv with line numbers, JSON
 * arrays element by element with the elements' own text. */
#include <stdlib.h>
#include <string.h>

#include "import/csv_reader.h"
#include "import/json_reader.h"
#include "tap.h"
#include "util/buf.h"

struct got {
	struct buf rows;    /* "line|idx|json\n" per row */
	struct buf rejects; /* "line|code\n" per rejection */
};

static bool on_row(void *ctx, const struct import_record *rec)
{
	struct got *g = ctx;
	struct buf json = BUF_INIT;
	import_record_json(rec, &json);
	buf_printf(&g->rows, "%ld|%ld|%s\n", rec->line, rec->idx, buf_cstr(&json));
	buf_free(&json);
	return true;
}

static void on_reject(void *ctx, long line, long idx, const char *field, const char *code, const char *message)
{
	(void)idx;
	(void)field;
	(void)message;
	struct got *g = ctx;
	buf_printf(&g->rejects, "%ld|%s\n", line, code);
}

static const struct import_columns cols = {
	.allowed = (const char *const[]){"org", "indicator", "period", "actual", "target", "note", NULL},
	.key = (const char *const[]){"org", "indicator", "period", NULL},
	.required = (const char *const[]){"org", "indicator", "period", NULL},
};

/* As with empty=clear: an empty cell is null. */
static bool read_csv(const char *text, struct got *g, struct read_error *err)
{
	memset(g, 0, sizeof *g);
	struct import_sink sink = {.ctx = g, .empty_clears = true, .row = on_row, .reject = on_reject};
	return csv_read(text, strlen(text), &cols, &sink, err, NULL);
}

static void done(struct got *g)
{
	buf_free(&g->rows);
	buf_free(&g->rejects);
}

/* By default (empty=keep) an empty cell leaves the field out, so the
 * stored figure keeps it: HT-NG-VC,tet_gifts,2026,35,, must not clear a
 * target someone else set. */
static void csv_empty_cells_are_left_out_by_default(void)
{
	struct got g;
	memset(&g, 0, sizeof g);
	struct read_error err;
	struct import_sink sink = {.ctx = &g, .row = on_row, .reject = on_reject};
	const char *text = "org,indicator,period,actual,target,note\nHT-NG-VC,tet_gifts,2026,35,,\n";
	CHECK(csv_read(text, strlen(text), &cols, &sink, &err, NULL));
	CHECK_STR(buf_cstr(&g.rows),
	          "2|-1|{\"org\":\"HT-NG-VC\",\"indicator\":\"tet_gifts\",\"period\":\"2026\",\"actual\":\"35\"}\n");
	done(&g);
}

static void csv_rows_become_objects_with_their_lines(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_csv("org,indicator,period,actual,target,note\n"
	               "HP,new_members,2022YTD09,15536,,\n"
	               "HT,new_members,2022,2202,1200,\"đạt 184%\"\n",
	               &g, &err));
	CHECK_STR(buf_cstr(&g.rows),
	          "2|-1|{\"org\":\"HP\",\"indicator\":\"new_members\",\"period\":\"2022YTD09\",\"actual\":\"15536\",\"target\":null,\"note\":null}\n"
	          "3|-1|{\"org\":\"HT\",\"indicator\":\"new_members\",\"period\":\"2022\",\"actual\":\"2202\",\"target\":\"1200\",\"note\":\"đạt 184%\"}\n");
	done(&g);
}

static void a_quoted_field_across_lines_keeps_the_start_line(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_csv("org,indicator,period,note\r\n"
	               "HP,a,2022,\"dòng 1\r\ndòng 2\"\r\n"
	               "\r\n"
	               "HP,b,2022,\"x, \"\"y\"\"\"\r\n",
	               &g, &err));
	CHECK_STR(buf_cstr(&g.rows),
	          "2|-1|{\"org\":\"HP\",\"indicator\":\"a\",\"period\":\"2022\",\"note\":\"dòng 1\\r\\ndòng 2\"}\n"
	          "5|-1|{\"org\":\"HP\",\"indicator\":\"b\",\"period\":\"2022\",\"note\":\"x, \\\"y\\\"\"}\n");
	done(&g);
}

static void semicolons_and_header_case_are_understood(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_csv("Org; Indicator ;PERIOD\nHP;new_members;2022\n", &g, &err));
	CHECK_STR(buf_cstr(&g.rows), "2|-1|{\"org\":\"HP\",\"indicator\":\"new_members\",\"period\":\"2022\"}\n");
	done(&g);
}

static void empty_key_cells_are_left_out_and_blank_rows_skipped(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_csv("org,indicator,period,actual\nHP,,2022,1\n,,,\n", &g, &err));
	CHECK_STR(buf_cstr(&g.rows), "2|-1|{\"org\":\"HP\",\"period\":\"2022\",\"actual\":\"1\"}\n");
	done(&g);
}

static void a_short_row_is_rejected_by_line(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_csv("org,indicator,period\nHP,x\nHP,x,2022,extra\nHP,x,2022\n", &g, &err));
	CHECK_STR(buf_cstr(&g.rejects), "2|wrong_field_count\n3|wrong_field_count\n");
	CHECK_STR(buf_cstr(&g.rows), "4|-1|{\"org\":\"HP\",\"indicator\":\"x\",\"period\":\"2022\"}\n");
	done(&g);
}

static void header_problems_fail_the_whole_body(void)
{
	struct got g;
	struct read_error err;
	CHECK(!read_csv("org,indicator,period,colour\n", &g, &err));
	CHECK_STR(err.code, "invalid_csv_header");
	CHECK(strstr(err.message, "colour") != NULL);
	done(&g);
	CHECK(!read_csv("org,period\n", &g, &err));
	CHECK_STR(err.message, "the header has no indicator column");
	done(&g);
	CHECK(!read_csv("org,org,indicator,period\n", &g, &err));
	CHECK(strstr(err.message, "twice") != NULL);
	done(&g);
	CHECK(!read_csv("", &g, &err));
	CHECK_STR(err.code, "invalid_csv_header");
	done(&g);
}

static void an_unclosed_quote_names_its_line(void)
{
	struct got g;
	struct read_error err;
	CHECK(!read_csv("org,indicator,period\nHP,x,2022\nHP,\"x,2022\nHP,y,2022\n", &g, &err));
	CHECK_STR(err.code, "invalid_csv");
	CHECK_INT(err.line, 3);
	done(&g);
}

static bool read_json(const char *text, struct got *g, struct read_error *err)
{
	memset(g, 0, sizeof *g);
	struct import_sink sink = {.ctx = g, .row = on_row, .reject = on_reject};
	return json_read(text, strlen(text), &sink, err);
}

static void json_elements_pass_verbatim(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_json(" [ {\"org\": \"HT\", \"actual\": 2529.554, \"x\": [1, {\"y\": \"]\"}]},\n"
	                "  {\"target\": 2516.100, \"note\": \"a\\\"b \\u0110\", \"ok\": true, \"n\": null} ] ", &g, &err));
	CHECK_STR(buf_cstr(&g.rows), "1|0|{\"org\":\"HT\",\"actual\":2529.554,\"x\":[1, {\"y\": \"]\"}]}\n"
	                             "2|1|{\"target\":2516.100,\"note\":\"a\\\"b Đ\",\"ok\":true,\"n\":null}\n");
	done(&g);
}

static void json_non_objects_are_rejected_rows(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_json("[1, {\"a\": \"\\u0000\"}, {}]", &g, &err));
	CHECK_STR(buf_cstr(&g.rejects), "1|invalid_row\n1|invalid_row\n");
	CHECK_STR(buf_cstr(&g.rows), "1|2|{}\n");
	done(&g);
}

static void broken_json_fails_with_a_place(void)
{
	struct got g;
	struct read_error err;
	CHECK(!read_json("[\n{\"a\": 1},\n{\"a\": }\n]", &g, &err));
	CHECK_STR(err.code, "invalid_json");
	CHECK_INT(err.line, 3);
	done(&g);
	CHECK(!read_json("{\"a\": 1}", &g, &err));
	CHECK_STR(err.code, "invalid_body");
	done(&g);
	CHECK(!read_json("[{}", &g, &err));
	done(&g);
	CHECK(!read_json("[{}] x", &g, &err));
	done(&g);
	CHECK(read_json("[]", &g, &err));
	done(&g);
}

static void lines_ended_by_a_bare_cr_are_counted(void)
{
	/* Excel for Mac's "CSV (Macintosh)": CR alone between lines */
	struct got g;
	struct read_error err;
	CHECK(read_csv("org,indicator,period,actual\rHP,new_members,2022,1\rHT,new_members,2022\rHN,members,2023,3\r",
	               &g, &err));
	CHECK_STR(buf_cstr(&g.rows), "2|-1|{\"org\":\"HP\",\"indicator\":\"new_members\",\"period\":\"2022\",\"actual\":\"1\"}\n"
	                             "4|-1|{\"org\":\"HN\",\"indicator\":\"members\",\"period\":\"2023\",\"actual\":\"3\"}\n");
	CHECK_STR(buf_cstr(&g.rejects), "3|wrong_field_count\n");
	done(&g);
}

static void a_number_too_large_for_a_double_is_a_rejected_row(void)
{
	struct got g;
	struct read_error err;
	/* jansson cannot hold 1e999: the element is a row rejected for its number, the rest read on */
	CHECK(read_json("[{\"org\": \"HP\", \"actual\": 1e999},\n {\"org\": \"HT\", \"actual\": 5},"
	                " {\"x\": [100000000000000000000, \"]\"]}]",
	                &g, &err));
	CHECK_STR(buf_cstr(&g.rejects), "1|invalid_number\n2|invalid_number\n");
	CHECK_STR(buf_cstr(&g.rows), "2|1|{\"org\":\"HT\",\"actual\":5}\n");
	done(&g);
	/* but a broken element is still broken JSON */
	CHECK(!read_json("[{\"actual\": 1e999, }]", &g, &err));
	CHECK_STR(err.code, "invalid_json");
	done(&g);
}

static void a_field_given_twice_is_a_rejected_row(void)
{
	struct got g;
	struct read_error err;
	CHECK(read_json("[{\"code\": \"dup\", \"code\": \"HN-HBT\"}, {\"code\": \"HP\"}]", &g, &err));
	CHECK_STR(buf_cstr(&g.rejects), "1|invalid_field\n");
	CHECK_STR(buf_cstr(&g.rows), "1|1|{\"code\":\"HP\"}\n");
	done(&g);
}

int main(void)
{
	RUN(csv_rows_become_objects_with_their_lines);
	RUN(csv_empty_cells_are_left_out_by_default);
	RUN(a_quoted_field_across_lines_keeps_the_start_line);
	RUN(semicolons_and_header_case_are_understood);
	RUN(empty_key_cells_are_left_out_and_blank_rows_skipped);
	RUN(a_short_row_is_rejected_by_line);
	RUN(header_problems_fail_the_whole_body);
	RUN(an_unclosed_quote_names_its_line);
	RUN(json_elements_pass_verbatim);
	RUN(json_non_objects_are_rejected_rows);
	RUN(broken_json_fails_with_a_place);
	RUN(lines_ended_by_a_bare_cr_are_counted);
	RUN(a_number_too_large_for_a_double_is_a_rejected_row);
	RUN(a_field_given_twice_is_a_rejected_row);
	return tap_done();
}
