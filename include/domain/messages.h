/* What each problem code means, in Vietnamese: the `detail` of a problem
 * document for a client that asks for Vietnamese (Accept-Language: vi).
 * The English detail says more (which parameter, which row); the
 * Vietnamese one says what happened and what to do, whole, never mixed
 * with English. The machine `code` and the field errors do not change. */
#ifndef THIDUA_DOMAIN_MESSAGES_H
#define THIDUA_DOMAIN_MESSAGES_H

/* NULL for a code the catalogue does not know. */
const char *message_vi(const char *code);

#endif
