/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_http.h"
#include "okta_text.h"
#include "okta_validate.h"

#include <string.h>

#define RATE_LIMIT_RESET_NAME "X-Rate-Limit-Reset"

/* Does line start with name followed by ':' (ASCII case-insensitive)?
 * On success *value_at is the index just after the colon. */
static bool header_name_is(const char *line, size_t len, const char *name, size_t *value_at)
{
	size_t name_len = strlen(name);

	if (len <= name_len || line[name_len] != ':' ||
	    !okta_ascii_equal_nocase(line, name, name_len))
		return false;
	*value_at = name_len + 1;
	return true;
}

bool okta_http_parse_rate_limit_reset(const char *line, size_t len, long long *reset_out)
{
	return okta_http_parse_number_header(line, len, RATE_LIMIT_RESET_NAME, reset_out);
}

bool okta_http_parse_number_header(const char *line, size_t len, const char *name,
				   long long *value_out)
{
	size_t i;
	size_t digits = 0;
	long long value = 0;

	if (line == NULL || !header_name_is(line, len, name, &i))
		return false;
	while (i < len && okta_ascii_is_blank(line[i]))
		i++;
	for (; i < len && line[i] >= '0' && line[i] <= '9'; i++) {
		if (++digits > OKTA_RATE_LIMIT_RESET_MAX_DIGITS)
			return false;
		value = value * 10 + (line[i] - '0');
	}
	if (digits == 0)
		return false;
	while (i < len && okta_ascii_is_blank(line[i]))
		i++;
	/* Only the line ending may follow: "\r\n", "\n" or nothing. */
	if (i < len && line[i] == '\r')
		i++;
	if (i < len && line[i] == '\n')
		i++;
	if (i != len)
		return false;
	*value_out = value;
	return true;
}
