/* Turning one import record into the COPY line of its staging table, or
 * into a rejection. Value rows are checked here, in C, as far as they can
 * be without the database (field names and types, the period code,
 * numbers): the SQL side then only resolves codes and checks scope, locks
 * and duplicates, set-wise. Organization and indicator rows go on whole as
 * JSON for their row-by-row SQL functions. */
#ifndef THIDUA_IMPORT_ENCODE_H
#define THIDUA_IMPORT_ENCODE_H

#include <stdbool.h>

#include "import/record.h"
#include "util/buf.h"

/* How numbers written as text are read: by the convention the request
 * declares (decimal=), or the one the file plainly implies (a
 * semicolon-separated CSV is what Excel writes under Vietnamese regional
 * settings, with decimal commas). Without either, a number whose value
 * depends on the convention (2.350: 2.35 or 2350?) is refused, naming
 * both readings; never guessed. */
enum decimal_mode {
	DECIMAL_UNDECLARED,    /* 2529.554; 2.350 and 2,5 are refused with their readings */
	DECIMAL_POINT,         /* decimal=point: 2529.554, 2.350 is 2.35 */
	DECIMAL_COMMA,         /* decimal=comma: 2.529,554, 2.350 is 2350 */
	DECIMAL_COMMA_IMPLIED, /* the same, because the file is separated by semicolons */
	DECIMAL_POINT_IMPLIED, /* decimal points, because the file is an export of this service */
};

struct encode_ctx {
	enum decimal_mode decimal;
	struct buf *copy;     /* COPY text being built */
	/* the rejection of the record at hand */
	void (*reject)(void *ctx, long line, long idx, const char *field, const char *code, const char *message);
	void *reject_ctx;
	struct buf scratch;
	long seq;             /* records encoded so far: each row's place in the file */
	long blank;           /* CSV/XLSX rows with no actual, target or note: skipped */
};

/* Columns: seq (the record's place in the file, which tells rows apart:
 * a JSON array on one line has every element on line 1), line, idx, org,
 * bloc, indicator, period, actual, target, note, present (bit 1 actual,
 * 2 target, 4 note: the fields the record gives). */
#define VALUE_STAGING \
	"CREATE TEMP TABLE import_value_rows (seq int NOT NULL, line int NOT NULL, idx int, org text, bloc text, " \
	"indicator text, period text NOT NULL, actual numeric, target numeric, note text, present int NOT NULL) " \
	"ON COMMIT DROP"
#define VALUE_COPY "COPY import_value_rows FROM STDIN"
bool encode_value_row(struct encode_ctx *ctx, const struct import_record *rec);

/* Columns: seq, line, idx, doc (the record as a JSON object). */
#define DOC_STAGING \
	"CREATE TEMP TABLE import_rows (seq int NOT NULL, line int NOT NULL, idx int, doc jsonb NOT NULL) ON COMMIT DROP"
#define DOC_COPY "COPY import_rows (seq, line, idx, doc) FROM STDIN"
bool encode_doc_row(struct encode_ctx *ctx, const struct import_record *rec);

/* How one kind of record reaches its staging table. */
struct row_encoding {
	const char *staging; /* CREATE TEMP TABLE of the rows */
	const char *copy;    /* COPY ... FROM STDIN into it */
	bool (*encode)(struct encode_ctx *ctx, const struct import_record *rec);
};
extern const struct row_encoding value_rows;    /* VALUE_STAGING, encode_value_row */
extern const struct row_encoding document_rows; /* DOC_STAGING, encode_doc_row */

/* COPY text format: backslash, tab, newline and carriage return escaped. */
void copy_text(struct buf *out, const char *s, size_t len);

/* Reads a number written as text (2529.554, or 2.529,554 under a decimal
 * comma) into its canonical form (2529.554). On failure writes why, with
 * the readings the text could have and the parameter that chooses. */
bool encode_text_number(const char *field, const char *s, size_t len, enum decimal_mode mode, struct buf *out,
                        struct buf *why);

#endif
