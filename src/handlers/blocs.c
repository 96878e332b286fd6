/* GET /v1/blocs, /v1/blocs/{code} and /v1/blocs/{code}/years/{year}: the
 * emulation blocs and, per year, their members, leader, agreement,
 * scoring criteria and adjustments. */
#include "handlers/common.h"
#include "handlers/handlers.h"

enum http_status handle_blocs_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_code(&a, "organizer");
	args_int(&a, "year", 1900, 2100);
	args_code(&a, "member");
	args_text(&a, "q", 200);
	args_page(&a);
	return reply_query_list(req, Q_BLOCS, &a);
}

enum http_status handle_bloc_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_path(&a, "code");
	return reply_query_object(req, Q_BLOC, &a);
}

enum http_status handle_bloc_year_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_path(&a, "code");
	args_path_int(&a, "year", 1900, 2100);
	return reply_query_object(req, Q_BLOC_YEAR, &a);
}
