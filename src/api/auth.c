/* Authorization (see auth.h): the route table says which role a route
 * needs; this finds the caller's key and its role. */
#include "api/auth.h"

#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <strings.h>

#include "api/cache.h"
#include "api/keycheck.h"
#include "api/reply.h"
#include "core/config.h"
#include "domain/apikey.h"
#include "http/response.h"
#include "http/server.h"
#include "util/alloc.h"

/* A request's key check while it is asked and once it is answered. */
struct auth_wait {
	struct key_check check;
	struct apikey key;    /* as given; check.prefix is "" without one */
	char *memo_snapshot;  /* the version remembered for the subject, and the */
	char *memo_version;   /* snapshot it was counted in (api/cache.h) */
	void (*then)(struct request *req);
};

static bool unauthorized(struct request *req, const char *code, const char *detail)
{
	response_header(&req->res, "WWW-Authenticate", "Bearer realm=\"thidua\"");
	reply_problem(req, HTTP_UNAUTHORIZED, code, "%s", detail);
	return false;
}

static void checked(struct key_check *check, void *arg)
{
	struct request *req = arg;
	(void)check;
	req->auth->then(req);
}

enum auth_step auth_begin(struct request *req, const char *cache_on, const char *cache_code,
                          void (*then)(struct request *req))
{
	const struct route *route = req->route;
	struct principal *who = req->who;
	if (route->role == ROLE_PUBLIC)
		return AUTH_GRANTED;

	const char *header = request_header(req, "Authorization");
	struct apikey key = {0};
	if (!header) {
		if (!cfg.public_read || route->role != ROLE_READER) {
			unauthorized(req, "unauthorized",
			             "This resource needs an API key: send the header Authorization: Bearer <key>.");
			return AUTH_REFUSED;
		}
		who->role = ROLE_READER;
		if (!cache_on)
			return AUTH_GRANTED; /* nothing to ask the database */
	} else {
		if (strncasecmp(header, "Bearer ", 7)) {
			unauthorized(req, "invalid_key", "The Authorization header must be: Bearer <key>.");
			return AUTH_REFUSED;
		}
		const char *text = header + 7;
		while (*text == ' ')
			text++;
		if (!apikey_parse(text, &key)) {
			unauthorized(req, "invalid_key",
			             "That is not a thidua API key; keys look like thd_<12 hex>_<43 characters>.");
			return AUTH_REFUSED;
		}
	}

	struct auth_wait *w = xcalloc(1, sizeof *w);
	w->key = key;
	w->then = then;
	if (cache_on)
		cache_memo_get(cache_on, cache_code, &w->memo_snapshot, &w->memo_version);
	struct key_check *c = &w->check;
	memcpy(c->prefix, key.prefix, sizeof c->prefix);
	c->subject = cache_on;
	c->code = cache_code;
	c->memo_snapshot = w->memo_snapshot;
	c->answered = checked;
	c->arg = req;
	req->auth = w;
	server_suspend(req); /* before the check can be answered */
	keycheck_submit(c);
	return AUTH_WAITING;
}

bool auth_finish(struct request *req, char **version)
{
	struct auth_wait *w = req->auth;
	struct key_check *c = &w->check;
	struct principal *who = req->who;
	const struct route *route = req->route;
	*version = NULL;
	if (c->status != DB_OK) {
		reply_db_error(req, c->status, &c->error);
		return false;
	}
	if (c->prefix[0]) {
		if (!c->found || !apikey_matches(&w->key, c->hash) || c->revoked)
			return unauthorized(req, "invalid_key", "The key is unknown or has been revoked.");
		who->authenticated = true;
		who->key_id = atoll(c->id);
		snprintf(who->key_name, sizeof who->key_name, "%s", c->name);
		who->role = role_parse(c->role);
		snprintf(who->scope_id, sizeof who->scope_id, "%s", c->scope_id);
		snprintf(who->scope, sizeof who->scope, "%s", c->scope);
	}
	who->seen_lsn = db_lsn_parse(c->lsn);
	if (c->subject) {
		if (c->version) {
			*version = xstrdup(c->version);
			if (c->snapshot)
				cache_memo_put(c->subject, c->code, c->snapshot, c->version);
		} else {
			*version = w->memo_version; /* the snapshot was the one remembered */
			w->memo_version = NULL;
		}
	}

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

void auth_free(struct request *req)
{
	struct auth_wait *w = req->auth;
	if (!w)
		return;
	keycheck_clear(&w->check);
	free(w->memo_snapshot);
	free(w->memo_version);
	free(w);
	req->auth = NULL;
}
