/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_parse_error() on arbitrary bytes (any non-200
 * body). Its fields go straight into a syslog line, so beyond the
 * sanitizers' checks every field must be NUL-terminated within its array
 * and hold printable ASCII only.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_printable(const char *field, size_t capacity)
{
	const char *end = memchr(field, '\0', capacity);
	const char *c;

	if (end == NULL)
		abort();
	for (c = field; c < end; c++) {
		if (*c < ' ' || *c > '~')
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct okta_error err;

	okta_parse_error((const char *)data, size, &err);
	check_printable(err.code, sizeof(err.code));
	check_printable(err.summary, sizeof(err.summary));
	check_printable(err.id, sizeof(err.id));
	return 0;
}
