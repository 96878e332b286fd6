/* Validated request arguments for a named statement.
 *
 * A handler declares its parameters in SQL order — args_code(a, "org"),
 * args_date(a, "on"), ... — and each call checks one query or path value
 * and appends it (or NULL when absent) as the next statement parameter.
 * Every problem is collected, so one 400 names all the bad fields at once. */
#ifndef THIDUA_HANDLERS_ARGS_H
#define THIDUA_HANDLERS_ARGS_H

#include <jansson.h>
#include <stdbool.h>

#include "http/http.h"

#define ARGS_MAX 16
#define PAGE_DEFAULT 100
#define PAGE_MAX 1000
#define EXPORT_MAX 100000 /* rows in one CSV or XLSX export */

/* How a table-shaped answer is sent: ?format=json|csv|xlsx, else by
 * Accept (text/csv, the XLSX media type), else JSON. */
enum table_format { TABLE_JSON, TABLE_CSV, TABLE_XLSX };

struct args {
	struct request *req;
	int n;
	const char *values[ARGS_MAX];
	char *owned[ARGS_MAX];
	json_t *errors;  /* NULL until the first problem */
	const char *first_code;
	int limit;       /* page size, set by args_page */
	bool format_read;
	enum table_format format;
	bool decimal_comma; /* CSV for Excel under Vietnamese regional settings */
};

void args_init(struct args *a, struct request *req);
void args_free(struct args *a);

/* Each appends exactly one parameter, NULL when the value is absent. */
void args_text(struct args *a, const char *name, size_t maxlen);      /* free text, e.g. q */
void args_code(struct args *a, const char *name);                     /* organization or bloc code */
void args_codes(struct args *a, const char *name);                    /* comma list of codes */
void args_indicator(struct args *a, const char *name);                /* indicator code */
void args_indicators(struct args *a, const char *name);               /* comma list */
void args_enum(struct args *a, const char *name, const char *const *allowed); /* NULL-terminated */
void args_date(struct args *a, const char *name);                     /* YYYY-MM-DD */
void args_bool(struct args *a, const char *name);                     /* true/false */
void args_int(struct args *a, const char *name, long min, long max);
void args_period(struct args *a, const char *name);                   /* normalised period code */
void args_periods(struct args *a, const char *name);                  /* comma list, normalised */
/* A path parameter, passed on as given (the database answers 404). */
void args_path(struct args *a, const char *name);
/* A path parameter that must be a whole number in [min, max]. */
void args_path_int(struct args *a, const char *name, long min, long max);
/* The caller's scope (organization id as text), NULL for the whole tree. */
void args_scope(struct args *a);
/* The request body, which must be one JSON object (passed on as text, so
 * numbers keep their digits). */
void args_body_object(struct args *a);
/* A moment: YYYY-MM-DD, or YYYY-MM-DDTHH:MM[:SS[.ffffff]] with Z or ±HH:MM. */
void args_timestamp(struct args *a, const char *name);
/* A value computed by the handler (copied). */
void args_value(struct args *a, const char *value);
/* Adds a problem when the query parameter is absent (pushes nothing). */
void args_require(struct args *a, const char *name);
/* Reads ?format= (or Accept) and ?decimal= into a->format and
 * a->decimal_comma; pushes nothing. */
void args_format(struct args *a);
/* The keyset cursor (decoded) and limit+1, in that order. A CSV or XLSX
 * export takes up to EXPORT_MAX rows at once. */
void args_page(struct args *a);

/* Records a problem with a field (for checks the helpers above cannot do). */
void args_fail(struct args *a, const char *in, const char *name, const char *code, const char *message);
bool args_ok(const struct args *a);
/* The 400 naming every bad field. */
enum http_status reply_args_error(struct request *req, struct args *a);

/* Cursor encoding: base64url of the row's keyset position. */
char *cursor_encode(const char *position);

#endif
