/* Typed request parameters.
 *
 * Every route declares its parameters in the route table (src/routes.c):
 * where each comes from (the path, the query string, a member of the JSON
 * body, or the whole body), its type, whether it is required. Before a
 * handler runs, params_validate() checks all of them at once — text is
 * UTF-8 without control characters, every value has its type's shape and
 * range — collecting every problem for one 400, and normalises what passes
 * (codes uppercase, indicators lowercase, period codes canonical). Handlers
 * read the results by name (params_get), and SQL calls take them by name
 * (db_call), so no argument is ever positional.
 *
 * Nothing here knows HTTP or the database: the input is the decoded query
 * (http/uri.h), the path captures and the body bytes, which is also what
 * the fuzzer feeds it. */
#ifndef THIDUA_API_PARAMS_H
#define THIDUA_API_PARAMS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "http/uri.h"

enum param_type {
	PT_CODE,       /* organization or bloc code, HN-HBT; uppercased */
	PT_CODES,      /* comma list of codes */
	PT_INDICATOR,  /* indicator code, new_members; lowercased */
	PT_INDICATORS, /* comma list of indicator codes */
	PT_PERIOD,     /* period code, normalised: 2022ytd9 -> 2022YTD09 */
	PT_PERIODS,    /* comma list of period codes */
	PT_DATE,       /* YYYY-MM-DD between 1900 and 2100 */
	PT_TIMESTAMP,  /* a moment, ISO 8601 with Z or an offset (UTC without) */
	PT_INT,        /* a whole number in [min, max] */
	PT_BOOL,       /* true or false */
	PT_ENUM,       /* one of choices */
	PT_TEXT,       /* one line of text, at most max characters */
	PT_CURSOR,     /* a keyset position this service handed out (base64url) */
	PT_LIMIT,      /* page size; stored as the SQL limit, one more than asked */
	PT_FORMAT,     /* json, csv or xlsx; absent: from Accept */
	PT_DECIMAL,    /* point or comma */
	PT_DOCUMENT,   /* the whole body: one JSON object, passed on as its text */
};

enum param_in { IN_PATH, IN_QUERY, IN_BODY };

enum param_flags {
	P_REQUIRED = 1 << 0,
	P_NULLABLE = 1 << 1,  /* a body member that may be null */
	P_MULTILINE = 1 << 2, /* PT_TEXT that may hold line breaks and tabs */
};

struct param_spec {
	const char *name;              /* as the client writes it; NULL ends a list */
	enum param_in in;              /* IN_BODY: a member of the body object (PT_DOCUMENT: the body) */
	enum param_type type;
	unsigned flags;
	long min, max;                 /* PT_INT bounds; PT_TEXT, max characters */
	const char *const *choices;    /* PT_ENUM, NULL-terminated */
	const char *as;                /* stored (and sent to SQL) under this name; NULL: name */
	const char *def;               /* the value when absent; NULL: absent */
};

#define PARAMS_MAX 24
#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define EXPORT_MAX 100000 /* rows in one CSV or XLSX export */

/* How a table-shaped answer is sent. */
enum table_format { TABLE_JSON, TABLE_CSV, TABLE_XLSX };

struct param_value {
	const char *name;
	char *value; /* normalised; NULL when absent */
};

struct params {
	struct param_value v[PARAMS_MAX];
	size_t n;
	enum table_format format;
	bool decimal_comma;
	int limit;              /* page size (PT_LIMIT), else 0 */
	json_t *errors;         /* field errors, NULL when all is well */
	const char *first_code; /* the code of the first error */
	bool wrong_media_type;  /* a body that is not JSON where JSON is required: 415 */
};

/* What a request brings. */
struct param_input {
	const struct uri *uri;
	const char *const *path_names; /* captured {name} segments */
	const char *const *path_values;
	size_t npath;
	const char *body;
	size_t body_len;
	const char *content_type; /* NULL when absent */
	const char *accept;
};

/* Checks the input against specs (a list ended by a NULL name) into out.
 * True when every parameter is fine; otherwise out->errors lists each
 * problem (in, field, code, message). */
bool params_validate(struct params *out, const struct param_spec *specs, const struct param_input *in);

/* A validated value by name (its `as` name when renamed), NULL when absent. */
const char *params_get(const struct params *p, const char *name);
/* params_get for db_call (db/db.h): ctx is the struct params. */
const char *params_lookup(const void *ctx, const char *name);
/* Adds or replaces a value computed by the server (the caller's scope, a
 * write mode); value is copied, NULL makes it absent. */
void params_set(struct params *p, const char *name, const char *value);
/* Records one more problem (for a check the types cannot express). */
void params_fail(struct params *p, const char *in, const char *field, const char *code, const char *message);
void params_free(struct params *p);

/* The detail of a 400 for out->errors: the first message, and how many
 * more there are. The caller frees it. */
char *params_problem_detail(const struct params *p);

/* Keyset cursors: base64url of the row's position text. */
char *params_cursor_encode(const char *position);

/* "code", "period" ...: the type's name in the route listing. */
const char *params_type_name(enum param_type t);

#endif
