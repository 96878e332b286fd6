/* UTF-8 validation of request bodies, and API key shape and hashing. */
#include <sodium.h>
#include <string.h>

#include "domain/apikey.h"
#include "tap.h"
#include "util/utf8.h"

static void vietnamese_text_is_valid(void)
{
	const char *s = "Liên đoàn Lao động quận Hai Bà Trưng – Quý III/2022 ✓ 𝄞";
	size_t bad = 99;
	CHECK(utf8_valid(s, strlen(s), &bad));
}

static void bad_bytes_are_found_where_they_are(void)
{
	static const struct {
		const char *s;
		size_t len, at;
	} cases[] = {
		{"Ph\xf2ng", 5, 2},          /* Latin-1 ò */
		{"ab\0cd", 5, 2},            /* NUL */
		{"\xc3\x28", 2, 0},          /* bad continuation */
		{"x\xe1\xba", 3, 1},         /* cut short at the end */
		{"\xc0\xaf", 2, 0},          /* overlong */
		{"\xed\xa0\x80", 3, 0},      /* surrogate */
		{"\xf4\x90\x80\x80", 4, 0},  /* above U+10FFFF */
		{"ok\x80", 3, 2},            /* stray continuation */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		size_t bad = 99;
		CHECK(!utf8_valid(cases[i].s, cases[i].len, &bad));
		CHECK_INT(bad, cases[i].at);
	}
}

static void a_generated_key_parses_and_matches_itself(void)
{
	struct apikey k, p;
	apikey_generate(&k);
	CHECK_INT(strlen(k.text), 60);
	CHECK(!strncmp(k.text, "thd_", 4));
	CHECK(apikey_parse(k.text, &p));
	CHECK_STR(p.prefix, k.prefix);
	CHECK(apikey_matches(&p, k.hash_hex));
	struct apikey other;
	apikey_generate(&other);
	CHECK(!apikey_matches(&p, other.hash_hex));
	CHECK(strcmp(k.text, other.text));
}

static void malformed_keys_are_refused(void)
{
	struct apikey p;
	CHECK(!apikey_parse("", &p));
	CHECK(!apikey_parse("thd_0123456789ab", &p));
	CHECK(!apikey_parse("thd_0123456789AB_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &p));
	CHECK(!apikey_parse("thd_0123456789ab_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", &p));
	CHECK(!apikey_parse("xyz_0123456789ab_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &p));
	CHECK(apikey_parse("thd_0123456789ab_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", &p));
	CHECK(!apikey_matches(&p, "short"));
}

int main(void)
{
	if (sodium_init() < 0)
		return 1;
	RUN(vietnamese_text_is_valid);
	RUN(bad_bytes_are_found_where_they_are);
	RUN(a_generated_key_parses_and_matches_itself);
	RUN(malformed_keys_are_refused);
	return tap_done();
}
