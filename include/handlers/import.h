/* Bulk imports (PUT /v1/values, /v1/organizations, /v1/indicators): the
 * body, CSV or a JSON array, is read record by record (import/) and streamed with
 * COPY into a temporary table; one SQL function then validates every row,
 * writes the good ones and returns the summary. Memory stays bounded by
 * the body itself: no record is held after it is sent.
 *
 * All or nothing by default: one rejected row and nothing is written
 * (422, or 409 when a locked period is the reason). keep_good writes the
 * rest; dry_run writes nothing either way. The answer is the summary:
 * written, created, updated, unchanged, rejected_count and the first 1000
 * rejected rows with their line, field and reason. */
#ifndef THIDUA_HANDLERS_IMPORT_H
#define THIDUA_HANDLERS_IMPORT_H

#include <stdbool.h>

#include "db/queries.h"
#include "http/http.h"
#include "import/record.h"

struct row_encoding;

struct import_spec {
	const char *resource;           /* "values", for messages */
	struct import_columns columns;  /* what a CSV header may name */
	const struct row_encoding *rows; /* how records reach SQL (import/encode.h) */
	enum query_id merge;            /* validates, writes, returns the summary */
};

/* Runs an import for a route whose parameters hold dry_run, on_error (and,
 * for values, decimal); the merge statement gets the request's parameters
 * plus keep_good. */
enum http_status import_run(struct request *req, const struct import_spec *spec);

#endif
