/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_text.h: the ASCII character classes (checked against
 * their definition for every byte, and under a non-C locale: they must not
 * follow it), case-insensitive comparison, printable copies of untrusted
 * text and freeing string arrays.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_text.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static bool in_range(int c, int lo, int hi)
{
	return c >= lo && c <= hi;
}

/* Every byte value, against the classes' definitions. */
static void check_classes(void)
{
	int b;

	for (b = 0; b < 256; b++) {
		char c = (char)b;
		bool digit = in_range(b, '0', '9');
		bool alpha = in_range(b, 'a', 'z') || in_range(b, 'A', 'Z');

		assert_int_equal(okta_ascii_is_digit(c), digit);
		assert_int_equal(okta_ascii_is_alnum(c), digit || alpha);
		assert_int_equal(okta_ascii_is_xdigit(c),
				 digit || in_range(b, 'a', 'f') || in_range(b, 'A', 'F'));
		assert_int_equal(okta_ascii_is_blank(c), b == ' ' || b == '\t');
		assert_int_equal(okta_ascii_is_space(c), b == ' ' || in_range(b, '\t', '\r'));
		assert_int_equal(okta_ascii_is_printable(c), in_range(b, 0x20, 0x7e));
		assert_int_equal(okta_ascii_is_visible(c), in_range(b, 0x21, 0x7e));
	}
}

static void test_classes(void **state)
{
	(void)state;
	check_classes();
}

/* Under a UTF-8 or Latin-1 locale <ctype.h> may call bytes >= 0x80 letters;
 * the classes here must not change. */
static void test_classes_ignore_locale(void **state)
{
	static const char *const locales[] = { "C.UTF-8", "en_US.UTF-8", "tr_TR.UTF-8",
					       "de_DE.ISO-8859-1" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(locales); i++) {
		if (setlocale(LC_ALL, locales[i]) != NULL)
			check_classes();
	}
	setlocale(LC_ALL, "C");
}

static void test_text_is_printable_visible(void **state)
{
	(void)state;
	assert_true(okta_text_is_printable(""));
	assert_true(okta_text_is_printable("a b~!"));
	assert_false(okta_text_is_printable("a\tb"));
	assert_false(okta_text_is_printable("caf\xc3\xa9"));
	assert_false(okta_text_is_printable("del\x7f"));
	assert_true(okta_text_is_visible(""));
	assert_true(okta_text_is_visible("https://a.example/x?y=~"));
	assert_false(okta_text_is_visible("a b"));
	assert_false(okta_text_is_visible("a\nb"));
}

static void test_equal_nocase(void **state)
{
	(void)state;
	assert_true(okta_ascii_equal_nocase("Link:", "link:", 5));
	assert_true(okta_ascii_equal_nocase("ABCxyz", "abcXYZ", 6));
	assert_true(okta_ascii_equal_nocase("abc", "abd", 2));
	assert_true(okta_ascii_equal_nocase("", "", 0));
	assert_false(okta_ascii_equal_nocase("abc", "abd", 3));
	/* Only A-Z fold: '@' (0x40) and '`' (0x60) differ by the case bit. */
	assert_false(okta_ascii_equal_nocase("@", "`", 1));
	assert_false(okta_ascii_equal_nocase("[", "{", 1));
	/* The Turkish dotless i and capital I with dot are not 'i'. */
	assert_false(okta_ascii_equal_nocase("\xc4\xb1", "i\0", 2));
	assert_false(okta_ascii_equal_nocase("\xc4\xb0", "I\0", 2));
}

static void test_strings_free(void **state)
{
	char **items = calloc(3, sizeof(*items));

	(void)state;
	assert_non_null(items);
	items[0] = strdup("one");
	items[1] = strdup("two");
	assert_non_null(items[0]);
	assert_non_null(items[1]);
	/* Frees the two strings and the array (the leak checkers see it). */
	okta_strings_free(items, 2);
	okta_strings_free(NULL, 5);
	okta_strings_free(NULL, 0);
}

struct printable_case {
	const char *text;
	size_t outlen;
	const char *expected;
};

/* okta_text_quote: what every log and audit line makes of untrusted text. */
static void test_quote(void **state)
{
	static const struct {
		const char *text;
		const char *quoted;
	} cases[] = {
		{ NULL, "-" },
		{ "", "-" },
		{ "-", "\"-\"" },
		{ "alice@example.com", "alice@example.com" },
		{ "00u1/x:y+z-_.", "00u1/x:y+z-_." },
		{ "a b", "\"a\\x20b\"" },
		{ "x\" audit: event=auth", "\"x\\x22\\x20audit:\\x20event=auth\"" },
		{ "back\\slash\n\x1b", "\"back\\x5cslash\\x0a\\x1b\"" },
		{ "caf\xc3\xa9", "\"caf\\xc3\\xa9\"" },
	};
	char out[OKTA_TEXT_QUOTED_SIZE(32)];
	char small[OKTA_TEXT_QUOTED_SIZE(2)];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(okta_text_quote(cases[i].text, 32, out, sizeof(out)),
				 strlen(cases[i].quoted));
		assert_string_equal(out, cases[i].quoted);
	}
	/* longer than max: cut, marked, quoted even when plain */
	okta_text_quote("abcdefgh", 4, out, sizeof(out));
	assert_string_equal(out, "\"abcd...\"");
	/* too long for out: cut at a whole escape, never an open quote */
	okta_text_quote("a b c d e f", 32, small, sizeof(small));
	assert_string_equal(small, "\"a\\x20b...\"");
	okta_text_quote("abcdefghijklmnop", 32, small, sizeof(small));
	assert_string_equal(small, "\"abcdefgh...\"");
	assert_int_equal(okta_text_quote("abc", 32, out, OKTA_TEXT_QUOTED_SIZE(1) - 1), 0);
	assert_string_equal(out, "");
}

static void test_printable_copy(void **state)
{
	static const struct printable_case cases[] = {
		{ "alice@example.com", 64, "alice@example.com" },
		{ "abcdef", 4, "abc" },
		{ "abcdef", 7, "abcdef" },
		{ "abcdef", 6, "abcde" },
		{ "abc", 1, "" },
		{ "a\nb\x01"
		  "c\x7f",
		  64, "a?b?c?" },
		{ "\ttab\r", 64, "?tab?" },
		{ "caf\xc3\xa9", 64, "caf??" },
		{ "\xff\x80", 64, "??" },
		{ " ~", 64, " ~" },
		{ "", 64, "" },
		{ NULL, 64, "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char out[80];

		memset(out, 'Z', sizeof(out));
		okta_text_printable(cases[i].text, out, cases[i].outlen);
		/* Always terminated inside the given length. */
		assert_non_null(memchr(out, '\0', cases[i].outlen));
		if (strcmp(out, cases[i].expected) != 0)
			fail_msg("printable case %zu: got \"%s\", expected \"%s\"", i, out,
				 cases[i].expected);
	}
}

static void test_printable_copy_zero_length(void **state)
{
	char out[4] = { 'Z', 'Z', 'Z', 'Z' };

	(void)state;
	okta_text_printable("abc", out, 0);
	assert_memory_equal(out, "ZZZZ", sizeof(out));
}

/* RFC 3629's well-formed sequences, and what lies just outside them. */
static void test_utf8_is_valid(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		bool valid;
	} cases[] = {
#define U(lit, valid) { (lit), sizeof(lit) - 1, (valid) }
		U("", true),
		U("plain ASCII \x7f", true),
		U("nul \0 inside", true),    /* NUL is the JSON parser's to refuse */
		U("\xc2\x80", true),         /* U+0080, the first 2-byte */
		U("\xdf\xbf", true),         /* U+07FF */
		U("\xe0\xa0\x80", true),     /* U+0800, the first 3-byte */
		U("\xed\x9f\xbf", true),     /* U+D7FF, before the surrogates */
		U("\xee\x80\x80", true),     /* U+E000, after them */
		U("\xef\xbf\xbf", true),     /* U+FFFF */
		U("\xf0\x90\x80\x80", true), /* U+10000, the first 4-byte */
		U("\xf4\x8f\xbf\xbf", true), /* U+10FFFF, the last */
		U("\x80", false),            /* continuation without a lead */
		U("\xbf", false),
		U("\xc0\xaf", false),         /* overlong '/' */
		U("\xc1\xbf", false),         /* overlong U+007F */
		U("\xe0\x9f\xbf", false),     /* overlong U+07FF */
		U("\xf0\x8f\xbf\xbf", false), /* overlong U+FFFF */
		U("\xed\xa0\x80", false),     /* U+D800, a surrogate */
		U("\xed\xbf\xbf", false),     /* U+DFFF */
		U("\xf4\x90\x80\x80", false), /* U+110000 */
		U("\xf5\x80\x80\x80", false),
		U("\xf8\x88\x80\x80\x80", false), /* 5-byte form */
		U("\xfe", false),
		U("\xff", false),
		U("\xc3", false), /* cut short at the end */
		U("\xe2\x82", false),
		U("\xf0\x9f\x98", false),
		U("\xc3"
		  "a",
		  false), /* lead then ASCII */
		U("\xe2\x82"
		  "a",
		  false),
		U("\xf0\x9f\x98\xc3\xb6", false), /* lead then another lead */
#undef U
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (okta_utf8_is_valid(cases[i].bytes, cases[i].len) != cases[i].valid)
			fail_msg("utf8 case %zu: expected %s", i,
				 cases[i].valid ? "valid" : "invalid");
	}
	/* The length bounds the check: a sequence cut by len is cut. */
	assert_false(okta_utf8_is_valid("\xc3\xb6", 1));
	assert_true(okta_utf8_is_valid("ab\xff", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_classes_ignore_locale),
		cmocka_unit_test(test_text_is_printable_visible),
		cmocka_unit_test(test_equal_nocase),
		cmocka_unit_test(test_strings_free),
		cmocka_unit_test(test_quote),
		cmocka_unit_test(test_printable_copy),
		cmocka_unit_test(test_printable_copy_zero_length),
		cmocka_unit_test(test_utf8_is_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
