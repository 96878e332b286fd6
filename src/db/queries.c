/* Named SQL statements (see queries.h). Keep the SQL here short: set work
 * belongs in functions and views under sql/, called from here. */
#include "db/queries.h"

const struct db_statement db_statements[Q__COUNT] = {
	[Q_MIGRATIONS_APPLIED] = {"migrations_applied", "SELECT name, sha256 FROM schema_migrations ORDER BY name"},
	[Q_ORGANIZATIONS] = {"organizations",
	                     "SELECT * FROM api_organizations($1, $2, $3, $4, $5::date, $6::boolean, $7, $8::int)"},
	[Q_ORGANIZATION] = {"organization", "SELECT * FROM api_organization($1, $2::date)"},
	[Q_INDICATORS] = {"indicators", "SELECT * FROM api_indicators($1, $2, $3, $4::int)"},
	[Q_INDICATOR] = {"indicator", "SELECT * FROM api_indicator($1)"},
	[Q_PERIODS] = {"periods", "SELECT * FROM api_periods($1::int, $2)"},
	[Q_BLOCS] = {"blocs", "SELECT * FROM api_blocs($1, $2::int, $3, $4, $5, $6::int)"},
	[Q_BLOC] = {"bloc", "SELECT * FROM api_bloc($1)"},
	[Q_BLOC_YEAR] = {"bloc_year", "SELECT * FROM api_bloc_year($1, $2::int)"},
	[Q_VALUES] = {"values", "SELECT * FROM api_values($1, $2, $3, $4, $5, $6::int, $7, $8::int)"},
};
