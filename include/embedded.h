/* Files compiled into the binary by tools/embed.py: the migrations of sql/,
 * the demo data, openapi.yaml and the dashboard's pages. One binary carries the schema it expects
 * and the contract it serves, so the two can never drift apart. */
#ifndef THIDUA_EMBEDDED_H
#define THIDUA_EMBEDDED_H

#include <stddef.h>

struct embedded_file {
	const char *name; /* file name without directory */
	const char *data; /* NUL-terminated */
	size_t len;
};

extern const struct embedded_file embedded_migrations[];
extern const size_t embedded_migrations_count;
extern const struct embedded_file embedded_demo[];
extern const size_t embedded_demo_count;
extern const struct embedded_file embedded_openapi;
/* The dashboard's pages (web/) and Chart.js from Debian's libjs-chart.js. */
extern const struct embedded_file embedded_web[];
extern const size_t embedded_web_count;

#endif
