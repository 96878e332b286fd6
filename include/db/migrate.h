/* Schema migrations: the files of sql/ (built into the binary, or read from
 * THIDUA_MIGRATIONS_DIR) applied in name order, each inside its own
 * transaction, and recorded with their SHA-256 in schema_migrations. A
 * second run does nothing; a file changed after it was applied is refused. */
#ifndef THIDUA_DB_MIGRATE_H
#define THIDUA_DB_MIGRATE_H

#include <libpq-fe.h>
#include <stdbool.h>
#include <stddef.h>

struct migration {
	char *name;
	char *sql;
	char sha256[65];
};

struct migration_set {
	struct migration *items;
	size_t count;
};

/* Loads the migrations this binary expects; prints why on failure. */
bool migrate_load(struct migration_set *set) __attribute__((warn_unused_result));
void migrate_set_free(struct migration_set *set);

/* How the commands that work on the schema start: the migrations loaded
 * and a direct connection opened. False, with why printed and nothing
 * left to free, when either fails. */
bool migrate_open(struct migration_set *set, PGconn **pg) __attribute__((warn_unused_result));

/* Applies what is pending. Returns false (after printing why) on any
 * failure, including an applied file whose content has changed. */
bool migrate_apply(PGconn *pg, const struct migration_set *set, bool verbose) __attribute__((warn_unused_result));

/* Compares what the database recorded (rows of name, sha256) with the set:
 * writes the first problem to why and returns false when not up to date. */
bool migrate_is_current(const struct migration_set *set, PGresult *applied, char *why, size_t whylen);

/* The `thidua migrate` subcommand. */
int migrate_main(void);

#endif
