/* Reported figures: the list and change feed, the bulk import, and
 * deleting one. */
#ifndef THIDUA_HANDLERS_VALUES_H
#define THIDUA_HANDLERS_VALUES_H

#include "http/http.h"

/* GET /v1/values: the list, or with updated_after the change feed and its as_of. */
enum http_status handle_values_list(struct request *req);
/* PUT /v1/values: the bulk import (handlers/import.h). */
enum http_status handle_values_put(struct request *req);
/* DELETE /v1/values: one value, named by org (or bloc), indicator and period. */
enum http_status handle_value_delete(struct request *req);

#endif
