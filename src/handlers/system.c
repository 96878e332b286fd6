/* Probes (/healthz, /readyz), the contract (/openapi.yaml), the resource
 * index (/v1) and /metrics. */
#include <string.h>

#include "core/metrics.h"
#include "db/db.h"
#include "embedded.h"
#include "handlers/common.h"
#include "handlers/handlers.h"
#include "http/response.h"
#include "http/server.h"
#include "version.h"

static const struct migration_set *expected_migrations;

void system_init(const struct migration_set *expected)
{
	expected_migrations = expected;
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
	PGresult *applied;
	enum db_status st = db_query(Q_MIGRATIONS_APPLIED, 0, NULL, &applied);
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
	char why[256];
	bool current = migrate_is_current(expected_migrations, applied, why, sizeof why);
	int applied_count = PQntuples(applied);
	PQclear(applied);
	if (!current) {
		response_header(&req->res, "Retry-After", "5");
		return reply_problem(req, HTTP_SERVICE_UNAVAILABLE, "not_migrated", "%s.", why);
	}
	return reply_json(req, HTTP_OK, json_pack("{s:s, s:i}", "status", "ready", "migrations", applied_count));
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
	size_t n;
	const struct route *routes = server_routes(&n);
	json_t *resources = json_array();
	for (size_t i = 0; i < n; i++) {
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
