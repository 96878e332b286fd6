/* The statement catalogue (see queries.h). Keep the SQL here short: set
 * work belongs in functions under sql/, called from here by name. */
#include "db/queries.h"

#include <pthread.h>
#include <stdlib.h>

#include "util/buf.h"

#define CALL(fn, ...) {#fn, NULL, #fn, {__VA_ARGS__, NULL}}

const struct db_statement db_statements[Q__COUNT] = {
	[Q_NONE] = {"none", "SELECT", NULL, {NULL}},
	[Q_MIGRATIONS_APPLIED] = {"migrations_applied", "SELECT name, sha256 FROM schema_migrations ORDER BY name", NULL,
	                          {NULL}},
	/* Several requests' key checks in one statement (api/keycheck.h): $1
	 * is a JSON array of {n, prefix, subject, code, memo}; one row per
	 * check, by n: the key (NULLs when unknown); the version of what a
	 * cached answer depends on, for the response cache (api/cache.h,
	 * sql/012_cache.sql: NULL without a subject, or when the check's memo,
	 * the snapshot the service last counted it in, is still the current
	 * one; computed for each check that asks it, checks asking the same
	 * being sent once); the primary's flushed WAL position, for reads on a
	 * standby (db.h); the snapshot. One plain join, no CTE: the statement's
	 * fixed cost is most of a cached answer's time in PostgreSQL
	 * (bench/NOTES.md). */
	[Q_KEY_CHECKS] = {"key_checks",
	                  "SELECT b.n, k.id, k.name, k.role, k.scope_id, k.scope, k.hash, k.revoked, "
	                  "       CASE WHEN b.subject IS NOT NULL AND b.memo IS DISTINCT FROM s.snap "
	                  "            THEN cache_version(p_on => b.subject, p_code => b.code) END, "
	                  "       s.lsn, s.snap "
	                  "FROM (SELECT pg_current_snapshot()::text AS snap, pg_current_wal_flush_lsn()::text AS lsn) s "
	                  "CROSS JOIN json_to_recordset($1::json) AS b(n int, prefix text, subject text, code text, memo text) "
	                  "LEFT JOIN LATERAL key_lookup(p_prefix => b.prefix) k ON true",
	                  NULL, {NULL}},
	[Q_SYNC_AS_OF] = {"sync_as_of", "SELECT sync_as_of()", NULL, {NULL}},
	/* The input arguments of a function, in order: name, type, whether it
	 * has a default; and how many functions have that name. No row: no
	 * such function; one row with a NULL name: it takes no arguments. */
	[Q_FUNCTION_SIGNATURE] = {"function_signature",
	                          "SELECT (SELECT count(*) FROM pg_proc q WHERE q.proname = p.proname "
	                          "        AND q.pronamespace = p.pronamespace) AS overloads, "
	                          "       a.name, format_type(p.proargtypes[a.n - 1], NULL) AS type, "
	                          "       a.n > p.pronargs - p.pronargdefaults AS has_default "
	                          "FROM pg_proc p LEFT JOIN LATERAL ("
	                          "  SELECT u.name, row_number() OVER (ORDER BY u.o) AS n "
	                          "  FROM unnest(p.proargnames, p.proargmodes) WITH ORDINALITY AS u(name, mode, o) "
	                          "  WHERE coalesce(u.mode, 'i') IN ('i', 'b', 'v')) a ON true "
	                          "WHERE p.proname = $1 AND p.pronamespace = 'public'::regnamespace "
	                          "ORDER BY a.n",
	                          NULL,
	                          {NULL}},

	[Q_ORGANIZATIONS] = CALL(api_organizations, "scope", "kind", "parent", "under", "q", "on", "include_dissolved",
	                         "cursor", "limit"),
	[Q_ORGANIZATION] = CALL(api_organization, "scope", "code", "on"),
	[Q_INDICATORS] = CALL(api_indicators, "kind", "q", "cursor", "limit"),
	[Q_INDICATOR] = CALL(api_indicator, "code"),
	[Q_PERIODS] = CALL(api_periods, "year", "kind"),
	[Q_BLOCS] = CALL(api_blocs, "scope", "organizer", "year", "member", "q", "cursor", "limit"),
	[Q_BLOC] = CALL(api_bloc, "scope", "code"),
	[Q_BLOC_YEAR] = CALL(api_bloc_year, "scope", "code", "year"),
	[Q_VALUES] = CALL(api_values, "scope", "org", "under", "bloc", "indicator", "period", "year", "cursor", "limit"),
	[Q_VALUE_CHANGES] = CALL(api_value_changes, "scope", "org", "under", "bloc", "indicator", "period", "year",
	                         "updated_after", "cursor", "limit"),
	[Q_BLOC_REPORTING] = CALL(api_bloc_reporting, "scope", "code", "period", "indicator"),
	[Q_ORGANIZATION_REPORTING] = CALL(api_organization_reporting, "scope", "code", "period", "indicator"),
	[Q_VALUE_TEMPLATE] = CALL(api_value_template, "scope", "bloc", "under", "indicator", "period", "only"),
	[Q_VALUE_HISTORY] = CALL(api_value_history, "scope", "org", "under", "bloc", "indicator", "period", "year",
	                         "cursor", "limit"),
	[Q_VALUE_DELETE] = CALL(api_value_delete, "scope", "org", "bloc", "indicator", "period"),
	[Q_WRITE_CONTEXT] = CALL(write_context, "actor", "request_id"),
	[Q_IMPORT_VALUES] = CALL(import_values_then_sums, "scope", "keep_good"),
	[Q_IMPORT_ORGANIZATIONS] = CALL(import_organizations_then_buckets, "scope", "keep_good", "mode"),
	[Q_IMPORT_INDICATORS] = CALL(import_indicators, "scope", "keep_good"),
	[Q_ORGANIZATION_LOCK] = CALL(organization_lock, "code"),
	[Q_ORGANIZATION_WRITE] = CALL(api_organization_write, "scope", "body", "mode"),
	[Q_ORGANIZATION_DELETE] = CALL(api_organization_delete, "scope", "code"),
	[Q_INDICATOR_PUT] = CALL(api_indicator_put, "scope", "code", "body"),
	[Q_BLOC_LOCK] = CALL(bloc_lock, "code"),
	[Q_BLOC_PUT] = CALL(api_bloc_put, "scope", "code", "body"),
	[Q_BLOC_YEAR_PUT] = CALL(api_bloc_year_put, "scope", "code", "year", "body"),
	[Q_KEYS] = CALL(api_keys, "scope", "include_revoked", "cursor", "limit"),
	[Q_KEY_CREATE] = CALL(key_create, "scope", "name", "role", "key_scope", "prefix", "hash"),
	[Q_KEY_REVOKE] = CALL(key_revoke, "scope", "id"),
	[Q_LOCKS] = CALL(api_locks, "scope", "org", "cursor", "limit"),
	[Q_LOCK_CREATE] = CALL(lock_create, "scope", "org", "period", "note"),
	[Q_LOCK_DELETE] = CALL(lock_delete, "scope", "id"),
	[Q_ORGANIZATION_SUMMARY] = CALL(api_organization_summary, "scope", "code", "period"),
	[Q_ORGANIZATION_BREAKDOWN] = CALL(api_organization_breakdown, "scope", "code", "indicator", "period"),
	[Q_SERIES] = CALL(api_series, "scope", "org", "bloc", "indicator", "from", "to", "every"),
	[Q_BLOC_SUMMARY] = CALL(api_bloc_summary, "scope", "code", "period"),
	[Q_BLOC_SCOREBOARD] = CALL(api_bloc_scoreboard, "scope", "code", "period", "indicator", "by"),
};

static char *call_sql[Q__COUNT];
static pthread_once_t built = PTHREAD_ONCE_INIT;

static void build(void)
{
	for (int id = 0; id < Q__COUNT; id++) {
		const struct db_statement *st = &db_statements[id];
		if (st->sql)
			continue;
		struct buf sql = BUF_INIT;
		buf_printf(&sql, "SELECT * FROM %s(", st->function);
		for (int i = 0; st->args[i]; i++)
			buf_printf(&sql, "%sp_%s => $%d", i ? ", " : "", st->args[i], i + 1);
		buf_putc(&sql, ')');
		call_sql[id] = buf_steal(&sql);
	}
}

const char *db_statement_sql(enum query_id id)
{
	pthread_once(&built, build);
	return db_statements[id].sql ? db_statements[id].sql : call_sql[id];
}
