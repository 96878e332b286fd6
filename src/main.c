/* thidua: the command line. `serve` runs the HTTP service, `migrate`
 * applies the schema; --help lists commands and environment variables. */
#include <libpq-fe.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

#include "api/cache.h"
#include "api/keycheck.h"
#include "api/metrics.h"
#include "api/pipeline.h"
#include "api/runner.h"
#include "cli/key.h"
#include "cli/routes.h"
#include "core/config.h"
#include "db/db.h"
#include "db/demo.h"
#include "db/migrate.h"
#include "handlers/system.h"
#include "http/server.h"
#include "routes.h"
#include "version.h"

static void usage(FILE *out)
{
	fprintf(out,
	        "thidua %s: results of trade-union emulation blocs, served over HTTP.\n\n"
	        "Usage: thidua COMMAND\n\n"
	        "Commands:\n"
	        "  serve        run the HTTP service until SIGTERM or SIGINT\n"
	        "  migrate      apply pending database migrations (safe to repeat)\n"
	        "  demo         load the demo data from the articles (safe to repeat)\n"
	        "  key create --role reader|editor|admin [--scope ORG] --name TEXT\n"
	        "               make an API key and print it (the only time it is shown)\n"
	        "  key list     list API keys (never the keys themselves)\n"
	        "  key revoke ID\n"
	        "               revoke a key at once\n"
	        "  routes       print every route with its role and typed parameters (JSON)\n"
	        "  --help       show this text\n"
	        "  --version    show the version\n\n",
	        THIDUA_VERSION);
	config_print_help(out);
}

static int serve(void)
{
	struct migration_set expected;
	if (!migrate_load(&expected))
		return 1;
	system_init(&expected, routes, routes_count);

	/* Freed memory stays with the process instead of going back to the
	 * kernel after each answer: glibc's default trims a worker's heap
	 * (madvise, and a TLB flush on every core) about once a request when
	 * answers are some tens of kilobytes. */
	mallopt(M_TRIM_THRESHOLD, 64 << 20);
	mallopt(M_MMAP_THRESHOLD, 4 << 20);

	/* Block the stop signals before any thread exists: every thread
	 * inherits the mask and only sigwait() in this thread receives them. */
	sigset_t set;
	signal(SIGTERM, SIG_DFL); /* a parent shell may have left them ignored */
	signal(SIGINT, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);

	int rc = 1;
	cache_init(cfg.cache_bytes);
	pipeline_init(routes, routes_count);
	keycheck_start();
	runner_start(cfg.threads);
	if (system_check_database() && server_start(&pipeline_stages)) {
		server_wait_and_stop();
		rc = 0;
	}
	keycheck_stop();
	runner_stop();
	db_close_all();
	metrics_cleanup();
	cache_cleanup();
	migrate_set_free(&expected);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("thidua %s\n", THIDUA_VERSION);
		return 0;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!config_load())
		return 2;
	if (sodium_init() < 0) {
		fprintf(stderr, "thidua: libsodium failed to initialise\n");
		return 1;
	}
	int rc;
	if (!strcmp(argv[1], "serve") && argc == 2) {
		rc = serve();
	} else if (!strcmp(argv[1], "migrate") && argc == 2) {
		rc = migrate_main();
	} else if (!strcmp(argv[1], "demo") && argc == 2) {
		rc = demo_main();
	} else if (!strcmp(argv[1], "routes") && argc == 2) {
		rc = routes_main(routes, routes_count);
	} else if (!strcmp(argv[1], "key")) {
		rc = key_main(argc - 2, argv + 2);
	} else {
		fprintf(stderr, "thidua: unknown command '%s'; see thidua --help\n", argv[1]);
		rc = 2;
	}
	config_free();
	return rc;
}
