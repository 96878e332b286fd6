/* Authorization, run by the server before every handler from the route's
 * least role: `Authorization: Bearer <key>`, looked up on every request
 * (so a revoked key stops at once on every instance). Returns HTTP_OK to go
 * on, with req->who filled; otherwise the problem (401, 403, 503) is
 * already in req->res. THIDUA_PUBLIC_READ lets requests without a key read. */
#ifndef THIDUA_CORE_AUTH_H
#define THIDUA_CORE_AUTH_H

#include "http/http.h"

enum http_status auth_authorize(struct request *req);
const char *auth_role_name(enum role role);

#endif
