/* Request-targets taken apart: the path and the query parameters,
 * percent-decoded, and everything refused that must not reach a handler
 * (an encoded NUL, control characters, broken escapes, text that is not
 * UTF-8, a parameter given twice, too many parameters). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http/uri.h"
#include "tap.h"

/* Parses a target that must be accepted. */
static bool parse(const char *target, struct uri *u)
{
	struct uri_problem why;
	memset(&why, 0, sizeof why);
	bool ok = uri_parse(target, u, &why);
	if (!ok)
		printf("#   %s refused: %s %s\n", target, why.code ? why.code : "(null)", why.message);
	return ok;
}

/* Parses a target that must be refused; *u must come back empty. */
static bool refused(const char *target, struct uri_problem *why)
{
	struct uri u;
	memset(why, 0, sizeof *why);
	if (uri_parse(target, &u, why)) {
		printf("#   %s accepted, path \"%s\"\n", target, u.path);
		uri_free(&u);
		return false;
	}
	bool empty = u.path == NULL && u.nparams == 0;
	if (!empty)
		printf("#   %s refused but the uri is not empty\n", target);
	return empty;
}

static void the_path_is_percent_decoded(void)
{
	struct uri u;
	CHECK(parse("/v1/organizations/HT%2DNG", &u));
	CHECK_STR(u.path, "/v1/organizations/HT-NG");
	CHECK_INT(u.nparams, 0);
	uri_free(&u);

	CHECK(parse("/v1/blocs/c%E1%BB%A5m", &u)); /* cụm */
	CHECK_STR(u.path, "/v1/blocs/c\xE1\xBB\xA5m");
	uri_free(&u);

	/* an escaped percent stays a percent: %2500 is the text "%00", not NUL */
	CHECK(parse("/v1/organizations/ZZ%2500", &u));
	CHECK_STR(u.path, "/v1/organizations/ZZ%00");
	uri_free(&u);

	/* UTF-8 sent raw is fine too */
	CHECK(parse("/v1/blocs/c\xE1\xBB\xA5m", &u));
	CHECK_STR(u.path, "/v1/blocs/c\xE1\xBB\xA5m");
	uri_free(&u);
}

static void query_parameters_are_decoded(void)
{
	struct uri u;
	CHECK(parse("/v1/values?org=HN%2CHP&note=%C4%91%E1%BA%A1t%20184%25&period=2022ytd9", &u));
	CHECK_STR(u.path, "/v1/values");
	CHECK_INT(u.nparams, 3);
	CHECK_STR(u.params[0].name, "org");
	CHECK_STR(u.params[0].value, "HN,HP");
	CHECK_STR(u.params[1].name, "note");
	CHECK_STR(u.params[1].value, "\xC4\x91\xE1\xBA\xA1t 184%"); /* "đạt 184%" */
	CHECK_STR(u.params[2].name, "period");
	CHECK_STR(u.params[2].value, "2022ytd9");
	CHECK_STR(uri_param(&u, "org"), "HN,HP");
	CHECK_STR(uri_param(&u, "period"), "2022ytd9");
	CHECK(uri_param(&u, "indicator") == NULL);
	CHECK(uri_param(&u, "ORG") == NULL); /* names are case-sensitive */
	uri_free(&u);

	/* names are decoded too */
	CHECK(parse("/x?%6Frg=HN", &u));
	CHECK_STR(uri_param(&u, "org"), "HN");
	uri_free(&u);
}

static void plus_is_a_space_in_the_query_only(void)
{
	struct uri u;
	CHECK(parse("/a+b?q=a+b&r=a%2Bb&s+t=1", &u));
	CHECK_STR(u.path, "/a+b");
	CHECK_STR(uri_param(&u, "q"), "a b");
	CHECK_STR(uri_param(&u, "r"), "a+b");
	CHECK_STR(uri_param(&u, "s t"), "1");
	uri_free(&u);
}

static void one_trailing_slash_is_removed(void)
{
	struct uri u;
	CHECK(parse("/v1/organizations/", &u));
	CHECK_STR(u.path, "/v1/organizations");
	uri_free(&u);
	CHECK(parse("/v1/organizations/?org=HN", &u));
	CHECK_STR(u.path, "/v1/organizations");
	CHECK_STR(uri_param(&u, "org"), "HN");
	uri_free(&u);
	CHECK(parse("/v1/organizations//", &u));
	CHECK_STR(u.path, "/v1/organizations/");
	uri_free(&u);
	CHECK(parse("/", &u));
	CHECK_STR(u.path, "/");
	uri_free(&u);
	CHECK(parse("", &u));
	CHECK_STR(u.path, "/");
	uri_free(&u);
	CHECK(parse("?a=1", &u));
	CHECK_STR(u.path, "/");
	CHECK_STR(uri_param(&u, "a"), "1");
	uri_free(&u);
}

static void an_absolute_target_has_its_scheme_and_host_skipped(void)
{
	struct uri u;
	CHECK(parse("http://host/x?a=1", &u));
	CHECK_STR(u.path, "/x");
	CHECK_INT(u.nparams, 1);
	CHECK_STR(uri_param(&u, "a"), "1");
	uri_free(&u);
	CHECK(parse("HTTPS://api.example.vn:8443/v1/blocs/", &u));
	CHECK_STR(u.path, "/v1/blocs");
	CHECK_INT(u.nparams, 0);
	uri_free(&u);
	CHECK(parse("http://host", &u));
	CHECK_STR(u.path, "/");
	uri_free(&u);
	CHECK(parse("http://host?a=1", &u));
	CHECK_STR(u.path, "/");
	CHECK_STR(uri_param(&u, "a"), "1");
	uri_free(&u);
}

static void empty_pieces_say_nothing(void)
{
	struct uri u;
	CHECK(parse("/x?a=1&&b=2", &u));
	CHECK_INT(u.nparams, 2);
	CHECK_STR(uri_param(&u, "a"), "1");
	CHECK_STR(uri_param(&u, "b"), "2");
	uri_free(&u);
	CHECK(parse("/x?", &u));
	CHECK_STR(u.path, "/x");
	CHECK_INT(u.nparams, 0);
	uri_free(&u);
	CHECK(parse("/x?&&&", &u));
	CHECK_INT(u.nparams, 0);
	uri_free(&u);
	CHECK(parse("/x?&a=1&", &u));
	CHECK_INT(u.nparams, 1);
	CHECK_STR(uri_param(&u, "a"), "1");
	uri_free(&u);
}

static void a_parameter_without_a_value_is_empty(void)
{
	struct uri u;
	CHECK(parse("/x?a", &u));
	CHECK_INT(u.nparams, 1);
	CHECK_STR(uri_param(&u, "a"), "");
	uri_free(&u);
	CHECK(parse("/x?a=&b", &u));
	CHECK_INT(u.nparams, 2);
	CHECK_STR(uri_param(&u, "a"), "");
	CHECK_STR(uri_param(&u, "b"), "");
	uri_free(&u);
	/* only the first = parts name from value */
	CHECK(parse("/x?a=b=c", &u));
	CHECK_STR(uri_param(&u, "a"), "b=c");
	uri_free(&u);
}

static void an_encoded_nul_is_refused(void)
{
	struct uri_problem why;
	CHECK(refused("/v1/organizations/ZZ%00/summary", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.in, "path");
	/* uri.h says the field is "" for the path; uri.c writes "path" */
	CHECK_STR(why.field, "path");
	CHECK_STR(why.message, "The path is refused: it contains an encoded NUL character (%00).");

	CHECK(refused("/v1/values?org=ZZ%00", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.in, "query");
	CHECK_STR(why.field, "org");
	CHECK_STR(why.message, "The query parameter 'org' is refused: it contains an encoded NUL character (%00).");

	CHECK(refused("/v1/values?a%00b=1", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.in, "query");
	CHECK_STR(why.field, "a%00b");
	CHECK(strstr(why.message, "NUL") != NULL);
}

static void control_characters_are_refused(void)
{
	struct uri_problem why;
	const char *targets[] = {"/x%0A", "/x%1F", "/x%7F", "/x\ty"};
	for (size_t i = 0; i < sizeof targets / sizeof targets[0]; i++) {
		CHECK(refused(targets[i], &why));
		CHECK_STR(why.code, "invalid_uri");
		CHECK_STR(why.in, "path");
		CHECK_STR(why.message, "The path is refused: it contains a control character.");
	}
	CHECK(refused("/x?note=a%0D%0Ab", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.in, "query");
	CHECK_STR(why.field, "note");
	CHECK_STR(why.message, "The query parameter 'note' is refused: it contains a control character.");
	CHECK(refused("/x?q=%7F", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.field, "q");
	/* a raw control character in a name is shown escaped */
	CHECK(refused("/x?a\tb=1", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.field, "a%09b");
	CHECK(strstr(why.message, "control character") != NULL);
}

static void broken_escapes_are_refused(void)
{
	struct uri_problem why;
	const char *paths[] = {"/x%", "/x%2", "/x%G1", "/x%2G", "/x%%41", "/x%-1"};
	for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
		CHECK(refused(paths[i], &why));
		CHECK_STR(why.code, "invalid_uri");
		CHECK_STR(why.in, "path");
		CHECK_STR(why.message,
		          "The path is refused: a % must be followed by two hexadecimal digits (write % itself as %25).");
	}
	CHECK(refused("/x?a=%zz", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.in, "query");
	CHECK_STR(why.field, "a");
	CHECK(strstr(why.message, "two hexadecimal digits") != NULL);
	/* a % at the very end of a value, before the next parameter */
	CHECK(refused("/x?a=1%&b=2", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.field, "a");
	CHECK(refused("/x?a=1%2", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK(refused("/x?b%=1", &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.field, "b%");
}

static void text_that_is_not_utf8_is_refused(void)
{
	struct uri_problem why;
	const char *bad[] = {
		"%FF",          /* never in UTF-8 */
		"%C0%AF",       /* overlong '/' */
		"%E0%80%AF",    /* overlong '/' in three bytes */
		"%ED%A0%80",    /* a surrogate, U+D800 */
		"%F4%90%80%80", /* beyond U+10FFFF */
		"%C3",          /* cut short */
		"%80",          /* a continuation byte alone */
		"\xFF",         /* sent raw */
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		char target[64];
		snprintf(target, sizeof target, "/v1/organizations/%s", bad[i]);
		CHECK(refused(target, &why));
		CHECK_STR(why.code, "invalid_encoding");
		CHECK_STR(why.in, "path");
		CHECK_STR(why.message, "The path is refused: it is not UTF-8 text.");
		snprintf(target, sizeof target, "/v1/values?note=a%sb", bad[i]);
		CHECK(refused(target, &why));
		CHECK_STR(why.code, "invalid_encoding");
		CHECK_STR(why.in, "query");
		CHECK_STR(why.field, "note");
		CHECK_STR(why.message, "The query parameter 'note' is refused: it is not UTF-8 text.");
	}
	/* in a name, the field shows the name as sent */
	CHECK(refused("/x?%FF=1", &why));
	CHECK_STR(why.code, "invalid_encoding");
	CHECK_STR(why.field, "%FF");
	CHECK(refused("/x?\xFF=1", &why));
	CHECK_STR(why.code, "invalid_encoding");
	CHECK_STR(why.field, "%FF");
}

static void a_parameter_given_twice_is_refused(void)
{
	struct uri_problem why;
	CHECK(refused("/v1/values?org=HN&org=HP", &why));
	CHECK_STR(why.code, "invalid_parameter");
	CHECK_STR(why.in, "query");
	CHECK_STR(why.field, "org");
	CHECK_STR(why.message, "The query parameter 'org' is refused: it is given twice; give it once (lists are "
	                       "comma-separated: org=HN,HP).");
	CHECK(refused("/x?a&b=1&a=", &why));
	CHECK_STR(why.code, "invalid_parameter");
	CHECK_STR(why.field, "a");
	/* the same name however it is written */
	CHECK(refused("/x?a+b=1&a%20b=2", &why));
	CHECK_STR(why.code, "invalid_parameter");
	CHECK_STR(why.field, "a%20b");
	CHECK(strstr(why.message, "given twice") != NULL);
}

static void a_long_name_is_shown_cut(void)
{
	struct uri_problem why;
	/* 50 letters, twice: the field shows the first 40 and ... */
	const char *name = "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghij";
	char target[160];
	snprintf(target, sizeof target, "/x?%s=1&%s=2", name, name);
	CHECK(refused(target, &why));
	CHECK_STR(why.code, "invalid_parameter");
	CHECK_STR(why.field, "abcdefghijabcdefghijabcdefghijabcdefghij...");
}

static void at_most_64_parameters(void)
{
	char target[1024];
	size_t o = (size_t)snprintf(target, sizeof target, "/x?");
	for (int i = 1; i <= 64; i++)
		o += (size_t)snprintf(target + o, sizeof target - o, "%sp%d=%d", i > 1 ? "&" : "", i, i);
	struct uri u;
	CHECK(parse(target, &u));
	CHECK_INT(u.nparams, 64);
	CHECK_STR(uri_param(&u, "p1"), "1");
	CHECK_STR(uri_param(&u, "p64"), "64");
	uri_free(&u);

	/* empty pieces do not count */
	char with_empty[1100];
	snprintf(with_empty, sizeof with_empty, "%s&&&&", target);
	CHECK(parse(with_empty, &u));
	CHECK_INT(u.nparams, 64);
	uri_free(&u);

	snprintf(target + o, sizeof target - o, "&p65=65");
	struct uri_problem why;
	CHECK(refused(target, &why));
	CHECK_STR(why.code, "invalid_uri");
	CHECK_STR(why.in, "query");
	CHECK_STR(why.field, "p65");
	CHECK_STR(why.message, "The query parameter 'p65' is refused: the query has more than 64 parameters.");
}

static void freeing_twice_is_harmless(void)
{
	struct uri u;
	CHECK(parse("/x?a=1", &u));
	uri_free(&u);
	CHECK(u.path == NULL);
	CHECK_INT(u.nparams, 0);
	uri_free(&u);
}

int main(void)
{
	RUN(the_path_is_percent_decoded);
	RUN(query_parameters_are_decoded);
	RUN(plus_is_a_space_in_the_query_only);
	RUN(one_trailing_slash_is_removed);
	RUN(an_absolute_target_has_its_scheme_and_host_skipped);
	RUN(empty_pieces_say_nothing);
	RUN(a_parameter_without_a_value_is_empty);
	RUN(an_encoded_nul_is_refused);
	RUN(control_characters_are_refused);
	RUN(broken_escapes_are_refused);
	RUN(text_that_is_not_utf8_is_refused);
	RUN(a_parameter_given_twice_is_refused);
	RUN(a_long_name_is_shown_cut);
	RUN(at_most_64_parameters);
	RUN(freeing_twice_is_harmless);
	return tap_done();
}
