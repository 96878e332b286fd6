/* The queue between threads (see queue.h). */
#include "util/queue.h"

void queue_open(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->open = true;
	pthread_mutex_unlock(&q->lock);
}

bool queue_push(struct queue *q, struct queue_link *item)
{
	item->next = NULL;
	pthread_mutex_lock(&q->lock);
	bool open = q->open;
	if (open) {
		*q->tail = item;
		q->tail = &item->next;
		pthread_cond_signal(&q->wake);
	}
	pthread_mutex_unlock(&q->lock);
	return open;
}

size_t queue_take(struct queue *q, struct queue_link **out, size_t max)
{
	pthread_mutex_lock(&q->lock);
	while (!q->head && q->open)
		pthread_cond_wait(&q->wake, &q->lock);
	size_t n = 0;
	while (q->head && n < max) {
		out[n++] = q->head;
		q->head = q->head->next;
	}
	if (!q->head)
		q->tail = &q->head;
	pthread_mutex_unlock(&q->lock);
	return n;
}

void queue_close(struct queue *q)
{
	pthread_mutex_lock(&q->lock);
	q->open = false;
	pthread_cond_broadcast(&q->wake);
	pthread_mutex_unlock(&q->lock);
}
