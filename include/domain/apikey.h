/* API keys: `thd_<prefix>_<secret>`. The 12-hex-digit prefix finds the key
 * row; the 256-bit secret is never stored, only a BLAKE2b-256 hash of the
 * whole key (libsodium), compared in constant time. */
#ifndef THIDUA_DOMAIN_APIKEY_H
#define THIDUA_DOMAIN_APIKEY_H

#include <stdbool.h>
#include <stddef.h>

#define APIKEY_PREFIX_LEN 12
#define APIKEY_TEXT_MAX 80
#define APIKEY_HASH_HEX 65

struct apikey {
	char text[APIKEY_TEXT_MAX];          /* the key as given to the client */
	char prefix[APIKEY_PREFIX_LEN + 1];
	char hash_hex[APIKEY_HASH_HEX];
};

/* A fresh random key. */
void apikey_generate(struct apikey *key);

/* Splits a presented key; false when it does not have the shape of one. */
bool apikey_parse(const char *text, struct apikey *key) __attribute__((warn_unused_result));

/* Constant-time comparison of the presented key's hash with a stored one. */
bool apikey_matches(const struct apikey *key, const char *stored_hash_hex);

#endif
