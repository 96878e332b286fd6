/* Writes of organizations: the bulk import (PUT), one new organization
 * (POST) and a change to one (PATCH, under If-Match). Reads are generic
 * (common.h). */
#ifndef THIDUA_HANDLERS_ORGANIZATIONS_H
#define THIDUA_HANDLERS_ORGANIZATIONS_H

#include "http/http.h"

/* PUT /v1/organizations: the bulk import, CSV or a JSON array (handlers/import.h). */
enum http_status handle_organizations_put(struct request *req);
/* POST /v1/organizations: one new organization; 201 with Location. */
enum http_status handle_organization_post(struct request *req);
/* PATCH /v1/organizations/{code}: the fields given change, under If-Match. */
enum http_status handle_organization_patch(struct request *req);

#endif
