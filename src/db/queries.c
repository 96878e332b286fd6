/* Named SQL statements (see queries.h). Keep the SQL here short: set work
 * belongs in functions and views under sql/, called from here. */
#include "db/queries.h"

const struct db_statement db_statements[Q__COUNT] = {
	[Q_MIGRATIONS_APPLIED] = {"migrations_applied", "SELECT name, sha256 FROM schema_migrations ORDER BY name"},
};
