/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_text.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

bool okta_ascii_is_digit(char c)
{
	return c >= '0' && c <= '9';
}

bool okta_ascii_is_xdigit(char c)
{
	return okta_ascii_is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

bool okta_ascii_is_alnum(char c)
{
	return okta_ascii_is_digit(c) || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

bool okta_ascii_is_blank(char c)
{
	return c == ' ' || c == '\t';
}

bool okta_ascii_is_space(char c)
{
	return c == ' ' || (c >= '\t' && c <= '\r');
}

bool okta_ascii_is_printable(char c)
{
	return c >= ' ' && c <= '~';
}

bool okta_ascii_is_visible(char c)
{
	return c > ' ' && c <= '~';
}

bool okta_text_is_printable(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!okta_ascii_is_printable(*s))
			return false;
	}
	return true;
}

bool okta_text_is_visible(const char *s)
{
	for (; *s != '\0'; s++) {
		if (!okta_ascii_is_visible(*s))
			return false;
	}
	return true;
}

static char ascii_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

bool okta_ascii_equal_nocase(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (ascii_lower(a[i]) != ascii_lower(b[i]))
			return false;
	}
	return true;
}

void okta_text_printable(const char *text, char *out, size_t outlen)
{
	size_t i = 0;

	if (outlen == 0)
		return;
	for (; text != NULL && text[i] != '\0' && i + 1 < outlen; i++)
		out[i] = okta_ascii_is_printable(text[i]) ? text[i] : '?';
	out[i] = '\0';
}

/* Characters a value may hold without quotes: enough for account names,
 * e-mail style logins, Okta ids, host names and IPv4/IPv6 addresses, and
 * nothing a SIEM's key=value splitter treats specially. */
static bool is_bare(char c)
{
	return okta_ascii_is_alnum(c) || (c != '\0' && strchr("._@:/+-", c) != NULL);
}

static bool is_plain_word(const char *text, size_t len)
{
	size_t i;

	/* A value that is exactly "-" would read as "unknown". */
	if (len == 1 && text[0] == '-')
		return false;
	for (i = 0; i < len; i++) {
		if (!is_bare(text[i]))
			return false;
	}
	return true;
}

/* Inside quotes: printable ASCII as is, except space, '"' and '\', which
 * like every other byte are written \xHH. Even a splitter that knows
 * neither quotes nor backslash escapes (Elastic's kv processor, Logstash's
 * kv filter, a key="[^"]*" regex) then sees one value, and a newline can
 * never end the line. */
static bool needs_escape(unsigned char c)
{
	return c == ' ' || c == '"' || c == '\\' || !okta_ascii_is_printable((char)c);
}

size_t okta_text_quote(const char *text, size_t max, char *out, size_t outlen)
{
	size_t len = text != NULL ? strlen(text) : 0;
	bool cut = len > max;
	size_t i, n = 0;

	if (outlen < OKTA_TEXT_QUOTED_SIZE(1)) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	if (cut)
		len = max;
	if (len == 0)
		return (size_t)snprintf(out, outlen, "-");
	if (!cut && len < outlen && is_plain_word(text, len)) {
		memcpy(out, text, len);
		out[len] = '\0';
		return len;
	}
	out[n++] = '"';
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		size_t width = needs_escape(c) ? 4 : 1;

		/* room for this byte, then ..." and the NUL */
		if (n + width + 5 > outlen) {
			cut = true;
			break;
		}
		if (width == 4)
			snprintf(out + n, 5, "\\x%02x", c);
		else
			out[n] = (char)c;
		n += width;
	}
	n += (size_t)snprintf(out + n, outlen - n, "%s", cut ? "...\"" : "\"");
	return n;
}

void okta_strings_free(char **items, size_t count)
{
	size_t i;

	for (i = 0; items != NULL && i < count; i++)
		free(items[i]);
	free(items);
}

/* The length of the sequence a lead byte starts (0: not a lead byte), and
 * the range its second byte must be in (which rules out overlong forms,
 * surrogates and code points above U+10FFFF; RFC 3629, section 4). */
static size_t utf8_sequence(unsigned char lead, unsigned char *low, unsigned char *high)
{
	*low = 0x80;
	*high = 0xBF;
	if (lead >= 0xC2 && lead <= 0xDF)
		return 2;
	if (lead >= 0xE0 && lead <= 0xEF) {
		if (lead == 0xE0)
			*low = 0xA0;
		else if (lead == 0xED)
			*high = 0x9F;
		return 3;
	}
	if (lead >= 0xF0 && lead <= 0xF4) {
		if (lead == 0xF0)
			*low = 0x90;
		else if (lead == 0xF4)
			*high = 0x8F;
		return 4;
	}
	return 0;
}

bool okta_utf8_is_valid(const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	unsigned char low, high;
	size_t i = 0, n, k;

	while (i < len) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		n = utf8_sequence(p[i], &low, &high);
		if (n == 0 || n > len - i || p[i + 1] < low || p[i + 1] > high)
			return false;
		for (k = 2; k < n; k++) {
			if (p[i + k] < 0x80 || p[i + k] > 0xBF)
				return false;
		}
		i += n;
	}
	return true;
}
