/* WAL positions as PostgreSQL writes them ("16/B374D848"), read on every
 * request that carries a key check. */
#include <stdint.h>

#include "db/db.h"
#include "tap.h"

static void reads_both_halves(void)
{
	CHECK(db_lsn_parse("16/B374D848") == ((uint64_t)0x16 << 32 | 0xB374D848u));
	CHECK(db_lsn_parse("0/0") == 0);
	CHECK(db_lsn_parse("FFFFFFFF/FFFFFFFF") == UINT64_MAX);
	CHECK(db_lsn_parse("0/1a2b") == 0x1a2b);
}

static void anything_else_is_zero(void)
{
	CHECK(db_lsn_parse(NULL) == 0);
	CHECK(db_lsn_parse("") == 0);
	CHECK(db_lsn_parse("16") == 0);
	CHECK(db_lsn_parse("16/") == 0);
	CHECK(db_lsn_parse("/B374D848") == 0);
	CHECK(db_lsn_parse("16/B374D848 ") == 0);
	CHECK(db_lsn_parse("16/B374D84G") == 0);
	CHECK(db_lsn_parse("123456789/0") == 0); /* a half has at most 8 digits */
	CHECK(db_lsn_parse("0/123456789") == 0);
	CHECK(db_lsn_parse("1/2/3") == 0);
}

int main(void)
{
	RUN(reads_both_halves);
	RUN(anything_else_is_zero);
	return tap_done();
}
