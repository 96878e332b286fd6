/* Responses as HTTP knows them: headers, entity tags, reason phrases.
 * What goes into a response is the pipeline's business (api/reply.h). */
#ifndef THIDUA_HTTP_RESPONSE_H
#define THIDUA_HTTP_RESPONSE_H

#include <stdbool.h>

#include "http/http.h"

/* Adds a header to the response being built (copies both strings); a
 * header of the same name is replaced. */
void response_header(struct response *res, const char *name, const char *value);
void response_free(struct response *res);

/* The strong entity tag of a body: "<32 hex digits>", quotes included. */
void response_etag(const struct buf *body, char out[40]);
/* Does an If-None-Match (weak comparison) or If-Match (strong) header
 * match the tag? "*" matches any. */
bool etag_list_matches(const char *header, const char *etag, bool weak);

/* The reason phrase of a status ("Not Found"). */
const char *http_status_text(unsigned status);

#endif
