/* The dashboard's pages: the reference web dashboard, served from files
 * compiled into the binary (web/, Chart.js). They hold no data: every
 * figure comes from /v1 with the key the reader gives the page. */
#ifndef THIDUA_HANDLERS_PAGES_H
#define THIDUA_HANDLERS_PAGES_H

#include "http/http.h"

/* GET /: to the dashboard (a relative Location, so a path prefix in front
 * of the service is kept). */
enum http_status handle_root(struct request *req);
/* GET /dashboard and the pages under it: the one page, which draws what
 * its address names. */
enum http_status handle_page(struct request *req);
/* GET /dashboard/assets/{file}: a script, a style sheet. */
enum http_status handle_asset(struct request *req);

#endif
