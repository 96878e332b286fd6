/* Migration runner (see migrate.h). */
#include "db/migrate.h"

#include <dirent.h>
#include <errno.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "db/db.h"
#include "embedded.h"
#include "util/alloc.h"
#include "util/buf.h"

/* Any constant works; it only has to be the same for every instance. */
#define MIGRATE_LOCK_KEY "7305041822"

static void sha256_hex(const char *data, size_t len, char out[65])
{
	unsigned char digest[crypto_hash_sha256_BYTES];
	crypto_hash_sha256(digest, (const unsigned char *)data, len);
	sodium_bin2hex(out, 65, digest, sizeof digest);
}

static void add(struct migration_set *set, const char *name, const char *sql, size_t len)
{
	set->items = xrealloc(set->items, (set->count + 1) * sizeof *set->items);
	struct migration *m = &set->items[set->count++];
	m->name = xstrdup(name);
	m->sql = xstrndup(sql, len);
	sha256_hex(sql, len, m->sha256);
}

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct migration *)a)->name, ((const struct migration *)b)->name);
}

static bool is_migration_name(const char *name)
{
	size_t n = strlen(name);
	return n > 4 && !strcmp(name + n - 4, ".sql") && name[0] != '.';
}

static bool load_dir(struct migration_set *set, const char *dir)
{
	DIR *d = opendir(dir);
	if (!d) {
		fprintf(stderr, "thidua: THIDUA_MIGRATIONS_DIR=\"%s\": %s\n", dir, strerror(errno));
		return false;
	}
	bool ok = true;
	struct dirent *e;
	while (ok && (e = readdir(d)) != NULL) {
		if (!is_migration_name(e->d_name))
			continue;
		struct buf path = BUF_INIT, text = BUF_INIT;
		buf_printf(&path, "%s/%s", dir, e->d_name);
		FILE *f = fopen(buf_cstr(&path), "rb");
		if (!f) {
			fprintf(stderr, "thidua: cannot read %s: %s\n", buf_cstr(&path), strerror(errno));
			ok = false;
		} else {
			char chunk[65536];
			size_t n;
			while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
				buf_append(&text, chunk, n);
			fclose(f);
			add(set, e->d_name, buf_cstr(&text), text.len);
		}
		buf_free(&path);
		buf_free(&text);
	}
	closedir(d);
	return ok;
}

bool migrate_load(struct migration_set *set)
{
	set->items = NULL;
	set->count = 0;
	if (cfg.migrations_dir && *cfg.migrations_dir) {
		if (!load_dir(set, cfg.migrations_dir)) {
			migrate_set_free(set);
			return false;
		}
	} else {
		for (size_t i = 0; i < embedded_migrations_count; i++)
			add(set, embedded_migrations[i].name, embedded_migrations[i].data, embedded_migrations[i].len);
	}
	qsort(set->items, set->count, sizeof *set->items, by_name);
	return true;
}

void migrate_set_free(struct migration_set *set)
{
	for (size_t i = 0; i < set->count; i++) {
		free(set->items[i].name);
		free(set->items[i].sql);
	}
	free(set->items);
	set->items = NULL;
	set->count = 0;
}

static bool exec_ok(PGconn *pg, const char *sql, const char *what)
{
	PGresult *r = PQexec(pg, sql);
	ExecStatusType s = PQresultStatus(r);
	bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
	if (!ok)
		fprintf(stderr, "thidua: %s failed: %s", what, PQresultErrorMessage(r));
	PQclear(r);
	return ok;
}

static const char *recorded_sha(PGresult *applied, const char *name)
{
	for (int i = 0; i < PQntuples(applied); i++)
		if (!strcmp(PQgetvalue(applied, i, 0), name))
			return PQgetvalue(applied, i, 1);
	return NULL;
}

bool migrate_is_current(const struct migration_set *set, PGresult *applied, char *why, size_t whylen)
{
	for (size_t i = 0; i < set->count; i++) {
		const char *sha = recorded_sha(applied, set->items[i].name);
		if (!sha) {
			snprintf(why, whylen, "migration %s is not applied yet; run `thidua migrate`", set->items[i].name);
			return false;
		}
		if (strcmp(sha, set->items[i].sha256)) {
			snprintf(why, whylen, "migration %s differs from the one applied to the database",
			         set->items[i].name);
			return false;
		}
	}
	return true;
}

static bool apply_one(PGconn *pg, const struct migration *m)
{
	if (!exec_ok(pg, "BEGIN", "BEGIN"))
		return false;
	PGresult *r = PQexec(pg, m->sql);
	ExecStatusType s = PQresultStatus(r);
	if (s != PGRES_COMMAND_OK && s != PGRES_TUPLES_OK && s != PGRES_EMPTY_QUERY) {
		const char *line = PQresultErrorField(r, PG_DIAG_STATEMENT_POSITION);
		fprintf(stderr, "thidua: migration %s failed%s%s: %s", m->name, line ? " at character " : "",
		        line ? line : "", PQresultErrorMessage(r));
		PQclear(r);
		exec_ok(pg, "ROLLBACK", "ROLLBACK");
		return false;
	}
	PQclear(r);
	const char *params[] = {m->name, m->sha256};
	r = PQexecParams(pg, "INSERT INTO schema_migrations (name, sha256) VALUES ($1, $2)", 2, NULL, params, NULL,
	                 NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "thidua: recording migration %s failed: %s", m->name, PQresultErrorMessage(r));
	PQclear(r);
	if (!ok) {
		exec_ok(pg, "ROLLBACK", "ROLLBACK");
		return false;
	}
	return exec_ok(pg, "COMMIT", "COMMIT");
}

bool migrate_apply(PGconn *pg, const struct migration_set *set, bool verbose)
{
	/* One runner at a time, even with several instances starting at once. */
	if (!exec_ok(pg, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", "taking the migration lock"))
		return false;
	bool ok = exec_ok(pg,
	                  "SET client_min_messages = warning;"
	                  "CREATE TABLE IF NOT EXISTS schema_migrations ("
	                  " name text PRIMARY KEY,"
	                  " sha256 text NOT NULL CHECK (sha256 ~ '^[0-9a-f]{64}$'),"
	                  " applied_at timestamptz NOT NULL DEFAULT now())",
	                  "creating schema_migrations");
	PGresult *applied = NULL;
	if (ok) {
		applied = PQexec(pg, "SELECT name, sha256 FROM schema_migrations ORDER BY name");
		if (PQresultStatus(applied) != PGRES_TUPLES_OK) {
			fprintf(stderr, "thidua: reading schema_migrations failed: %s", PQresultErrorMessage(applied));
			ok = false;
		}
	}
	/* Refuse before applying anything: a changed file means this binary and
	 * the database disagree about history. */
	for (size_t i = 0; ok && i < set->count; i++) {
		const struct migration *m = &set->items[i];
		const char *sha = recorded_sha(applied, m->name);
		if (sha && strcmp(sha, m->sha256)) {
			fprintf(stderr,
			        "thidua: migration %s was changed after it was applied (applied sha256 %s, file "
			        "sha256 %s); put the change in a new migration file instead\n",
			        m->name, sha, m->sha256);
			ok = false;
		}
	}
	size_t done = 0;
	for (size_t i = 0; ok && i < set->count; i++) {
		const struct migration *m = &set->items[i];
		if (recorded_sha(applied, m->name))
			continue;
		ok = apply_one(pg, m);
		if (ok) {
			done++;
			if (verbose)
				printf("applied %s\n", m->name);
		}
	}
	if (ok && verbose)
		printf("%zu migration%s applied, %zu already present\n", done, done == 1 ? "" : "s", set->count - done);
	PQclear(applied);
	PGresult *r = PQexec(pg, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")");
	PQclear(r);
	return ok;
}

bool migrate_open(struct migration_set *set, PGconn **pg)
{
	if (!migrate_load(set))
		return false;
	*pg = db_connect_direct();
	if (!*pg)
		migrate_set_free(set);
	return *pg != NULL;
}

int migrate_main(void)
{
	struct migration_set set;
	PGconn *pg;
	if (!migrate_open(&set, &pg))
		return 1;
	int rc = migrate_apply(pg, &set, true) ? 0 : 1;
	PQfinish(pg);
	migrate_set_free(&set);
	return rc;
}
