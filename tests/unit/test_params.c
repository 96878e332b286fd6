/* Typed request parameters: every type's shape and normal form, unknown
 * and credential-looking query parameters, required ones, several problems
 * in one answer, path captures, body members and whole JSON bodies. */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "http/uri.h"
#include "tap.h"

#define SPECS(...) ((const struct param_spec[]){__VA_ARGS__, {.name = NULL}})

/* What one request brings, as the test writes it. */
struct call {
	const char *target; /* NULL: no query at all */
	const char *const *path_names;
	const char *const *path_values;
	size_t npath;
	const char *body;
	size_t body_len; /* 0: strlen(body) */
	const char *content_type;
	const char *accept;
};

static bool validate(struct params *p, const struct param_spec *specs, struct call c)
{
	struct uri u;
	struct uri_problem why;
	if (c.target && !uri_parse(c.target, &u, &why)) {
		printf("#   uri_parse refused %s: %s\n", c.target, why.message);
		tap_current_failed = 1;
		memset(p, 0, sizeof *p);
		return false;
	}
	struct param_input in = {
		.uri = c.target ? &u : NULL,
		.path_names = c.path_names,
		.path_values = c.path_values,
		.npath = c.npath,
		.body = c.body,
		.body_len = c.body && !c.body_len ? strlen(c.body) : c.body_len,
		.content_type = c.content_type,
		.accept = c.accept,
	};
	bool ok = params_validate(p, specs, &in);
	if (c.target)
		uri_free(&u); /* nothing validated may point into it */
	return ok;
}

static size_t nerrors(const struct params *p)
{
	return json_array_size(p->errors);
}

/* Member key of error i. */
static const char *err(const struct params *p, size_t i, const char *key)
{
	return json_string_value(json_object_get(json_array_get(p->errors, i), key));
}

static char last_message[2048];

/* The value stored for spec given v (as a path capture, so any text can be
 * given as it is), or "!code" when refused, with the message kept in
 * last_message. */
static const char *one(struct param_spec s, const char *v)
{
	static char out[16384];
	s.in = IN_PATH;
	s.flags |= P_REQUIRED;
	const struct param_spec specs[] = {s, {.name = NULL}};
	const char *const names[] = {s.name};
	const char *const values[] = {v};
	struct params p;
	last_message[0] = '\0';
	if (validate(&p, specs, (struct call){.path_names = names, .path_values = values, .npath = 1})) {
		const char *got = params_get(&p, s.as ? s.as : s.name);
		snprintf(out, sizeof out, "%s", got ? got : "(absent)");
		if (p.errors) {
			printf("#   valid, yet with errors\n");
			tap_current_failed = 1;
		}
	} else {
		snprintf(out, sizeof out, "!%s", err(&p, 0, "code") ? err(&p, 0, "code") : "(no code)");
		snprintf(last_message, sizeof last_message, "%s", err(&p, 0, "message") ? err(&p, 0, "message") : "");
		if (nerrors(&p) != 1) {
			printf("#   %zu errors for one value\n", nerrors(&p));
			tap_current_failed = 1;
		}
		if (!err(&p, 0, "in") || strcmp(err(&p, 0, "in"), "path") || !err(&p, 0, "field") ||
		    strcmp(err(&p, 0, "field"), s.name)) {
			printf("#   the error does not name path/%s\n", s.name);
			tap_current_failed = 1;
		}
	}
	params_free(&p);
	return out;
}

/* ---- one value of each type ---- */

static const struct param_spec CODE = {.name = "org", .type = PT_CODE};
static const struct param_spec CODES = {.name = "orgs", .type = PT_CODES};
static const struct param_spec INDICATOR = {.name = "indicator", .type = PT_INDICATOR};
static const struct param_spec INDICATORS = {.name = "indicators", .type = PT_INDICATORS};
static const struct param_spec PERIOD = {.name = "period", .type = PT_PERIOD};
static const struct param_spec PERIODS = {.name = "periods", .type = PT_PERIODS};
static const struct param_spec DATE = {.name = "as_of", .type = PT_DATE};
static const struct param_spec TIMESTAMP = {.name = "since", .type = PT_TIMESTAMP};
static const struct param_spec YEAR = {.name = "year", .type = PT_INT, .min = 1900, .max = 2100};
static const struct param_spec SMALL = {.name = "n", .type = PT_INT, .min = -10, .max = 10};
static const struct param_spec ID = {.name = "id", .type = PT_INT, .min = 1, .max = 999999999999};
static const struct param_spec FLAG = {.name = "flag", .type = PT_BOOL};
static const char *const granularities[] = {"year", "quarter", "month", NULL};
static const struct param_spec EVERY = {.name = "every", .type = PT_ENUM, .choices = granularities};
static const struct param_spec SEARCH = {.name = "q", .type = PT_TEXT, .max = 200};
static const struct param_spec NOTE = {.name = "note", .type = PT_TEXT, .flags = P_MULTILINE, .max = 2000};
static const struct param_spec CURSOR = {.name = "after", .type = PT_CURSOR};

static void a_code_is_uppercased(void)
{
	CHECK_STR(one(CODE, "hn-hbt"), "HN-HBT");
	CHECK_STR(one(CODE, "HT-NG-VC"), "HT-NG-VC");
	CHECK_STR(one(CODE, "a1"), "A1");
	/* 40 characters is the longest */
	CHECK_STR(one(CODE, "abcdefghijabcdefghijabcdefghijabcdefghij"), "ABCDEFGHIJABCDEFGHIJABCDEFGHIJABCDEFGHIJ");
	CHECK_STR(one(CODE, "abcdefghijabcdefghijabcdefghijabcdefghijk"), "!invalid_parameter");
	CHECK_STR(one(CODE, "HN_X"), "!invalid_parameter");
	CHECK_STR(last_message, "org: 'HN_X' is not a valid code (letters, digits and hyphens, as in HN-HBT)");
	CHECK_STR(one(CODE, "HN--X"), "!invalid_parameter");
	CHECK_STR(one(CODE, "-HN"), "!invalid_parameter");
	CHECK_STR(one(CODE, "HN-"), "!invalid_parameter");
	CHECK_STR(one(CODE, "HN X"), "!invalid_parameter");
	CHECK_STR(one(CODE, "H\xC3\x80"), "!invalid_parameter"); /* HÀ */
	CHECK_STR(one(CODE, ""), "!missing_parameter");
	CHECK_STR(last_message, "org is required");
}

static void a_code_list_is_trimmed_and_joined(void)
{
	CHECK_STR(one(CODES, "HN, hp"), "HN,HP");
	CHECK_STR(one(CODES, "  hn-hbt ,ht-ng  "), "HN-HBT,HT-NG");
	CHECK_STR(one(CODES, "hn"), "HN");
	CHECK_STR(one(CODES, "HN,,HP"), "!invalid_parameter");
	CHECK_STR(last_message, "orgs: '' is not a valid code (letters, digits and hyphens, as in HN-HBT)");
	CHECK_STR(one(CODES, "HN,"), "!invalid_parameter");
	CHECK_STR(one(CODES, "HN, "), "!invalid_parameter");
	CHECK_STR(one(CODES, "HN,H_P"), "!invalid_parameter");
	CHECK_STR(last_message, "orgs: 'H_P' is not a valid code (letters, digits and hyphens, as in HN-HBT)");
	CHECK_STR(one(CODES, "HN;HP"), "!invalid_parameter");
}

static void a_list_holds_at_most_200_items(void)
{
	static char list[2048], want[2048];
	size_t o = 0, w = 0;
	for (int i = 1; i <= 200; i++) {
		o += (size_t)snprintf(list + o, sizeof list - o, "%sc%d", i > 1 ? "," : "", i);
		w += (size_t)snprintf(want + w, sizeof want - w, "%sC%d", i > 1 ? "," : "", i);
	}
	CHECK_STR(one(CODES, list), want);
	snprintf(list + o, sizeof list - o, ",c201");
	CHECK_STR(one(CODES, list), "!invalid_parameter");
	CHECK_STR(last_message, "orgs lists more than 200 items");
}

static void indicators_are_lowercased(void)
{
	CHECK_STR(one(INDICATOR, "New_Members"), "new_members");
	CHECK_STR(one(INDICATOR, "x2"), "x2");
	CHECK_STR(one(INDICATOR, "2x"), "!invalid_parameter");
	CHECK_STR(last_message, "indicator: '2x' is not a valid indicator code (as in new_members)");
	CHECK_STR(one(INDICATOR, "new-members"), "!invalid_parameter");
	CHECK_STR(one(INDICATOR, "_x"), "!invalid_parameter");
	CHECK_STR(one(INDICATORS, "New_Members, Y2"), "new_members,y2");
	CHECK_STR(one(INDICATORS, "a,b-c"), "!invalid_parameter");
	CHECK_STR(last_message, "indicators: 'b-c' is not a valid indicator code (as in new_members)");
}

static void periods_are_normalised(void)
{
	CHECK_STR(one(PERIOD, "2022ytd9"), "2022YTD09");
	CHECK_STR(one(PERIOD, "2022h1"), "2022H1");
	CHECK_STR(one(PERIOD, "2022m3"), "2022M03");
	CHECK_STR(one(PERIOD, "2023-2028"), "2023-2028");
	CHECK_STR(one(PERIOD, "2022Q5"), "!invalid_period");
	CHECK_STR(last_message, "quarter must be Q1 to Q4, not Q5");
	CHECK_STR(one(PERIOD, "2022X1"), "!invalid_period");
	CHECK_STR(one(PERIODS, "2022, 2022ytd9,2023q1"), "2022,2022YTD09,2023Q1");
	CHECK_STR(one(PERIODS, "2022,2022Q5"), "!invalid_period");
	CHECK_STR(last_message, "quarter must be Q1 to Q4, not Q5");
	CHECK_STR(one(PERIODS, "2022,"), "!invalid_period");
}

static void dates_are_real_days(void)
{
	CHECK_STR(one(DATE, "2024-02-29"), "2024-02-29");
	CHECK_STR(one(DATE, "2000-02-29"), "2000-02-29");
	CHECK_STR(one(DATE, "1900-01-01"), "1900-01-01");
	CHECK_STR(one(DATE, "2100-12-31"), "2100-12-31");
	CHECK_STR(one(DATE, "2023-02-29"), "!invalid_parameter");
	CHECK_STR(last_message, "as_of: '2023-02-29' is not a date as YYYY-MM-DD between 1900 and 2100");
	CHECK_STR(one(DATE, "2100-02-29"), "!invalid_parameter");
	CHECK_STR(one(DATE, "1999-+1-01"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2024-13-01"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2024-00-10"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2024-04-31"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2024-04-00"), "!invalid_parameter");
	CHECK_STR(one(DATE, "1899-12-31"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2101-01-01"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2024-1-01"), "!invalid_parameter");
	CHECK_STR(one(DATE, "2024-01-01T00:00"), "!invalid_parameter");
	CHECK_STR(one(DATE, " 2024-01-01"), "!invalid_parameter");
	CHECK_STR(one(DATE, "20240101"), "!invalid_parameter");
}

static void timestamps_are_moments(void)
{
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00:00Z"), "2026-11-22T08:00:00Z");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00+07:00"), "2026-11-22T08:00+07:00");
	/* a moment without its zone is refused, as documented: 08:00 in Hà Nội is 01:00 UTC */
	CHECK_STR(one(TIMESTAMP, "2026-11-22"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22 08:00:00"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22 08:00:00+07:00"), "2026-11-22 08:00:00+07:00");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00:00.123456789-03:30"), "2026-11-22T08:00:00.123456789-03:30");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T23:59:59+14:00"), "2026-11-22T23:59:59+14:00");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00+16:00"), "!invalid_parameter");
	CHECK_STR(last_message, "since: '2026-11-22T08:00+16:00' is not a moment with its zone; write "
	                        "2026-11-22T08:00:00Z or 2026-11-22T15:00:00+07:00 (ISO 8601, with Z or an offset within "
	                        "\xC2\xB1"
	                        "14:00)");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T24:00"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00+14:30"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:60"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00:60"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00+07"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00Zx"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00:00."), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22T08:00:00.1234567890Z"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-02-30T08:00Z"), "!invalid_parameter");
	CHECK_STR(one(TIMESTAMP, "2026-11-22X"), "!invalid_parameter");
}

static void a_timestamp_offset_in_a_query_needs_its_plus_escaped(void)
{
	const struct param_spec *specs = SPECS({.name = "since", .in = IN_QUERY, .type = PT_TIMESTAMP});
	struct params p;
	CHECK(validate(&p, specs, (struct call){.target = "/x?since=2026-11-22T08:00%2B07:00"}));
	CHECK_STR(params_get(&p, "since"), "2026-11-22T08:00+07:00");
	params_free(&p);
	/* a bare + is a space in a query */
	CHECK(!validate(&p, specs, (struct call){.target = "/x?since=2026-11-22T08:00+07:00"}));
	CHECK_STR(err(&p, 0, "code"), "invalid_parameter");
	CHECK_STR(err(&p, 0, "in"), "query");
	CHECK_STR(err(&p, 0, "field"), "since");
	params_free(&p);
}

static void whole_numbers_within_bounds(void)
{
	CHECK_STR(one(YEAR, "2023"), "2023");
	CHECK_STR(one(YEAR, "1900"), "1900");
	CHECK_STR(one(YEAR, "2100"), "2100");
	CHECK_STR(one(YEAR, "1899"), "!invalid_parameter");
	CHECK_STR(last_message, "year: '1899' must be a whole number from 1900 to 2100");
	CHECK_STR(one(YEAR, "2101"), "!invalid_parameter");
	CHECK_STR(one(YEAR, "+5"), "!invalid_parameter");
	CHECK_STR(one(YEAR, "+2023"), "!invalid_parameter");
	CHECK_STR(one(YEAR, " 2023"), "!invalid_parameter");
	CHECK_STR(one(YEAR, "2023 "), "!invalid_parameter");
	CHECK_STR(one(YEAR, "2023x"), "!invalid_parameter");
	CHECK_STR(one(YEAR, "2023.0"), "!invalid_parameter");
	CHECK_STR(one(SMALL, "5x"), "!invalid_parameter");
	CHECK_STR(one(SMALL, " 5"), "!invalid_parameter");
	CHECK_STR(one(SMALL, "+5"), "!invalid_parameter");
	CHECK_STR(one(SMALL, "5"), "5");
	CHECK_STR(one(SMALL, "-10"), "-10");
	CHECK_STR(one(SMALL, "-11"), "!invalid_parameter");
	CHECK_STR(last_message, "n: '-11' must be a whole number from -10 to 10");
	CHECK_STR(one(SMALL, "-"), "!invalid_parameter");
	CHECK_STR(one(SMALL, "--5"), "!invalid_parameter");
	CHECK_STR(one(SMALL, "007"), "7");
	CHECK_STR(one(SMALL, "-0"), "0");
	CHECK_STR(one(SMALL, "0x5"), "!invalid_parameter");
	CHECK_STR(one(ID, "999999999999"), "999999999999");
	CHECK_STR(one(ID, "1000000000000"), "!invalid_parameter");
	CHECK_STR(one(ID, "0"), "!invalid_parameter");
	CHECK_STR(one(ID, "99999999999999"), "!invalid_parameter");
	CHECK_STR(one(ID, "99999999999999999999999"), "!invalid_parameter");
}

static void booleans_are_true_or_false(void)
{
	CHECK_STR(one(FLAG, "true"), "true");
	CHECK_STR(one(FLAG, "false"), "false");
	CHECK_STR(one(FLAG, "TRUE"), "!invalid_parameter");
	CHECK_STR(one(FLAG, "1"), "!invalid_parameter");
	CHECK_STR(one(FLAG, "yes"), "!invalid_parameter");
	CHECK_STR(last_message, "flag: 'yes' must be true or false");
}

static void an_enum_lists_its_choices(void)
{
	CHECK_STR(one(EVERY, "month"), "month");
	CHECK_STR(one(EVERY, "year"), "year");
	CHECK_STR(one(EVERY, "week"), "!invalid_parameter");
	CHECK_STR(last_message, "every: 'week' is not one of year, quarter, month");
	CHECK_STR(one(EVERY, "Month"), "!invalid_parameter");
	/* a long value is shown cut at 40 bytes of whole characters */
	CHECK_STR(one(EVERY, "aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd-and-more"), "!invalid_parameter");
	CHECK_STR(last_message, "every: 'aaaaaaaaaabbbbbbbbbbccccccccccdddddddddd\xE2\x80\xA6' is not one of year, quarter, month");
	/* 39 letters and a 2-byte character: the character would pass byte 40 */
	CHECK_STR(one(EVERY, "aaaaaaaaaabbbbbbbbbbcccccccccc123456789\xC4\x91\xC4\x91"), "!invalid_parameter");
	CHECK_STR(last_message, "every: 'aaaaaaaaaabbbbbbbbbbcccccccccc123456789\xE2\x80\xA6' is not one of year, quarter, month");
}

static char *repeat(const char *piece, int times)
{
	size_t n = strlen(piece);
	char *s = malloc(n * (size_t)times + 1);
	for (int i = 0; i < times; i++)
		memcpy(s + n * (size_t)i, piece, n);
	s[n * (size_t)times] = '\0';
	return s;
}

static void text_is_counted_in_characters(void)
{
	char *ascii200 = repeat("a", 200), *ascii201 = repeat("a", 201);
	char *d200 = repeat("\xC4\x91", 200);      /* đ, 2 bytes */
	char *a200 = repeat("\xE1\xBA\xA1", 200);  /* ạ, 3 bytes */
	char *a201 = repeat("\xE1\xBA\xA1", 201);
	CHECK_STR(one(SEARCH, ascii200), ascii200);
	CHECK_STR(one(SEARCH, d200), d200);
	CHECK_STR(one(SEARCH, a200), a200);
	CHECK_STR(one(SEARCH, ascii201), "!invalid_parameter");
	CHECK_STR(last_message, "q is longer than 200 characters");
	CHECK_STR(one(SEARCH, a201), "!invalid_parameter");
	CHECK_STR(last_message, "q is longer than 200 characters");
	CHECK_STR(one(SEARCH, "Tr\xC6\xB0\xE1\xBB\x9Dng THPT"), "Tr\xC6\xB0\xE1\xBB\x9Dng THPT");
	free(ascii200);
	free(ascii201);
	free(d200);
	free(a200);
	free(a201);
}

static void text_is_one_line_without_control_characters(void)
{
	CHECK_STR(one(SEARCH, "a\tb"), "!invalid_parameter");
	CHECK_STR(last_message, "q must be one line of text, without control characters");
	CHECK_STR(one(SEARCH, "a\nb"), "!invalid_parameter");
	CHECK_STR(one(SEARCH, "a\rb"), "!invalid_parameter");
	CHECK_STR(one(SEARCH, "a\x01" "b"), "!invalid_parameter");
	CHECK_STR(one(SEARCH, "a\x7F" "b"), "!invalid_parameter");
	/* multiline text may hold line breaks and tabs, nothing else */
	CHECK_STR(one(NOTE, "d\xC3\xB2ng 1\r\nd\xC3\xB2ng 2\n\tx"), "d\xC3\xB2ng 1\r\nd\xC3\xB2ng 2\n\tx");
	CHECK_STR(one(NOTE, "a\x01" "b"), "!invalid_parameter");
	CHECK_STR(last_message, "note must be one line of text, without control characters");
	CHECK_STR(one(NOTE, "a\x1B[31m"), "!invalid_parameter");
	CHECK_STR(one(NOTE, "a\x7F"), "!invalid_parameter");
}

static void cursors_come_back_as_they_went_out(void)
{
	char *c = params_cursor_encode("2022\x1FHN-HBT");
	CHECK_STR(c, "MjAyMh9ITi1IQlQ");
	CHECK_STR(one(CURSOR, c), "2022\x1FHN-HBT");
	free(c);
	c = params_cursor_encode("H\xC3\xA0 N\xE1\xBB\x99i\x1F" "42"); /* Hà Nội */
	CHECK_STR(c, "SMOgIE7hu5lpHzQy");
	CHECK_STR(one(CURSOR, c), "H\xC3\xA0 N\xE1\xBB\x99i\x1F" "42");
	free(c);
	c = params_cursor_encode("");
	CHECK_STR(c, "");
	free(c);
	/* 2048 characters is the longest cursor taken */
	char *longest = repeat("MDAw", 512), *longer = repeat("MDAw", 513), *want = repeat("000", 512);
	CHECK_STR(one(CURSOR, longest), want);
	CHECK_STR(one(CURSOR, longer), "!invalid_cursor");
	free(longest);
	free(longer);
	free(want);
}

static void a_cursor_not_handed_out_is_refused(void)
{
	const char *bad[] = {
		"!!!",              /* not base64 */
		"MjAy Mh9",         /* a space */
		"MjAyMh9ITi1IQlQ=", /* padding */
		"MjAyMh9ITi1IQl+/", /* the other alphabet */
		"A",                /* no whole byte */
		"__4",              /* \xFF\xFE: not UTF-8 */
		"wK8",              /* \xC0\xAF: overlong */
		"YQFi",             /* a\x01b */
		"YQli",             /* a\tb */
		"YX9i",             /* a\x7Fb: DEL is a control character */
		"AAAA",             /* three NUL bytes */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *got = one(CURSOR, bad[i]);
		if (strcmp(got, "!invalid_cursor"))
			printf("#   cursor %s gave \"%s\"\n", bad[i], got);
		CHECK_STR(got, "!invalid_cursor");
		CHECK_STR(last_message, "cursor is not one this service handed out; start again without it");
	}
}

/* ---- page size and format ---- */

static const struct param_spec TABLE[] = {
	{.name = "format", .in = IN_QUERY, .type = PT_FORMAT},
	{.name = "limit", .in = IN_QUERY, .type = PT_LIMIT},
	{.name = NULL},
};

static void the_page_size_is_stored_one_more(void)
{
	struct params p;
	CHECK(validate(&p, TABLE, (struct call){.target = "/x"}));
	CHECK_INT(p.format, TABLE_JSON);
	CHECK_STR(params_get(&p, "format"), "json");
	CHECK_INT(p.limit, 100);
	CHECK_STR(params_get(&p, "limit"), "101");
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x?limit="}));
	CHECK_INT(p.limit, 100);
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x?limit=1"}));
	CHECK_INT(p.limit, 1);
	CHECK_STR(params_get(&p, "limit"), "2");
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x?limit=1000"}));
	CHECK_INT(p.limit, 1000);
	CHECK_STR(params_get(&p, "limit"), "1001");
	params_free(&p);

	CHECK(!validate(&p, TABLE, (struct call){.target = "/x?limit=1001"}));
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(err(&p, 0, "in"), "query");
	CHECK_STR(err(&p, 0, "field"), "limit");
	CHECK_STR(err(&p, 0, "code"), "invalid_parameter");
	CHECK_STR(err(&p, 0, "message"), "limit: '1001' must be a whole number from 1 to 1000");
	params_free(&p);

	const char *bad[] = {"/x?limit=0", "/x?limit=-1", "/x?limit=%2B5", "/x?limit=10x", "/x?limit=+5"};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		CHECK(!validate(&p, TABLE, (struct call){.target = bad[i]}));
		CHECK_STR(p.first_code, "invalid_parameter");
		params_free(&p);
	}

	/* a page size without a format parameter */
	CHECK(validate(&p, SPECS({.name = "limit", .in = IN_QUERY, .type = PT_LIMIT}), (struct call){.target = "/x"}));
	CHECK_INT(p.limit, 100);
	CHECK_STR(params_get(&p, "limit"), "101");
	params_free(&p);
}

static void an_export_takes_up_to_100000_rows(void)
{
	struct params p;
	CHECK(validate(&p, TABLE, (struct call){.target = "/x?format=csv"}));
	CHECK_INT(p.format, TABLE_CSV);
	CHECK_STR(params_get(&p, "format"), "csv");
	CHECK_INT(p.limit, 100000);
	CHECK_STR(params_get(&p, "limit"), "100001");
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x?format=csv&limit=100000"}));
	CHECK_INT(p.limit, 100000);
	CHECK_STR(params_get(&p, "limit"), "100001");
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x?format=xlsx&limit=5000"}));
	CHECK_INT(p.format, TABLE_XLSX);
	CHECK_STR(params_get(&p, "format"), "xlsx");
	CHECK_INT(p.limit, 5000);
	CHECK_STR(params_get(&p, "limit"), "5001");
	params_free(&p);

	CHECK(!validate(&p, TABLE, (struct call){.target = "/x?format=csv&limit=100001"}));
	CHECK_STR(err(&p, 0, "message"), "limit: '100001' must be a whole number from 1 to 100000");
	params_free(&p);

	CHECK(!validate(&p, TABLE, (struct call){.target = "/x?format=json&limit=5000"}));
	CHECK_STR(err(&p, 0, "message"), "limit: '5000' must be a whole number from 1 to 1000");
	params_free(&p);
}

static void the_format_comes_from_the_parameter_or_accept(void)
{
	struct params p;
	CHECK(!validate(&p, TABLE, (struct call){.target = "/x?format=pdf"}));
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(err(&p, 0, "field"), "format");
	CHECK_STR(err(&p, 0, "code"), "invalid_parameter");
	CHECK_STR(err(&p, 0, "message"), "format: 'pdf' is not one of json, csv, xlsx");
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x", .accept = "text/csv"}));
	CHECK_INT(p.format, TABLE_CSV);
	CHECK_STR(params_get(&p, "format"), "csv");
	CHECK_INT(p.limit, 100000);
	params_free(&p);

	CHECK(validate(&p, TABLE,
	               (struct call){.target = "/x",
	                             .accept = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}));
	CHECK_INT(p.format, TABLE_XLSX);
	CHECK_STR(params_get(&p, "format"), "xlsx");
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x", .accept = "text/csv; charset=utf-8"}));
	CHECK_INT(p.format, TABLE_CSV);
	params_free(&p);

	CHECK(validate(&p, TABLE, (struct call){.target = "/x", .accept = "*/*"}));
	CHECK_INT(p.format, TABLE_JSON);
	CHECK_STR(params_get(&p, "format"), "json");
	params_free(&p);

	/* the parameter wins over Accept; an empty one says nothing */
	CHECK(validate(&p, TABLE, (struct call){.target = "/x?format=json", .accept = "text/csv"}));
	CHECK_INT(p.format, TABLE_JSON);
	CHECK_INT(p.limit, 100);
	params_free(&p);
	CHECK(validate(&p, TABLE, (struct call){.target = "/x?format=", .accept = "text/csv"}));
	CHECK_INT(p.format, TABLE_CSV);
	params_free(&p);
}

static void the_decimal_mark_is_point_or_comma(void)
{
	const struct param_spec *specs = SPECS({.name = "decimal", .in = IN_QUERY, .type = PT_DECIMAL});
	struct params p;
	CHECK(validate(&p, specs, (struct call){.target = "/x"}));
	CHECK(!p.decimal_comma);
	CHECK(params_get(&p, "decimal") == NULL);
	params_free(&p);
	CHECK(validate(&p, specs, (struct call){.target = "/x?decimal=comma"}));
	CHECK(p.decimal_comma);
	CHECK_STR(params_get(&p, "decimal"), "comma");
	params_free(&p);
	CHECK(validate(&p, specs, (struct call){.target = "/x?decimal=point"}));
	CHECK(!p.decimal_comma);
	CHECK_STR(params_get(&p, "decimal"), "point");
	params_free(&p);
	CHECK(!validate(&p, specs, (struct call){.target = "/x?decimal=dot"}));
	CHECK(!p.decimal_comma);
	CHECK_STR(err(&p, 0, "code"), "invalid_parameter");
	CHECK_STR(err(&p, 0, "field"), "decimal");
	CHECK_STR(err(&p, 0, "message"),
	          "decimal must be point (2529.554, the default) or comma (2.529,554, Vietnamese style)");
	params_free(&p);
}

static void defaults_fill_what_is_absent(void)
{
	const struct param_spec *specs =
		SPECS({.name = "every", .in = IN_QUERY, .type = PT_ENUM, .choices = granularities, .def = "year"},
	          {.name = "org", .in = IN_QUERY, .type = PT_CODE, .as = "scope_org", .def = "ALL"},
	          {.name = "q", .in = IN_QUERY, .type = PT_TEXT, .max = 10});
	struct params p;
	CHECK(validate(&p, specs, (struct call){.target = "/x"}));
	CHECK_STR(params_get(&p, "every"), "year");
	CHECK_STR(params_get(&p, "scope_org"), "ALL");
	CHECK(params_get(&p, "org") == NULL);
	CHECK(params_get(&p, "q") == NULL);
	params_free(&p);
	CHECK(validate(&p, specs, (struct call){.target = "/x?every=&org=&q="}));
	CHECK_STR(params_get(&p, "every"), "year");
	CHECK_STR(params_get(&p, "scope_org"), "ALL");
	CHECK(params_get(&p, "q") == NULL);
	params_free(&p);
	CHECK(validate(&p, specs, (struct call){.target = "/x?every=month&org=hn&q=a+b"}));
	CHECK_STR(params_get(&p, "every"), "month");
	CHECK_STR(params_get(&p, "scope_org"), "HN");
	CHECK_STR(params_get(&p, "q"), "a b");
	params_free(&p);
}

/* ---- the query as a whole ---- */

static const struct param_spec SERIES[] = {
	{.name = "org", .in = IN_QUERY, .type = PT_CODE, .flags = P_REQUIRED},
	{.name = "from", .in = IN_QUERY, .type = PT_INT, .flags = P_REQUIRED, .min = 1900, .max = 2100},
	{.name = "to", .in = IN_QUERY, .type = PT_INT, .flags = P_REQUIRED, .min = 1900, .max = 2100},
	{.name = "every", .in = IN_QUERY, .type = PT_ENUM, .choices = granularities, .def = "year"},
	{.name = NULL},
};

static void a_valid_query_is_normalised(void)
{
	struct params p;
	CHECK(validate(&p, SERIES, (struct call){.target = "/v1/series?org=hn-hbt&from=2020&to=2023"}));
	CHECK(p.errors == NULL);
	CHECK(p.first_code == NULL);
	CHECK_STR(params_get(&p, "org"), "HN-HBT");
	CHECK_STR(params_get(&p, "from"), "2020");
	CHECK_STR(params_get(&p, "to"), "2023");
	CHECK_STR(params_get(&p, "every"), "year");
	CHECK_STR(params_lookup(&p, "org"), "HN-HBT");
	CHECK(params_lookup(&p, "nothing") == NULL);
	params_free(&p);
}

static void an_unknown_query_parameter_is_named(void)
{
	struct params p;
	CHECK(!validate(&p, SERIES, (struct call){.target = "/v1/series?org=HN&from=2020&to=2023&perod=2022"}));
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(p.first_code, "unknown_parameter");
	CHECK_STR(err(&p, 0, "in"), "query");
	CHECK_STR(err(&p, 0, "field"), "perod");
	CHECK_STR(err(&p, 0, "code"), "unknown_parameter");
	CHECK_STR(err(&p, 0, "message"), "Unknown query parameter 'perod'; allowed: org, from, to, every.");
	params_free(&p);

	CHECK(!validate(&p, NULL, (struct call){.target = "/healthz?verbose=1"}));
	CHECK_STR(err(&p, 0, "code"), "unknown_parameter");
	CHECK_STR(err(&p, 0, "message"), "Unknown query parameter 'verbose'; this resource takes no query parameters.");
	params_free(&p);

	/* path parameters and body members are not query parameters */
	const struct param_spec *specs = SPECS({.name = "code", .in = IN_PATH, .type = PT_CODE, .flags = P_REQUIRED},
	                                       {.name = "name", .in = IN_BODY, .type = PT_TEXT, .max = 10});
	const char *const names[] = {"code"}, *const values[] = {"HN"};
	CHECK(!validate(&p, specs,
	                (struct call){.target = "/x?code=HN&name=a",
	                              .path_names = names,
	                              .path_values = values,
	                              .npath = 1,
	                              .body = "{}"}));
	CHECK_INT(nerrors(&p), 2);
	CHECK_STR(err(&p, 0, "field"), "code");
	CHECK_STR(err(&p, 0, "message"), "Unknown query parameter 'code'; this resource takes no query parameters.");
	CHECK_STR(err(&p, 1, "field"), "name");
	CHECK_STR(err(&p, 1, "code"), "unknown_parameter");
	params_free(&p);

	/* no specs, no query: nothing to say */
	CHECK(validate(&p, NULL, (struct call){.target = "/healthz"}));
	CHECK_INT(p.n, 0);
	params_free(&p);
}

static void a_key_in_the_url_is_refused_as_such(void)
{
	struct params p;
	CHECK(!validate(&p, SERIES, (struct call){.target = "/v1/series?org=HN&from=2020&to=2023&api_key=th_abc"}));
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(p.first_code, "key_in_url");
	CHECK_STR(err(&p, 0, "in"), "query");
	CHECK_STR(err(&p, 0, "field"), "api_key");
	CHECK_STR(err(&p, 0, "code"), "key_in_url");
	CHECK_STR(err(&p, 0, "message"), "API keys are not accepted in the URL, where logs and browser histories keep "
	                                 "them; send the header Authorization: Bearer <key>");
	params_free(&p);

	CHECK(!validate(&p, SERIES, (struct call){.target = "/x?Token=a&ACCESS_TOKEN=b&apikey=c&key=d&perod=2022"}));
	CHECK_INT(nerrors(&p), 5);
	CHECK_STR(err(&p, 0, "code"), "key_in_url");
	CHECK_STR(err(&p, 0, "field"), "Token");
	CHECK_STR(err(&p, 1, "code"), "key_in_url");
	CHECK_STR(err(&p, 2, "code"), "key_in_url");
	CHECK_STR(err(&p, 3, "code"), "key_in_url");
	CHECK_STR(err(&p, 4, "code"), "unknown_parameter");
	CHECK_STR(p.first_code, "key_in_url");
	params_free(&p);
}

static void required_parameters_must_be_given(void)
{
	struct params p;
	CHECK(!validate(&p, SERIES, (struct call){.target = "/v1/series?to=2023&org="}));
	CHECK_INT(nerrors(&p), 2);
	CHECK_STR(p.first_code, "missing_parameter");
	CHECK_STR(err(&p, 0, "in"), "query");
	CHECK_STR(err(&p, 0, "field"), "org");
	CHECK_STR(err(&p, 0, "code"), "missing_parameter");
	CHECK_STR(err(&p, 0, "message"), "org is required");
	CHECK_STR(err(&p, 1, "field"), "from");
	CHECK_STR(err(&p, 1, "message"), "from is required");
	params_free(&p);

	/* no query at all */
	CHECK(!validate(&p, SERIES, (struct call){.target = NULL}));
	CHECK_INT(nerrors(&p), 3);
	params_free(&p);
}

static void every_problem_is_listed_at_once(void)
{
	struct params p;
	CHECK(!validate(&p, SERIES, (struct call){.target = "/v1/series?org=HN_X&from=1800&to=abc&every=week"}));
	CHECK_INT(nerrors(&p), 4);
	CHECK_STR(p.first_code, "invalid_parameter");
	CHECK_STR(err(&p, 0, "field"), "org");
	CHECK_STR(err(&p, 1, "field"), "from");
	CHECK_STR(err(&p, 1, "message"), "from: '1800' must be a whole number from 1900 to 2100");
	CHECK_STR(err(&p, 2, "field"), "to");
	CHECK_STR(err(&p, 2, "message"), "to: 'abc' must be a whole number from 1900 to 2100");
	CHECK_STR(err(&p, 3, "field"), "every");
	CHECK_STR(err(&p, 3, "message"), "every: 'week' is not one of year, quarter, month");
	for (size_t i = 0; i < 4; i++) {
		CHECK_STR(err(&p, i, "in"), "query");
		CHECK_STR(err(&p, i, "code"), "invalid_parameter");
	}
	char *detail = params_problem_detail(&p);
	CHECK_STR(detail, "org: 'HN_X' is not a valid code (letters, digits and hyphens, as in HN-HBT) "
	                  "(and 3 more problems, listed in errors)");
	free(detail);
	params_free(&p);

	CHECK(!validate(&p, SERIES, (struct call){.target = "/v1/series?org=HN&from=1800"}));
	CHECK_INT(nerrors(&p), 2);
	CHECK_STR(err(&p, 1, "code"), "missing_parameter");
	detail = params_problem_detail(&p);
	CHECK_STR(detail, "from: '1800' must be a whole number from 1900 to 2100 (and 1 more problem, listed in errors)");
	free(detail);
	params_free(&p);

	CHECK(!validate(&p, SERIES, (struct call){.target = "/v1/series?org=HN&from=1800&to=2000"}));
	detail = params_problem_detail(&p);
	CHECK_STR(detail, "from: '1800' must be a whole number from 1900 to 2100");
	free(detail);
	params_free(&p);
}

static void path_parameters_are_checked_too(void)
{
	const struct param_spec *specs =
		SPECS({.name = "code", .in = IN_PATH, .type = PT_CODE, .flags = P_REQUIRED},
	          {.name = "year", .in = IN_PATH, .type = PT_INT, .flags = P_REQUIRED, .min = 1900, .max = 2100});
	const char *const names[] = {"code", "year"};
	struct params p;

	const char *const good[] = {"hn-cum1", "2023"};
	CHECK(validate(&p, specs, (struct call){.path_names = names, .path_values = good, .npath = 2}));
	CHECK_STR(params_get(&p, "code"), "HN-CUM1");
	CHECK_STR(params_get(&p, "year"), "2023");
	params_free(&p);

	const char *const bad[] = {"HN", "20x3"};
	CHECK(!validate(&p, specs, (struct call){.path_names = names, .path_values = bad, .npath = 2}));
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(err(&p, 0, "in"), "path");
	CHECK_STR(err(&p, 0, "field"), "year");
	CHECK_STR(err(&p, 0, "code"), "invalid_parameter");
	CHECK_STR(err(&p, 0, "message"), "year: '20x3' must be a whole number from 1900 to 2100");
	params_free(&p);

	CHECK(!validate(&p, specs, (struct call){.path_names = names, .path_values = good, .npath = 1}));
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(err(&p, 0, "in"), "path");
	CHECK_STR(err(&p, 0, "field"), "year");
	CHECK_STR(err(&p, 0, "code"), "missing_parameter");
	params_free(&p);

	/* a renamed path parameter is stored under its new name */
	const struct param_spec *renamed =
		SPECS({.name = "code", .in = IN_PATH, .type = PT_CODE, .flags = P_REQUIRED, .as = "org"});
	CHECK(validate(&p, renamed, (struct call){.path_names = names, .path_values = good, .npath = 1}));
	CHECK_STR(params_get(&p, "org"), "HN-CUM1");
	CHECK(params_get(&p, "code") == NULL);
	params_free(&p);
}

/* ---- the body ---- */

static const char *const roles[] = {"reader", "editor", "admin", NULL};
static const struct param_spec KEY[] = {
	{.name = "name", .in = IN_BODY, .type = PT_TEXT, .flags = P_REQUIRED, .max = 100},
	{.name = "role", .in = IN_BODY, .type = PT_ENUM, .flags = P_REQUIRED, .choices = roles},
	{.name = "scope", .in = IN_BODY, .type = PT_CODE, .flags = P_NULLABLE, .as = "key_scope"},
	{.name = "count", .in = IN_BODY, .type = PT_INT, .min = 0, .max = 10},
	{.name = "active", .in = IN_BODY, .type = PT_BOOL},
	{.name = "note", .in = IN_BODY, .type = PT_TEXT, .flags = P_NULLABLE | P_MULTILINE, .max = 2000},
	{.name = "period", .in = IN_BODY, .type = PT_PERIOD},
	{.name = NULL},
};

static bool body(struct params *p, const struct param_spec *specs, const char *text)
{
	return validate(p, specs, (struct call){.target = "/x", .body = text, .content_type = "application/json"});
}

static void body_members_are_typed(void)
{
	struct params p;
	CHECK(body(&p, KEY,
	           "{\"name\": \"B\xC3\xA1o c\xC3\xA1o\", \"role\": \"reader\", \"scope\": \"hn\", \"count\": 3, "
	           "\"active\": true, \"note\": \"d\xC3\xB2ng 1\\nd\xC3\xB2ng 2\", \"period\": \"2022ytd9\"}"));
	CHECK_STR(params_get(&p, "name"), "B\xC3\xA1o c\xC3\xA1o");
	CHECK_STR(params_get(&p, "role"), "reader");
	CHECK_STR(params_get(&p, "key_scope"), "HN");
	CHECK(params_get(&p, "scope") == NULL);
	CHECK_STR(params_get(&p, "count"), "3");
	CHECK_STR(params_get(&p, "active"), "true");
	CHECK_STR(params_get(&p, "note"), "d\xC3\xB2ng 1\nd\xC3\xB2ng 2");
	CHECK_STR(params_get(&p, "period"), "2022YTD09");
	CHECK(!p.wrong_media_type);
	params_free(&p);

	/* null (and "") only where nullable, and then absent */
	CHECK(body(&p, KEY, "{\"name\": \"x\", \"role\": \"admin\", \"scope\": null, \"note\": \"\", \"active\": false}"));
	CHECK(params_get(&p, "key_scope") == NULL);
	CHECK(params_get(&p, "note") == NULL);
	CHECK_STR(params_get(&p, "active"), "false");
	params_free(&p);

	/* a content type with parameters, or none at all */
	CHECK(validate(&p, KEY,
	               (struct call){.body = "{\"name\":\"x\",\"role\":\"admin\"}",
	                             .content_type = "Application/JSON; charset=utf-8"}));
	params_free(&p);
	CHECK(validate(&p, KEY, (struct call){.body = "{\"name\":\"x\",\"role\":\"admin\"}"}));
	params_free(&p);
}

static void body_members_of_the_wrong_kind_are_refused(void)
{
	struct params p;
	CHECK(!body(&p, KEY,
	            "{\"name\": null, \"role\": 5, \"count\": \"3\", \"active\": \"true\", \"period\": null, "
	            "\"scope\": 7}"));
	CHECK_INT(nerrors(&p), 6);
	CHECK_STR(p.first_code, "invalid_field");
	for (size_t i = 0; i < 6; i++) {
		CHECK_STR(err(&p, i, "in"), "body");
		CHECK_STR(err(&p, i, "code"), "invalid_field");
	}
	CHECK_STR(err(&p, 0, "field"), "name");
	CHECK_STR(err(&p, 0, "message"), "name may not be null");
	CHECK_STR(err(&p, 1, "field"), "role");
	CHECK_STR(err(&p, 1, "message"), "role must be text");
	CHECK_STR(err(&p, 2, "field"), "count");
	CHECK_STR(err(&p, 2, "message"), "count must be a whole number");
	CHECK_STR(err(&p, 3, "field"), "active");
	CHECK_STR(err(&p, 3, "message"), "active must be true or false");
	CHECK_STR(err(&p, 4, "field"), "period");
	CHECK_STR(err(&p, 4, "message"), "period may not be null");
	CHECK_STR(err(&p, 5, "field"), "scope");
	CHECK_STR(err(&p, 5, "message"), "scope must be text");
	params_free(&p);

	CHECK(!body(&p, KEY, "{\"name\": \"\", \"role\": \"reader\", \"count\": 2.0}"));
	CHECK_INT(nerrors(&p), 2);
	CHECK_STR(err(&p, 0, "message"), "name may not be empty");
	CHECK_STR(err(&p, 1, "message"), "count must be a whole number");
	params_free(&p);

	/* the type's own checks, in the body */
	CHECK(!body(&p, KEY,
	            "{\"name\": \"a\\tb\", \"role\": \"owner\", \"count\": 11, \"scope\": \"H_N\", "
	            "\"period\": \"2022Q5\"}"));
	CHECK_INT(nerrors(&p), 5);
	CHECK_STR(err(&p, 0, "in"), "body");
	CHECK_STR(err(&p, 0, "field"), "name");
	CHECK_STR(err(&p, 0, "code"), "invalid_parameter");
	CHECK_STR(err(&p, 0, "message"), "name must be one line of text, without control characters");
	CHECK_STR(err(&p, 1, "message"), "role: 'owner' is not one of reader, editor, admin");
	CHECK_STR(err(&p, 2, "message"), "count: '11' must be a whole number from 0 to 10");
	CHECK_STR(err(&p, 3, "field"), "scope");
	CHECK_STR(err(&p, 4, "code"), "invalid_period");
	CHECK_STR(err(&p, 4, "in"), "body");
	params_free(&p);
}

static void unknown_and_missing_members_are_named(void)
{
	struct params p;
	CHECK(!body(&p, KEY, "{\"colour\": \"red\", \"name\": \"x\"}"));
	CHECK_INT(nerrors(&p), 2);
	CHECK_STR(err(&p, 0, "in"), "body");
	CHECK_STR(err(&p, 0, "field"), "role");
	CHECK_STR(err(&p, 0, "code"), "missing_field");
	CHECK_STR(err(&p, 0, "message"), "role is required");
	CHECK_STR(err(&p, 1, "in"), "body");
	CHECK_STR(err(&p, 1, "field"), "colour");
	CHECK_STR(err(&p, 1, "code"), "unknown_field");
	CHECK_STR(err(&p, 1, "message"), "unknown field colour; the fields are name, role, scope, count, active, note, period");
	params_free(&p);

	CHECK(!body(&p, KEY, "{}"));
	CHECK_INT(nerrors(&p), 2);
	CHECK_STR(err(&p, 0, "field"), "name");
	CHECK_STR(err(&p, 0, "code"), "missing_field");
	CHECK_STR(err(&p, 1, "field"), "role");
	CHECK_STR(err(&p, 1, "code"), "missing_field");
	char *detail = params_problem_detail(&p);
	CHECK_STR(detail, "name is required (and 1 more problem, listed in errors)");
	free(detail);
	params_free(&p);
}

static const struct param_spec DOC[] = {
	{.name = "body", .in = IN_BODY, .type = PT_DOCUMENT, .flags = P_REQUIRED},
	{.name = NULL},
};

/* The single problem of a refused document body, as "in/field/code: message". */
static const char *doc_problem(struct call c)
{
	static char out[1024];
	struct params p;
	if (!c.target)
		c.target = "/x";
	if (validate(&p, DOC, c)) {
		snprintf(out, sizeof out, "accepted");
	} else {
		snprintf(out, sizeof out, "%s/%s/%s: %s", err(&p, 0, "in"), err(&p, 0, "field"), err(&p, 0, "code"),
		         err(&p, 0, "message"));
		if (nerrors(&p) != 1) {
			printf("#   %zu errors\n", nerrors(&p));
			tap_current_failed = 1;
		}
	}
	params_free(&p);
	return out;
}

static const char *doc(const char *text)
{
	return doc_problem((struct call){.body = text, .content_type = "application/json"});
}

static void a_document_passes_as_its_text(void)
{
	struct params p;
	const char *text = "{\"org\": \"HT\", \"actual\": 2516.100, \"list\": [1, -1e15, \"1e999\"], \"1e999\": {}}";
	CHECK(body(&p, DOC, text));
	CHECK_STR(params_get(&p, "body"), text);
	CHECK(!p.wrong_media_type);
	params_free(&p);
	/* numbers inside strings, escaped quotes and backslashes are text */
	CHECK_STR(doc("{\"a\": \"\\\"1e999\", \"b\": \"\\\\\", \"c\": 0.000000000000001}"), "accepted");
	CHECK_STR(doc("{}"), "accepted");
}

static void a_document_must_be_a_json_object(void)
{
	CHECK_STR(doc("[1, 2]"), "body/body/invalid_body: the body must be a JSON object");
	/* jansson itself refuses a bare scalar (no JSON_DECODE_ANY), before the
	 * object check: refused all the same, as invalid_json */
	CHECK(!strncmp(doc("5"), "body/body/invalid_json: ", 24));
	CHECK(!strncmp(doc("\"x\""), "body/body/invalid_json: ", 24));
	CHECK(!strncmp(doc("null"), "body/body/invalid_json: ", 24));
	CHECK_STR(doc(""), "body/body/invalid_body: the body is empty; send a JSON object");
	CHECK_STR(doc_problem((struct call){.body = NULL}), "body/body/invalid_body: the body is empty; send a JSON object");
	const char *broken = doc("{\"a\": 1");
	CHECK(!strncmp(broken, "body/body/invalid_json: the body is not valid JSON: ", 52));
	CHECK(strstr(broken, "(line 1, column ") != NULL);
	CHECK(!strncmp(doc("{'a': 1}"), "body/body/invalid_json: ", 24));
	CHECK(!strncmp(doc("{\"a\": 1} x"), "body/body/invalid_json: ", 24));
	const char *twice = doc("{\"a\": 1, \"a\": 2}");
	CHECK(!strncmp(twice, "body/body/invalid_json: ", 24));
	CHECK(strstr(twice, "duplicate") != NULL);
	CHECK(!strncmp(doc("{\"a\": {\"b\": 1, \"b\": 1}}"), "body/body/invalid_json: ", 24));
	CHECK_STR(doc("{\"a\": \"x\\u0000y\"}"), "body/body/invalid_body: text may not contain the NUL character (\\u0000)");
}

static void a_body_that_is_not_json_is_415(void)
{
	struct params p;
	CHECK(!validate(&p, DOC, (struct call){.target = "/x", .body = "org,period\n", .content_type = "text/csv"}));
	CHECK(p.wrong_media_type);
	CHECK_INT(nerrors(&p), 1);
	CHECK_STR(err(&p, 0, "in"), "header");
	CHECK_STR(err(&p, 0, "field"), "Content-Type");
	CHECK_STR(err(&p, 0, "code"), "unsupported_media_type");
	CHECK_STR(err(&p, 0, "message"), "send the body as application/json");
	params_free(&p);

	CHECK(!validate(&p, KEY, (struct call){.body = "name=x", .content_type = "application/x-www-form-urlencoded"}));
	CHECK(p.wrong_media_type);
	CHECK_STR(p.first_code, "unsupported_media_type");
	params_free(&p);

	/* other problems are not about the media type */
	CHECK(!validate(&p, DOC, (struct call){.body = "[]", .content_type = "application/json"}));
	CHECK(!p.wrong_media_type);
	params_free(&p);
}

static void every_number_in_a_document_must_fit(void)
{
	CHECK_STR(doc("{\"a\": {\"b\": [1, 2.5, 1e-999999]}}"),
	          "body/body/invalid_number: the number 1e-999999 in the body has more than 15 digits after the decimal "
	          "point");
	CHECK_STR(doc("{\"x\": 1000000000000000.01}"),
	          "body/body/invalid_number: the number 1000000000000000.01 in the body is larger than 10^15, the "
	          "largest figure this service holds");
	CHECK_STR(doc("{\"x\": [-1e16]}"),
	          "body/body/invalid_number: the number -1e16 in the body is larger than 10^15, the largest figure this "
	          "service holds");
	CHECK_STR(doc("{\"x\": 10000000000000000}"),
	          "body/body/invalid_number: the number 10000000000000000 in the body is larger than 10^15, the largest "
	          "figure this service holds");
	CHECK_STR(doc("{\"x\": 0.0000000000000001}"),
	          "body/body/invalid_number: the number 0.0000000000000001 in the body has more than 15 digits after the "
	          "decimal point");
	/* 71 characters: shown cut at 40 */
	CHECK_STR(doc("{\"x\": 0.000000000000000000000000000000000000000000000000000000000000000000001}"),
	          "body/body/invalid_number: the number 0.00000000000000000000000000000000000000\xE2\x80\xA6 in the body is "
	          "longer than 64 characters");
	/* too large for a double, or for a 64-bit integer: still a number too large */
	CHECK_STR(doc("{\"x\": 1e999}"),
	          "body/body/invalid_number: the number 1e999 in the body is larger than 10^15, the largest figure this "
	          "service holds");
	CHECK_STR(doc("{\"x\": 100000000000000000000}"),
	          "body/body/invalid_number: the number 100000000000000000000 in the body is larger than 10^15, the "
	          "largest figure this service holds");
	/* the largest and the finest that fit */
	CHECK_STR(doc("{\"x\": [1000000000000000, -1e15, 1e-15, 0.000000000000001, 0e10]}"), "accepted");
}

static void a_body_that_is_not_utf8_is_refused(void)
{
	CHECK_STR(doc("{\"a\": \"\xFF\"}"), "body/body/invalid_encoding: the body is not UTF-8 (byte 7); send JSON in UTF-8");
	CHECK_STR(doc("{\"a\":\"\xC0\xAF\"}"), "body/body/invalid_encoding: the body is not UTF-8 (byte 6); send JSON in UTF-8");
	CHECK_STR(doc("{\"a\":\"\xED\xA0\x80\"}"),
	          "body/body/invalid_encoding: the body is not UTF-8 (byte 6); send JSON in UTF-8");
	CHECK_STR(doc_problem((struct call){.body = "{\"a\":1}\0", .body_len = 8, .content_type = "application/json"}),
	          "body/body/invalid_encoding: the body is not UTF-8 (byte 7), it contains a NUL byte; send JSON in UTF-8");
	/* Latin-1 "Phòng" */
	CHECK_STR(doc("{\"a\":\"Ph\xF2ng\"}"), "body/body/invalid_encoding: the body is not UTF-8 (byte 8); send JSON in UTF-8");
}

/* ---- the value set ---- */

static void values_can_be_set_and_replaced(void)
{
	struct params p;
	memset(&p, 0, sizeof p);
	params_set(&p, "scope", "HT");
	CHECK_INT(p.n, 1);
	CHECK_STR(params_get(&p, "scope"), "HT");
	char copy[] = "HN";
	params_set(&p, "scope", copy);
	copy[0] = 'X';
	CHECK_INT(p.n, 1);
	CHECK_STR(params_get(&p, "scope"), "HN");
	params_set(&p, "mode", "replace");
	CHECK_INT(p.n, 2);
	CHECK_STR(params_lookup(&p, "mode"), "replace");
	params_set(&p, "scope", NULL);
	CHECK_INT(p.n, 2);
	CHECK(params_get(&p, "scope") == NULL);
	CHECK(params_lookup(&p, "scope") == NULL);
	CHECK(params_get(&p, "other") == NULL);
	params_free(&p);
	CHECK_INT(p.n, 0);

	/* after validation, the server's own values join the client's */
	CHECK(validate(&p, SERIES, (struct call){.target = "/v1/series?org=hn&from=2020&to=2023"}));
	params_set(&p, "org", "HT");
	params_set(&p, "key_scope", "HT");
	CHECK_STR(params_get(&p, "org"), "HT");
	CHECK_STR(params_lookup(&p, "key_scope"), "HT");
	CHECK_STR(params_get(&p, "from"), "2020");
	params_free(&p);
}

static void problems_can_be_added_by_hand(void)
{
	struct params p;
	memset(&p, 0, sizeof p);
	char *detail = params_problem_detail(&p);
	CHECK_STR(detail, "invalid request");
	free(detail);
	params_fail(&p, "query", "org", "out_of_scope", "HN is outside what this key may see");
	CHECK_STR(p.first_code, "out_of_scope");
	params_fail(&p, "body", "x\xFF", "invalid_field", "bad \xFF");
	params_fail(&p, "body", "y", "invalid_field", "third");
	CHECK_STR(p.first_code, "out_of_scope");
	CHECK_INT(nerrors(&p), 3);
	CHECK_STR(err(&p, 0, "in"), "query");
	CHECK_STR(err(&p, 0, "field"), "org");
	CHECK_STR(err(&p, 0, "code"), "out_of_scope");
	CHECK_STR(err(&p, 1, "field"), "x\xEF\xBF\xBD");
	CHECK_STR(err(&p, 1, "message"), "bad \xEF\xBF\xBD");
	detail = params_problem_detail(&p);
	CHECK_STR(detail, "HN is outside what this key may see (and 2 more problems, listed in errors)");
	free(detail);
	params_free(&p);
	CHECK(p.errors == NULL);
}

static void types_have_names(void)
{
	static const struct {
		enum param_type type;
		const char *name;
	} names[] = {{PT_CODE, "code"}, {PT_INDICATORS, "indicators"}, {PT_INT, "integer"}, {PT_BOOL, "boolean"},
	             {PT_DOCUMENT, "document"}};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		CHECK_STR(params_type_name(names[i].type), names[i].name);
}

int main(void)
{
	RUN(a_code_is_uppercased);
	RUN(a_code_list_is_trimmed_and_joined);
	RUN(a_list_holds_at_most_200_items);
	RUN(indicators_are_lowercased);
	RUN(periods_are_normalised);
	RUN(dates_are_real_days);
	RUN(timestamps_are_moments);
	RUN(a_timestamp_offset_in_a_query_needs_its_plus_escaped);
	RUN(whole_numbers_within_bounds);
	RUN(booleans_are_true_or_false);
	RUN(an_enum_lists_its_choices);
	RUN(text_is_counted_in_characters);
	RUN(text_is_one_line_without_control_characters);
	RUN(cursors_come_back_as_they_went_out);
	RUN(a_cursor_not_handed_out_is_refused);
	RUN(the_page_size_is_stored_one_more);
	RUN(an_export_takes_up_to_100000_rows);
	RUN(the_format_comes_from_the_parameter_or_accept);
	RUN(the_decimal_mark_is_point_or_comma);
	RUN(defaults_fill_what_is_absent);
	RUN(a_valid_query_is_normalised);
	RUN(an_unknown_query_parameter_is_named);
	RUN(a_key_in_the_url_is_refused_as_such);
	RUN(required_parameters_must_be_given);
	RUN(every_problem_is_listed_at_once);
	RUN(path_parameters_are_checked_too);
	RUN(body_members_are_typed);
	RUN(body_members_of_the_wrong_kind_are_refused);
	RUN(unknown_and_missing_members_are_named);
	RUN(a_document_passes_as_its_text);
	RUN(a_document_must_be_a_json_object);
	RUN(a_body_that_is_not_json_is_415);
	RUN(every_number_in_a_document_must_fit);
	RUN(a_body_that_is_not_utf8_is_refused);
	RUN(values_can_be_set_and_replaced);
	RUN(problems_can_be_added_by_hand);
	RUN(types_have_names);
	return tap_done();
}
