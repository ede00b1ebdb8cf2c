/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_link.h"
#include "okta_text.h"
#include "okta_validate.h"

#include <stdio.h>
#include <string.h>

static const char *skip_space(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* Is word one of the space-separated relation types in [rel, rel + len)? */
static bool relation_has(const char *rel, size_t len, const char *word)
{
	size_t word_len = strlen(word);
	size_t i = 0;

	while (i < len) {
		size_t start;

		while (i < len && rel[i] == ' ')
			i++;
		start = i;
		while (i < len && rel[i] != ' ')
			i++;
		if (i - start == word_len && okta_ascii_equal_nocase(rel + start, word, word_len))
			return true;
	}
	return false;
}

/*
 * Parse the parameters after one "<URL>" up to the next top-level ',' or the
 * end. Sets *is_next when a rel parameter names "next". Returns the position
 * after the link-value, or NULL when malformed.
 */
static const char *parse_params(const char *p, bool *is_next)
{
	*is_next = false;
	for (;;) {
		const char *name;
		size_t name_len;
		const char *value;
		size_t value_len;

		p = skip_space(p);
		if (*p == ',' || *p == '\0')
			return p;
		if (*p != ';')
			return NULL;
		p = skip_space(p + 1);
		name = p;
		while (*p != '\0' && strchr("=;, \t\"", *p) == NULL)
			p++;
		name_len = (size_t)(p - name);
		p = skip_space(p);
		if (name_len == 0)
			return NULL;
		if (*p != '=') /* a parameter without a value */
			continue;
		p = skip_space(p + 1);
		if (*p == '"') {
			value = ++p;
			p = strchr(p, '"');
			if (p == NULL)
				return NULL;
			value_len = (size_t)(p - value);
			p++;
		} else {
			value = p;
			while (*p != '\0' && strchr(";, \t", *p) == NULL)
				p++;
			value_len = (size_t)(p - value);
		}
		if (name_len == 3 && okta_ascii_equal_nocase(name, "rel", 3) &&
		    relation_has(value, value_len, "next"))
			*is_next = true;
	}
}

int okta_link_find_next(const char *header_value, char *out, size_t outlen)
{
	const char *p = header_value;
	int found = 0;

	if (p == NULL || outlen == 0)
		return -1;
	for (;;) {
		const char *url;
		const char *url_end;
		bool is_next;

		p = skip_space(p);
		while (*p == ',')
			p = skip_space(p + 1);
		if (*p == '\0')
			return found;
		if (*p != '<')
			return -1;
		url = p + 1;
		url_end = strchr(url, '>');
		if (url_end == NULL)
			return -1;
		p = parse_params(url_end + 1, &is_next);
		if (p == NULL)
			return -1;
		if (!is_next)
			continue;
		/* Two next links: we cannot know which one is meant. */
		if (found && (strlen(out) != (size_t)(url_end - url) ||
			      strncmp(out, url, (size_t)(url_end - url)) != 0))
			return -1;
		if ((size_t)(url_end - url) >= outlen)
			return -1;
		memcpy(out, url, (size_t)(url_end - url));
		out[url_end - url] = '\0';
		found = 1;
	}
}

/* Characters of a query we are willing to send back: unreserved, '%'
 * escapes and the separators Okta uses. */
static bool is_plain_query(const char *q)
{
	for (; *q != '\0'; q++) {
		if (!((*q >= 'A' && *q <= 'Z') || (*q >= 'a' && *q <= 'z') ||
		      (*q >= '0' && *q <= '9') || strchr("-._~%&=+", *q) != NULL))
			return false;
	}
	return true;
}

/* Length of org_url when url starts with exactly that origin (scheme, host
 * and port; host compared ASCII case-insensitively), else 0. The character
 * after the origin must start the path, so "https://org.okta.com.evil.example"
 * and "https://org.okta.com@evil" fail; the caller checks the path. */
static size_t same_origin_prefix(const char *org_url, const char *url)
{
	size_t origin_len;

	if (org_url == NULL || url == NULL || strlen(url) > OKTA_LINK_URL_MAX)
		return 0;
	origin_len = strlen(org_url);
	if (origin_len == 0 || strlen(url) < origin_len ||
	    !okta_ascii_equal_nocase(url, org_url, origin_len) || url[origin_len] != '/')
		return 0;
	return origin_len;
}

bool okta_groups_link_is_allowed(const char *org_url, const char *user_id, const char *url)
{
	char path[160];
	size_t origin_len = same_origin_prefix(org_url, url);
	size_t path_len;
	int n;

	if (origin_len == 0 || user_id == NULL)
		return false;
	n = snprintf(path, sizeof(path), "/api/v1/users/%s/groups", user_id);
	if (n < 0 || (size_t)n >= sizeof(path))
		return false;
	path_len = (size_t)n;
	if (strncmp(url + origin_len, path, path_len) != 0)
		return false;
	url += origin_len + path_len;
	if (*url == '\0')
		return true;
	return *url == '?' && is_plain_query(url + 1);
}

/* A path segment we are willing to send: unreserved characters only, and
 * never "." or ".." (which a server could resolve outside /api/v1/authn). */
static bool is_plain_segment(const char *seg, size_t len)
{
	size_t i;

	if (len == 0 || (len == 1 && seg[0] == '.') || (len == 2 && seg[0] == '.' && seg[1] == '.'))
		return false;
	for (i = 0; i < len; i++) {
		char c = seg[i];

		if (!(okta_ascii_is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~'))
			return false;
	}
	return true;
}

bool okta_authn_link_is_allowed(const char *org_url, const char *url)
{
	static const char prefix[] = "/api/v1/authn";
	size_t origin_len = same_origin_prefix(org_url, url);
	const char *p;

	if (origin_len == 0)
		return false;
	p = url + origin_len;
	if (strncmp(p, prefix, sizeof(prefix) - 1) != 0)
		return false;
	p += sizeof(prefix) - 1;
	while (*p == '/') {
		size_t len = strcspn(p + 1, "/?#");

		if (!is_plain_segment(p + 1, len))
			return false;
		p += 1 + len;
	}
	if (*p == '\0')
		return true;
	return *p == '?' && is_plain_query(p + 1);
}
