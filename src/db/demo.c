/* Loading the demo data (see demo.h). */
#include "db/demo.h"

#include <stdio.h>

#include "db/db.h"
#include "db/migrate.h"
#include "embedded.h"

static bool exec_ok(PGconn *pg, const char *sql, const char *what)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType s = PQresultStatus(r);
	bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK || s == PGRES_EMPTY_QUERY;
	if (!ok)
		fprintf(stderr, "thidua: %s failed: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

int demo_main(void)
{
	struct migration_set set;
	PGconn *pg;
	if (!migrate_open(&set, &pg))
		return 1;
	int rc = 1;
	PGresult *applied = PQexec(pg, "SELECT name, sha256 FROM schema_migrations");
	char why[256] = "the database has no schema yet; run `thidua migrate` first";
	bool current = PQresultStatus(applied) == PGRES_TUPLES_OK && migrate_is_current(&set, applied, why, sizeof why);
	PQclear(applied);
	if (!current) {
		fprintf(stderr, "thidua: %s\n", why);
		goto out;
	}
	if (!exec_ok(pg, "BEGIN", "BEGIN"))
		goto out;
	for (size_t i = 0; i < embedded_demo_count; i++) {
		if (!exec_ok(pg, embedded_demo[i].data, embedded_demo[i].name)) {
			exec_ok(pg, "ROLLBACK", "ROLLBACK");
			goto out;
		}
	}
	if (exec_ok(pg, "COMMIT", "COMMIT")) {
		printf("demo data loaded (%zu file%s)\n", embedded_demo_count, embedded_demo_count == 1 ? "" : "s");
		rc = 0;
	}
out:
	PQfinish(pg);
	migrate_set_free(&set);
	return rc;
}
