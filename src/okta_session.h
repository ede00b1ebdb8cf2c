/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The domain types: an Okta session and a user's groups, as the parsers
 * (okta_json.c) fill them and the client, the access policy, the workflow
 * and the check tool read them. Plain data and the functions that free it.
 */
#ifndef OKTA_SESSION_H
#define OKTA_SESSION_H

#include <stddef.h>

/* Limits on the session's amr list: Okta sends a handful of short codes. */
#define OKTA_AMR_MAX 32
#define OKTA_AMR_VALUE_MAX 32

/* Bits of okta_session.malformed: optional fields that were present but of
 * the wrong shape. Only the access policy reads them, and only a rule that
 * needs the field fails on them (so a session is not refused for a field no
 * rule looks at). */
#define OKTA_FIELD_AMR 0x1u
#define OKTA_FIELD_LAST_PASSWORD 0x2u
#define OKTA_FIELD_LAST_FACTOR 0x4u

/* The fields of an Okta Session object this module uses. All are
 * NUL-terminated heap copies or NULL when absent. */
struct okta_session {
	char *id; /* secret: only the PAM environment may see it */
	char *user_id;
	char *login;
	char *status;
	char *expires_at;
	char **amr; /* authentication methods ("pwd", "mfa", ...) */
	size_t amr_count;
	char *last_password_verification;
	char *last_factor_verification;
	unsigned malformed; /* OKTA_FIELD_* bits */
};

/* Wipe the id and free every field; the struct is empty afterwards. */
void okta_session_clear(struct okta_session *session);

/* One of the user's groups, from GET /api/v1/users/{id}/groups. */
struct okta_group {
	char *id;   /* "00g..." */
	char *name; /* profile.name; NULL when Okta sent none */
	char *type; /* "OKTA_GROUP", "APP_GROUP", "BUILT_IN"; NULL when Okta sent none */
};

/* Groups gathered over all pages. */
struct okta_group_list {
	struct okta_group *items;
	size_t count;
	size_t capacity;
};

/* Free the ids, names and types of count groups (not the array itself). */
void okta_groups_free(struct okta_group *groups, size_t count);

/* Free every group; the list is empty afterwards. */
void okta_group_list_clear(struct okta_group_list *list);

#endif
