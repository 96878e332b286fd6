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
	Q__COUNT
};

struct db_statement {
	const char *name;
	const char *sql;
};

extern const struct db_statement db_statements[Q__COUNT];

#endif
