/* Helpers shared by handlers (see common.h). */
#include "handlers/common.h"

#include "http/response.h"

enum http_status reply_db_failure(struct request *req, enum db_status status)
{
	if (status == DB_UNAVAILABLE)
		return reply_unavailable(req, "The database cannot be reached right now; retry in a moment.");
	return reply_internal(req, "database error %s: %s", db_error_sqlstate(), db_error_message());
}
