/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Checks on every value that crosses a trust boundary: what the user typed,
 * what another PAM module left in the environment, what Okta answered.
 * Pure functions, unit-tested on their own.
 */
#ifndef OKTA_VALIDATE_H
#define OKTA_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

#define OKTA_SESSION_TOKEN_MAX 4096
#define OKTA_SESSION_ID_MAX 128
#define OKTA_USER_ID_MAX 64
#define OKTA_PAM_USER_MAX 128
#define OKTA_TIMESTAMP_MAX 64

/* 1..4096 bytes of printable ASCII (space to '~'): Okta's tokens are
 * base64url text, so anything else is a typo or an attack. */
bool okta_session_token_is_acceptable(const char *token);

/* 1..128 of [A-Za-z0-9_-]: safe to place in a URL path. */
bool okta_session_id_is_valid(const char *id);

/* 1..64 of [A-Za-z0-9_-] (Okta's "00u..." ids). */
bool okta_user_id_is_valid(const char *user_id);

/* A local account name we are willing to bind to an Okta login:
 * 1..128 of [a-z0-9._-] plus an optional trailing '$', not starting
 * with '-'. Anything else ('@', '/', '%', control characters) is refused
 * before any request, because it could make another Okta login match; an
 * upper-case letter because Okta logins are case-insensitive, so 'ALICE'
 * would be a second local account for the login alice@... */
bool okta_pam_user_is_valid(const char *user);

/* An ISO-8601 timestamp as Okta writes them: [0-9TZ:.+-], 1..64 chars. */
bool okta_timestamp_is_valid(const char *stamp);

/* Is Okta's login user + suffix, ASCII case-insensitively, for a user that
 * okta_pam_user_is_valid() accepts (lower case)? So the PAM user must be
 * the login's part before the suffix with A-Z folded to a-z, and one Okta
 * login binds to exactly one local account. */
bool okta_login_matches_user(const char *login, const char *user, const char *suffix);

#endif
