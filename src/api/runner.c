/* The handler threads (see runner.h). */
#include "api/runner.h"

#include <pthread.h>
#include <stdlib.h>

#include "core/log.h"
#include "db/db.h"
#include "util/alloc.h"

static struct queue jobs = QUEUE_INIT(jobs);
static pthread_t *threads;
static unsigned nthreads;

static void *run(void *unused)
{
	(void)unused;
	struct queue_link *link;
	while (queue_take(&jobs, &link, 1)) {
		struct runner_job *job = queue_entry(link, struct runner_job, link);
		job->run(job->arg);
	}
	db_release();
	return NULL;
}

void runner_start(unsigned n)
{
	queue_open(&jobs);
	threads = xcalloc(n, sizeof *threads);
	for (nthreads = 0; nthreads < n; nthreads++)
		if (pthread_create(&threads[nthreads], NULL, run, NULL) != 0)
			break;
	if (nthreads < n)
		log_warn(NULL, "only %u of %u handler threads could start", nthreads, n);
	if (!nthreads)
		queue_close(&jobs); /* jobs run on the caller's thread */
}

void runner_submit(struct runner_job *job)
{
	if (!queue_push(&jobs, &job->link))
		job->run(job->arg);
}

void runner_stop(void)
{
	queue_close(&jobs);
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i], NULL);
	nthreads = 0;
	free(threads);
	threads = NULL;
}
