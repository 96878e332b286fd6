/* The handler threads (see runner.h). */
#include "api/runner.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/log.h"
#include "db/db.h"
#include "util/alloc.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t wake = PTHREAD_COND_INITIALIZER;
static struct runner_job *head, **tail = &head;
static pthread_t *threads;
static unsigned nthreads;
static bool stopping;

static void *run(void *unused)
{
	(void)unused;
	for (;;) {
		pthread_mutex_lock(&lock);
		while (!head && !stopping)
			pthread_cond_wait(&wake, &lock);
		struct runner_job *job = head;
		if (job) {
			head = job->next;
			if (!head)
				tail = &head;
		}
		pthread_mutex_unlock(&lock);
		if (!job)
			break;
		job->run(job->arg);
	}
	db_release();
	return NULL;
}

void runner_start(unsigned n)
{
	pthread_mutex_lock(&lock);
	stopping = false;
	threads = xcalloc(n, sizeof *threads);
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, run, NULL) != 0)
			break;
	pthread_mutex_unlock(&lock);
	if (nthreads < n)
		log_warn(NULL, "only %u of %u handler threads could start", nthreads, n);
}

void runner_submit(struct runner_job *job)
{
	job->next = NULL;
	pthread_mutex_lock(&lock);
	bool queued = nthreads > 0 && !stopping;
	if (queued) {
		*tail = job;
		tail = &job->next;
		pthread_cond_signal(&wake);
	}
	pthread_mutex_unlock(&lock);
	if (!queued)
		job->run(job->arg);
}

void runner_stop(void)
{
	pthread_mutex_lock(&lock);
	stopping = true;
	pthread_cond_broadcast(&wake);
	unsigned n = nthreads;
	pthread_mutex_unlock(&lock);
	for (unsigned i = 0; i < n; i++)
		pthread_join(threads[i], NULL);
	pthread_mutex_lock(&lock);
	nthreads = 0;
	free(threads);
	threads = NULL;
	pthread_mutex_unlock(&lock);
}
