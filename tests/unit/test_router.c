/* Route lookup: literal and {param} segments, 404 against 405, HEAD. */
#include <stdlib.h>

#include "http/router.h"
#include "tap.h"

static enum http_status nop(struct request *req)
{
	(void)req;
	return HTTP_OK;
}

static const struct route table[] = {
	{HTTP_GET, "/v1/organizations", nop, ROLE_READER, 0, "list", .params = NULL},
	{HTTP_POST, "/v1/organizations", nop, ROLE_ADMIN, 0, "create", .params = NULL},
	{HTTP_GET, "/v1/organizations/{code}", nop, ROLE_READER, 0, "one", .params = NULL},
	{HTTP_PATCH, "/v1/organizations/{code}", nop, ROLE_ADMIN, 0, "update", .params = NULL},
	{HTTP_GET, "/v1/blocs/{code}/years/{year}", nop, ROLE_READER, 0, "bloc year", .params = NULL},
	{HTTP_GET, "/v1/organizations/{code}/summary", nop, ROLE_READER, 0, "summary", .params = NULL},
};
#define N (sizeof table / sizeof table[0])

static void literal_path_is_found(void)
{
	struct request req = {0};
	const struct route *r = NULL;
	unsigned allowed = 0;
	CHECK_INT(router_lookup(table, N, HTTP_GET, "/v1/organizations", &req, &r, &allowed), ROUTE_FOUND);
	CHECK(r == &table[0]);
	CHECK_INT(req.nparams, 0);
}

static void parameters_are_captured_by_name(void)
{
	struct request req = {0};
	const struct route *r = NULL;
	unsigned allowed = 0;
	CHECK_INT(router_lookup(table, N, HTTP_GET, "/v1/blocs/HN-CUM1/years/2023", &req, &r, &allowed), ROUTE_FOUND);
	CHECK(r == &table[4]);
	CHECK_STR(request_param(&req, "code"), "HN-CUM1");
	CHECK_STR(request_param(&req, "year"), "2023");
	CHECK(request_param(&req, "other") == NULL);
	router_params_free(&req);
}

static void unknown_path_is_not_found(void)
{
	struct request req = {0};
	const struct route *r = NULL;
	unsigned allowed = 0;
	CHECK_INT(router_lookup(table, N, HTTP_GET, "/v1/nothing", &req, &r, &allowed), ROUTE_NOT_FOUND);
	CHECK_INT(router_lookup(table, N, HTTP_GET, "/v1/organizations/HN/extra/x", &req, &r, &allowed),
	          ROUTE_NOT_FOUND);
	CHECK_INT(router_lookup(table, N, HTTP_GET, "/v1/organizations/", &req, &r, &allowed), ROUTE_NOT_FOUND);
	CHECK_INT(router_lookup(table, N, HTTP_GET, "", &req, &r, &allowed), ROUTE_NOT_FOUND);
}

static void wrong_method_lists_the_allowed_ones(void)
{
	struct request req = {0};
	const struct route *r = NULL;
	unsigned allowed = 0;
	CHECK_INT(router_lookup(table, N, HTTP_DELETE, "/v1/organizations/HN", &req, &r, &allowed),
	          ROUTE_METHOD_NOT_ALLOWED);
	char text[96];
	router_format_allow(allowed, text, sizeof text);
	CHECK_STR(text, "GET, HEAD, PATCH, OPTIONS");
}

static void head_is_served_by_get(void)
{
	struct request req = {0};
	const struct route *r = NULL;
	unsigned allowed = 0;
	CHECK_INT(router_lookup(table, N, HTTP_HEAD, "/v1/organizations/HP/summary", &req, &r, &allowed), ROUTE_FOUND);
	CHECK(r == &table[5]);
	router_params_free(&req);
}

static void allowed_methods_of_a_path(void)
{
	char text[96];
	router_format_allow(router_allowed(table, N, "/v1/organizations"), text, sizeof text);
	CHECK_STR(text, "GET, HEAD, POST, OPTIONS");
	CHECK_INT(router_allowed(table, N, "/v1/unknown"), 0);
}

/* The key roles come from the SQL enum key_role: its order must be the
 * C enum's, public before them. */
static void roles_have_the_schema_names(void)
{
	static const char *const want[] = {[ROLE_PUBLIC] = "public", [ROLE_READER] = "reader", [ROLE_EDITOR] = "editor",
	                                   [ROLE_ADMIN] = "admin"};
	for (int r = ROLE_PUBLIC; r <= ROLE_ADMIN; r++)
		CHECK_STR(role_name((enum role)r), want[r]);
	CHECK_INT(role_parse("editor"), ROLE_EDITOR);
	CHECK_INT(role_parse("admin"), ROLE_ADMIN);
	CHECK_INT(role_parse("public"), ROLE_PUBLIC);
	CHECK_INT(role_parse("Admin"), ROLE_PUBLIC);
}

int main(void)
{
	RUN(literal_path_is_found);
	RUN(parameters_are_captured_by_name);
	RUN(unknown_path_is_not_found);
	RUN(wrong_method_lists_the_allowed_ones);
	RUN(head_is_served_by_get);
	RUN(allowed_methods_of_a_path);
	RUN(roles_have_the_schema_names);
	return tap_done();
}
