/* Rules the schema states once (see schema.h). The values and patterns
 * come from schema_rules.inc, which the build writes from the migrations. */
#include "domain/schema.h"

#include <pthread.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema_rules.inc"

_Static_assert(CODE_MAX_LEN < 128 && INDICATOR_CODE_MAX_LEN < 128, "codes fit shape()'s buffer");

const size_t schema_code_max_len = CODE_MAX_LEN;
const size_t schema_indicator_code_max_len = INDICATOR_CODE_MAX_LEN;

static regex_t code_re, indicator_re;
static pthread_once_t compiled = PTHREAD_ONCE_INIT;

/* PostgreSQL's patterns for these codes are plain POSIX extended ones. */
static void compile_one(regex_t *re, const char *pattern)
{
	if (regcomp(re, pattern, REG_EXTENDED | REG_ICASE | REG_NOSUB) != 0) {
		fprintf(stderr, "thidua: the schema's code pattern %s is not a POSIX regular expression\n", pattern);
		abort();
	}
}

static void compile(void)
{
	compile_one(&code_re, CODE_PATTERN);
	compile_one(&indicator_re, INDICATOR_CODE_PATTERN);
}

/* s[0..len) as one NUL-free string no longer than max, matching re. The
 * patterns are ASCII: in the C locale no byte of a multibyte character
 * falls in their classes. */
static bool shape(regex_t *re, size_t max, const char *s, size_t len)
{
	if (len == 0 || len > max || memchr(s, '\0', len))
		return false;
	char text[128];
	if (len >= sizeof text)
		return false;
	memcpy(text, s, len);
	text[len] = '\0';
	pthread_once(&compiled, compile);
	return regexec(re, text, 0, NULL, 0) == 0;
}

bool schema_code_shape(const char *s, size_t len)
{
	return shape(&code_re, CODE_MAX_LEN, s, len);
}

bool schema_indicator_code_shape(const char *s, size_t len)
{
	return shape(&indicator_re, INDICATOR_CODE_MAX_LEN, s, len);
}
