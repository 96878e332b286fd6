/* The JSON-array import reader, json_read(), each element encoded as a
 * COPY line by encode_value_row(). Input: one switch byte (odd:
 * decimal=comma, which applies to numbers sent as strings), then the body. */
#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_values_import(data, size, FUZZ_JSON);
	return 0;
}
