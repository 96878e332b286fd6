/* Probes (/healthz, /readyz), the contract (/openapi.yaml), the resource
 * index (/v1) and /metrics. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "handlers/system.h"

#include "api/metrics.h"
#include "api/reply.h"
#include "api/signatures.h"
#include "core/log.h"
#include "db/db.h"
#include "embedded.h"
#include "http/response.h"
#include "http/server.h"
#include "version.h"

static const struct migration_set *expected_migrations;
static const struct route *route_table;
static size_t route_count;
static atomic_bool signatures_ok;

void system_init(const struct migration_set *expected, const struct route *routes, size_t nroutes)
{
	expected_migrations = expected;
	route_table = routes;
	route_count = nroutes;
}

/* Whether the database is migrated to exactly this binary's files; why not
 * in why. DB_OK with *current set, or the failure. */
static enum db_status migrations_current(bool *current, char *why, size_t whylen, int *applied_count)
{
	PGresult *applied;
	enum db_status st = db_query(Q_MIGRATIONS_APPLIED, 0, NULL, &applied);
	if (st != DB_OK)
		return st;
	*current = migrate_is_current(expected_migrations, applied, why, whylen);
	*applied_count = PQntuples(applied);
	PQclear(applied);
	return DB_OK;
}

bool system_check_database(void)
{
	bool current = false;
	char why[256];
	int count;
	if (migrations_current(&current, why, sizeof why, &count) != DB_OK || !current) {
		fprintf(stderr, "thidua: the database is not reachable or not migrated yet; its functions will be checked "
		                "when /readyz is asked\n");
		db_release();
		return true;
	}
	struct buf report = BUF_INIT;
	enum signatures_result r = signatures_check(route_table, route_count, &report);
	db_release();
	if (r == SIGNATURES_MISMATCH) {
		fprintf(stderr, "thidua: the SQL this binary calls does not match the database's functions:\n%s",
		        buf_cstr(&report));
		buf_free(&report);
		return false;
	}
	buf_free(&report);
	atomic_store(&signatures_ok, r == SIGNATURES_OK);
	return true;
}

enum http_status handle_healthz(struct request *req)
{
	return reply_json(req, HTTP_OK, json_pack("{s:s}", "status", "ok"));
}

enum http_status handle_readyz(struct request *req)
{
	if (server_draining()) {
		response_header(&req->res, "Retry-After", "1");
		return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, "shutting_down",
		                     "This instance is shutting down and takes no new work.");
	}
	bool current = false;
	char why[256];
	int applied_count = 0;
	enum db_status st = migrations_current(&current, why, sizeof why, &applied_count);
	if (st == DB_UNAVAILABLE)
		return reply_db_failure(req, st);
	if (st == DB_ERROR) {
		if (!strcmp(db_error_sqlstate(), "42P01")) {
			response_header(&req->res, "Retry-After", "5");
			return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, "not_migrated",
			                     "The database has no schema yet; run `thidua migrate`.");
		}
		return reply_db_failure(req, st);
	}
	if (!current) {
		response_header(&req->res, "Retry-After", "5");
		return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, "not_migrated", "%s.", why);
	}
	if (!atomic_load(&signatures_ok)) {
		struct buf report = BUF_INIT;
		enum signatures_result r = signatures_check(route_table, route_count, &report);
		if (r == SIGNATURES_UNREACHABLE) {
			buf_free(&report);
			return reply_db_failure(req, DB_UNAVAILABLE);
		}
		if (r == SIGNATURES_MISMATCH) {
			log_error(req->request_id, "the SQL this binary calls does not match the database: %s", buf_cstr(&report));
			buf_free(&report);
			response_header(&req->res, "Retry-After", "5");
			return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, "schema_mismatch",
			                     "The database's functions do not match what this version of the service calls; "
			                     "the log lists each difference.");
		}
		buf_free(&report);
		atomic_store(&signatures_ok, true);
	}
	json_t *ready = json_pack("{s:s, s:i}", "status", "ready", "migrations", applied_count);
	struct db_replica_state rs[DB_MAX_REPLICAS];
	size_t nr = db_replica_states(rs, DB_MAX_REPLICAS, true);
	if (nr) { /* a standby away does not make the service unready: reads go to the primary */
		json_t *list = json_array();
		for (size_t i = 0; i < nr; i++)
			json_array_append_new(list, json_pack("{s:s, s:s, s:I}", "name", rs[i].name, "state",
			                                      rs[i].up ? "up" : "down", "lag_bytes", (json_int_t)rs[i].lag_bytes));
		json_object_set_new(ready, "replicas", list);
	}
	return reply_json(req, HTTP_OK, ready);
}

enum http_status handle_openapi(struct request *req)
{
	return reply_bytes(req, HTTP_OK, "application/yaml; charset=utf-8", embedded_openapi.data,
	                   embedded_openapi.len);
}

/* The index is built from the route table itself, so it lists exactly what
 * the server routes. */
enum http_status handle_index(struct request *req)
{
	const struct route *routes = route_table;
	json_t *resources = json_array();
	for (size_t i = 0; i < route_count; i++) {
		if (strncmp(routes[i].pattern, "/v1/", 4))
			continue;
		json_t *found = NULL;
		size_t j;
		json_t *r;
		json_array_foreach(resources, j, r)
		{
			if (!strcmp(json_string_value(json_object_get(r, "path")), routes[i].pattern))
				found = r;
		}
		if (!found) {
			found = json_pack("{s:s, s:[], s:{}}", "path", routes[i].pattern, "methods", "operations");
			json_array_append_new(resources, found);
		}
		const char *m = http_method_name(routes[i].method);
		json_array_append_new(json_object_get(found, "methods"), json_string(m));
		json_object_set_new(json_object_get(found, "operations"), m, json_string(routes[i].summary));
	}
	return reply_json(req, HTTP_OK,
	                  json_pack("{s:s, s:s, s:s, s:o}", "service", "thidua", "version", THIDUA_VERSION, "openapi",
	                            "/openapi.yaml", "resources", resources));
}

enum http_status handle_metrics(struct request *req)
{
	struct buf out = BUF_INIT;
	metrics_render(&out);
	req->res.no_etag = true;
	return reply_buf(req, HTTP_OK, "text/plain; version=0.0.4; charset=utf-8", &out);
}
