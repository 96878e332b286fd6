/* A queue handing items from the threads that make them to the threads
 * that work on them, oldest first; closed once, to stop those. The key
 * checker (api/keycheck.h) takes what is waiting in batches, the handler
 * threads (api/runner.h) one at a time. */
#ifndef THIDUA_UTIL_QUEUE_H
#define THIDUA_UTIL_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

/* Put inside each item; queue_entry() gets the item back. */
struct queue_link {
	struct queue_link *next;
};
#define queue_entry(link, type, member) ((type *)(void *)((char *)(link) - offsetof(type, member)))

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	struct queue_link *head, **tail;
	bool open;
};
#define QUEUE_INIT(q) {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, NULL, &(q).head, false}

/* From now on items are taken in. */
void queue_open(struct queue *q);
/* Adds the item; false, and nothing added, when the queue is closed. */
bool queue_push(struct queue *q, struct queue_link *item);
/* Waits for items and moves up to max of them into out[], oldest first;
 * 0 once the queue is closed and empty. */
size_t queue_take(struct queue *q, struct queue_link **out, size_t max);
/* Refuses items from now on; what is queued is still taken, then every
 * queue_take() returns 0. */
void queue_close(struct queue *q);

#endif
