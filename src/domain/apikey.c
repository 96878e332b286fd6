/* API keys (see apikey.h). */
#include "domain/apikey.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

#define SECRET_BYTES 32

static void hash_text(const char *text, char out[APIKEY_HASH_HEX])
{
	unsigned char digest[32];
	crypto_generichash(digest, sizeof digest, (const unsigned char *)text, strlen(text), NULL, 0);
	sodium_bin2hex(out, APIKEY_HASH_HEX, digest, sizeof digest);
}

void apikey_generate(struct apikey *key)
{
	unsigned char prefix[APIKEY_PREFIX_LEN / 2], secret[SECRET_BYTES];
	char secret_text[sodium_base64_ENCODED_LEN(SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
	randombytes_buf(prefix, sizeof prefix);
	randombytes_buf(secret, sizeof secret);
	sodium_bin2hex(key->prefix, sizeof key->prefix, prefix, sizeof prefix);
	sodium_bin2base64(secret_text, sizeof secret_text, secret, sizeof secret, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	snprintf(key->text, sizeof key->text, "thd_%s_%s", key->prefix, secret_text);
	hash_text(key->text, key->hash_hex);
	sodium_memzero(secret, sizeof secret);
	sodium_memzero(secret_text, sizeof secret_text);
}

bool apikey_parse(const char *text, struct apikey *key)
{
	size_t n = strlen(text);
	/* thd_ + 12 hex + _ + 43 base64url characters */
	if (n != 4 + APIKEY_PREFIX_LEN + 1 + 43 || strncmp(text, "thd_", 4) || text[4 + APIKEY_PREFIX_LEN] != '_')
		return false;
	for (size_t i = 4; i < 4 + APIKEY_PREFIX_LEN; i++)
		if (!((text[i] >= '0' && text[i] <= '9') || (text[i] >= 'a' && text[i] <= 'f')))
			return false;
	for (size_t i = 5 + APIKEY_PREFIX_LEN; i < n; i++) {
		char c = text[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return false;
	}
	memcpy(key->text, text, n + 1);
	memcpy(key->prefix, text + 4, APIKEY_PREFIX_LEN);
	key->prefix[APIKEY_PREFIX_LEN] = '\0';
	hash_text(key->text, key->hash_hex);
	return true;
}

bool apikey_matches(const struct apikey *key, const char *stored_hash_hex)
{
	if (strlen(stored_hash_hex) != APIKEY_HASH_HEX - 1)
		return false;
	return sodium_memcmp(key->hash_hex, stored_hash_hex, APIKEY_HASH_HEX - 1) == 0;
}
