/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Small text helpers every layer uses: ASCII character classes, ASCII
 * case-insensitive comparison, printable copies of untrusted text, and
 * freeing arrays of strings. Independent of the locale on purpose: <ctype.h>
 * and strncasecmp follow the host process's locale (a Turkish locale folds
 * 'I' to a dotless i), and what a security check accepts must not depend on
 * it. Pure: no libcurl, no libpam.
 */
#ifndef OKTA_TEXT_H
#define OKTA_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* '0'..'9' */
bool okta_ascii_is_digit(char c);
/* '0'..'9', 'a'..'f', 'A'..'F' */
bool okta_ascii_is_xdigit(char c);
/* 'A'..'Z', 'a'..'z', '0'..'9' */
bool okta_ascii_is_alnum(char c);
/* ' ' or '\t' */
bool okta_ascii_is_blank(char c);
/* ' ', '\t', '\n', '\v', '\f', '\r' (isspace in the C locale) */
bool okta_ascii_is_space(char c);
/* ' '..'~': printable ASCII, space included */
bool okta_ascii_is_printable(char c);
/* '!'..'~': printable ASCII without space */
bool okta_ascii_is_visible(char c);

/* Is every byte of the string printable (resp. visible) ASCII? The empty
 * string is. */
bool okta_text_is_printable(const char *s);
bool okta_text_is_visible(const char *s);

/* Are the first n bytes of a and b equal, ASCII case-insensitively? Both
 * must hold at least n bytes. */
bool okta_ascii_equal_nocase(const char *a, const char *b, size_t n);

/*
 * Copy untrusted text (an Okta login, a user name, an error summary) for a
 * log line: cut to outlen - 1 bytes, anything but printable ASCII shown as
 * '?'. NULL text gives "".
 */
void okta_text_printable(const char *text, char *out, size_t outlen);

/* The most okta_text_quote() writes for n bytes of text: each byte as
 * \xHH, two quotes, the "..." of a cut value and the NUL. */
#define OKTA_TEXT_QUOTED_SIZE(n) ((n)*4 + 6)

/*
 * Untrusted text (anything from Okta, the user or the network) as one value
 * of a log or audit line that no splitter can break and no SIEM rule can
 * mistake for the module's own words: "-" for NULL or "", the text as is
 * when every byte is a word character ([A-Za-z0-9._@:/+-]) and it is not
 * "-", otherwise in double quotes, where space, '"', '\' and every byte
 * that is not printable ASCII is written \xHH. A quoted value thus holds no
 * space, no newline and no quote but its own two. Text longer than max
 * bytes, or too long for out, is cut and ends in ... inside the quotes.
 * Returns the length written (0 and "" when outlen is below
 * OKTA_TEXT_QUOTED_SIZE(1)).
 */
size_t okta_text_quote(const char *text, size_t max, char *out, size_t outlen);

/*
 * Are the len bytes well-formed UTF-8 (RFC 3629: shortest form only, no
 * UTF-16 surrogates, nothing above U+10FFFF)? NUL bytes are not refused
 * here. The JSON parser runs it on every body: json-c before 0.14 has no
 * JSON_TOKENER_VALIDATE_UTF8, and its check (0.14 and newer) lets
 * overlong forms and surrogates through.
 */
bool okta_utf8_is_valid(const char *s, size_t len);

/* Free the first count strings of items, then items (NULL is fine). */
void okta_strings_free(char **items, size_t count);

#endif
