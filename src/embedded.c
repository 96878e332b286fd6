/* The files the binary carries (see embedded.h): the build writes their
 * bytes into embedded.inc with tools/embed.py. */
#include "embedded.h"

#include "embedded.inc"
