/* Authorization, run by the server before every handler from the route's
 * least role. Returns HTTP_OK to go on; otherwise the problem response
 * (401, 403, 503) is already in req->res. */
#ifndef THIDUA_CORE_AUTH_H
#define THIDUA_CORE_AUTH_H

#include "http/http.h"

enum http_status auth_authorize(struct request *req);

#endif
