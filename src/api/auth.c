/* Authorization (see auth.h): the route table says which role a route
 * needs; this finds the caller's key and its role. Which organizations a
 * key may touch (its scope) is checked where the organizations are known:
 * in the SQL functions, which get the scope with every call. */
#include "core/auth.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "core/config.h"
#include "db/db.h"
#include "domain/apikey.h"
#include "handlers/common.h"
#include "http/response.h"
#include "http/router.h"
#include "util/alloc.h"

static const char *role_names[] = {"public", "reader", "editor", "admin"};

static enum http_status unauthorized(struct request *req, const char *code, const char *detail)
{
	response_header(&req->res, "WWW-Authenticate", "Bearer realm=\"thidua\"");
	return reply_problem(req, HTTP_UNAUTHORIZED, code, "%s", detail);
}

static enum role role_of(const char *name)
{
	for (int r = ROLE_READER; r <= ROLE_ADMIN; r++)
		if (!strcmp(name, role_names[r]))
			return (enum role)r;
	return ROLE_PUBLIC;
}

enum http_status auth_authorize(struct request *req)
{
	const struct route *route = req->route;
	if (route->role == ROLE_PUBLIC)
		return HTTP_OK;

	const char *header = request_header(req, "Authorization");
	if (!header) {
		if (cfg.public_read && route->role == ROLE_READER) {
			req->who.role = ROLE_READER;
			return HTTP_OK;
		}
		return unauthorized(req, "unauthorized",
		                    "This resource needs an API key: send the header Authorization: Bearer <key>.");
	}
	if (strncasecmp(header, "Bearer ", 7))
		return unauthorized(req, "invalid_key", "The Authorization header must be: Bearer <key>.");
	const char *text = header + 7;
	while (*text == ' ')
		text++;
	struct apikey key;
	if (!apikey_parse(text, &key))
		return unauthorized(req, "invalid_key", "That is not a thidua API key; keys look like thd_<12 hex>_<43 characters>.");

	PGresult *res;
	const char *params[] = {key.prefix};
	enum db_status st = db_query(Q_KEY_LOOKUP, 1, params, &res);
	if (st != DB_OK)
		return reply_db_failure(req, st);
	/* columns: id, name, role, scope_id, scope, hash, revoked, snapshot */
	bool valid = PQntuples(res) == 1 && apikey_matches(&key, PQgetvalue(res, 0, 5)) &&
	             strcmp(PQgetvalue(res, 0, 6), "t") != 0;
	if (!valid) {
		PQclear(res);
		return unauthorized(req, "invalid_key", "The key is unknown or has been revoked.");
	}
	req->who.authenticated = true;
	req->who.key_id = atoll(PQgetvalue(res, 0, 0));
	snprintf(req->who.key_name, sizeof req->who.key_name, "%s", PQgetvalue(res, 0, 1));
	req->who.role = role_of(PQgetvalue(res, 0, 2));
	snprintf(req->who.scope_id, sizeof req->who.scope_id, "%s", PQgetvalue(res, 0, 3));
	snprintf(req->who.scope, sizeof req->who.scope, "%s", PQgetvalue(res, 0, 4));
	req->snapshot = xstrdup(PQgetvalue(res, 0, 7));
	PQclear(res);

	if (req->who.role < route->role)
		return reply_problem(req, HTTP_FORBIDDEN, "forbidden_role",
		                     "This key's role is %s; %s %s needs %s%s.", role_names[req->who.role],
		                     req->method_name, route->pattern, role_names[route->role],
		                     route->role == ROLE_ADMIN ? "" : " or above");
	return HTTP_OK;
}

const char *auth_role_name(enum role role)
{
	return role_names[role];
}
