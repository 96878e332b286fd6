/* /v1/keys: administrators create, list and revoke API keys. A new key is
 * shown once, in the answer to its creation; only its hash is stored. */
#include <jansson.h>
#include <string.h>

#include "domain/apikey.h"
#include "handlers/common.h"
#include "render/render.h"
#include "handlers/handlers.h"
#include "http/response.h"

enum http_status handle_keys_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_bool(&a, "include_revoked");
	args_page(&a);
	return reply_query_list_as(req, Q_KEYS, &a, "keys");
}

/* Reads {name, role, scope} from the body into a. */
static void key_fields(struct args *a)
{
	json_error_t jerr;
	json_t *doc = json_loadb(buf_cstr(&a->req->body), a->req->body.len, 0, &jerr);
	const char *name = NULL, *role = NULL, *scope = NULL;
	if (!json_is_object(doc)) {
		args_fail(a, "body", "body", "invalid_body", "send a JSON object: {\"name\": ..., \"role\": ..., \"scope\": ...}");
	} else {
		const char *k;
		json_t *v;
		json_object_foreach(doc, k, v)
		{
			if (strcmp(k, "name") && strcmp(k, "role") && strcmp(k, "scope")) {
				args_fail(a, "body", k, "unknown_field", "unknown field; the fields are name, role and scope");
				continue;
			}
			if (!json_is_string(v) && !(json_is_null(v) && !strcmp(k, "scope"))) {
				args_fail(a, "body", k, "invalid_field", "must be text");
				continue;
			}
			if (!strcmp(k, "name"))
				name = json_string_value(v);
			else if (!strcmp(k, "role"))
				role = json_string_value(v);
			else
				scope = json_string_value(v);
		}
		if (!name)
			args_fail(a, "body", "name", "missing_field", "name is required: who or what uses the key");
		if (!role)
			args_fail(a, "body", "role", "missing_field", "role is required: reader, editor or admin");
	}
	args_scope(a);
	args_value(a, name);
	args_value(a, role);
	args_value(a, scope);
	json_decref(doc);
}

enum http_status handle_key_create(struct request *req)
{
	struct args a;
	args_init(&a, req);
	key_fields(&a);
	struct apikey key;
	apikey_generate(&key);
	args_value(&a, key.prefix);
	args_value(&a, key.hash_hex);

	PGresult *res;
	enum http_status st = write_once(req, Q_KEY_CREATE, &a, &res);
	if (st != HTTP_OK)
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

enum http_status handle_key_delete(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path_int(&a, "id", 1, 999999999999);
	PGresult *res;
	enum http_status st = write_once(req, Q_KEY_REVOKE, &a, &res);
	if (st != HTTP_OK)
		return st;
	PQclear(res);
	return reply_empty(req, HTTP_NO_CONTENT);
}
