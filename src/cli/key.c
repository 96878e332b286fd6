/* `thidua key` (see key.h). It runs the same SQL functions as /v1/keys, as
 * an unscoped administrator: whoever can run the binary against the
 * database already holds the keys to it. */
#include "cli/key.h"

#include <libpq-fe.h>
#include <stdio.h>
#include <string.h>

#include "db/db.h"
#include "domain/apikey.h"
#include "domain/schema.h"
#include "util/utf8.h"

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

struct create_args {
	const char *role, *scope, *name;
};

/* The arguments of `key create`, checked before the database is asked:
 * 0, or the exit status after saying what is wrong. */
static int create_args(int argc, char **argv, struct create_args *a)
{
	*a = (struct create_args){NULL, NULL, NULL};
	for (int i = 0; i < argc; i++) {
		if (i + 1 < argc && !strcmp(argv[i], "--role"))
			a->role = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--scope"))
			a->scope = argv[++i];
		else if (i + 1 < argc && !strcmp(argv[i], "--name"))
			a->name = argv[++i];
		else
			return usage();
	}
	if (!a->role || !a->name)
		return usage();
	bool known = false;
	for (const char *const *r = key_role_names; *r; r++)
		known = known || !strcmp(*r, a->role);
	if (!known) {
		fprintf(stderr, "thidua: --role must be reader, editor or admin, not %s\n", a->role);
		return 2;
	}
	if (!*a->name) {
		fprintf(stderr, "thidua: --name must say whose key it is (a person, a portal)\n");
		return 2;
	}
	return 0;
}

static int create(PGconn *pg, const struct create_args *a)
{
	const char *role = a->role, *scope = a->scope, *name = a->name;
	struct apikey key;
	apikey_generate(&key);
	const char *params[] = {name, role, scope, key.prefix, key.hash_hex};
	PGresult *r = PQexecParams(pg, "SELECT id, role, org FROM key_create(NULL, $1, $2, $3, $4, $5)", 5, NULL, params,
	                           NULL, NULL, 0);
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r, "creating the key");
	fprintf(stderr, "key %s created: role %s, scope %s. It is shown once; keep it now.\n", PQgetvalue(r, 0, 0),
	        PQgetvalue(r, 0, 1), PQgetisnull(r, 0, 2) ? "everything" : PQgetvalue(r, 0, 2));
	printf("%s\n", key.text);
	PQclear(r);
	return 0;
}

/* A column `width` characters wide (not bytes: "Cổng LĐLĐ Hà Tĩnh" is 17
 * characters in 25 bytes), cut with … when longer; 0: the rest of the line. */
static void column(const char *s, int width)
{
	size_t len = strlen(s), chars = utf8_chars(s, len);
	if (width == 0) {
		fputs(s, stdout);
		return;
	}
	if (chars > (size_t)width) {
		size_t cut = 0;
		for (int c = 0; c < width - 1; c++) {
			size_t n = utf8_sequence(s + cut, len - cut);
			cut += n ? n : 1;
		}
		int shown = (int)cut, pad = 0;
		while (shown && s[shown - 1] == ' ') {
			shown--;
			pad++;
		}
		printf("%.*s\xE2\x80\xA6%*s ", shown, s, pad, "");
		return;
	}
	printf("%s%*s ", s, (int)((size_t)width - chars), "");
}

static int list(PGconn *pg)
{
	PGresult *r = PQexec(pg, "SELECT id, name, role, coalesce(org, '*'), prefix, created_at::date, "
	                         "coalesce(revoked_at::date::text, '') FROM api_keys(NULL, true, NULL, NULL)");
	if (PQresultStatus(r) != PGRES_TUPLES_OK)
		return failed(r, "listing keys");
	static const int widths[] = {6, 30, 7, 10, 13, 11, 0};
	static const char *const titles[] = {"id", "name", "role", "scope", "prefix", "created", "revoked"};
	for (int c = 0; c < 7; c++)
		column(titles[c], widths[c]);
	putchar('\n');
	for (int i = 0; i < PQntuples(r); i++) {
		for (int c = 0; c < 7; c++)
			column(PQgetvalue(r, i, c), widths[c]);
		putchar('\n');
	}
	PQclear(r);
	return 0;
}

static int revoke(PGconn *pg, const char *id)
{
	const char *params[] = {id};
	PGresult *r = PQexecParams(pg, "SELECT revoked_at::date FROM api_keys(NULL, true, NULL, NULL) WHERE id = $1::bigint",
	                           1, NULL, params, NULL, NULL, 0);
	if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1 && !PQgetisnull(r, 0, 0)) {
		fprintf(stderr, "key %s was already revoked on %s; nothing to do\n", id, PQgetvalue(r, 0, 0));
		PQclear(r);
		return 0;
	}
	PQclear(r);
	r = PQexecParams(pg, "SELECT key_revoke(NULL, $1::bigint)", 1, NULL, params, NULL, NULL, 0);
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
	if (!strcmp(argv[0], "list") && argc != 1)
		return usage();
	struct create_args args = {NULL, NULL, NULL};
	if (!strcmp(argv[0], "create")) {
		int bad = create_args(argc - 1, argv + 1, &args);
		if (bad)
			return bad;
	}
	PGconn *pg = db_connect_direct();
	if (!pg)
		return 1;
	PGresult *r = PQexec(pg, "SELECT set_config('thidua.actor', 'command line', false)");
	PQclear(r);
	int rc;
	if (!strcmp(argv[0], "create"))
		rc = create(pg, &args);
	else if (!strcmp(argv[0], "list"))
		rc = list(pg);
	else
		rc = revoke(pg, argv[1]);
	PQfinish(pg);
	return rc;
}
