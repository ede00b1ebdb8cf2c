/*
 * Okta JSON: the request body we send and the responses we accept. Pure
 * functions over bytes (no I/O, no globals) so that they can be unit-tested
 * and fuzzed on their own.
 */
#ifndef OKTA_JSON_H
#define OKTA_JSON_H

#include <stddef.h>

/* Nesting deeper than this is refused: Okta's sessions are 4 levels deep. */
#define OKTA_JSON_MAX_DEPTH 16

/* The fields of an Okta Session object this module uses. All are
 * NUL-terminated heap copies or NULL when absent. */
struct okta_session {
	char *id;         /* secret: only the PAM environment may see it */
	char *user_id;
	char *login;
	char *status;
	char *expires_at;
};

enum okta_parse_result {
	OKTA_PARSE_OK = 0,
	OKTA_PARSE_NOT_JSON,      /* syntax, encoding, depth or trailing bytes */
	OKTA_PARSE_NOT_OBJECT,    /* valid JSON, but not an object */
	OKTA_PARSE_BAD_FIELD,     /* a field this module needs is missing or not a string */
	OKTA_PARSE_NO_MEMORY,
};

/*
 * Parse a Session object. id, userId, login and status are required strings;
 * expiresAt is optional here (the caller decides whether it needs it) but
 * must be a string when present. On failure *out is left empty.
 */
enum okta_parse_result okta_parse_session(const char *body, size_t len,
					  struct okta_session *out);

/* Wipe the id and free every field; the struct is empty afterwards. */
void okta_session_clear(struct okta_session *session);

/* A short English phrase for logs. */
const char *okta_parse_result_str(enum okta_parse_result result);

/*
 * Okta's error body {"errorCode","errorSummary","errorId",...}. Best effort:
 * fields that are missing or not strings are left empty. Values are cut to
 * size and anything but printable ASCII is replaced by '?', so that they are
 * safe to put in a log line.
 */
struct okta_error {
	char code[16];
	char summary[160];
	char id[48];
};

void okta_parse_error(const char *body, size_t len, struct okta_error *out);

/*
 * {"sessionToken": "<token>"} with JSON escaping done by json-c. Returns a
 * heap copy (the caller wipes and frees it) and its length, or NULL when out
 * of memory. json-c's own copies of the token are wiped before returning.
 */
char *okta_build_create_body(const char *session_token, size_t *len_out);

#endif
