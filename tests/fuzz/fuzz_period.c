/* period_parse() on the input as a C string. When a code is accepted, what
 * must always hold: the canonical code parses again to the same period
 * (also lowercased, also with blanks around it), the dates are well formed
 * and ordered, the years are in range and ordered. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/period.h"
#include "fuzz.h"
#include "util/utf8.h"

static bool date_shape(const char d[11])
{
	static const char shape[] = "dddd-dd-dd";
	if (memchr(d, '\0', 11) != d + 10)
		return false;
	for (int i = 0; i < 10; i++)
		if (shape[i] == 'd' ? d[i] < '0' || d[i] > '9' : d[i] != shape[i])
			return false;
	return true;
}

static void same(const struct period *a, const struct period *b, const char *how)
{
	FUZZ_CHECK(!strcmp(a->code, b->code), "%s: code %s parses to %s", how, a->code, b->code);
	FUZZ_CHECK(a->kind == b->kind && a->year == b->year && a->year_end == b->year_end && a->number == b->number,
	           "%s: %s parses to another period", how, a->code);
	FUZZ_CHECK(!strcmp(a->start, b->start) && !strcmp(a->end, b->end), "%s: %s changes its dates", how, a->code);
	FUZZ_CHECK(!strcmp(a->label, b->label), "%s: %s changes its label", how, a->code);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *input = fuzz_cstr(data, size);
	struct period p;
	char err[256];
	memset(err, 'x', sizeof err);
	if (!period_parse(input, &p, err, sizeof err)) {
		FUZZ_CHECK(memchr(err, '\0', sizeof err) && err[0], "a refused period without a message");
		free(input);
		return 0;
	}
	free(input);

	size_t code_len = strnlen(p.code, sizeof p.code);
	FUZZ_CHECK(code_len >= 4 && code_len < sizeof p.code, "code of length %zu", code_len);
	for (size_t i = 0; i < code_len; i++)
		FUZZ_CHECK((p.code[i] >= '0' && p.code[i] <= '9') || (p.code[i] >= 'A' && p.code[i] <= 'Z') || p.code[i] == '-',
		           "code %s has a character outside [0-9A-Z-]", p.code);
	FUZZ_CHECK(strcmp(period_kind_name(p.kind), "?"), "code %s has kind %d", p.code, (int)p.kind);

	FUZZ_CHECK(p.year >= PERIOD_MIN_YEAR && p.year_end <= PERIOD_MAX_YEAR, "%s: years %d-%d", p.code, p.year,
	           p.year_end);
	FUZZ_CHECK(p.year <= p.year_end, "%s: year %d after year_end %d", p.code, p.year, p.year_end);
	FUZZ_CHECK(p.kind == PERIOD_TERM ? p.year < p.year_end && p.year_end - p.year <= PERIOD_MAX_TERM_YEARS
	                                 : p.year == p.year_end,
	           "%s: years %d-%d for its kind", p.code, p.year, p.year_end);
	int max_number[] = {[PERIOD_YEAR] = 0, [PERIOD_HALF] = 2, [PERIOD_QUARTER] = 4,
	                    [PERIOD_MONTH] = 12, [PERIOD_YTD] = 12, [PERIOD_TERM] = 0};
	FUZZ_CHECK(max_number[p.kind] == 0 ? p.number == 0 : p.number >= 1 && p.number <= max_number[p.kind],
	           "%s: number %d", p.code, p.number);

	FUZZ_CHECK(date_shape(p.start) && date_shape(p.end), "%s: dates %.11s %.11s are not YYYY-MM-DD", p.code, p.start,
	           p.end);
	FUZZ_CHECK(strcmp(p.start, p.end) <= 0, "%s: starts %s after it ends %s", p.code, p.start, p.end);
	FUZZ_CHECK(atoi(p.start) == p.year && atoi(p.end) == p.year_end, "%s: dates %s %s outside years %d-%d", p.code,
	           p.start, p.end, p.year, p.year_end);

	size_t label_len = strnlen(p.label, sizeof p.label), bad;
	FUZZ_CHECK(label_len > 0 && label_len < sizeof p.label, "%s: label of length %zu", p.code, label_len);
	FUZZ_CHECK(utf8_valid(p.label, label_len, &bad), "%s: label is not UTF-8 at byte %zu", p.code, bad);

	/* the canonical code is a fixed point, whatever its case and blanks */
	struct period again;
	char code[sizeof p.code + 4];
	FUZZ_CHECK(period_parse(p.code, &again, err, sizeof err), "canonical code %s is refused: %s", p.code, err);
	same(&p, &again, "reparse");
	for (size_t i = 0; i < code_len; i++)
		code[i] = p.code[i] >= 'A' && p.code[i] <= 'Z' ? (char)(p.code[i] + 32) : p.code[i];
	code[code_len] = '\0';
	FUZZ_CHECK(period_parse(code, &again, err, sizeof err), "lowercased code %s is refused: %s", code, err);
	same(&p, &again, "lowercased");
	snprintf(code, sizeof code, " %s\t", p.code);
	FUZZ_CHECK(period_parse(code, &again, err, sizeof err), "blank-padded code '%s' is refused: %s", code, err);
	same(&p, &again, "padded");
	return 0;
}
