/* Rules the database schema states once, as the C side sees them: the
 * values of its enum types and the shapes of its codes. The definitions
 * are read from the migrations at build time (tools/schema_rules.py), so
 * a migration that adds an organization kind or changes the code pattern
 * changes the checks the service makes before any SQL runs. */
#ifndef THIDUA_DOMAIN_SCHEMA_H
#define THIDUA_DOMAIN_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

/* Each enum type's values in its order, ended by NULL. */
extern const char *const org_kind_names[];       /* org_kind */
extern const char *const indicator_kind_names[]; /* indicator_kind */
extern const char *const rollup_rule_names[];    /* rollup_rule */
extern const char *const period_kind_names[];    /* period_kind: the order of enum period_kind */
extern const char *const bloc_kind_names[];      /* bloc_kind */
extern const char *const key_role_names[];       /* key_role: reader, editor, admin */

/* The shape of an organization or bloc code (SQL code_is_valid: HP,
 * HN-CUM1) and of an indicator code (indicator_code_is_valid:
 * new_members), letters in either case: requests may write codes in
 * lowercase, the database keeps them in one case. */
bool schema_code_shape(const char *s, size_t len);
bool schema_indicator_code_shape(const char *s, size_t len);
extern const size_t schema_code_max_len;
extern const size_t schema_indicator_code_max_len;

#endif
