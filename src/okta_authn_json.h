/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Okta's Authentication API (/api/v1/authn, "Classic"): the request bodies we
 * send and the authentication transactions Okta answers. Pure functions over
 * bytes (no libcurl, no libpam, no globals) so that they can be unit-tested
 * and fuzzed on their own.
 */
#ifndef OKTA_AUTHN_JSON_H
#define OKTA_AUTHN_JSON_H

#include <stddef.h>

#include "okta_json.h"

/* Limits on what we keep of a transaction; more is refused as malformed. */
#define OKTA_AUTHN_FACTORS_MAX 32
#define OKTA_AUTHN_TEXT_MAX 64       /* status, factorType, provider, factorResult */
#define OKTA_AUTHN_ID_MAX 64         /* factor ids ("opf...", "ost...") */
#define OKTA_AUTHN_URL_MAX 2048      /* a link's href (okta_link.h OKTA_LINK_URL_MAX) */
#define OKTA_AUTHN_TOKEN_MAX 4096    /* stateToken, sessionToken */
#define OKTA_AUTHN_ANSWER_MAX 999999 /* correctAnswer: Okta shows 2 digits */

/* The transaction states this module acts on (status). */
enum okta_authn_state {
	OKTA_AUTHN_OTHER = 0, /* a state we do not handle (UNAUTHENTICATED, RECOVERY...) */
	OKTA_AUTHN_SUCCESS,
	OKTA_AUTHN_MFA_REQUIRED,
	OKTA_AUTHN_MFA_CHALLENGE,
	OKTA_AUTHN_PASSWORD_WARN,
	OKTA_AUTHN_PASSWORD_EXPIRED,
	OKTA_AUTHN_LOCKED_OUT,
	OKTA_AUTHN_MFA_ENROLL,
	OKTA_AUTHN_MFA_ENROLL_ACTIVATE,
};

/* factorResult of an MFA_CHALLENGE. */
enum okta_factor_result {
	OKTA_FACTOR_RESULT_NONE = 0, /* absent */
	OKTA_FACTOR_RESULT_WAITING,
	OKTA_FACTOR_RESULT_REJECTED,
	OKTA_FACTOR_RESULT_TIMEOUT,
	OKTA_FACTOR_RESULT_CANCELLED, /* "canceled by the user" */
	OKTA_FACTOR_RESULT_PASSCODE_REPLAYED,
	OKTA_FACTOR_RESULT_TIME_WINDOW_EXCEEDED,
	OKTA_FACTOR_RESULT_OTHER,
};

/* One enrolled factor of _embedded.factors. */
struct okta_authn_factor {
	char *id;
	char *type;        /* factorType: "push", "token:software:totp", ... */
	char *provider;    /* "OKTA", "GOOGLE", ...; NULL when absent */
	char *verify_href; /* _links.verify.href; NULL when absent */
};

/* The fields of an authentication transaction this module uses. Strings are
 * NUL-terminated heap copies, NULL when absent. */
struct okta_authn {
	enum okta_authn_state state;
	char status[OKTA_AUTHN_TEXT_MAX]; /* status as sent, printable, for log lines */
	char *state_token;                /* secret */
	char *session_token;              /* secret */
	char *next_href;                  /* _links.next.href (the poll link of a challenge) */
	char *skip_href;
	char *cancel_href;
	enum okta_factor_result factor_result;
	long correct_answer; /* _embedded.factor._embedded.challenge.correctAnswer, or -1 */
	struct okta_authn_factor *factors;
	size_t factor_count;
};

/*
 * Parse a 200 answer of /api/v1/authn or one of its links. Required: a JSON
 * object with a string status of printable ASCII. Read in every state, and
 * refused (OKTA_PARSE_BAD_FIELD) when present in another shape or over the
 * limits above: stateToken and _links.cancel.href. Read only in the states
 * that use them, under the same rules: sessionToken (SUCCESS),
 * _embedded.factors (MFA_REQUIRED: an array of objects with a string id;
 * factorType, provider and _links.verify.href strings when present),
 * _links.next.href, factorResult and correctAnswer (MFA_CHALLENGE; an
 * integer 0..OKTA_AUTHN_ANSWER_MAX in _embedded.factor, or in
 * _embedded.factors where the reference's push examples put it), _links.skip.href
 * (PASSWORD_WARN). Whatever else an answer holds is ignored, so that
 * MFA_ENROLL's factors to set up (no id) or MFA_ENROLL_ACTIVATE's
 * activation data never make it unreadable. _embedded and _links must be
 * objects when present. Every string of json-c's tree is wiped. A key
 * named twice in any object is refused (OKTA_PARSE_DUPLICATE_KEY). On
 * failure *out is left empty.
 */
enum okta_parse_result okta_parse_authn(const char *body, size_t len, struct okta_authn *out);

/* Wipe a NUL-terminated secret (a token, a passcode) and free it; NULL is
 * fine. */
void okta_secret_free(char *secret);

/* Wipe the tokens and free everything; the struct is empty afterwards. */
void okta_authn_clear(struct okta_authn *authn);

/* A factor by type (and provider, when not NULL, ASCII case-insensitively)
 * that has a verify link; NULL when there is none. */
const struct okta_authn_factor *okta_authn_find_factor(const struct okta_authn *authn,
						       const char *type, const char *provider);

/*
 * Request bodies, built with json-c (escaping done there). Each returns a
 * heap copy (the caller wipes and frees it) and its length, or NULL when out
 * of memory; json-c's own copies of the secrets are wiped before returning.
 * Primary authentication:
 *   {"username", "password", "options": {"warnBeforePasswordExpired": true,
 *    "multiOptionalFactorEnroll": false}}
 * Any later step: {"stateToken"}, plus "passCode" when passcode is not NULL.
 */
char *okta_authn_primary_body(const char *username, const char *password, size_t *len_out);
char *okta_authn_state_body(const char *state_token, const char *passcode, size_t *len_out);

#endif
