/* The import pipeline (see import.h). */
#include "handlers/import.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/params.h"
#include "api/reply.h"
#include "core/config.h"
#include "db/db.h"
#include "handlers/common.h"
#include "import/csv_reader.h"
#include "import/encode.h"
#include "import/json_reader.h"
#include "import/xlsx_reader.h"
#include "util/buf.h"
#include "util/utf8.h"

struct import_options {
	bool dry_run;
	bool keep_good;
	const char *decimal; /* decimal=point or comma, NULL when not declared */
	bool empty_clears;   /* empty=clear: an empty cell clears the stored field */
};

#define COPY_CHUNK (256 * 1024)
#define MAX_REJECTS_KEPT 1000

struct import_run {
	struct encode_ctx enc;
	struct buf copy;        /* COPY text not yet sent */
	struct buf rejects;     /* COPY text for import_rejects */
	long rejected;
	enum db_status db;      /* the first COPY failure */
	bool csv;               /* the body is CSV */
	const struct import_spec *spec;
};

static void on_reject(void *ctx, long line, long idx, const char *field, const char *code, const char *message)
{
	struct import_run *run = ctx;
	run->rejected++;
	if (run->rejected > MAX_REJECTS_KEPT)
		return; /* counted; the summary lists the first ones */
	buf_printf(&run->rejects, "%ld\t", line);
	if (idx >= 0)
		buf_printf(&run->rejects, "%ld\t", idx);
	else
		buf_puts(&run->rejects, "\\N\t");
	/* a field name or a message may quote the file: COPY wants UTF-8 */
	char *f = field ? utf8_repaired(field) : NULL, *m = utf8_repaired(message);
	if (f)
		copy_text(&run->rejects, f, strlen(f));
	else
		buf_puts(&run->rejects, "\\N");
	buf_putc(&run->rejects, '\t');
	copy_text(&run->rejects, code, strlen(code));
	buf_putc(&run->rejects, '\t');
	copy_text(&run->rejects, m, strlen(m));
	buf_putc(&run->rejects, '\n');
	free(f);
	free(m);
}

/* A CSV separated by commas or tabs whose header has this service's
 * Vietnamese titles is one of its exports (or made from one): they write
 * decimal points, so its numbers are read so unless the request said
 * otherwise. */
static void on_header(void *ctx, bool titled)
{
	struct import_run *run = ctx;
	if (titled && run->enc.decimal == DECIMAL_UNDECLARED && run->csv)
		run->enc.decimal = DECIMAL_POINT_IMPLIED;
}

static bool on_row(void *ctx, const struct import_record *rec)
{
	struct import_run *run = ctx;
	run->spec->rows->encode(&run->enc, rec);
	if (run->copy.len >= COPY_CHUNK) {
		run->db = db_copy_put(run->copy.data, run->copy.len);
		buf_reset(&run->copy);
		if (run->db != DB_OK)
			return false;
	}
	return true;
}

static long line_of(const char *s, size_t offset);

enum format { FORMAT_CSV, FORMAT_JSON, FORMAT_XLSX, FORMAT_UNKNOWN };

#define CT_XLSX "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

static enum format body_format(struct request *req, const char *body, size_t len)
{
	const char *ct = request_header(req, "Content-Type");
	if (ct) {
		if (http_media_type_is(ct, "text/csv") || http_media_type_is(ct, "application/csv"))
			return FORMAT_CSV;
		if (http_media_type_is(ct, "application/json"))
			return FORMAT_JSON;
		if (http_media_type_is(ct, CT_XLSX))
			return FORMAT_XLSX;
		if (!http_media_type_is(ct, "text/plain") && !http_media_type_is(ct, "application/octet-stream") &&
		    !http_media_type_is(ct, "application/x-www-form-urlencoded"))
			return FORMAT_UNKNOWN;
	}
	/* curl --data-binary sends form-urlencoded: look at the body instead. An
	 * XLSX file is a zip archive; an old .xls (or a password-protected
	 * workbook) a compound document, which the XLSX reader names. */
	if (len >= 4 && (!memcmp(body, "PK\x03\x04", 4) || !memcmp(body, "\xD0\xCF\x11\xE0", 4)))
		return FORMAT_XLSX;
	size_t i = 0;
	while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
		i++;
	return i < len && body[i] == '[' ? FORMAT_JSON : FORMAT_CSV;
}

/* A text body (CSV, JSON) must be UTF-8; Excel's BOM is skipped. NULL
 * when it is fine, else the answer made. */
static enum http_status text_body(struct request *req, const char **body, size_t *len)
{
	const char *s = *body;
	if (*len >= 2 && ((unsigned char)s[0] == 0xFF && (unsigned char)s[1] == 0xFE))
		return reply_problem(req, HTTP_BAD_REQUEST, "invalid_encoding",
		                     "The file is UTF-16; save it as UTF-8 (in Excel: CSV UTF-8 (Comma delimited)).");
	if (*len >= 3 && !memcmp(s, "\xEF\xBB\xBF", 3)) { /* the BOM Excel writes */
		*body += 3;
		*len -= 3;
		s = *body;
	}
	size_t bad;
	if (!utf8_valid(s, *len, &bad))
		return reply_problem(req, HTTP_BAD_REQUEST, "invalid_encoding",
		                     "Line %ld (byte %zu) is not UTF-8%s; save the file as UTF-8 (in Excel: CSV UTF-8 "
		                     "(Comma delimited)).",
		                     line_of(s, bad), bad, s[bad] == '\0' ? " (a NUL byte)" : "");
	return HTTP_PROCEED;
}

static long line_of(const char *s, size_t offset)
{
	long line = 1;
	for (size_t i = 0; i < offset; i++)
		line += s[i] == '\n';
	return line;
}

static enum http_status fail_db(struct request *req, enum db_status st)
{
	db_rollback();
	return reply_db_failure(req, st);
}

/* Builds the answer from the database's summary. */
static enum http_status reply_summary(struct request *req, const struct import_options *opt, const char *summary_text,
                                      bool committed, const char *ignored, long blank)
{
	json_error_t jerr;
	json_t *summary = json_loads(summary_text, 0, &jerr);
	if (!summary)
		return reply_internal(req, "import summary is not JSON: %s", jerr.text);
	json_int_t rejected = json_integer_value(json_object_get(summary, "rejected_count"));
	json_object_set_new(summary, "dry_run", json_boolean(opt->dry_run));
	json_object_set_new(summary, "written", json_boolean(committed));
	if (blank)
		json_object_set_new(summary, "blank", json_integer(blank));
	if (*ignored) { /* an export's read-only columns, sent back with it: one per line */
		json_t *names = json_array();
		for (const char *p = ignored; *p;) {
			size_t n = strcspn(p, "\n");
			json_array_append_new(names, json_stringn(p, n));
			p += n + (p[n] == '\n');
		}
		json_object_set_new(summary, "ignored_columns", names);
	}
	if (rejected == 0 || opt->keep_good)
		return reply_json(req, HTTP_OK, summary);

	/* A row outside the key's scope makes the whole request a 403, a locked
	 * period a 409; anything else a 422. */
	bool locked = false, out_of_scope = false;
	size_t i;
	json_t *r;
	json_array_foreach(json_object_get(summary, "rejected"), i, r)
	{
		const char *c = json_string_value(json_object_get(r, "code"));
		locked = locked || (c && !strcmp(c, "period_locked"));
		out_of_scope = out_of_scope || (c && !strcmp(c, "out_of_scope"));
	}
	enum http_status status = HTTP_UNPROCESSABLE;
	const char *code = "import_rejected";
	if (out_of_scope) {
		status = HTTP_FORBIDDEN;
		code = "out_of_scope";
	} else if (locked) {
		status = HTTP_CONFLICT;
		code = "period_locked";
	}
	char detail[320];
	snprintf(detail, sizeof detail,
	         "%s: %lld row%s rejected, so nothing was written; fix %s (listed in rejected) or send on_error=skip to "
	         "write the good rows.",
	         opt->dry_run ? "Dry run" : "Import refused", (long long)rejected, rejected == 1 ? " was" : "s were",
	         rejected == 1 ? "it" : "them");
	/* A problem document whose extension members are the summary. */
	return reply_problem_with(req, status, code, detail, summary);
}

static enum http_status run(struct request *req, const struct import_spec *spec, const struct import_options *opt);

enum http_status import_run(struct request *req, const struct import_spec *spec)
{
	const char *dry = param(req, "dry_run"), *on_error = param(req, "on_error");
	struct import_options opt = {
		.dry_run = dry && !strcmp(dry, "true"),
		.keep_good = on_error && !strcmp(on_error, "skip"),
		.decimal = param(req, "decimal"),
		.empty_clears = param(req, "empty") && !strcmp(param(req, "empty"), "clear"),
	};
	param_set(req, "keep_good", opt.keep_good ? "true" : "false");
	return run(req, spec, &opt);
}

static enum http_status run(struct request *req, const struct import_spec *spec, const struct import_options *opt)
{
	const char *body = buf_cstr(&req->body);
	size_t len = req->body.len;
	enum format format = body_format(req, body, len);
	if (format == FORMAT_UNKNOWN)
		return reply_problem(req, HTTP_UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type",
		                     "Send %s as text/csv, as an Excel workbook (" CT_XLSX ") or as application/json.",
		                     spec->resource);
	enum http_status checked = format == FORMAT_XLSX ? HTTP_PROCEED : text_body(req, &body, &len);
	if (checked != HTTP_PROCEED)
		return checked;
	if (len == 0)
		return reply_problem(req, HTTP_BAD_REQUEST, "invalid_body",
		                     "The body is empty; send a CSV file with a header line, an Excel workbook or a JSON "
		                     "array.");

	/* One transaction, committed synchronously as every write is: a 2xx
	 * means durable. */
	enum http_status begun = write_begin(req);
	if (begun != HTTP_PROCEED)
		return begun;
	char setup[512];
	snprintf(setup, sizeof setup,
	         "SET LOCAL statement_timeout = %u; %s;"
	         "CREATE TEMP TABLE import_rejects (line int, idx int, field text, code text, message text) ON COMMIT DROP",
	         cfg.import_timeout_ms, spec->rows->staging);
	enum db_status st;
	PGresult *res = NULL;
	if ((st = db_command(setup)) != DB_OK)
		return fail_db(req, st);
	if ((st = db_copy_begin(spec->rows->copy)) != DB_OK)
		return fail_db(req, st);

	struct import_run run = {.copy = BUF_INIT, .rejects = BUF_INIT, .db = DB_OK, .spec = spec};
	enum decimal_mode decimal = !opt->decimal                        ? DECIMAL_UNDECLARED
	                            : !strcmp(opt->decimal, "comma") ? DECIMAL_COMMA
	                                                             : DECIMAL_POINT;
	if (decimal == DECIMAL_UNDECLARED && format == FORMAT_CSV && csv_separator(body, len) == ';')
		decimal = DECIMAL_COMMA_IMPLIED;
	run.enc = (struct encode_ctx){.decimal = decimal, .copy = &run.copy, .reject = on_reject,
	                              .reject_ctx = &run, .scratch = BUF_INIT};
	run.csv = format == FORMAT_CSV;
	struct import_sink sink = {.ctx = &run, .empty_clears = opt->empty_clears, .row = on_row, .header = on_header,
	                           .reject = on_reject};
	struct read_error rerr = {NULL, "", 0};
	struct buf ignored = BUF_INIT;
	bool read_ok = format == FORMAT_CSV    ? csv_read(body, len, &spec->columns, &sink, &rerr, &ignored)
	               : format == FORMAT_XLSX ? xlsx_read(body, len, &spec->columns, &sink, &rerr, &ignored)
	                                       : json_read(body, len, &sink, &rerr);
	if (run.db == DB_OK && run.copy.len)
		run.db = db_copy_put(run.copy.data, run.copy.len);
	buf_free(&run.copy);
	buf_free(&run.enc.scratch);
	enum http_status result;
	if (!read_ok || run.db != DB_OK) {
		db_copy_abort();
		db_rollback();
		if (run.db != DB_OK) {
			result = reply_db_failure(req, run.db);
		} else {
			char where[32];
			snprintf(where, sizeof where, "%s %ld", format == FORMAT_XLSX ? "row" : "line", rerr.line);
			result = reply_field_problem(req, HTTP_BAD_REQUEST, rerr.code, "body", where, rerr.message);
		}
		buf_free(&run.rejects);
		buf_free(&ignored);
		return result;
	}
	if ((st = db_copy_end()) != DB_OK)
		goto db_failed;
	if (run.rejects.len) {
		if ((st = db_copy_begin("COPY import_rejects (line, idx, field, code, message) FROM STDIN")) != DB_OK ||
		    (st = db_copy_put(run.rejects.data, run.rejects.len)) != DB_OK || (st = db_copy_end()) != DB_OK)
			goto db_failed;
	}
	if (run.rejected > MAX_REJECTS_KEPT) {
		/* the ones not listed still count */
		char pad[160];
		snprintf(pad, sizeof pad,
		         "INSERT INTO import_rejects (line, code) SELECT NULL, 'unlisted' FROM generate_series(1, %ld)",
		         run.rejected - MAX_REJECTS_KEPT);
		if ((st = db_command(pad)) != DB_OK)
			goto db_failed;
	}
	buf_free(&run.rejects);

	if ((st = db_call(spec->merge, params_lookup, req->params, &res)) != DB_OK)
		goto db_failed;
	const char *summary = PQgetvalue(res, 0, 0);
	json_t *parsed = json_loads(summary, 0, NULL);
	bool would_write = parsed && json_is_true(json_object_get(parsed, "written"));
	json_decref(parsed);
	bool commit = would_write && !opt->dry_run;
	if (commit) {
		if ((st = db_commit()) != DB_OK) {
			PQclear(res);
			return reply_db_failure(req, st);
		}
	} else {
		db_rollback();
	}
	result = reply_summary(req, opt, summary, commit, buf_cstr(&ignored), run.enc.blank);
	buf_free(&ignored);
	PQclear(res);
	return result;

db_failed:
	buf_free(&run.rejects);
	buf_free(&ignored);
	db_rollback();
	return reply_db_failure(req, st);
}
