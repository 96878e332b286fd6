/* Authorization (see auth.h): the route table says which role a route
 * needs; this finds the caller's key and its role. */
#include "api/auth.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "api/cache.h"
#include "api/reply.h"
#include "core/config.h"
#include "db/db.h"
#include "domain/apikey.h"
#include "http/response.h"
#include "util/alloc.h"

static bool unauthorized(struct request *req, const char *code, const char *detail)
{
	response_header(&req->res, "WWW-Authenticate", "Bearer realm=\"thidua\"");
	reply_problem(req, HTTP_UNAUTHORIZED, code, "%s", detail);
	return false;
}

bool auth_authorize(struct request *req, struct principal *who, const char *cache_on, const char *cache_code,
                    char **version)
{
	const struct route *route = req->route;
	*version = NULL;
	if (route->role == ROLE_PUBLIC)
		return true;

	const char *header = request_header(req, "Authorization");
	if (!header) {
		if (cfg.public_read && route->role == ROLE_READER) {
			who->role = ROLE_READER;
			return true;
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

	/* the version last counted for this subject, reused when the lookup
	 * sees the same snapshot (api/cache.h) */
	char *memo_snapshot = NULL, *memo_version = NULL;
	if (cache_on)
		cache_memo_get(cache_on, cache_code, &memo_snapshot, &memo_version);
	PGresult *res;
	const char *params[] = {key.prefix, cache_on, cache_code, memo_snapshot};
	enum db_status st = db_query(Q_KEY_LOOKUP, 4, params, &res);
	free(memo_snapshot);
	if (st != DB_OK) {
		free(memo_version);
		reply_db_failure(req, st);
		return false;
	}
	/* columns: id, name, role, scope_id, scope, hash, revoked, cache version (NULL: the snapshot
	 * was the one remembered), flushed WAL position, snapshot */
	bool valid = PQntuples(res) == 1 && apikey_matches(&key, PQgetvalue(res, 0, 5)) &&
	             strcmp(PQgetvalue(res, 0, 6), "t") != 0;
	if (!valid) {
		free(memo_version);
		PQclear(res);
		return unauthorized(req, "invalid_key", "The key is unknown or has been revoked.");
	}
	who->authenticated = true;
	who->key_id = atoll(PQgetvalue(res, 0, 0));
	snprintf(who->key_name, sizeof who->key_name, "%s", PQgetvalue(res, 0, 1));
	who->role = role_parse(PQgetvalue(res, 0, 2));
	snprintf(who->scope_id, sizeof who->scope_id, "%s", PQgetvalue(res, 0, 3));
	snprintf(who->scope, sizeof who->scope, "%s", PQgetvalue(res, 0, 4));
	if (!cache_on) {
		free(memo_version);
	} else if (PQgetisnull(res, 0, 7)) {
		*version = memo_version;
	} else {
		free(memo_version);
		*version = xstrdup(PQgetvalue(res, 0, 7));
		cache_memo_put(cache_on, cache_code, PQgetvalue(res, 0, 9), *version);
	}
	who->seen_lsn = db_lsn_parse(PQgetvalue(res, 0, 8));
	PQclear(res);

	if (who->role < route->role) {
		free(*version);
		*version = NULL;
		reply_problem(req, HTTP_FORBIDDEN, "forbidden_role", "This key's role is %s; %s %s needs %s%s.",
		              role_name(who->role), req->method_name, route->pattern, role_name(route->role),
		              route->role == ROLE_ADMIN ? "" : " or above");
		return false;
	}
	return true;
}
