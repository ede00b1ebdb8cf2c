/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_http.h: the X-Rate-Limit-Reset header as libcurl's
 * header callback hands it over.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "okta_http.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static void test_rate_limit_reset_accepted(void **state)
{
	static const struct {
		const char *line;
		long long value;
	} cases[] = {
		{ "X-Rate-Limit-Reset: 1764102670\r\n", 1764102670LL },
		{ "x-rate-limit-reset:1764102670\r\n", 1764102670LL },
		{ "X-RATE-LIMIT-RESET: \t 0042 \t\r\n", 42 },
		{ "X-Rate-Limit-Reset: 1\n", 1 },
		{ "X-Rate-Limit-Reset: 7", 7 },
		{ "X-Rate-Limit-Reset: 999999999999\r\n", 999999999999LL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		long long value = -1;

		if (!okta_http_parse_rate_limit_reset(cases[i].line, strlen(cases[i].line), &value))
			fail_msg("refused: %s", cases[i].line);
		assert_int_equal(value, cases[i].value);
	}
}

static void test_rate_limit_reset_refused(void **state)
{
	static const char *const lines[] = {
		"X-Rate-Limit-Reset: \r\n",
		"X-Rate-Limit-Reset:\r\n",
		"X-Rate-Limit-Reset: -5\r\n",
		"X-Rate-Limit-Reset: +5\r\n",
		"X-Rate-Limit-Reset: 5.5\r\n",
		"X-Rate-Limit-Reset: 5s\r\n",
		"X-Rate-Limit-Reset: 5 6\r\n",
		"X-Rate-Limit-Reset: 0x10\r\n",
		"X-Rate-Limit-Reset: 1000000000000\r\n", /* 13 digits */
		"X-Rate-Limit-Reset: 99999999999999999999999999\r\n",
		"X-Rate-Limit-Reset: 5\r\nX: 1\r\n",
		"X-Rate-Limit-Reset: 5\r\r\n",
		"X-Rate-Limit-Reset : 5\r\n",
		"X-Rate-Limit-Resets: 5\r\n",
		"X-Rate-Limit-Remaining: 5\r\n",
		"X-Rate-Limit-Rese: 5\r\n",
		"HTTP/1.1 429 Too Many Requests\r\n",
		"\r\n",
		"",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(lines); i++) {
		long long value = -1;

		if (okta_http_parse_rate_limit_reset(lines[i], strlen(lines[i]), &value))
			fail_msg("accepted: %s", lines[i]);
		assert_int_equal(value, -1);
	}
	assert_false(okta_http_parse_rate_limit_reset(NULL, 0, NULL));
}

/* The line is not NUL-terminated: only len bytes count. */
static void test_rate_limit_reset_length(void **state)
{
	static const char line[] = "X-Rate-Limit-Reset: 123\r\n";
	static const char with_nul[] = "X-Rate-Limit-Reset: 12\0003\r\n";
	long long value = -1;

	(void)state;
	assert_true(
		okta_http_parse_rate_limit_reset(line, strlen("X-Rate-Limit-Reset: 12"), &value));
	assert_int_equal(value, 12);
	assert_false(okta_http_parse_rate_limit_reset(line, strlen("X-Rate-Limit-Reset"), &value));
	assert_false(okta_http_parse_rate_limit_reset(with_nul, sizeof(with_nul) - 1, &value));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rate_limit_reset_accepted),
		cmocka_unit_test(test_rate_limit_reset_refused),
		cmocka_unit_test(test_rate_limit_reset_length),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
