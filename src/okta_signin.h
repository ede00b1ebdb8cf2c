/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * sign_in = password: Okta's Authentication API (/api/v1/authn) run from the
 * module. Primary authentication with the user's Okta password, then the
 * transaction's states (skip a password warning, MFA by Okta Verify push or
 * a TOTP passcode) until Okta hands out a one-time session token, which the
 * caller gives to okta_workflow_authenticate(). Every request goes on the
 * client's one connection. Nothing here touches libpam: the caller supplies
 * the conversation through struct okta_signin_io.
 */
#ifndef OKTA_SIGNIN_H
#define OKTA_SIGNIN_H

#include <stdbool.h>

#include "okta_client.h"
#include "okta_config.h"

/* The seconds between two polls of a push challenge. */
#define OKTA_SIGNIN_POLL_INTERVAL_MS 2000
/* At most this many transaction steps (answers) in one sign-in: a server
 * that keeps answering new states cannot keep us going. */
#define OKTA_SIGNIN_STEPS_MAX 8

#define OKTA_SIGNIN_REASON_MAX (OKTA_ERROR_DESCRIBED_MAX + 256)

/* Every refusal (REJECTED) ends no sooner than this after okta_signin()
 * began, whether or not a request was sent: a name with no local account,
 * an empty or placeholder password and Okta's 401 for a wrong password all
 * take the same time, so timing does not tell which names have an account
 * (as long as Okta answers within it). */
#define OKTA_SIGNIN_REFUSAL_FLOOR_MS 1000

/* What sshd answers in place of the user's text for a login it will
 * refuse (no such user, not in AllowUsers, root where PermitRootLogin
 * forbids passwords): this pattern repeated or cut to the length of what
 * was typed (OpenSSH's fake_password()). Okta would count it as a failed
 * sign-in. */
#define OKTA_SIGNIN_SSHD_PLACEHOLDER "\b\n\r\177INCORRECT"

/* Prompts, exactly as the user sees them. */
#define OKTA_SIGNIN_MFA_PROMPT "Okta Verify push: press Enter, or type a passcode: "
#define OKTA_SIGNIN_PASSCODE_PROMPT "Okta passcode: "
#define OKTA_SIGNIN_PUSH_SENT "Okta Verify: push sent, waiting for approval"
/* printf format with the number to tap */
#define OKTA_SIGNIN_NUMBER_PROMPT "Okta Verify: tap %ld on your phone, then press Enter: "

/*
 * The conversation. prompt returns 0 and a heap answer (the caller wipes
 * and frees it) or -1 when the conversation failed. info shows a line.
 */
struct okta_signin_io {
	void *ctx;
	int (*prompt)(void *ctx, bool echo, const char *text, char **answer);
	void (*info)(void *ctx, const char *text);
	/* Optional (NULL in the module): each answer of the transaction, as
	 * the request's name and Okta's status ("MFA_CHALLENGE WAITING"); the
	 * check tool prints them as per-step verdicts. */
	void (*progress)(void *ctx, const char *request, const char *status);
};

struct okta_signin_request {
	const char *user;          /* the PAM user; the Okta username adds login_suffix */
	const char *password;      /* secret */
	const char *forwarded_for; /* NULL, or the client's IP address */
	/* The PAM user has no local account (the caller asked NSS): refused
	 * with no request. */
	bool no_local_account;
};

/*
 * How a sign-in ended. status: OK (session_token set), REJECTED (the
 * user's fault or Okta's refusal: PAM_AUTH_ERR), UNAVAILABLE (Okta
 * unreachable, 5xx, rate-limited past the deadline, an answer we cannot
 * use: PAM_AUTHINFO_UNAVAIL). reason: a short phrase for the one log line
 * (no secret). user_message: the short line for the person at the prompt.
 * conversation_failed: the prompt could not be shown or answered.
 */
struct okta_signin_outcome {
	enum okta_status status;
	char *session_token; /* secret: okta_signin_outcome_clear() wipes it */
	char reason[OKTA_SIGNIN_REASON_MAX];
	const char *user_message;
	bool conversation_failed;
	bool cancel_sent; /* the transaction was cancelled at Okta */
	/* For the audit line: a short token saying why a REJECTED sign-in
	 * was refused ("wrong_password", "push_rejected", ...; NULL
	 * otherwise), and Okta's errorId of an HTTP error ("" if none). */
	const char *audit_reason;
	char error_id[48];
};

/* Run the sign-in on a client the caller has begun (okta_client_begin with
 * cfg->timeout): the primary authentication, the verify and the skip share
 * that budget with the workflow that follows; each poll has at most timeout
 * and ends with the push wait (mfa_timeout), the cancel at most 3 s. cfg:
 * login_suffix, timeout, mfa, mfa_timeout. */
void okta_signin(struct okta_client *client, const struct okta_config *cfg,
		 const struct okta_signin_request *req, const struct okta_signin_io *io,
		 struct okta_signin_outcome *out);

void okta_signin_outcome_clear(struct okta_signin_outcome *out);

/* Is text an IPv4 or IPv6 address (what X-Forwarded-For may carry)? */
bool okta_signin_is_ip_address(const char *text);

#endif
