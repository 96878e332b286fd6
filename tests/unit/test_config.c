/* Configuration from the environment: defaults, parsing, refusal of bad
 * values. */
#include <stdlib.h>

#include "core/config.h"
#include "tap.h"

static void clear(void)
{
	static const char *names[] = {"THIDUA_LISTEN", "THIDUA_THREADS", "THIDUA_MAX_BODY_BYTES", "THIDUA_LOG_LEVEL",
	                              "THIDUA_CORS_ORIGINS", "THIDUA_ACCESS_LOG"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unsetenv(names[i]);
}

static void defaults_apply_without_environment(void)
{
	clear();
	CHECK(config_load());
	CHECK_STR(cfg.listen_host, "127.0.0.1");
	CHECK_INT(cfg.listen_port, 8080);
	CHECK(cfg.threads >= 1);
	CHECK_INT(cfg.max_body_bytes, 64 * 1024 * 1024);
	CHECK_INT(cfg.log_level, LOG_INFO);
	CHECK(cfg.access_log);
}

static void sizes_take_suffixes(void)
{
	clear();
	setenv("THIDUA_MAX_BODY_BYTES", "256K", 1);
	CHECK(config_load());
	CHECK_INT(cfg.max_body_bytes, 256 * 1024);
	setenv("THIDUA_MAX_BODY_BYTES", "2MiB", 1);
	CHECK(config_load());
	CHECK_INT(cfg.max_body_bytes, 2 * 1024 * 1024);
	clear();
}

static void listen_forms(void)
{
	clear();
	setenv("THIDUA_LISTEN", "[::1]:9000", 1);
	CHECK(config_load());
	CHECK_STR(cfg.listen_host, "::1");
	CHECK_INT(cfg.listen_port, 9000);
	setenv("THIDUA_LISTEN", ":8081", 1);
	CHECK(config_load());
	CHECK_STR(cfg.listen_host, "");
	CHECK_INT(cfg.listen_port, 8081);
	clear();
}

static void bad_values_are_refused(void)
{
	static const char *bad[][2] = {
		{"THIDUA_THREADS", "many"},       {"THIDUA_THREADS", "-1"},       {"THIDUA_THREADS", "100000"},
		{"THIDUA_LISTEN", "localhost"},   {"THIDUA_LISTEN", "host:8080"}, {"THIDUA_LISTEN", "127.0.0.1:0"},
		{"THIDUA_LISTEN", "1.2.3.4:99999"}, {"THIDUA_MAX_BODY_BYTES", "12Q"}, {"THIDUA_MAX_BODY_BYTES", "10"},
		{"THIDUA_LOG_LEVEL", "loud"},     {"THIDUA_ACCESS_LOG", "maybe"}, {"THIDUA_CORS_ORIGINS", "example.vn"},
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		clear();
		setenv(bad[i][0], bad[i][1], 1);
		if (config_load()) {
			printf("#   %s=%s was accepted\n", bad[i][0], bad[i][1]);
			tap_current_failed = 1;
		}
	}
	clear();
}

static void cors_origin_list(void)
{
	clear();
	setenv("THIDUA_CORS_ORIGINS", "https://dash.example.vn, http://localhost:5173", 1);
	CHECK(config_load());
	CHECK(config_cors_allows("https://dash.example.vn"));
	CHECK(config_cors_allows("http://localhost:5173"));
	CHECK(!config_cors_allows("https://evil.example"));
	CHECK(!config_cors_allows("https://dash.example.vn.evil"));
	CHECK(!config_cors_allows(NULL));
	setenv("THIDUA_CORS_ORIGINS", "*", 1);
	CHECK(config_load());
	CHECK(config_cors_allows("https://anything.example"));
	clear();
}

int main(void)
{
	RUN(defaults_apply_without_environment);
	RUN(sizes_take_suffixes);
	RUN(listen_forms);
	RUN(bad_values_are_refused);
	RUN(cors_origin_list);
	config_free();
	return tap_done();
}
