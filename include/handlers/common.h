/* Helpers shared by handlers: turning database failures into responses. */
#ifndef THIDUA_HANDLERS_COMMON_H
#define THIDUA_HANDLERS_COMMON_H

#include "db/db.h"
#include "http/http.h"

/* 503 with Retry-After for DB_UNAVAILABLE; 500 (cause logged) otherwise. */
enum http_status reply_db_failure(struct request *req, enum db_status status);

#endif
