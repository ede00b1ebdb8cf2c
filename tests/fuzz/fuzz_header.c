/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_http_parse_rate_limit_reset() on arbitrary bytes,
 * as libcurl's header callback hands a header line over. Beyond the
 * sanitizers' checks: a value is only ever produced from an
 * X-Rate-Limit-Reset line, and it is never negative or longer than
 * OKTA_RATE_LIMIT_RESET_MAX_DIGITS digits (the retry arithmetic relies on it).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_http.h"
#include "okta_text.h"
#include "okta_validate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char name[] = "x-rate-limit-reset:";
	long long value = -1;

	if (!okta_http_parse_rate_limit_reset((const char *)data, size, &value)) {
		if (value != -1)
			abort();
		return 0;
	}
	if (size < sizeof(name) - 1 ||
	    !okta_ascii_equal_nocase((const char *)data, name, sizeof(name) - 1))
		abort();
	if (value < 0 || value > 999999999999LL)
		abort();
	return 0;
}
