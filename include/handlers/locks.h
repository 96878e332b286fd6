/* Locking a reporting period against further changes. */
#ifndef THIDUA_HANDLERS_LOCKS_H
#define THIDUA_HANDLERS_LOCKS_H

#include "http/http.h"

/* POST /v1/locks: a new lock; 201 with Location. */
enum http_status handle_lock_create(struct request *req);

#endif
