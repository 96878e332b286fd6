/* GET /v1/blocs, /v1/blocs/{code} and /v1/blocs/{code}/years/{year}: the
 * emulation blocs and, per year, their members, leader, agreement,
 * scoring criteria and adjustments. */
#include <string.h>

#include "handlers/common.h"
#include "handlers/handlers.h"

enum http_status handle_blocs_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_code(&a, "organizer");
	args_int(&a, "year", 1900, 2100);
	args_code(&a, "member");
	args_text(&a, "q", 200);
	args_page(&a);
	return reply_query_list_as(req, Q_BLOCS, &a, "blocs");
}

enum http_status handle_bloc_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path(&a, "code");
	return reply_query_object(req, Q_BLOC, &a);
}

enum http_status handle_bloc_year_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path(&a, "code");
	args_path_int(&a, "year", 1900, 2100);
	return reply_query_object(req, Q_BLOC_YEAR, &a);
}

/* ---- writes ---- */

/* PUT of a bloc (administrators) or of one of its years (editors): the
 * body replaces the resource; under If-Match the stored one must not have
 * changed since the client read it. */
static enum http_status put(struct request *req, enum query_id write, enum query_id get, bool with_year)
{
	struct args a;
	args_init(&a, req);
	args_scope(&a);
	args_path(&a, "code");
	if (with_year)
		args_path_int(&a, "year", 1900, 2100);
	args_body_object(&a);

	enum http_status st = write_begin(req);
	if (st != HTTP_OK) {
		args_free(&a);
		return st;
	}
	struct args l, g;
	args_init(&l, req);
	args_path(&l, "code");
	PGresult *res;
	if ((st = write_exec(req, Q_BLOC_LOCK, &l, &res)) != HTTP_OK) {
		args_free(&a);
		return st;
	}
	PQclear(res);
	args_init(&g, req);
	args_scope(&g);
	args_path(&g, "code");
	if (with_year)
		args_path_int(&g, "year", 1900, 2100);
	if ((st = write_if_match(req, get, &g)) != HTTP_OK) {
		args_free(&a);
		return st;
	}
	if ((st = write_exec(req, write, &a, &res)) != HTTP_OK)
		return st;
	bool created = !strcmp(PQgetvalue(res, 0, 0), "created");
	PQclear(res);
	if ((st = write_commit(req)) != HTTP_OK)
		return st;
	args_init(&g, req);
	args_scope(&g);
	args_path(&g, "code");
	if (with_year)
		args_path_int(&g, "year", 1900, 2100);
	return reply_representation(req, created ? HTTP_CREATED : HTTP_OK, get, &g);
}

enum http_status handle_bloc_put(struct request *req)
{
	return put(req, Q_BLOC_PUT, Q_BLOC, false);
}

enum http_status handle_bloc_year_put(struct request *req)
{
	return put(req, Q_BLOC_YEAR_PUT, Q_BLOC_YEAR, true);
}
