/* `thidua routes`: the route table as JSON — every method, path, least
 * role and typed parameter — for integrators and for the tests that hold
 * openapi.yaml and the hostile-input walk to what the server really
 * serves. */
#ifndef THIDUA_CLI_ROUTES_H
#define THIDUA_CLI_ROUTES_H

#include <stddef.h>

#include "http/router.h"

int routes_main(const struct route *routes, size_t n);

#endif
