/* Configuration from THIDUA_* environment variables (see config.h).
 *
 * One declarative table: each row names the variable, its type, default,
 * bounds and a line of help. config_load() parses every row the same way, so a
 * bad value always stops the program with a message that names the variable. */
#include "core/config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "util/alloc.h"

struct config cfg;

enum cf_type { CF_STRING, CF_UINT, CF_SIZE, CF_BOOL, CF_LOGLEVEL, CF_LISTEN, CF_ORIGINS };

struct cf_var {
	const char *name;
	enum cf_type type;
	const char *def;
	size_t offset;
	unsigned long long min, max;
	const char *help;
};

#define CF(field) offsetof(struct config, field)

static const struct cf_var vars[] = {
	{"THIDUA_LISTEN", CF_LISTEN, "127.0.0.1:8080", CF(listen), 0, 0,
	 "address and port to serve on: HOST:PORT, [IPV6]:PORT or :PORT for every interface"},
	{"THIDUA_DATABASE_URL", CF_STRING, "dbname=thidua", CF(database_url), 0, 0,
	 "libpq connection string or postgresql:// URL"},
	{"THIDUA_THREADS", CF_UINT, "0", CF(threads), 0, 256,
	 "threads running handlers, each with its own database connection (and as many HTTP workers); 0 = one per CPU core"},
	{"THIDUA_MAX_BODY_BYTES", CF_SIZE, "64M", CF(max_body_bytes), 1024, 4ULL << 30,
	 "largest request body accepted (suffix K, M or G); larger ones get 413"},
	{"THIDUA_MAX_CONNECTIONS", CF_UINT, "2048", CF(max_connections), 1, 1000000,
	 "simultaneous client connections"},
	{"THIDUA_IDLE_TIMEOUT_S", CF_UINT, "60", CF(idle_timeout_s), 1, 86400,
	 "seconds an idle connection is kept open"},
	{"THIDUA_CONNECTION_MEMORY_BYTES", CF_SIZE, "32K", CF(connection_memory_bytes), 8192, 16ULL << 20,
	 "memory per connection for request headers and I/O buffers (suffix K or M)"},
	{"THIDUA_CORS_ORIGINS", CF_ORIGINS, "", CF(cors_origins), 0, 0,
	 "comma-separated origins allowed by CORS (https://dash.example.vn), * for any, empty for none"},
	{"THIDUA_LOG_LEVEL", CF_LOGLEVEL, "info", CF(log_level), 0, 0,
	 "debug, info, warn or error: the least severe message written to stderr"},
	{"THIDUA_ACCESS_LOG", CF_BOOL, "true", CF(access_log), 0, 0,
	 "write one JSON access-log line per request to stdout"},
	{"THIDUA_STATEMENT_TIMEOUT_MS", CF_UINT, "15000", CF(statement_timeout_ms), 10, 3600000,
	 "PostgreSQL statement_timeout for ordinary requests, in milliseconds"},
	{"THIDUA_IMPORT_TIMEOUT_MS", CF_UINT, "600000", CF(import_timeout_ms), 10, 86400000,
	 "statement_timeout for bulk imports, in milliseconds"},
	{"THIDUA_DB_CONNECT_TIMEOUT_S", CF_UINT, "2", CF(db_connect_timeout_s), 1, 60,
	 "seconds to wait for a database connection before answering 503"},
	{"THIDUA_SHUTDOWN_TIMEOUT_S", CF_UINT, "10", CF(shutdown_timeout_s), 0, 3600,
	 "on SIGTERM, seconds in-flight requests get to finish"},
	{"THIDUA_MIGRATIONS_DIR", CF_STRING, "", CF(migrations_dir), 0, 0,
	 "read migrations from this directory instead of the copies built into the binary"},
	{"THIDUA_PUBLIC_READ", CF_BOOL, "false", CF(public_read), 0, 0,
	 "let requests without a key read (GET) everything; writes still need a key"},
	{"THIDUA_REPLICA_URLS", CF_STRING, "", CF(replica_urls), 0, 0,
	 "comma-separated libpq connection strings of PostgreSQL hot standbys that serve reads (writes and key "
	 "checks stay on THIDUA_DATABASE_URL; a read goes to a standby only once it has replayed every write "
	 "acknowledged before the request)"},
	{"THIDUA_CACHE_BYTES", CF_SIZE, "32M", CF(cache_bytes), 0, 1ULL << 31,
	 "memory for cached dashboard responses (suffix K, M or G); 0 turns the cache off"},
};

static const char *level_names[] = {"debug", "info", "warn", "error"};

static bool parse_uint(const char *s, unsigned long long *out)
{
	if (!*s || *s == '-' || *s == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || *end)
		return false;
	*out = v;
	return true;
}

static bool parse_size(const char *s, unsigned long long *out)
{
	if (!*s || *s == '-' || *s == '+')
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(s, &end, 10);
	if (errno || end == s)
		return false;
	unsigned shift = 0;
	if (*end) {
		switch (*end) {
		case 'k': case 'K': shift = 10; break;
		case 'm': case 'M': shift = 20; break;
		case 'g': case 'G': shift = 30; break;
		default: return false;
		}
		end++;
		if (*end == 'i' || *end == 'I')
			end++;
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end)
			return false;
	}
	if (shift && v > (ULLONG_MAX >> shift))
		return false;
	*out = v << shift;
	return true;
}

static bool parse_bool(const char *s, bool *out)
{
	static const char *yes[] = {"1", "true", "yes", "on"}, *no[] = {"0", "false", "no", "off"};
	for (size_t i = 0; i < 4; i++) {
		if (!strcasecmp(s, yes[i])) {
			*out = true;
			return true;
		}
		if (!strcasecmp(s, no[i])) {
			*out = false;
			return true;
		}
	}
	return false;
}

/* HOST:PORT, [V6]:PORT or :PORT; the host must be a numeric address so that
 * start-up never waits on name resolution. */
static bool parse_listen(const char *s, const char **why)
{
	const char *colon = strrchr(s, ':');
	if (!colon) {
		*why = "expected HOST:PORT, [IPV6]:PORT or :PORT";
		return false;
	}
	unsigned long long port;
	if (!parse_uint(colon + 1, &port) || port < 1 || port > 65535) {
		*why = "the port must be a number from 1 to 65535";
		return false;
	}
	char *host;
	if (s[0] == '[') {
		if (colon == s || colon[-1] != ']') {
			*why = "an IPv6 address goes in brackets: [::1]:8080";
			return false;
		}
		host = xstrndup(s + 1, (size_t)(colon - s - 2));
	} else {
		host = xstrndup(s, (size_t)(colon - s));
	}
	unsigned char addr[sizeof(struct in6_addr)];
	if (*host && inet_pton(AF_INET, host, addr) != 1 && inet_pton(AF_INET6, host, addr) != 1) {
		free(host);
		*why = "the host must be a numeric IPv4 or IPv6 address";
		return false;
	}
	free(cfg.listen_host);
	cfg.listen_host = host;
	cfg.listen_port = (unsigned)port;
	return true;
}

static bool valid_origins(const char *s, const char **why)
{
	if (!strcmp(s, "*") || !*s)
		return true;
	const char *p = s;
	while (*p) {
		size_t n = strcspn(p, ",");
		while (n && (*p == ' ')) {
			p++;
			n--;
		}
		if (n == 0 || (strncmp(p, "http://", 7) && strncmp(p, "https://", 8))) {
			*why = "each origin must start with http:// or https:// (or use * alone)";
			return false;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return true;
}

static bool load_var(const struct cf_var *v, const char *value)
{
	void *field = (char *)&cfg + v->offset;
	const char *why = NULL;
	unsigned long long n;

	switch (v->type) {
	case CF_STRING:
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		return true;
	case CF_UINT:
		if (!parse_uint(value, &n)) {
			why = "expected a whole number";
			break;
		}
		if (n < v->min || n > v->max) {
			why = "out of range";
			break;
		}
		*(unsigned *)field = (unsigned)n;
		return true;
	case CF_SIZE:
		if (!parse_size(value, &n)) {
			why = "expected a size in bytes, optionally with K, M or G";
			break;
		}
		if (n < v->min || n > v->max) {
			why = "out of range";
			break;
		}
		*(size_t *)field = (size_t)n;
		return true;
	case CF_BOOL:
		if (!parse_bool(value, (bool *)field)) {
			why = "expected true or false";
			break;
		}
		return true;
	case CF_LOGLEVEL:
		for (unsigned i = 0; i < 4; i++) {
			if (!strcasecmp(value, level_names[i])) {
				*(unsigned *)field = i;
				return true;
			}
		}
		why = "expected debug, info, warn or error";
		break;
	case CF_LISTEN:
		if (!parse_listen(value, &why))
			break;
		free(cfg.listen);
		cfg.listen = xstrdup(value);
		return true;
	case CF_ORIGINS:
		if (!valid_origins(value, &why))
			break;
		free(cfg.cors_origins);
		cfg.cors_origins = xstrdup(value);
		return true;
	}
	if (v->type == CF_UINT || v->type == CF_SIZE)
		fprintf(stderr, "thidua: %s=\"%s\": %s (allowed %llu to %llu)\n", v->name, value, why, v->min, v->max);
	else
		fprintf(stderr, "thidua: %s=\"%s\": %s\n", v->name, value, why);
	return false;
}

bool config_load(void)
{
	bool ok = true;
	config_free();
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++) {
		const char *env = getenv(vars[i].name);
		if (!load_var(&vars[i], vars[i].def))
			abort(); /* a default that does not parse is a programming error */
		if (env && !load_var(&vars[i], env))
			ok = false;
	}
	if (ok && cfg.threads == 0) {
		long cores = sysconf(_SC_NPROCESSORS_ONLN);
		cfg.threads = cores > 0 ? (unsigned)cores : 1;
	}
	return ok;
}

void config_print_help(FILE *out)
{
	fprintf(out, "Environment variables (default in brackets):\n");
	for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
		fprintf(out, "  %-32s [%s]\n      %s\n", vars[i].name, *vars[i].def ? vars[i].def : "empty",
		        vars[i].help);
}

bool config_cors_allows(const char *origin)
{
	const char *list = cfg.cors_origins;
	if (!origin || !list || !*list)
		return false;
	if (!strcmp(list, "*"))
		return true;
	size_t olen = strlen(origin);
	for (const char *p = list; *p;) {
		while (*p == ' ')
			p++;
		size_t n = strcspn(p, ",");
		size_t m = n;
		while (m && p[m - 1] == ' ')
			m--;
		if (m == olen && !strncmp(p, origin, olen))
			return true;
		p += n;
		if (*p == ',')
			p++;
	}
	return false;
}

void config_free(void)
{
	free(cfg.listen);
	free(cfg.listen_host);
	free(cfg.database_url);
	free(cfg.cors_origins);
	free(cfg.migrations_dir);
	free(cfg.replica_urls);
	memset(&cfg, 0, sizeof cfg);
}
