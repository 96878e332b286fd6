/* HTTP facts: which language a client prefers, media types. */
#include "http/http.h"
#include "tap.h"

static void vietnamese_when_it_comes_first(void)
{
	CHECK(http_prefers_language("vi", "vi"));
	CHECK(http_prefers_language("vi-VN,vi;q=0.9,en-US;q=0.8,en;q=0.7", "vi"));
	CHECK(http_prefers_language("en;q=0.5, vi", "vi"));
	CHECK(http_prefers_language("VI-vn", "vi"));
	CHECK(!http_prefers_language("en-US,en;q=0.9,vi;q=0.8", "vi"));
	CHECK(!http_prefers_language("en, vi", "vi")); /* equal q: the first listed wins */
	CHECK(!http_prefers_language("vi;q=0", "vi"));
	CHECK(!http_prefers_language("video", "vi"));
	CHECK(!http_prefers_language("", "vi"));
	CHECK(!http_prefers_language(NULL, "vi"));
	CHECK(!http_prefers_language("*", "vi"));
}

static void media_types_match_exactly(void)
{
	CHECK(http_media_type_is("application/json; charset=utf-8", "application/json"));
	CHECK(http_media_type_is("  Application/JSON", "application/json"));
	CHECK(!http_media_type_is("application/jsonx", "application/json"));
	CHECK(!http_media_type_is(NULL, "application/json"));
}

int main(void)
{
	RUN(vietnamese_when_it_comes_first);
	RUN(media_types_match_exactly);
	return tap_done();
}
