/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Pure helpers for what Okta sends in HTTP response headers. Bytes in, value
 * out: no I/O, no globals, so that they can be unit-tested and fuzzed.
 */
#ifndef OKTA_HTTP_H
#define OKTA_HTTP_H

#include <stdbool.h>
#include <stddef.h>

/* More digits than this is not an epoch time in seconds we will wait for. */
#define OKTA_RATE_LIMIT_RESET_MAX_DIGITS 12

/*
 * line is one header line as libcurl hands it to a header callback
 * ("Name: value\r\n", not NUL-terminated, may hold any bytes). If it is an
 * X-Rate-Limit-Reset header (name matched ASCII case-insensitively) whose
 * value is 1-12 ASCII digits, optionally surrounded by spaces or tabs, store
 * the value (UTC epoch seconds) in *reset_out and return true. Anything else
 * (another header, a sign, a fraction, trailing junk, an empty value) returns
 * false and leaves *reset_out alone.
 */
bool okta_http_parse_rate_limit_reset(const char *line, size_t len, long long *reset_out);

/*
 * The same rule for any header whose value is such a number: name (e.g.
 * OKTA_HTTP_RATE_LIMIT_REMAINING) matched ASCII case-insensitively, 1-12
 * digits. The session watch paces itself by these.
 */
#define OKTA_HTTP_RATE_LIMIT_LIMIT "X-Rate-Limit-Limit"
#define OKTA_HTTP_RATE_LIMIT_REMAINING "X-Rate-Limit-Remaining"
bool okta_http_parse_number_header(const char *line, size_t len, const char *name,
				   long long *value_out);

#endif
