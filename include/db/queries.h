/* The catalogue of SQL statements. Each is prepared once per connection
 * under its name, the first time it runs.
 *
 * Most are calls of a function defined in sql/, written with named
 * arguments: { "api_organization_summary", {"scope", "code", "period"} }
 * becomes SELECT * FROM api_organization_summary(p_scope => $1, p_code =>
 * $2, p_period => $3), and db_call() takes the values by those names from
 * the request's validated parameters — never by position. At start-up
 * db_check_calls() holds every call to the function's signature in
 * pg_proc, so a renamed or added argument fails before any request does.
 * A few statements are plain SQL with positional parameters. */
#ifndef THIDUA_DB_QUERIES_H
#define THIDUA_DB_QUERIES_H

enum query_id {
	Q_NONE, /* a route that runs no statement of its own */
	/* plain SQL */
	Q_MIGRATIONS_APPLIED,
	Q_KEY_CHECKS,
	Q_SYNC_AS_OF,
	Q_FUNCTION_SIGNATURE,
	/* function calls */
	Q_ORGANIZATIONS,
	Q_ORGANIZATION,
	Q_INDICATORS,
	Q_INDICATOR,
	Q_PERIODS,
	Q_BLOCS,
	Q_BLOC,
	Q_BLOC_YEAR,
	Q_VALUES,
	Q_VALUE_CHANGES,
	Q_VALUE_HISTORY,
	Q_VALUE_TEMPLATE,
	Q_BLOC_REPORTING,
	Q_ORGANIZATION_REPORTING,
	Q_VALUE_DELETE,
	Q_WRITE_CONTEXT,
	Q_IMPORT_VALUES,
	Q_IMPORT_ORGANIZATIONS,
	Q_IMPORT_INDICATORS,
	Q_ORGANIZATION_LOCK,
	Q_ORGANIZATION_WRITE,
	Q_ORGANIZATION_DELETE,
	Q_INDICATOR_PUT,
	Q_BLOC_LOCK,
	Q_BLOC_PUT,
	Q_BLOC_YEAR_PUT,
	Q_KEYS,
	Q_KEY_CREATE,
	Q_KEY_REVOKE,
	Q_LOCKS,
	Q_LOCK_CREATE,
	Q_LOCK_DELETE,
	Q_ORGANIZATION_SUMMARY,
	Q_ORGANIZATION_BREAKDOWN,
	Q_SERIES,
	Q_BLOC_SUMMARY,
	Q_BLOC_SCOREBOARD,
	Q__COUNT
};

#define QUERY_MAX_ARGS 12

struct db_statement {
	const char *name;                      /* prepared under this name */
	const char *sql;                       /* plain SQL; NULL for a call */
	const char *function;                  /* a call: the function */
	const char *args[QUERY_MAX_ARGS + 1];  /* a call: its arguments, p_<name>, NULL-terminated */
};

extern const struct db_statement db_statements[Q__COUNT];

/* The SQL text of a statement (built once for calls). */
const char *db_statement_sql(enum query_id id);

#endif
