/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_validate.h"
#include "okta_text.h"

#include <string.h>

static bool is_id_char(char c)
{
	return okta_ascii_is_alnum(c) || c == '_' || c == '-';
}

/* No upper case: see okta_pam_user_is_valid(). */
static bool is_user_char(char c)
{
	return okta_ascii_is_digit(c) || (c >= 'a' && c <= 'z') || c == '_' || c == '-' || c == '.';
}

static bool is_timestamp_char(char c)
{
	return c != '\0' && strchr("0123456789TZ:.+-", c) != NULL;
}

/* 1..max bytes, each one is_ok accepts. */
static bool all_chars(const char *s, size_t max, bool (*is_ok)(char))
{
	size_t n;

	if (s == NULL)
		return false;
	for (n = 0; s[n] != '\0'; n++) {
		if (n >= max || !is_ok(s[n]))
			return false;
	}
	return n > 0;
}

bool okta_session_token_is_acceptable(const char *token)
{
	return all_chars(token, OKTA_SESSION_TOKEN_MAX, okta_ascii_is_printable);
}

bool okta_session_id_is_valid(const char *id)
{
	return all_chars(id, OKTA_SESSION_ID_MAX, is_id_char);
}

bool okta_user_id_is_valid(const char *user_id)
{
	return all_chars(user_id, OKTA_USER_ID_MAX, is_id_char);
}

bool okta_pam_user_is_valid(const char *user)
{
	size_t n;

	if (user == NULL || user[0] == '\0' || user[0] == '-')
		return false;
	for (n = 0; user[n] != '\0'; n++) {
		if (n >= OKTA_PAM_USER_MAX)
			return false;
		if (is_user_char(user[n]))
			continue;
		if (user[n] == '$' && n > 0 && user[n + 1] == '\0')
			continue;
		return false;
	}
	return true;
}

bool okta_timestamp_is_valid(const char *stamp)
{
	return all_chars(stamp, OKTA_TIMESTAMP_MAX, is_timestamp_char);
}

bool okta_login_matches_user(const char *login, const char *user, const char *suffix)
{
	size_t user_len;
	size_t suffix_len;

	/* A plain lower-case name: Okta compares logins case-insensitively,
	 * so folding the login's local part is what makes one Okta login reach
	 * exactly one local account ('alice', never 'ALICE' or 'Alice'). */
	if (login == NULL || !okta_pam_user_is_valid(user) || suffix == NULL)
		return false;
	user_len = strlen(user);
	suffix_len = strlen(suffix);
	if (strlen(login) != user_len + suffix_len)
		return false;
	return okta_ascii_equal_nocase(login, user, user_len) &&
	       okta_ascii_equal_nocase(login + user_len, suffix, suffix_len);
}
