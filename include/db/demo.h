/* The demo data: the figures of the five articles in ../shared/seeds,
 * loaded idempotently by `thidua demo` (and by ./dev run). */
#ifndef THIDUA_DB_DEMO_H
#define THIDUA_DB_DEMO_H

/* The `thidua demo` subcommand: loads every embedded demo file in one
 * transaction; running it again changes nothing. */
int demo_main(void);

#endif
