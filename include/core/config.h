/* Service configuration: every setting comes from a THIDUA_* environment
 * variable, declared once in the table in config.c (name, type, default,
 * bounds, description). The same table drives validation and --help. */
#ifndef THIDUA_CORE_CONFIG_H
#define THIDUA_CORE_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum log_level { LOG_DEBUG, LOG_INFO, LOG_WARN, LOG_ERROR };

struct config {
	char *listen;              /* as given, for messages */
	char *listen_host;         /* numeric address, "" for any */
	unsigned listen_port;
	char *database_url;
	unsigned threads;          /* 0 in the table means "one per core" */
	size_t max_body_bytes;
	unsigned max_connections;
	unsigned idle_timeout_s;
	size_t connection_memory_bytes;
	char *cors_origins;        /* comma list, "*" for any, "" for none */
	unsigned log_level;        /* enum log_level */
	bool access_log;
	unsigned statement_timeout_ms;
	unsigned import_timeout_ms;
	unsigned db_connect_timeout_s;
	unsigned shutdown_timeout_s;
	char *migrations_dir;      /* "" means the files built into the binary */
	bool public_read;
	size_t cache_bytes;        /* in-process response cache bound, 0 = off */
	char *replica_urls;        /* comma list of libpq connection strings of hot standbys, "" for none */
};

extern struct config cfg;

/* Reads the environment into cfg. On a bad value writes a message naming the
 * variable to stderr and returns false. */
bool config_load(void) __attribute__((warn_unused_result));
/* Prints every variable with its default and description. */
void config_print_help(FILE *out);
/* True when origin is allowed by THIDUA_CORS_ORIGINS. */
bool config_cors_allows(const char *origin);
void config_free(void);

#endif
