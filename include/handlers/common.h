/* Helpers shared by handlers: running a named statement with validated
 * arguments and answering with its rows, and turning database failures
 * into responses. */
#ifndef THIDUA_HANDLERS_COMMON_H
#define THIDUA_HANDLERS_COMMON_H

#include "db/db.h"
#include "handlers/args.h"
#include "http/http.h"

/* 503 with Retry-After for DB_UNAVAILABLE. For errors the SQL functions
 * raise on purpose (SQLSTATE TDnnn) the problem they describe: status nnn,
 * code from DETAIL, field from HINT, message from MESSAGE. Anything else is
 * a 500 with the cause logged. */
enum http_status reply_db_failure(struct request *req, enum db_status status);

/* Runs a list statement whose arguments end with args_page() and answers
 * {"data": [...], "next_cursor": ...}. Releases the arguments. */
enum http_status reply_query_list(struct request *req, enum query_id q, struct args *a);
/* Runs a statement that returns one row and answers it as an object
 * (404 not_found if it returns none). Releases the arguments. */
enum http_status reply_query_object(struct request *req, enum query_id q, struct args *a);

#endif
