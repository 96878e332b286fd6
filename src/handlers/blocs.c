/* PUT of a bloc (administrators) and of one of its years (editors): the
 * body replaces the resource; under If-Match the stored one must not have
 * changed since the client read it. Reads are generic (routes.c). */
#include "handlers/blocs.h"

#include <string.h>

#include "handlers/common.h"

static enum http_status put(struct request *req, enum query_id get)
{
	enum http_status st = write_begin(req);
	if (st != HTTP_PROCEED)
		return st;
	PGresult *res;
	if ((st = write_call(req, Q_BLOC_LOCK, &res)) != HTTP_PROCEED)
		return st;
	PQclear(res);
	if ((st = write_if_match(req, get)) != HTTP_PROCEED)
		return st;
	if ((st = write_call(req, req->route->call, &res)) != HTTP_PROCEED)
		return st;
	bool created = !strcmp(PQgetvalue(res, 0, 0), "created");
	PQclear(res);
	if ((st = write_commit(req)) != HTTP_PROCEED)
		return st;
	return write_answer(req, created ? HTTP_CREATED : HTTP_OK, get);
}

enum http_status handle_bloc_put(struct request *req)
{
	return put(req, Q_BLOC);
}

enum http_status handle_bloc_year_put(struct request *req)
{
	return put(req, Q_BLOC_YEAR);
}
