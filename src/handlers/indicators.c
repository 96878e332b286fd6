/* GET /v1/indicators and /v1/indicators/{code}: the indicator catalogue. */
#include "handlers/common.h"
#include "handlers/handlers.h"

static const char *const indicator_kinds[] = {"flow", "stock", NULL};

enum http_status handle_indicators_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_enum(&a, "kind", indicator_kinds);
	args_text(&a, "q", 200);
	args_page(&a);
	return reply_query_list(req, Q_INDICATORS, &a);
}

enum http_status handle_indicator_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_path(&a, "code");
	return reply_query_object(req, Q_INDICATOR, &a);
}
