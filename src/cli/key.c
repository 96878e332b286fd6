/* `thidua key` (see key.h). It runs the same SQL functions as /v1/keys, as
 * an unscoped administrator: whoever can run the binary against the
 * database already holds the keys to it. */
#include "cli/key.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "domain/apikey.h"

static int usage(void)
{
	fprintf(stderr, "usage: thidua key create --role reader|editor|admin [--scope ORG] --name TEXT\n"
	                "       thidua key list\n"
	                "       thidua key revoke ID\n");
	return 2;
}

static int failed(PGresult *r, const char *what)
{
	const char *detail = PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY);
	fprintf(stderr, "thidua: %s: %s\n", what, detail ? detail : PQresultErrorMessage(r));
	PQclear(r);
	return 1;
}

static int create(PGconn *pg, int argc, char **argv)
{
	const char *role = NULL, *scope = NULL, *name = NULL;
	for (int i = 0; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--role"))
			role = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--scope"))
			scope = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--name"))
			name = argv[++i];
		else
			return usage();
	}
	if (!role || !name)
		return usage();
	struct apikey key;
	apikey_generate(&key);
	const char *params[] = {name, role, scope, key.prefix, key.hash_hex};
	PGresult *r = PQexecParams(pg, "SELECT id, role, scope FROM key_create(NULL, $1, $2, $3, $4, $5)", 5, NULL, params,
	                           NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r, "creating the key");
	fprintf(stderr, "key %s created: role %s, scope %s. It is shown once; keep it now.\n", PQgetvalue(r, 0, 0),
	        PQgetvalue(r, 0, 1), PQgetisnull(r, 0, 2) ? "everything" : PQgetvalue(r, 0, 2));
	printf("%s\n", key.text);
	PQclear(r);
	return 0;
}

static int list(PGconn *pg)
{
	PGresult *r = PQexec(pg, "SELECT id, name, role, coalesce(scope, '*'), prefix, created_at::date, "
	                         "coalesce(revoked_at::date::text, '') FROM api_keys(NULL, true, NULL, NULL)");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r, "listing keys");
	printf("%-6s %-30s %-7s %-10s %-13s %-11s %s\n", "id", "name", "role", "scope", "prefix", "created", "revoked");
	for (int i = 0; i < PQntuples(r); i++)
		printf("%-6s %-30s %-7s %-10s %-13s %-11s %s\n", PQgetvalue(r, i, 0), PQgetvalue(r, i, 1), PQgetvalue(r, i, 2),
		       PQgetvalue(r, i, 3), PQgetvalue(r, i, 4), PQgetvalue(r, i, 5), PQgetvalue(r, i, 6));
	PQclear(r);
	return 0;
}

static int revoke(PGconn *pg, const char *id)
{
	const char *params[] = {id};
	PGresult *r = PQexecParams(pg, "SELECT key_revoke(NULL, $1::bigint)", 1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r, "revoking the key");
	PQclear(r);
	fprintf(stderr, "key %s revoked\n", id);
	return 0;
}

int key_main(int argc, char **argv)
{
	if (argc < 1)
		return usage();
	if (strcmp(argv[0], "create") && strcmp(argv[0], "list") && strcmp(argv[0], "revoke"))
		return usage();
	if (!strcmp(argv[0], "revoke") && argc != 2)
		return usage();
	PGconn *pg = db_connect_direct();
	if (!pg)
		return 1;
	PGresult *r = PQexec(pg, "SELECT set_config('thidua.actor', 'command line', false)");
	PQclear(r);
	int rc;
	if (!strcmp(argv[0], "create"))
		rc = create(pg, argc - 1, argv + 1);
	else if (!strcmp(argv[0], "list"))
		rc = argc == 1 ? list(pg) : usage();
	else
		rc = revoke(pg, argv[1]);
	PQfinish(pg);
	return rc;
}
