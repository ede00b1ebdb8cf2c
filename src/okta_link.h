/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Paging of Okta's list endpoints: the `Link: <URL>; rel="next"` response
 * header and the check that decides whether we may follow it. Pure
 * functions, unit-tested on their own.
 */
#ifndef OKTA_LINK_H
#define OKTA_LINK_H

#include <stdbool.h>
#include <stddef.h>

/* Longest next-page URL we follow (Okta's are ~150 bytes). */
#define OKTA_LINK_URL_MAX 2048

/*
 * Find the link with relation "next" in a Link header value (RFC 8288:
 * `<URL>; rel="next", <URL>; rel="self"`; several Link headers are passed
 * joined with ", "). Returns 1 and the URL in out, 0 when there is no next
 * link, -1 when the value is malformed, names two different next links, or
 * the URL does not fit in outlen.
 */
int okta_link_find_next(const char *header_value, char *out, size_t outlen);

/*
 * May the client follow this next-page URL of listUserGroups? Only on the
 * org's own origin (scheme, host and port as in org_url; host compared ASCII
 * case-insensitively), only the path /api/v1/users/{user_id}/groups, and an
 * optional query of plain URL characters (no fragment, no spaces).
 */
bool okta_groups_link_is_allowed(const char *org_url, const char *user_id, const char *url);

/*
 * May the client follow a link of an authentication transaction (next,
 * skip, cancel, a factor's verify)? Only on the org's own origin (as above),
 * only the path /api/v1/authn or below it in plain segments (no "." or "..",
 * no escapes), and an optional query of plain URL characters.
 */
bool okta_authn_link_is_allowed(const char *org_url, const char *url);

#endif
