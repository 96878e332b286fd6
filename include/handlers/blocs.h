/* PUT of a bloc and of one of its years, under If-Match. */
#ifndef THIDUA_HANDLERS_BLOCS_H
#define THIDUA_HANDLERS_BLOCS_H

#include "http/http.h"

/* PUT /v1/blocs/{code}: the bloc itself, created (201) or replaced. */
enum http_status handle_bloc_put(struct request *req);
/* PUT /v1/blocs/{code}/years/{year}: its members and leaders that year. */
enum http_status handle_bloc_year_put(struct request *req);

#endif
