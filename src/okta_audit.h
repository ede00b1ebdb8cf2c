/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The audit line: one syslog line per login outcome (and per session open
 * and close the module acted on), made for a SIEM. A fixed prefix, then
 * key=value fields, always all of them, always in this order:
 *
 *   audit: event=auth outcome=refused service=sshd user=alice rhost=192.0.2.1
 *   okta_login=bob@example.com okta_user_id=00u1 reason=wrong_user
 *   okta_error_id=- okta_session_tail=abcd invoking_user=-
 *
 * invoking_user (the last, added for W8) is the local user the Okta session
 * was verified for when the login runs as another account: sudo's invoking
 * user, while user is sudo's target (root).
 *
 * Pure formatting (no libpam, no I/O), so that it can be unit-tested for
 * injection: every value that comes from the user or from Okta is quoted
 * and escaped when it is not a plain word, so that it can never start a
 * second field or a second line. Nothing secret is ever a field: of the
 * session id, only its last characters (okta_audit_note_session).
 */
#ifndef OKTA_AUDIT_H
#define OKTA_AUDIT_H

#include <stddef.h>

#include "okta_session.h"

#define OKTA_AUDIT_PREFIX "audit: "
/* Longest value (in bytes, before escaping) a field shows; longer values
 * are cut and end in "..." inside quotes. */
#define OKTA_AUDIT_VALUE_MAX 128
#define OKTA_AUDIT_REASON_MAX 40
#define OKTA_AUDIT_ERROR_ID_MAX 48
/* At most this many characters of the session id, and at most a quarter
 * of it (a short id would otherwise be mostly shown). */
#define OKTA_AUDIT_SESSION_TAIL 4
/* Enough for every field at its longest, fully escaped (4 bytes a byte):
 * about 3.7 KB, so that no value, however hostile, can make the line too
 * long to be written (tests/unit/test_audit.c checks it). */
#define OKTA_AUDIT_LINE_MAX 4096

enum okta_audit_event {
	OKTA_AUDIT_AUTH,          /* pam_sm_authenticate */
	OKTA_AUDIT_SESSION_OPEN,  /* pam_sm_open_session */
	OKTA_AUDIT_SESSION_CLOSE, /* pam_sm_close_session */
	OKTA_AUDIT_WATCH,         /* pam_okta_sessiond, or the module registering with it */
};

enum okta_audit_outcome {
	OKTA_AUDIT_SUCCESS,     /* PAM_SUCCESS */
	OKTA_AUDIT_REFUSED,     /* the user's credential or Okta's policy said no */
	OKTA_AUDIT_UNAVAILABLE, /* Okta could not be asked (PAM_AUTHINFO_UNAVAIL) */
	OKTA_AUDIT_ERROR,       /* configuration, memory, conversation, ... */
	/* event=watch only: */
	OKTA_AUDIT_REVOKED, /* Okta ended the session (404 before expiresAt, not ACTIVE, another user) */
	OKTA_AUDIT_EXPIRED,    /* Okta's session expired (404 after expiresAt) */
	OKTA_AUDIT_TERMINATED, /* the host login was ended */
	OKTA_AUDIT_KEPT_ALIVE, /* the session was refreshed for a login in use */
	OKTA_AUDIT_UNWATCHED,  /* a login is not (or no longer) watched */
};

/*
 * What the Okta side of one attempt learned, filled as the attempt goes
 * (by the workflow, the sign-in and the glue). Strings are raw copies,
 * cut to size; escaping happens when the line is made. "" is unknown.
 */
struct okta_audit_facts {
	char reason[OKTA_AUDIT_REASON_MAX]; /* the first cause noted */
	/* The session's Okta login (one byte more: a longer one shows as cut). */
	char login[OKTA_AUDIT_VALUE_MAX + 2];
	char user_id[OKTA_AUDIT_VALUE_MAX + 2]; /* the session's Okta userId */
	char error_id[OKTA_AUDIT_ERROR_ID_MAX]; /* Okta's errorId of the failed call */
	char session_tail[OKTA_AUDIT_SESSION_TAIL + 1];
};

struct okta_audit_record {
	enum okta_audit_event event;
	enum okta_audit_outcome outcome;
	const char *service; /* PAM_SERVICE, NULL when unknown */
	const char *user;    /* PAM_USER */
	const char *rhost;   /* PAM_RHOST */
	const struct okta_audit_facts *facts;
	const char *invoking_user; /* NULL when it is user (see above) */
};

/* The line (prefix included) into out; returns its length, or 0 when
 * outlen is too small (out is then ""). */
size_t okta_audit_format(const struct okta_audit_record *rec, char *out, size_t outlen);

/* Note a reason token unless one is already noted: the first cause of a
 * failure is the one that counts (a revoke that follows does not). */
void okta_audit_note_reason(struct okta_audit_facts *facts, const char *reason);

/* Note the session's login, userId and the tail of its id (NULL-safe). */
void okta_audit_note_session(struct okta_audit_facts *facts, const struct okta_session *session);

/* Note the tail of a session id: at most OKTA_AUDIT_SESSION_TAIL
 * characters, and at most a quarter of the id. */
void okta_audit_note_session_tail(struct okta_audit_facts *facts, const char *session_id);

/* Note Okta's errorId unless one is already noted ("" and NULL ignored). */
void okta_audit_note_error_id(struct okta_audit_facts *facts, const char *error_id);

#endif
