/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_link.h, which reads network input: the Link header
 * parser (okta_link_find_next) and the checks that decide whether a link
 * Okta sent may be followed (groups paging, authentication transactions).
 * tests/fuzz/fuzz_link.c feeds the same functions arbitrary bytes.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_link.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define ORG "https://example.okta.com"
#define UID "00u1abcdefGHIJKLMNOP"

/* A URL of exactly len bytes: ORG + "/" + 'a's. */
static char *url_of_length(size_t len)
{
	char *url = malloc(len + 1);

	assert_non_null(url);
	assert_true(len > strlen(ORG) + 1);
	memcpy(url, ORG "/", strlen(ORG) + 1);
	memset(url + strlen(ORG) + 1, 'a', len - strlen(ORG) - 1);
	url[len] = '\0';
	return url;
}

/* ------------------------------------------------------------ Link header */

static void test_link_find_next(void **state)
{
	static const struct {
		const char *header;
		int result;
		const char *next;
	} cases[] = {
		/* Okta's two headers, joined as the client joins them. */
		{ "<" ORG "/api/v1/users/" UID "/groups?limit=200>; rel=\"self\", <" ORG
		  "/api/v1/users/" UID "/groups?after=00g5&limit=200>; rel=\"next\"",
		  1, ORG "/api/v1/users/" UID "/groups?after=00g5&limit=200" },
		{ "<" ORG "/a?limit=200>; rel=\"self\"", 0, NULL },
		{ "", 0, NULL },
		{ "<https://x/n>; rel=next", 1, "https://x/n" },
		{ "<https://x/n> ; REL = \"prev NEXT\"", 1, "https://x/n" },
		{ "<https://x/n>; title=\"a, b; rel=next\"; rel=\"last\"", 0, NULL },
		{ "<https://x/s>; rel=\"self\",<https://x/n>;rel=\"next\"", 1, "https://x/n" },
		{ "<https://x/n>; rel=\"next\", <https://x/n>; rel=\"next\"", 1, "https://x/n" },
		{ "<https://x/n>; rel=\"next\", <https://x/m>; rel=\"next\"", -1, NULL },
		{ "https://x/n; rel=\"next\"", -1, NULL },
		{ "<https://x/n; rel=\"next\"", -1, NULL },
		{ "<https://x/n>; rel=\"next", -1, NULL },
		{ "<https://x/n> rel=\"next\"", -1, NULL },
		{ "<https://x/n>; =x", -1, NULL },
		/* Empty link-values between commas are skipped (RFC 9110 lists). */
		{ " , ,<https://x/n>; rel=next ,", 1, "https://x/n" },
		{ ",,,", 0, NULL },
		{ "\t<https://x/n>\t;\trel=\"next\"", 1, "https://x/n" },
		/* A parameter without a value, before and after rel. */
		{ "<https://x/n>; crossorigin; rel=next", 1, "https://x/n" },
		{ "<https://x/n>; rel=next; crossorigin", 1, "https://x/n" },
		/* rel names relation types, compared whole and case-insensitively. */
		{ "<https://x/n>; Rel=\"Next\"", 1, "https://x/n" },
		{ "<https://x/n>; rel=\"nextpage\"", 0, NULL },
		{ "<https://x/n>; rel=\"prev next\"", 1, "https://x/n" },
		{ "<https://x/n>; rel=\"  next  \"", 1, "https://x/n" },
		{ "<https://x/n>; rel=\"\"", 0, NULL },
		{ "<https://x/n>; relation=next", 0, NULL },
		{ "<https://x/n>; anchor=\"<https://x/m>; rel=next\"", 0, NULL },
		/* A next link among others, in any position. */
		{ "<https://x/a>; rel=prev, <https://x/n>; rel=next, <https://x/z>; rel=last", 1,
		  "https://x/n" },
		/* Malformed: each makes the whole value unusable. */
		{ "<https://x/n>; rel=next, garbage", -1, NULL },
		{ "<https://x/n>; rel=next; ;", -1, NULL },
		{ "<https://x/n>; rel=\"next\"x", -1, NULL },
		{ "<https://x/n>;", -1, NULL },
		{ "<", -1, NULL },
		{ ">; rel=next", -1, NULL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char out[OKTA_LINK_URL_MAX + 1] = "";
		int got = okta_link_find_next(cases[i].header, out, sizeof(out));

		if (got != cases[i].result)
			fail_msg("'%s': %d, expected %d", cases[i].header, got, cases[i].result);
		if (cases[i].next != NULL)
			assert_string_equal(out, cases[i].next);
	}
}

static void test_link_find_next_too_long(void **state)
{
	char header[64];
	char out[8];

	(void)state;
	snprintf(header, sizeof(header), "<https://x/next>; rel=\"next\"");
	assert_int_equal(okta_link_find_next(header, out, sizeof(out)), -1);
	assert_int_equal(okta_link_find_next(NULL, out, sizeof(out)), -1);
}

/* The URL must fit with its NUL: outlen - 1 bytes do, outlen bytes do not. */
static void test_link_find_next_fits_exactly(void **state)
{
	char header[OKTA_LINK_URL_MAX + 64];
	char *url = url_of_length(OKTA_LINK_URL_MAX);
	char out[OKTA_LINK_URL_MAX + 1];

	(void)state;
	snprintf(header, sizeof(header), "<%s>; rel=\"next\"", url);
	assert_int_equal(okta_link_find_next(header, out, sizeof(out)), 1);
	assert_string_equal(out, url);
	assert_int_equal(okta_link_find_next(header, out, sizeof(out) - 1), -1);
	assert_int_equal(okta_link_find_next(header, out, 0), -1);
	free(url);
}

/* ------------------------------------------------------------ links we follow */

static void test_groups_link_allowed(void **state)
{
	static const struct {
		const char *url;
		bool allowed;
	} cases[] = {
		{ ORG "/api/v1/users/" UID "/groups?after=00g5&limit=200", true },
		{ ORG "/api/v1/users/" UID "/groups", true },
		{ "HTTPS://Example.OKTA.com/api/v1/users/" UID "/groups?after=x", true },
		{ "http://example.okta.com/api/v1/users/" UID "/groups?after=x", false },
		{ "https://example.okta.com:443/api/v1/users/" UID "/groups?after=x", false },
		{ "https://example.okta.com.evil.example/api/v1/users/" UID "/groups", false },
		{ "https://example.okta.com@evil.example/api/v1/users/" UID "/groups", false },
		{ "https://evil.example/api/v1/users/" UID "/groups?after=x", false },
		{ ORG "/api/v1/users/00u2other/groups?after=x", false },
		{ ORG "/api/v1/users/" UID "/groups/../../../sessions/x", false },
		{ ORG "/api/v1/users/" UID "/groupsx", false },
		{ ORG "/api/v1/users/" UID "/groups%2F..", false },
		{ ORG "/api/v1/users/" UID "/groups?after=x#frag", false },
		{ ORG "/api/v1/users/" UID "/groups?after=x y", false },
		{ ORG "/api/v1/users/" UID "/groups?after=x\\y", false },
		{ ORG "/api/v1/users/" UID "/groups?after=a/b", false },
		{ ORG "/API/v1/users/" UID "/groups", false },
		{ ORG, false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(okta_groups_link_is_allowed(ORG, UID, cases[i].url),
				 cases[i].allowed);
	assert_true(okta_groups_link_is_allowed("https://127.0.0.1:8443", UID,
						"https://127.0.0.1:8443/api/v1/users/" UID
						"/groups?after=a"));
	assert_false(okta_groups_link_is_allowed("https://127.0.0.1:8443", UID,
						 "https://127.0.0.1:84430/api/v1/users/" UID
						 "/groups"));
	assert_false(okta_groups_link_is_allowed(ORG, UID, NULL));
}

static void test_authn_link_allowed(void **state)
{
	static const struct {
		const char *url;
		bool allowed;
	} cases[] = {
		{ ORG "/api/v1/authn", true },
		{ ORG "/api/v1/authn/cancel", true },
		{ ORG "/api/v1/authn/skip", true },
		{ ORG "/api/v1/authn/factors/opfh52xcuft3J4uZc0g3/verify", true },
		{ ORG "/api/v1/authn/factors/opf1/verify?rememberDevice=false", true },
		{ "HTTPS://Example.OKTA.com/api/v1/authn/cancel", true },
		{ "http://example.okta.com/api/v1/authn/cancel", false },
		{ "https://example.okta.com:443/api/v1/authn/cancel", false },
		{ "https://example.okta.com.evil.example/api/v1/authn/cancel", false },
		{ "https://example.okta.com@evil.example/api/v1/authn/cancel", false },
		{ "https://evil.example/api/v1/authn/cancel", false },
		{ ORG "/api/v1/authnx", false },
		{ ORG "/api/v1/authn/../sessions", false },
		{ ORG "/api/v1/authn/./cancel", false },
		{ ORG "/api/v1/authn/%2e%2e/sessions", false },
		{ ORG "/api/v1/authn//cancel", false },
		{ ORG "/api/v1/authn/cancel#x", false },
		{ ORG "/api/v1/authn/cancel?a b", false },
		{ ORG "/api/v1/sessions", false },
		{ ORG "/API/v1/authn", false },
		{ ORG, false },
		{ "", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (okta_authn_link_is_allowed(ORG, cases[i].url) != cases[i].allowed)
			fail_msg("%s: expected %d", cases[i].url, cases[i].allowed);
	}
	assert_false(okta_authn_link_is_allowed(ORG, NULL));
	assert_false(okta_authn_link_is_allowed(NULL, ORG "/api/v1/authn"));
	assert_false(okta_authn_link_is_allowed("https://127.0.0.1:8443",
						"https://127.0.0.1:84430/api/v1/authn"));
}

/* Both checks refuse a URL longer than OKTA_LINK_URL_MAX, whatever it says. */
static void test_links_too_long(void **state)
{
	char *groups = url_of_length(OKTA_LINK_URL_MAX + 1);
	char *authn = url_of_length(OKTA_LINK_URL_MAX + 1);
	size_t prefix;

	(void)state;
	prefix = strlen(ORG "/api/v1/users/" UID "/groups?after=");
	memcpy(groups, ORG "/api/v1/users/" UID "/groups?after=", prefix);
	prefix = strlen(ORG "/api/v1/authn?x=");
	memcpy(authn, ORG "/api/v1/authn?x=", prefix);
	assert_false(okta_groups_link_is_allowed(ORG, UID, groups));
	assert_false(okta_authn_link_is_allowed(ORG, authn));
	/* One byte shorter, the same URLs pass. */
	groups[OKTA_LINK_URL_MAX] = '\0';
	authn[OKTA_LINK_URL_MAX] = '\0';
	assert_true(okta_groups_link_is_allowed(ORG, UID, groups));
	assert_true(okta_authn_link_is_allowed(ORG, authn));
	free(groups);
	free(authn);
}

/* The user id is part of the path we compare: one that does not fit the
 * check's buffer, or none, allows nothing. */
static void test_groups_link_user_id(void **state)
{
	char uid[200];
	char url[400];

	(void)state;
	memset(uid, 'u', sizeof(uid) - 1);
	uid[sizeof(uid) - 1] = '\0';
	snprintf(url, sizeof(url), ORG "/api/v1/users/%s/groups", uid);
	assert_false(okta_groups_link_is_allowed(ORG, uid, url));
	assert_false(okta_groups_link_is_allowed(ORG, NULL, ORG "/api/v1/users//groups"));
	assert_false(okta_groups_link_is_allowed("", UID, "/api/v1/users/" UID "/groups"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_find_next),
		cmocka_unit_test(test_link_find_next_too_long),
		cmocka_unit_test(test_link_find_next_fits_exactly),
		cmocka_unit_test(test_groups_link_allowed),
		cmocka_unit_test(test_groups_link_user_id),
		cmocka_unit_test(test_authn_link_allowed),
		cmocka_unit_test(test_links_too_long),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
