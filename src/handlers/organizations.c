/* Writes of organizations (administrators): the bulk import, POST of one,
 * PATCH of one. Reads and DELETE are generic (routes.c). */
#include "handlers/organizations.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api/params.h"
#include "api/reply.h"
#include "handlers/common.h"
#include "handlers/import.h"
#include "http/response.h"
#include "import/encode.h"

static const struct import_spec organizations_import = {
	.resource = "organizations",
	.columns = {
		.allowed = (const char *const[]){"code", "name", "short_name", "kind", "parent", "parent_from",
		                                 "valid_from", "valid_to", "successor", NULL},
		.key = (const char *const[]){"code", NULL},
		.required = (const char *const[]){"code", NULL},
	},
	.rows = &document_rows,
	.merge = Q_IMPORT_ORGANIZATIONS,
};

enum http_status handle_organizations_put(struct request *req)
{
	param_set(req, "mode", "upsert");
	return import_run(req, &organizations_import);
}

/* POST creates, PATCH changes: the same row rules as the bulk import. */
static enum http_status write_one(struct request *req, bool create)
{
	json_t *doc = json_loads(param(req, "body"), 0, NULL); /* a JSON object: the parameters say so */
	const char *body_code = json_string_value(json_object_get(doc, "code"));
	if (!create) {
		/* the code is the path's; a body naming another is a mistake */
		const char *path_code = param(req, "code");
		if (body_code && strcasecmp(body_code, path_code)) {
			json_decref(doc);
			return reply_field_problem(req, HTTP_BAD_REQUEST, "invalid_field", "body", "code",
			                           "code in the body differs from the one in the path");
		}
		json_object_set_new(doc, "code", json_string(path_code));
		char *merged = json_dumps(doc, JSON_COMPACT);
		param_set(req, "body", merged);
		free(merged);
	} else if (body_code) {
		char code[64];
		snprintf(code, sizeof code, "%s", body_code);
		for (char *c = code; *c; c++)
			if (*c >= 'a' && *c <= 'z')
				*c = (char)(*c - 'a' + 'A'); /* codes are uppercase */
		param_set(req, "code", code);
	}
	json_decref(doc);
	param_set(req, "mode", create ? "create" : "update");
	param_set(req, "on", NULL); /* the representation: as of today */

	enum http_status st = write_begin(req);
	if (st != HTTP_PROCEED)
		return st;
	PGresult *res;
	if (!create) {
		if ((st = write_call(req, Q_ORGANIZATION_LOCK, &res)) != HTTP_PROCEED)
			return st;
		PQclear(res);
		if ((st = write_if_match(req, Q_ORGANIZATION)) != HTTP_PROCEED)
			return st;
	}
	if ((st = write_call(req, Q_ORGANIZATION_WRITE, &res)) != HTTP_PROCEED)
		return st;
	PQclear(res);
	if ((st = write_commit(req)) != HTTP_PROCEED)
		return st;
	if (create) {
		char location[96];
		snprintf(location, sizeof location, "/v1/organizations/%s", param(req, "code"));
		response_header(&req->res, "Location", location);
	}
	return write_answer(req, create ? HTTP_CREATED : HTTP_OK, Q_ORGANIZATION);
}

enum http_status handle_organization_post(struct request *req)
{
	return write_one(req, true);
}

enum http_status handle_organization_patch(struct request *req)
{
	return write_one(req, false);
}
