/* GET /v1/values: reported figures, filtered by organization (one or a
 * comma list), subtree, bloc, indicator, period and year. */
#include "handlers/common.h"
#include "handlers/handlers.h"

enum http_status handle_values_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_codes(&a, "org");
	args_code(&a, "under");
	args_codes(&a, "bloc");
	args_indicators(&a, "indicator");
	args_periods(&a, "period");
	args_int(&a, "year", 1900, 2100);
	args_page(&a);
	return reply_query_list(req, Q_VALUES, &a);
}
