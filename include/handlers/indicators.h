/* Writes of the indicator catalogue: the bulk import (PUT
 * /v1/indicators) and one indicator (PUT /v1/indicators/{code}). */
#ifndef THIDUA_HANDLERS_INDICATORS_H
#define THIDUA_HANDLERS_INDICATORS_H

#include "http/http.h"

/* PUT /v1/indicators: the bulk import of the catalogue (handlers/import.h). */
enum http_status handle_indicators_put(struct request *req);
/* PUT /v1/indicators/{code}: one indicator, created (201) or replaced. */
enum http_status handle_indicator_put(struct request *req);

#endif
