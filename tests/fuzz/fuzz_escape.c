/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_json_ascii_escaped(), the ASCII form of a body
 * that the parser hands json-c 0.18 (whose strict mode refuses every
 * non-ASCII byte). On well-formed UTF-8 (what the parser gives it), checked
 * against the json-c the target is built with (which reads the body
 * itself): the escaped text is pure ASCII and at most three times as long,
 * it is JSON exactly when the body is, both read as the same value, and
 * the key count behind the duplicate-key check is the same. A
 * refusal (NULL) is only ever for a body that is not JSON, or one holding
 * a character whose escape json-c (up to 0.18) reads as U+FFFD.
 */
#include "config.h"

#include <json-c/json.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_json.h"
#include "okta_text.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_ascii(const char *text, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)text[i] >= 0x80)
			abort();
	}
}

/* A character above U+FFFF with 0xD800-0xDFFF in its low 16 bits: its
 * 4-byte form is F0-F4, then a byte whose low 4 bits and the next byte's
 * 0x20 bit give 0xD800's bits 12-15 and 11 (x1101 1xxxxx). */
static int has_misread_character(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i + 3 < n; i++) {
		if (p[i] >= 0xF0 && (p[i + 1] & 0x0F) == 0x0D && (p[i + 2] & 0x20) != 0)
			return 1;
	}
	return 0;
}

/* Equal trees, compared as json-c writes them (json_object_equal() says
 * NaN differs from itself). */
static int same_value(json_object *a, json_object *b)
{
	return strcmp(json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN),
		      json_object_to_json_string_ext(b, JSON_C_TO_STRING_PLAIN)) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *body = (const char *)data;
	json_object *plain = NULL, *ascii = NULL;
	size_t len = 0;
	char *escaped;
	enum okta_parse_result plain_rc, ascii_rc;

	if (!okta_utf8_is_valid(body, size))
		return 0; /* the parser never escapes such a body */
	escaped = okta_json_ascii_escaped(body, size, &len);
	plain_rc = okta_json_parse(body, size, &plain);
	if (escaped == NULL) {
		if (plain_rc == OKTA_PARSE_OK && !has_misread_character(data, size))
			abort(); /* refused a body that is JSON */
		okta_json_free(plain);
		return 0;
	}
	check_ascii(escaped, len);
	if (len > 3 * size || strlen(escaped) > len)
		abort();
	ascii_rc = okta_json_parse(escaped, len, &ascii);
	if (plain_rc != ascii_rc)
		abort(); /* JSON on one side only */
	if (plain_rc == OKTA_PARSE_OK &&
	    (!same_value(plain, ascii) ||
	     okta_json_key_count(body, size) != okta_json_key_count(escaped, len)))
		abort(); /* a different value, or a different key count */
	okta_json_free(plain);
	okta_json_free(ascii);
	free(escaped);
	return 0;
}
