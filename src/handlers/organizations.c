/* GET /v1/organizations and /v1/organizations/{code}: the hierarchy as it
 * stood on a date (today unless ?on= says otherwise). */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "handlers/common.h"
#include "handlers/handlers.h"
#include "http/response.h"
#include "import/encode.h"
#include "import/import.h"

static const char *const org_kinds[] = {"confederation", "province", "district", "commune",
                                        "sector", "grassroots", "other", NULL};

enum http_status handle_organizations_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_enum(&a, "kind", org_kinds);
	args_code(&a, "parent");
	args_code(&a, "under");
	args_text(&a, "q", 200);
	args_date(&a, "on");
	args_bool(&a, "include_dissolved");
	args_page(&a);
	return reply_query_list_as(req, Q_ORGANIZATIONS, &a, "organizations");
}

enum http_status handle_organization_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path(&a, "code");
	args_date(&a, "on");
	return reply_query_object(req, Q_ORGANIZATION, &a);
}

/* ---- writes (administrators) ---- */

static const struct import_spec organizations_import = {
	.resource = "organizations",
	.columns = {
		.allowed = (const char *const[]){"code", "name", "short_name", "kind", "parent", "parent_from",
		                                 "valid_from", "valid_to", "successor", NULL},
		.key = (const char *const[]){"code", NULL},
		.required = (const char *const[]){"code", NULL},
	},
	.staging = DOC_STAGING,
	.copy = DOC_COPY,
	.encode = encode_doc_row,
	.merge = Q_IMPORT_ORGANIZATIONS,
};

enum http_status handle_organizations_put(struct request *req)
{
	struct args a;
	struct import_options opt;
	args_init(&a, req);
	import_options_read(&a, &opt);
	args_scope(&a);
	args_value(&a, opt.keep_good ? "true" : "false");
	args_value(&a, "upsert");
	return import_run(req, &organizations_import, &opt, &a);
}

static void representation_args(struct args *a, struct request *req, const char *code)
{
	args_init(a, req);
	args_scope(a);
	args_value(a, code);
	args_value(a, NULL); /* on: today */
}

/* POST creates, PATCH changes: the same row rules as the bulk import. */
static enum http_status write_one(struct request *req, const char *mode)
{
	bool create = !strcmp(mode, "create");
	const char *path_code = request_param(req, "code");
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_body_object(&a);
	if (args_ok(&a) && !create) {
		/* the code is the path's; a body naming another is a mistake */
		json_t *doc = json_loads(a.values[1], 0, NULL);
		const char *body_code = json_string_value(json_object_get(doc, "code"));
		if (body_code && strcasecmp(body_code, path_code))
			args_fail(&a, "body", "code", "invalid_field", "code in the body differs from the one in the path");
		json_object_set_new(doc, "code", json_string(path_code));
		char *merged = json_dumps(doc, JSON_COMPACT);
		json_decref(doc);
		free(a.owned[1]);
		a.owned[1] = merged;
		a.values[1] = merged;
	}
	args_value(&a, mode);

	enum http_status st = write_begin(req);
	if (st != HTTP_OK) {
		args_free(&a);
		return st;
	}
	struct args get;
	if (!create) {
		PGresult *lock;
		struct args l;
		args_init(&l, req);
		args_value(&l, path_code);
		if ((st = write_exec(req, Q_ORGANIZATION_LOCK, &l, &lock)) != HTTP_OK) {
			args_free(&a);
			return st;
		}
		PQclear(lock);
		representation_args(&get, req, path_code);
		if ((st = write_if_match(req, Q_ORGANIZATION, &get)) != HTTP_OK) {
			args_free(&a);
			return st;
		}
	}
	PGresult *res;
	if ((st = write_exec(req, Q_ORGANIZATION_WRITE, &a, &res)) != HTTP_OK)
		return st;
	PQclear(res);
	if ((st = write_commit(req)) != HTTP_OK)
		return st;

	json_t *doc = json_loadb(buf_cstr(&req->body), req->body.len, 0, NULL);
	const char *code = create ? json_string_value(json_object_get(doc, "code")) : path_code;
	char location[96];
	int prefix = snprintf(location, sizeof location, "/v1/organizations/%s", code ? code : "");
	for (char *c = location + (prefix > 0 ? strlen("/v1/organizations/") : 0); *c; c++)
		if (*c >= 'a' && *c <= 'z')
			*c = (char)(*c - 'a' + 'A'); /* codes are uppercase */
	if (create)
		response_header(&req->res, "Location", location);
	representation_args(&get, req, code);
	json_decref(doc);
	return reply_representation(req, create ? HTTP_CREATED : HTTP_OK, Q_ORGANIZATION, &get);
}

enum http_status handle_organization_post(struct request *req)
{
	return write_one(req, "create");
}

enum http_status handle_organization_patch(struct request *req)
{
	return write_one(req, "update");
}

enum http_status handle_organization_delete(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path(&a, "code");
	PGresult *res;
	enum http_status st = write_once(req, Q_ORGANIZATION_DELETE, &a, &res);
	if (st != HTTP_OK)
		return st;
	PQclear(res);
	return reply_empty(req, HTTP_NO_CONTENT);
}
