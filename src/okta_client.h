/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The Okta Sessions API over libcurl. One client owns one curl handle, so
 * consecutive calls reuse one TCP connection and one TLS session. Every call
 * runs under the deadline set by okta_client_begin() and logs its own
 * failure (one line, secrets redacted).
 */
#ifndef OKTA_CLIENT_H
#define OKTA_CLIENT_H

#include "okta_config.h"
#include "okta_json.h"
#include "okta_log.h"
#include "okta_session.h"

#define OKTA_RESPONSE_MAX (1024 * 1024)

enum okta_status {
	OKTA_STATUS_OK = 0,
	OKTA_STATUS_REJECTED,    /* the credential or session is no good: the user's fault */
	OKTA_STATUS_NOT_FOUND,   /* the session is unknown, expired or revoked */
	OKTA_STATUS_UNAVAILABLE, /* network, TLS, deadline, 429, 5xx, API token, unusable answer */
};

struct okta_client;

/* NULL when out of memory or libcurl cannot be set up (logged). */
struct okta_client *okta_client_new(const struct okta_config *cfg,
				    const struct okta_logger *logger);
void okta_client_free(struct okta_client *client);

/*
 * Start one PAM call's worth of work: every request until the next begin
 * shares a budget of timeout_seconds of HTTP time, and logs through logger.
 * Each exchange (connect, TLS, request, answer, a retry and its wait) is
 * charged the time it takes; the time between requests (the user typing a
 * passcode, the push wait, which have mfa_timeout) is not.
 */
void okta_client_begin(struct okta_client *client, const struct okta_logger *logger,
		       long timeout_seconds);

/*
 * Make sure at least budget_ms of the call's budget remain, adding to it
 * only when less is left: clean-up that must happen even after the budget
 * is spent (revoking a session that will not be handed out) gets a small
 * budget of its own.
 */
void okta_client_extend_deadline(struct okta_client *client, long budget_ms);

/* POST /api/v1/sessions. On success *out holds a session whose id and
 * userId have been checked (status is the caller's business). */
enum okta_status okta_create_session(struct okta_client *client, const char *session_token,
				     struct okta_session *out);

/* POST /api/v1/sessions/{id}/lifecycle/refresh; on success *out has an
 * expiresAt and the same id. */
enum okta_status okta_refresh_session(struct okta_client *client, const char *session_id,
				      struct okta_session *out);

/* GET /api/v1/sessions/{id}. */
enum okta_status okta_get_session(struct okta_client *client, const char *session_id,
				  struct okta_session *out);

/* DELETE /api/v1/sessions/{id}: OK on 204, NOT_FOUND on 404. */
enum okta_status okta_revoke_session(struct okta_client *client, const char *session_id);

/* listUserGroups paging: at most this many pages of this many groups. */
#define OKTA_GROUPS_PAGE_LIMIT 200
#define OKTA_GROUPS_PAGES_MAX 50

/*
 * GET /api/v1/users/{user_id}/groups?limit=200, then every page its
 * `Link: <...>; rel="next"` header names, on the same connection and under
 * the same deadline. A next link is followed only when it stays on org_url's
 * origin and this user's groups path (okta_groups_link_is_allowed).
 * OK: *out holds the complete list. NOT_FOUND: Okta does not know the user
 * (404, on any page). UNAVAILABLE: anything else, including a foreign next
 * link and more than OKTA_GROUPS_PAGES_MAX pages (logged). On failure *out
 * is empty.
 */
enum okta_status okta_list_user_groups(struct okta_client *client, const char *user_id,
				       struct okta_group_list *out);

/* The logger set by the last okta_client_begin(). */
const struct okta_logger *okta_client_logger(const struct okta_client *client);

/*
 * What the last request of this client got back, for callers that must tell
 * failures apart beyond enum okta_status (the admin check tool's probe).
 * http_status is 0 when no HTTP answer came (network, TLS, deadline);
 * error_code and error_id are Okta's errorCode and errorId of a failed
 * call, "" when there was none (the errorId goes into the audit line).
 * Reset when a request starts.
 */
struct okta_call_result {
	long http_status;
	/* X-Rate-Limit-Limit and -Remaining of the last HTTP answer (-1: not
	 * sent), -Reset in epoch seconds (0: not sent): the session watch
	 * paces itself by them. */
	long long rate_limit_limit;
	long long rate_limit_remaining;
	long long rate_limit_reset;
	char error_code[16];
	char error_id[48];
};

const struct okta_call_result *okta_client_last_result(const struct okta_client *client);

/* ------------------------------------------------ Authentication API (authn) */

/* Which authn request is made: for log lines and the retry policy. */
enum okta_authn_call {
	OKTA_AUTHN_PRIMARY, /* POST /api/v1/authn (username, password) */
	OKTA_AUTHN_VERIFY,  /* a factor's verify link (sends a push, or checks a passcode) */
	OKTA_AUTHN_POLL,    /* a push challenge's next (poll) link */
	OKTA_AUTHN_SKIP,    /* PASSWORD_WARN's skip link */
	OKTA_AUTHN_CANCEL,  /* the cancel link */
};

/* What an authn request got back. body is NUL-terminated and may hold a
 * state or session token: okta_authn_reply_clear() wipes it. */
struct okta_authn_reply {
	long http_status;
	char *body;
	size_t len;
	long long rate_limit_reset; /* X-Rate-Limit-Reset (epoch seconds), 0 if none */
	struct okta_error error;    /* Okta's error body, for a status other than 200 */
};

/*
 * POST body to an authn URL on this client's connection: url NULL means
 * org_url + /api/v1/authn (primary authentication); any other url is a link
 * from an earlier answer and is sent only when okta_authn_link_is_allowed()
 * accepts it. forwarded_for, when not NULL, is sent as X-Forwarded-For and
 * must be an IP address's text (hex digits, '.' and ':' only). With
 * timeout_ms OKTA_AUTHN_CALL_BUDGET the exchange runs on what is left of the
 * PAM call's budget (okta_client_begin) and is charged to it; with
 * timeout_ms > 0 it has that much of its own and is not charged (the push
 * wait's polls, the cancel of an abandoned transaction). Either way it may
 * be retried once within its time (see retry_delay_ms: primary and verify
 * only when Okta cannot have seen them).
 * OK: an HTTP answer arrived, whatever its status (reply filled).
 * UNAVAILABLE: nothing usable came back, or the link was refused (logged).
 */
enum okta_status okta_authn_post(struct okta_client *client, enum okta_authn_call call,
				 const char *url, const char *body, size_t body_len,
				 const char *forwarded_for, long timeout_ms,
				 struct okta_authn_reply *reply);

#define OKTA_AUTHN_CALL_BUDGET 0L

void okta_authn_reply_clear(struct okta_authn_reply *reply);

/* The name of an authn request in log lines ("primaryAuthentication", ...). */
const char *okta_authn_call_name(enum okta_authn_call call);

#endif
