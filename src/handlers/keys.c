/* POST /v1/keys: administrators create API keys. A new key is shown once,
 * in the answer to its creation; only its hash is stored. Listing and
 * revoking are generic (routes.c). */
#include "handlers/keys.h"

#include <stdio.h>
#include <string.h>

#include "api/reply.h"
#include "domain/apikey.h"
#include "handlers/common.h"
#include "http/response.h"
#include "render/json.h"

enum http_status handle_key_create(struct request *req)
{
	struct apikey key;
	apikey_generate(&key);
	param_set(req, "prefix", key.prefix);
	param_set(req, "hash", key.hash_hex);
	PGresult *res;
	enum http_status st = write_once(req, req->route->call, &res);
	if (st != HTTP_PROCEED)
		return st;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return reply_internal(req, "key_create returned no row");
	}
	/* The only time the key itself is ever sent. */
	struct buf body = BUF_INIT;
	render_json_object(&body, res, 0);
	body.len--; /* reopen the object */
	buf_puts(&body, ",\"key\":");
	buf_json_string(&body, key.text, strlen(key.text));
	buf_putc(&body, '}');
	char location[64];
	snprintf(location, sizeof location, "/v1/keys/%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	response_header(&req->res, "Location", location);
	response_header(&req->res, "Cache-Control", "no-store");
	req->res.no_etag = true;
	return reply_buf(req, HTTP_CREATED, CT_JSON, &body);
}
