/* POST /v1/locks: after a review (tổng kết) an administrator locks a period
 * for an organization's subtree; writes into it are refused with 409
 * period_locked until the lock is lifted. Listing and lifting are generic
 * (routes.c). */
#include "handlers/locks.h"

#include <stdio.h>

#include "api/reply.h"
#include "handlers/common.h"
#include "http/response.h"

enum http_status handle_lock_create(struct request *req)
{
	PGresult *res;
	enum http_status st = write_once(req, req->route->call, &res);
	if (st != HTTP_PROCEED)
		return st;
	char location[64];
	snprintf(location, sizeof location, "/v1/locks/%s", PQgetvalue(res, 0, 0));
	response_header(&req->res, "Location", location);
	return reply_row(req, HTTP_CREATED, res, false);
}
