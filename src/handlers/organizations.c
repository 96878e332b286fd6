/* GET /v1/organizations and /v1/organizations/{code}: the hierarchy as it
 * stood on a date (today unless ?on= says otherwise). */
#include "handlers/common.h"
#include "handlers/handlers.h"

static const char *const org_kinds[] = {"confederation", "province", "district", "commune",
                                        "sector", "grassroots", "other", NULL};

enum http_status handle_organizations_list(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_enum(&a, "kind", org_kinds);
	args_code(&a, "parent");
	args_code(&a, "under");
	args_text(&a, "q", 200);
	args_date(&a, "on");
	args_bool(&a, "include_dissolved");
	args_page(&a);
	return reply_query_list(req, Q_ORGANIZATIONS, &a);
}

enum http_status handle_organization_get(struct request *req)
{
	struct args a;
	args_init(&a, req);
	args_path(&a, "code");
	args_date(&a, "on");
	return reply_query_object(req, Q_ORGANIZATION, &a);
}
