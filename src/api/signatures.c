/* SQL calls held to pg_proc (see signatures.h). */
#include "api/signatures.h"

#include <libpq-fe.h>
#include <stdlib.h>
#include <string.h>

#include "api/params.h"
#include "db/db.h"

/* Arguments the service fills in itself, and their SQL types. */
static const struct {
	const char *name;
	const char *type;
} computed[] = {
	{"scope", "bigint"},      /* the caller's key scope */
	{"keep_good", "boolean"}, /* imports: on_error=skip */
	{"mode", "text"},         /* organization writes: create, update, upsert */
	{"actor", "text"},        /* write_context: the key's name */
	{"request_id", "text"},
	{"prefix", "text"},       /* a new key's prefix and hash */
	{"hash", "text"},
	{"on", "date"},           /* an organization's representation after a write: today */
	{"code", "text"},         /* ... and its code, from the body of a POST */
};

/* The SQL types a parameter type may be sent to. */
static bool type_fits(enum param_type t, const char *sql)
{
	switch (t) {
	case PT_INT:
	case PT_LIMIT:
		return !strcmp(sql, "integer") || !strcmp(sql, "bigint") || !strcmp(sql, "smallint");
	case PT_BOOL:
		return !strcmp(sql, "boolean");
	case PT_DATE:
		return !strcmp(sql, "date");
	case PT_TIMESTAMP:
		return !strcmp(sql, "timestamp with time zone");
	case PT_DOCUMENT:
		return !strcmp(sql, "jsonb") || !strcmp(sql, "json");
	default:
		return !strcmp(sql, "text");
	}
}

static const struct param_spec *route_param(const struct route *r, const char *name)
{
	for (const struct param_spec *s = r->params; s && s->name; s++)
		if (!strcmp(s->as ? s->as : s->name, name))
			return s;
	return NULL;
}

static const char *computed_type(const char *name)
{
	for (size_t i = 0; i < sizeof computed / sizeof computed[0]; i++)
		if (!strcmp(computed[i].name, name))
			return computed[i].type;
	return NULL;
}

bool signatures_check_routes(const struct route *routes, size_t n, struct buf *report)
{
	bool ok = true;
	for (size_t i = 0; i < n; i++) {
		unsigned q = routes[i].call;
		if (!q || db_statements[q].sql)
			continue;
		for (int a = 0; db_statements[q].args[a]; a++) {
			const char *arg = db_statements[q].args[a];
			if (!route_param(&routes[i], arg) && !computed_type(arg)) {
				buf_printf(report, "%s %s: %s(p_%s) has no parameter or computed value of that name\n",
				           http_method_name(routes[i].method), routes[i].pattern, db_statements[q].function, arg);
				ok = false;
			}
		}
	}
	return ok;
}

/* One statement against its function's signature (rows of
 * Q_FUNCTION_SIGNATURE); type is the declared or computed SQL type check
 * done per route below. */
static bool check_statement(enum query_id q, PGresult *sig, const struct route *routes, size_t n, struct buf *report)
{
	const struct db_statement *st = &db_statements[q];
	int rows = PQntuples(sig);
	if (rows == 0) {
		buf_printf(report, "%s: the database has no function %s\n", st->name, st->function);
		return false;
	}
	bool ok = true;
	if (strcmp(PQgetvalue(sig, 0, 0), "1")) {
		buf_printf(report, "%s: %s has %s definitions; it must have one\n", st->name, st->function, PQgetvalue(sig, 0, 0));
		ok = false;
	}
	/* every declared argument exists, with a type its source can fill */
	for (int a = 0; st->args[a]; a++) {
		char want[80];
		snprintf(want, sizeof want, "p_%s", st->args[a]);
		int found = -1;
		for (int r = 0; r < rows && found < 0; r++)
			if (!PQgetisnull(sig, r, 1) && !strcmp(PQgetvalue(sig, r, 1), want))
				found = r;
		if (found < 0) {
			buf_printf(report, "%s: %s has no argument %s\n", st->name, st->function, want);
			ok = false;
			continue;
		}
		const char *sql_type = PQgetvalue(sig, found, 2);
		const char *ctype = computed_type(st->args[a]);
		bool from_route = false;
		for (size_t i = 0; i < n; i++) {
			const struct param_spec *s = routes[i].call == (unsigned)q ? route_param(&routes[i], st->args[a]) : NULL;
			if (!s)
				continue;
			from_route = true;
			if (!type_fits(s->type, sql_type)) {
				buf_printf(report, "%s %s: parameter %s is a %s but %s(%s) is %s\n", http_method_name(routes[i].method),
				           routes[i].pattern, s->name, params_type_name(s->type), st->function, want, sql_type);
				ok = false;
			}
		}
		if (!from_route && ctype && strcmp(ctype, sql_type)) {
			buf_printf(report, "%s: %s(%s) is %s but the service sends %s\n", st->name, st->function, want, sql_type,
			           ctype);
			ok = false;
		}
	}
	/* and none that needs a value is left out */
	for (int r = 0; r < rows; r++) {
		if (PQgetisnull(sig, r, 1) || !strcmp(PQgetvalue(sig, r, 3), "t"))
			continue;
		const char *name = PQgetvalue(sig, r, 1);
		bool declared = false;
		for (int a = 0; st->args[a] && !declared; a++)
			declared = !strncmp(name, "p_", 2) && !strcmp(name + 2, st->args[a]);
		if (!declared) {
			buf_printf(report, "%s: %s takes %s, which the service does not send\n", st->name, st->function, name);
			ok = false;
		}
	}
	return ok;
}

enum signatures_result signatures_check(const struct route *routes, size_t n, struct buf *report)
{
	bool ok = signatures_check_routes(routes, n, report);
	for (int q = 0; q < Q__COUNT; q++) {
		if (db_statements[q].sql)
			continue;
		const char *fn = db_statements[q].function;
		PGresult *sig;
		enum db_status st = db_query(Q_FUNCTION_SIGNATURE, 1, &fn, &sig);
		if (st == DB_UNAVAILABLE)
			return SIGNATURES_UNREACHABLE;
		if (st != DB_OK) {
			buf_printf(report, "%s: could not read its signature: %s\n", db_statements[q].name, db_error_message());
			ok = false;
			continue;
		}
		ok = check_statement((enum query_id)q, sig, routes, n, report) && ok;
		PQclear(sig);
	}
	return ok ? SIGNATURES_OK : SIGNATURES_MISMATCH;
}
