/* The start-up check that the SQL the service calls is the SQL the
 * database has: every statement of the catalogue that calls a function
 * (db/queries.h) names arguments that function has, and leaves out none
 * without a default; the function exists once (no overloads); and every
 * argument gets a value of the right type — from the parameter the route
 * declares under that name (api/params.h), or from the values the service
 * computes itself (the caller's scope, a write mode ...). A migration that
 * renames an argument, or a route that declares one wrongly, fails here,
 * before the first request that would use it. */
#ifndef THIDUA_API_SIGNATURES_H
#define THIDUA_API_SIGNATURES_H

#include <stdbool.h>
#include <stddef.h>

#include "http/router.h"
#include "util/buf.h"

enum signatures_result { SIGNATURES_OK, SIGNATURES_MISMATCH, SIGNATURES_UNREACHABLE };

/* Checks on this thread's database connection; on a mismatch report lists
 * every disagreement, one per line. */
enum signatures_result signatures_check(const struct route *routes, size_t n, struct buf *report);

/* The checks that need no database: every argument of a route's statement
 * has a source. */
bool signatures_check_routes(const struct route *routes, size_t n, struct buf *report);

#endif
