/* The route table: every endpoint of the service in one place. */
#ifndef THIDUA_ROUTES_H
#define THIDUA_ROUTES_H

#include <stddef.h>

#include "http/router.h"

extern const struct route routes[];
extern const size_t routes_count;

#endif
