/* The threads that run handlers (THIDUA_THREADS of them, each with its
 * own database connection, db/db.h).
 *
 * The HTTP workers only read requests, answer from the cache and write
 * answers; a request that needs its handler is suspended (http/server.h)
 * and queued here, first come first served, whichever worker's connection
 * it came on. So a long import holds one runner, not every connection that
 * happens to share its HTTP worker, and the database connections are all
 * used however the clients' connections fell between the workers. */
#ifndef THIDUA_API_RUNNER_H
#define THIDUA_API_RUNNER_H

#include "util/queue.h"

struct runner_job {
	void (*run)(void *arg); /* on a runner thread; the last use of the job there */
	void *arg;
	struct queue_link link;
};

/* Starts n threads; once, before the server starts. */
void runner_start(unsigned n);
/* Queues the job; after runner_stop (or without threads) it runs at once
 * on the caller's thread. */
void runner_submit(struct runner_job *job);
/* Runs every job queued, then stops the threads. */
void runner_stop(void);

#endif
