/* One reporting period by its code, computed without the database. */
#ifndef THIDUA_HANDLERS_PERIODS_H
#define THIDUA_HANDLERS_PERIODS_H

#include "http/http.h"

/* GET /v1/periods/{code}: its kind, dates and Vietnamese label. */
enum http_status handle_period_get(struct request *req);

#endif
