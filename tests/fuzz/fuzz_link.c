/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: the Link header parser, okta_link_find_next(), on
 * arbitrary bytes (the value of Okta's Link headers, joined as the client
 * joins them), and the two checks on what it finds and on the raw input.
 * Beyond the sanitizers' checks: a next link is one that stood between
 * '<' and '>' in the input and fits the buffer with its NUL; a link either
 * check allows stays on the org's origin, under the API path, and holds no
 * byte outside printable ASCII, no space, '#', '@' or backslash.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_link.h"
#include "okta_text.h"
#include "okta_validate.h"

#define ORG "https://example.okta.com"
#define UID "00u1abcdefGHIJKLMNOP"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_allowed_url(const char *url, const char *path_prefix)
{
	const char *c;

	if (strlen(url) > OKTA_LINK_URL_MAX || !okta_ascii_equal_nocase(url, ORG, strlen(ORG)) ||
	    strncmp(url + strlen(ORG), path_prefix, strlen(path_prefix)) != 0)
		abort();
	for (c = url; *c != '\0'; c++) {
		if (*c <= ' ' || *c > '~' || strchr("#@\\", *c) != NULL)
			abort();
	}
}

static void check_links(const char *url)
{
	if (okta_groups_link_is_allowed(ORG, UID, url))
		check_allowed_url(url, "/api/v1/users/" UID "/groups");
	if (okta_authn_link_is_allowed(ORG, url)) {
		check_allowed_url(url, "/api/v1/authn");
		if (strstr(url, "/../") != NULL || strstr(url, "/./") != NULL)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char out[OKTA_LINK_URL_MAX + 1];
	char *header = malloc(size + 1);
	char *bracketed;
	int rc;

	if (header == NULL)
		return 0;
	memcpy(header, data, size);
	header[size] = '\0';
	rc = okta_link_find_next(header, out, sizeof(out));
	if (rc < -1 || rc > 1)
		abort();
	if (rc == 1) {
		if (memchr(out, '\0', sizeof(out)) == NULL)
			abort();
		bracketed = malloc(strlen(out) + 3);
		if (bracketed == NULL)
			abort();
		bracketed[0] = '<';
		memcpy(bracketed + 1, out, strlen(out));
		memcpy(bracketed + 1 + strlen(out), ">", 2);
		if (strstr(header, bracketed) == NULL)
			abort();
		free(bracketed);
		check_links(out);
	}
	check_links(header);
	free(header);
	return 0;
}
