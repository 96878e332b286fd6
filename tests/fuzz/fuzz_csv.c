/* The CSV import reader, csv_read(), with the value-import columns, each
 * record encoded as a COPY line by encode_value_row(). Input: one switch
 * byte (odd: decimal=comma), then the body (a UTF-8 BOM is skipped, as the
 * service does; bodies that are not UTF-8 are refused before any reader
 * runs, so they are skipped here too). */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_values_import(data, size, FUZZ_CSV);
	return 0;
}
