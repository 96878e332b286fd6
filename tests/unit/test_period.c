/* The C period parser against the shared vectors (tests/vectors/periods.tsv,
 * also checked against the SQL parser), plus its edge cases. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/period.h"
#include "tap.h"

#define MAX_FIELDS 10

static char *fields[MAX_FIELDS];
static int nfields;

/* \s is a space, \t a tab, <empty> the empty string. */
static void decode_input(const char *in, char *out, size_t outlen)
{
	size_t o = 0;
	if (!strcmp(in, "<empty>")) {
		out[0] = '\0';
		return;
	}
	for (const char *p = in; *p && o + 1 < outlen; p++) {
		if (p[0] == '\\' && (p[1] == 's' || p[1] == 't')) {
			out[o++] = p[1] == 's' ? ' ' : '\t';
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

static void check_vector(void)
{
	char input[256];
	decode_input(fields[0], input, sizeof input);
	struct period p;
	char err[256];
	bool ok = period_parse(input, &p, err, sizeof err);
	if (!strcmp(fields[1], "ok")) {
		CHECK(ok);
		if (!ok) {
			printf("#   refused: %s\n", err);
			return;
		}
		CHECK_STR(p.code, fields[2]);
		CHECK_STR(period_kind_name(p.kind), fields[3]);
		CHECK_INT(p.year, atoi(fields[4]));
		CHECK_INT(p.year_end, atoi(fields[5]));
		CHECK_INT(p.number, atoi(fields[6]));
		CHECK_STR(p.start, fields[7]);
		CHECK_STR(p.end, fields[8]);
		CHECK_STR(p.label, fields[9]);
	} else {
		CHECK(!ok);
		CHECK_STR(err, fields[2]);
	}
}

static int run_vectors(void)
{
	const char *dir = getenv("THIDUA_TEST_VECTORS");
	char path[512];
	snprintf(path, sizeof path, "%s/periods.tsv", dir ? dir : "tests/vectors");
	FILE *f = fopen(path, "r");
	if (!f) {
		printf("not ok 1 - cannot open %s\n", path);
		return 0;
	}
	char line[1024];
	int count = 0;
	bool header = true;
	while (fgets(line, sizeof line, f)) {
		line[strcspn(line, "\n")] = '\0';
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (header) {
			header = false;
			continue;
		}
		nfields = 0;
		for (char *p = line; nfields < MAX_FIELDS;) {
			fields[nfields++] = p;
			char *tab = strchr(p, '\t');
			if (!tab)
				break;
			*tab = '\0';
			p = tab + 1;
		}
		char name[300];
		snprintf(name, sizeof name, "vector %.280s", fields[0]);
		if (nfields < 3 || (!strcmp(fields[1], "ok") && nfields != 10)) {
			printf("#   malformed vector line: %s\n", fields[0]);
			tap_current_failed = 1;
			continue;
		}
		tap_test(name, check_vector);
		count++;
	}
	fclose(f);
	return count;
}

static void error_buffer_of_one_byte_is_terminated(void)
{
	struct period p;
	char err[1] = {'x'};
	CHECK(!period_parse("2022Q5", &p, err, sizeof err));
	CHECK(err[0] == '\0');
}

static void null_input_is_empty(void)
{
	struct period p;
	char err[200];
	CHECK(!period_parse(NULL, &p, err, sizeof err));
	CHECK(strstr(err, "period is empty") == err);
}

/* The names come from the SQL enum period_kind: its order must be the
 * C enum's. */
static void kind_names(void)
{
	static const char *const want[] = {[PERIOD_YEAR] = "year", [PERIOD_HALF] = "half", [PERIOD_QUARTER] = "quarter",
	                                   [PERIOD_MONTH] = "month", [PERIOD_YTD] = "ytd", [PERIOD_TERM] = "term"};
	for (int k = PERIOD_YEAR; k <= PERIOD_TERM; k++)
		CHECK_STR(period_kind_name((enum period_kind)k), want[k]);
}

static void output_is_untouched_on_failure(void)
{
	struct period p;
	memset(&p, 0x5a, sizeof p);
	char err[200];
	CHECK(!period_parse("2022M13", &p, err, sizeof err));
	CHECK(p.code[0] == 0x5a);
}

int main(void)
{
	int n = run_vectors();
	if (n < 50)
		printf("#   only %d vectors read\n", n);
	RUN(error_buffer_of_one_byte_is_terminated);
	RUN(null_input_is_empty);
	RUN(kind_names);
	RUN(output_is_untouched_on_failure);
	return tap_done();
}
