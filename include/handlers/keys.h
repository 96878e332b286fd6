/* Creating an API key (the secret is shown once). */
#ifndef THIDUA_HANDLERS_KEYS_H
#define THIDUA_HANDLERS_KEYS_H

#include "http/http.h"

/* POST /v1/keys: a new key, shown once. */
enum http_status handle_key_create(struct request *req);

#endif
