/* The catalogue of named SQL statements. Each is prepared once per
 * connection under its name, the first time it runs. The SQL lives in
 * queries.c, most of it a call to a function defined in sql/. */
#ifndef THIDUA_DB_QUERIES_H
#define THIDUA_DB_QUERIES_H

enum query_id {
	Q_MIGRATIONS_APPLIED,
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
	Q_SYNC_AS_OF,
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
	Q_KEY_LOOKUP,
	Q_SNAPSHOT,
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

struct db_statement {
	const char *name;
	const char *sql;
};

extern const struct db_statement db_statements[Q__COUNT];

#endif
