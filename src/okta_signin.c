/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_signin.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "okta_authn_json.h"
#include "okta_client.h"
#include "okta_config.h"
#include "okta_json.h"
#include "okta_text.h"
#include "okta_validate.h"

/* What the person at the prompt reads: short, and no help to an attacker
 * (a wrong passcode reads like a wrong password). */
#define MSG_FAILED "Okta: sign-in failed"
#define MSG_UNAVAILABLE "Okta: no answer from Okta, try again later"
#define MSG_PUSH_REJECTED "Okta: push rejected"
#define MSG_PUSH_TIMEOUT "Okta: push not approved in time"
#define MSG_EXPIRED "Okta: your password has expired; change it in Okta, then log in again"
#define MSG_LOCKED "Okta: your Okta account is locked; unlock it in Okta or ask your administrator"
#define MSG_ENROLL "Okta: set up Okta Verify in Okta first, then log in again"
#define MSG_EXPIRED_TX "Okta: the sign-in took too long; log in again"
#define MSG_NO_FACTOR \
	"Okta: no Okta Verify push or passcode factor is set up; ask your administrator"

/* A cancel is a courtesy to Okta: it never waits longer than this. */
#define CANCEL_TIMEOUT_MS 3000
#define PASSCODE_DIGITS_MAX 10

struct signin {
	struct okta_client *client;
	const struct okta_config *cfg;
	const struct okta_signin_request *req;
	const struct okta_signin_io *io;
	struct okta_signin_outcome *out;
	struct okta_authn tx; /* the transaction as Okta last described it */
	bool done;
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void pause_ms(long long ms)
{
	struct timespec ts = { .tv_sec = (time_t)(ms / 1000),
			       .tv_nsec = (long)(ms % 1000) * 1000000L };

	while (ms > 0 && nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void vfinish(struct signin *s, enum okta_status status, const char *audit_reason,
		    const char *user_message, const char *reason_fmt, va_list ap)
{
	if (s->done)
		return;
	s->done = true;
	s->out->status = status;
	s->out->audit_reason = audit_reason;
	s->out->user_message = user_message;
	vsnprintf(s->out->reason, sizeof(s->out->reason), reason_fmt, ap);
}

/* End the sign-in (the first call wins). */
static void finish(struct signin *s, enum okta_status status, const char *user_message,
		   const char *reason_fmt, ...) __attribute__((format(printf, 4, 5)));

static void finish(struct signin *s, enum okta_status status, const char *user_message,
		   const char *reason_fmt, ...)
{
	va_list ap;

	va_start(ap, reason_fmt);
	vfinish(s, status, NULL, user_message, reason_fmt, ap);
	va_end(ap);
}

/* End the sign-in with a refusal (REJECTED) and its audit reason token. */
static void refuse(struct signin *s, const char *audit_reason, const char *user_message,
		   const char *reason_fmt, ...) __attribute__((format(printf, 4, 5)));

static void refuse(struct signin *s, const char *audit_reason, const char *user_message,
		   const char *reason_fmt, ...)
{
	va_list ap;

	va_start(ap, reason_fmt);
	vfinish(s, OKTA_STATUS_REJECTED, audit_reason, user_message, reason_fmt, ap);
	va_end(ap);
}

/* The longest one poll or the cancel may take: they have budgets of their
 * own (the push wait's, the clean-up's); every other request shares the PAM
 * call's `timeout` (OKTA_AUTHN_CALL_BUDGET). */
static long request_timeout_ms(const struct signin *s)
{
	return s->cfg->timeout * 1000;
}

/* The primary authentication body for the Okta username: the PAM user
 * followed by login_suffix. */
static char *primary_body(const struct signin *s, size_t *len)
{
	const char *suffix = s->cfg->login_suffix != NULL ? s->cfg->login_suffix : "";
	size_t size = strlen(s->req->user) + strlen(suffix) + 1;
	char *username = malloc(size);
	char *body;

	if (username == NULL)
		return NULL;
	snprintf(username, size, "%s%s", s->req->user, suffix);
	body = okta_authn_primary_body(username, s->req->password, len);
	free(username);
	return body;
}

/* POST {"stateToken"[, "passCode"]} (or the primary body when state_token
 * is NULL) to url. The body is wiped at once. */
static enum okta_status post(struct signin *s, enum okta_authn_call call, const char *url,
			     const char *passcode, long timeout_ms, struct okta_authn_reply *reply)
{
	enum okta_status status;
	size_t len = 0;
	char *body;

	if (call == OKTA_AUTHN_PRIMARY)
		body = primary_body(s, &len);
	else
		body = okta_authn_state_body(s->tx.state_token != NULL ? s->tx.state_token : "",
					     passcode, &len);
	if (body == NULL) {
		memset(reply, 0, sizeof(*reply));
		return OKTA_STATUS_UNAVAILABLE;
	}
	status = okta_authn_post(s->client, call, url, body, len, s->req->forwarded_for, timeout_ms,
				 reply);
	explicit_bzero(body, len);
	free(body);
	return status;
}

/* The HTTP errors that are Okta's refusal of what the user typed or how
 * long they took (Okta's error list, the reference's expired state token),
 * not an outage: read as an outage, a fail-open stack would let the local
 * password alone in, and whoever knows the Okta password could get there
 * with a used code, wrong codes up to the factor lock, or by waiting at
 * the MFA prompt (su and sudo wait) until the transaction expires. */
static const struct {
	enum okta_authn_call call;
	long http_status;
	const char *code;
	const char *audit_reason;
	const char *user_message;
	const char *what;
} user_errors[] = {
	{ OKTA_AUTHN_PRIMARY, 401, "E0000004", "wrong_password", MSG_FAILED,
	  "wrong username or password" },
	{ OKTA_AUTHN_PRIMARY, 401, "E0000064", "password_expired", MSG_EXPIRED,
	  "password expired" },
	{ OKTA_AUTHN_PRIMARY, 403, "E0000259", "wrong_password", MSG_FAILED,
	  "password must be reset (breached credential)" },
	{ OKTA_AUTHN_VERIFY, 403, "E0000068", "wrong_passcode", MSG_FAILED, "wrong passcode" },
	{ OKTA_AUTHN_VERIFY, 403, "E0000082", "wrong_passcode", MSG_FAILED,
	  "passcode used before" },
	{ OKTA_AUTHN_VERIFY, 403, "E0000083", "wrong_passcode", MSG_FAILED,
	  "passcode outside its time window" },
	{ OKTA_AUTHN_VERIFY, 403, "E0000069", "locked_out", MSG_LOCKED,
	  "MFA locked after failed attempts" },
	{ OKTA_AUTHN_VERIFY, 401, "E0000011", "transaction_expired", MSG_EXPIRED_TX,
	  "transaction expired" },
	{ OKTA_AUTHN_POLL, 401, "E0000011", "transaction_expired", MSG_EXPIRED_TX,
	  "transaction expired" },
};

/* A refusal Okta gave with an HTTP error: which ones are the user's. Okta's
 * texts are quoted and escaped (okta_text_quote): they end in a log line. */
static void read_error(struct signin *s, enum okta_authn_call call,
		       const struct okta_authn_reply *reply)
{
	const char *name = okta_authn_call_name(call);
	const struct okta_error *err = &reply->error;
	char described[OKTA_ERROR_DESCRIBED_MAX];
	char id[OKTA_TEXT_QUOTED_SIZE(sizeof(err->id))];
	size_t i;

	okta_text_quote(err->id, sizeof(err->id), id, sizeof(id));
	snprintf(s->out->error_id, sizeof(s->out->error_id), "%s", err->id);
	for (i = 0; i < sizeof(user_errors) / sizeof(user_errors[0]); i++) {
		if (call == user_errors[i].call &&
		    reply->http_status == user_errors[i].http_status &&
		    strcmp(err->code, user_errors[i].code) == 0) {
			refuse(s, user_errors[i].audit_reason, user_errors[i].user_message,
			       "%s (%s: HTTP %ld %s, errorId=%s)", user_errors[i].what, name,
			       reply->http_status, user_errors[i].code, id);
			return;
		}
	}
	finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE, "%s: HTTP %ld%s, %s", name,
	       reply->http_status, reply->http_status == 429 ? " (rate limited)" : "",
	       okta_error_describe(err, described, sizeof(described)));
}

/* The transaction's status as Okta sent it, quoted for a log line. */
static const char *shown_status(const struct signin *s, char *out, size_t outlen)
{
	okta_text_quote(s->tx.status, OKTA_AUTHN_TEXT_MAX, out, outlen);
	return out;
}

/* The factorResult of the transaction, for a line ("" when absent). */
static const char *factor_result_name(const struct signin *s)
{
	static const char *const names[] = {
		[OKTA_FACTOR_RESULT_NONE] = "",
		[OKTA_FACTOR_RESULT_WAITING] = "WAITING",
		[OKTA_FACTOR_RESULT_REJECTED] = "REJECTED",
		[OKTA_FACTOR_RESULT_TIMEOUT] = "TIMEOUT",
		[OKTA_FACTOR_RESULT_CANCELLED] = "CANCELLED",
		[OKTA_FACTOR_RESULT_PASSCODE_REPLAYED] = "PASSCODE_REPLAYED",
		[OKTA_FACTOR_RESULT_TIME_WINDOW_EXCEEDED] = "TIME_WINDOW_EXCEEDED",
		[OKTA_FACTOR_RESULT_OTHER] = "(another factorResult)",
	};

	return names[s->tx.factor_result];
}

static void report_progress(const struct signin *s, enum okta_authn_call call)
{
	char shown[OKTA_TEXT_QUOTED_SIZE(OKTA_AUTHN_TEXT_MAX)];
	char status[sizeof(shown) + 32];

	if (s->io->progress == NULL)
		return;
	snprintf(status, sizeof(status), "%s%s%s", shown_status(s, shown, sizeof(shown)),
		 s->tx.factor_result != OKTA_FACTOR_RESULT_NONE ? " " : "", factor_result_name(s));
	s->io->progress(s->io->ctx, okta_authn_call_name(call), status);
}

/* Take a reply as the new state of the transaction. 0: s->tx is the new
 * state; -1: the sign-in ended (outcome set). */
static int take_reply(struct signin *s, enum okta_authn_call call, enum okta_status sent,
		      struct okta_authn_reply *reply)
{
	enum okta_parse_result parsed;
	struct okta_authn next;

	if (sent != OKTA_STATUS_OK) {
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
		       "%s: no usable answer from Okta", okta_authn_call_name(call));
		return -1;
	}
	if (reply->http_status != 200) {
		read_error(s, call, reply);
		return -1;
	}
	parsed = okta_parse_authn(reply->body, reply->len, &next);
	if (parsed != OKTA_PARSE_OK) {
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
		       "%s: HTTP 200 but unusable answer: %s", okta_authn_call_name(call),
		       okta_parse_result_str(parsed));
		return -1;
	}
	/* A later answer may leave out the state token or cancel link that
	 * an earlier one gave (a success has none): keep the last known ones
	 * so that a failure can still cancel. */
	if (next.state_token == NULL) {
		next.state_token = s->tx.state_token;
		s->tx.state_token = NULL;
	}
	if (next.cancel_href == NULL) {
		next.cancel_href = s->tx.cancel_href;
		s->tx.cancel_href = NULL;
	}
	okta_authn_clear(&s->tx);
	s->tx = next;
	report_progress(s, call);
	return 0;
}

/* One request and its answer as the new state. */
static int step(struct signin *s, enum okta_authn_call call, const char *url, const char *passcode,
		long timeout_ms)
{
	struct okta_authn_reply reply;
	enum okta_status sent = post(s, call, url, passcode, timeout_ms, &reply);
	int rc = take_reply(s, call, sent, &reply);

	okta_authn_reply_clear(&reply);
	return rc;
}

/* ------------------------------------------------------------ MFA */

static bool is_passcode(const char *answer)
{
	size_t len = strlen(answer);
	size_t i;

	for (i = 0; i < len; i++) {
		if (answer[i] < '0' || answer[i] > '9')
			return false;
	}
	return len > 0 && len <= PASSCODE_DIGITS_MAX;
}

static int ask(struct signin *s, bool echo, const char *text, char **answer)
{
	*answer = NULL;
	if (s->io->prompt(s->io->ctx, echo, text, answer) == 0 && *answer != NULL)
		return 0;
	s->out->conversation_failed = true;
	refuse(s, "conversation_failed", MSG_FAILED, "the prompt could not be answered");
	return -1;
}

static void say(struct signin *s, const char *text)
{
	if (s->io->info != NULL)
		s->io->info(s->io->ctx, text);
}

/* The answer is judged by the main loop, as after a push: a verified
 * factor may be followed by PASSWORD_EXPIRED or PASSWORD_WARN (Okta
 * challenges MFA first), which are no outage. */
static void verify_passcode(struct signin *s, const char *verify_href, const char *passcode)
{
	step(s, OKTA_AUTHN_VERIFY, verify_href, passcode, OKTA_AUTHN_CALL_BUDGET);
}

#define RATE_LIMITED_PAST_DEADLINE "pollFactor: rate limited (HTTP 429) past the push deadline"

/* After a 429 on a poll: wait for the limit to lift when that is before
 * the push deadline. 0: poll again; -1: ended. */
static int wait_rate_limit(struct signin *s, const struct okta_authn_reply *reply,
			   long long deadline)
{
	long long wait = reply->rate_limit_reset * 1000 - (long long)time(NULL) * 1000;

	if (reply->rate_limit_reset <= 0 || now_ms() + wait >= deadline) {
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE, RATE_LIMITED_PAST_DEADLINE);
		return -1;
	}
	pause_ms(wait > 0 ? wait : 0);
	return 0;
}

/* An MFA_CHALLENGE whose factorResult is the user's refusal (the
 * reference's Factor result table) ends as one, not as an outage, after a
 * push or a passcode alike. false: not such a result. */
static bool refuse_challenge(struct signin *s)
{
	switch (s->tx.factor_result) {
	case OKTA_FACTOR_RESULT_REJECTED:
		refuse(s, "push_rejected", MSG_PUSH_REJECTED, "push rejected on the phone");
		return true;
	case OKTA_FACTOR_RESULT_TIMEOUT:
		refuse(s, "push_timeout", MSG_PUSH_TIMEOUT, "push timed out at Okta");
		return true;
	case OKTA_FACTOR_RESULT_CANCELLED:
		refuse(s, "push_rejected", MSG_PUSH_REJECTED,
		       "push cancelled (factorResult CANCELLED)");
		return true;
	case OKTA_FACTOR_RESULT_PASSCODE_REPLAYED:
	case OKTA_FACTOR_RESULT_TIME_WINDOW_EXCEEDED:
		refuse(s, "wrong_passcode", MSG_FAILED, "passcode refused (factorResult %s)",
		       factor_result_name(s));
		return true;
	default:
		return false;
	}
}

/* Poll the challenge until Okta decides or the deadline passes. */
static void poll_push(struct signin *s, long long deadline)
{
	struct okta_authn_reply reply;
	enum okta_status sent;
	long long left;
	bool first = true;
	/* How the last poll went when it brought no answer: the deadline
	 * passing then is Okta's silence, not a push the user left alone. */
	const char *unanswered = NULL;

	while (!s->done && s->tx.state == OKTA_AUTHN_MFA_CHALLENGE &&
	       s->tx.factor_result == OKTA_FACTOR_RESULT_WAITING) {
		left = deadline - now_ms();
		if (!first)
			pause_ms(left < OKTA_SIGNIN_POLL_INTERVAL_MS
					 ? left
					 : OKTA_SIGNIN_POLL_INTERVAL_MS);
		first = false;
		left = deadline - now_ms();
		if (left <= 0)
			break;
		if (s->tx.next_href == NULL) {
			finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
			       "pollFactor: the challenge has no next link");
			return;
		}
		sent = post(s, OKTA_AUTHN_POLL, s->tx.next_href, NULL,
			    left < request_timeout_ms(s) ? (long)left : request_timeout_ms(s),
			    &reply);
		if (sent == OKTA_STATUS_OK && reply.http_status == 429) {
			int rc = wait_rate_limit(s, &reply, deadline);

			okta_authn_reply_clear(&reply);
			if (rc != 0)
				return;
			unanswered = RATE_LIMITED_PAST_DEADLINE;
			continue;
		}
		if (sent != OKTA_STATUS_OK && now_ms() >= deadline) {
			okta_authn_reply_clear(&reply);
			unanswered = "pollFactor: no answer from Okta before the push deadline";
			break; /* the poll ran into the push deadline */
		}
		unanswered = NULL;
		take_reply(s, OKTA_AUTHN_POLL, sent, &reply);
		okta_authn_reply_clear(&reply);
	}
	if (s->done || s->tx.state != OKTA_AUTHN_MFA_CHALLENGE)
		return;
	if (s->tx.factor_result == OKTA_FACTOR_RESULT_WAITING && unanswered != NULL)
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE, "%s", unanswered);
	else if (s->tx.factor_result == OKTA_FACTOR_RESULT_WAITING)
		refuse(s, "push_timeout", MSG_PUSH_TIMEOUT,
		       "push not approved within mfa_timeout (%ld s)", s->cfg->mfa_timeout);
	else if (!refuse_challenge(s))
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
		       "pollFactor: challenge without a known factorResult");
}

static void verify_push(struct signin *s, const char *verify_href)
{
	long long deadline;
	char text[96];
	char *answer = NULL;

	if (step(s, OKTA_AUTHN_VERIFY, verify_href, NULL, OKTA_AUTHN_CALL_BUDGET) != 0)
		return;
	/* The user's time runs from Okta's word that the push is out. */
	deadline = now_ms() + s->cfg->mfa_timeout * 1000;
	if (s->tx.state != OKTA_AUTHN_MFA_CHALLENGE)
		return; /* SUCCESS at once, or a state the main loop judges */
	if (s->tx.correct_answer >= 0) {
		/* A prompt, not an info message: sshd shows info messages
		 * only with the next prompt (OpenSSH bug 2876). */
		snprintf(text, sizeof(text), OKTA_SIGNIN_NUMBER_PROMPT, s->tx.correct_answer);
		if (ask(s, true, text, &answer) != 0)
			return;
		okta_secret_free(answer);
	} else {
		say(s, OKTA_SIGNIN_PUSH_SENT);
	}
	poll_push(s, deadline);
}

/* The TOTP factor: Okta's own before Google's. */
static const struct okta_authn_factor *totp_factor(const struct okta_authn *tx)
{
	const struct okta_authn_factor *f =
		okta_authn_find_factor(tx, "token:software:totp", "OKTA");

	return f != NULL ? f : okta_authn_find_factor(tx, "token:software:totp", "GOOGLE");
}

/* Ask which factor (when there is a choice); passcode stays NULL for a push. */
static int choose_factor(struct signin *s, bool have_push, bool have_totp, char **passcode)
{
	char *answer = NULL;

	*passcode = NULL;
	if (have_push && (s->cfg->mfa == OKTA_MFA_PUSH || !have_totp))
		return 0;
	if (ask(s, true, have_push ? OKTA_SIGNIN_MFA_PROMPT : OKTA_SIGNIN_PASSCODE_PROMPT,
		&answer) != 0)
		return -1;
	if (have_push && answer[0] == '\0') {
		okta_secret_free(answer);
		return 0;
	}
	if (!is_passcode(answer)) {
		okta_secret_free(answer);
		refuse(s, "bad_mfa_answer", MSG_FAILED,
		       "the MFA answer is neither empty (push) nor a passcode of 1-%d digits",
		       PASSCODE_DIGITS_MAX);
		return -1;
	}
	*passcode = answer;
	return 0;
}

static void do_mfa(struct signin *s)
{
	const struct okta_authn_factor *push = okta_authn_find_factor(&s->tx, "push", "OKTA");
	const struct okta_authn_factor *totp = totp_factor(&s->tx);
	char *passcode = NULL;
	char *href;

	if (push == NULL && (totp == NULL || s->cfg->mfa == OKTA_MFA_PUSH)) {
		refuse(s, "no_factor", MSG_NO_FACTOR,
		       "MFA_REQUIRED but no usable factor (Okta Verify push%s)",
		       s->cfg->mfa == OKTA_MFA_PUSH ? ", which mfa = push requires" : " or TOTP");
		return;
	}
	if (choose_factor(s, push != NULL, totp != NULL, &passcode) != 0)
		return;
	/* The transaction (and the factor's link with it) is replaced by the
	 * answer to the request we are about to make. */
	href = strdup(passcode != NULL ? totp->verify_href : push->verify_href);
	if (href == NULL)
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE, "out of memory");
	else if (passcode != NULL)
		verify_passcode(s, href, passcode);
	else
		verify_push(s, href);
	free(href);
	okta_secret_free(passcode);
}

/* ------------------------------------------------------------ the flow */

static void take_session_token(struct signin *s)
{
	if (s->tx.session_token == NULL || !okta_session_token_is_acceptable(s->tx.session_token)) {
		finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
		       "SUCCESS without a usable sessionToken");
		return;
	}
	s->out->session_token = s->tx.session_token;
	s->tx.session_token = NULL;
	finish(s, OKTA_STATUS_OK, NULL, "signed in");
}

/* One state of the transaction: act on it, or end. */
static void handle_state(struct signin *s, bool *mfa_done)
{
	char shown[OKTA_TEXT_QUOTED_SIZE(OKTA_AUTHN_TEXT_MAX)];

	switch (s->tx.state) {
	case OKTA_AUTHN_SUCCESS:
		take_session_token(s);
		return;
	case OKTA_AUTHN_PASSWORD_WARN:
		if (s->tx.skip_href == NULL)
			finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
			       "PASSWORD_WARN without a skip link");
		else
			step(s, OKTA_AUTHN_SKIP, s->tx.skip_href, NULL, OKTA_AUTHN_CALL_BUDGET);
		return;
	case OKTA_AUTHN_MFA_REQUIRED:
		if (*mfa_done) {
			finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
			       "MFA_REQUIRED again after a factor was verified");
			return;
		}
		*mfa_done = true;
		do_mfa(s);
		return;
	case OKTA_AUTHN_PASSWORD_EXPIRED:
		refuse(s, "password_expired", MSG_EXPIRED,
		       "PASSWORD_EXPIRED: the Okta password has expired");
		return;
	case OKTA_AUTHN_LOCKED_OUT:
		refuse(s, "locked_out", MSG_LOCKED, "LOCKED_OUT: the Okta account is locked");
		return;
	case OKTA_AUTHN_MFA_ENROLL:
	case OKTA_AUTHN_MFA_ENROLL_ACTIVATE:
		refuse(s, "mfa_enroll", MSG_ENROLL, "%s: no MFA factor is set up yet",
		       shown_status(s, shown, sizeof(shown)));
		return;
	case OKTA_AUTHN_MFA_CHALLENGE:
		/* an answer to a passcode, or a challenge the loop left */
		if (refuse_challenge(s))
			return;
		break;
	case OKTA_AUTHN_OTHER:
		break;
	}
	finish(s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE, "unexpected transaction state %s",
	       shown_status(s, shown, sizeof(shown)));
}

/* sshd's stand-in for the answer of a login it refuses (see
 * OKTA_SIGNIN_SSHD_PLACEHOLDER): the pattern over the whole length. */
static bool is_sshd_placeholder(const char *password)
{
	static const char pattern[] = OKTA_SIGNIN_SSHD_PLACEHOLDER;
	size_t i;

	for (i = 0; password[i] != '\0'; i++) {
		if (password[i] != pattern[i % (sizeof(pattern) - 1)])
			return false;
	}
	return i > 0;
}

/*
 * What can never sign in is refused before a request, so that it does not
 * count towards the Okta account's lockout (or spend the org's rate limit):
 * a name with no local account (sshd runs PAM for any name a client
 * sends), an empty answer (Enter, a scanner) and sshd's placeholder.
 */
static void refuse_before_request(struct signin *s)
{
	const char *password = s->req->password;

	if (s->req->no_local_account)
		refuse(s, "unknown_user", MSG_FAILED, "no local account, nothing sent to Okta");
	else if (password == NULL || password[0] == '\0')
		finish(s, OKTA_STATUS_REJECTED, MSG_FAILED, "empty password, nothing sent to Okta");
	else if (is_sshd_placeholder(password))
		refuse(s, "sshd_placeholder", MSG_FAILED,
		       "sshd's placeholder password (a login sshd refuses), nothing sent to Okta");
}

/* Best effort, bounded: a transaction we abandon should not linger. */
static void cancel(struct signin *s)
{
	struct okta_authn_reply reply;
	long timeout = request_timeout_ms(s) < CANCEL_TIMEOUT_MS ? request_timeout_ms(s)
								 : CANCEL_TIMEOUT_MS;

	if (s->tx.state_token == NULL || s->tx.cancel_href == NULL)
		return;
	if (post(s, OKTA_AUTHN_CANCEL, s->tx.cancel_href, NULL, timeout, &reply) ==
		    OKTA_STATUS_OK &&
	    reply.http_status == 200)
		s->out->cancel_sent = true;
	okta_authn_reply_clear(&reply);
}

void okta_signin(struct okta_client *client, const struct okta_config *cfg,
		 const struct okta_signin_request *req, const struct okta_signin_io *io,
		 struct okta_signin_outcome *out)
{
	struct signin s = { client, cfg, req, io, out, { 0 }, false };
	const long long start = now_ms();
	bool mfa_done = false;
	bool answered = false; /* Okta took the password: a transaction began */
	unsigned steps;

	memset(out, 0, sizeof(*out));
	okta_authn_clear(&s.tx);
	refuse_before_request(&s);
	if (!s.done && step(&s, OKTA_AUTHN_PRIMARY, NULL, NULL, OKTA_AUTHN_CALL_BUDGET) == 0) {
		answered = true;
		for (steps = 0; !s.done && steps < OKTA_SIGNIN_STEPS_MAX; steps++)
			handle_state(&s, &mfa_done);
		finish(&s, OKTA_STATUS_UNAVAILABLE, MSG_UNAVAILABLE,
		       "more than %d transaction steps", OKTA_SIGNIN_STEPS_MAX);
	}
	if (out->status != OKTA_STATUS_OK)
		cancel(&s);
	okta_authn_clear(&s.tx);
	/* A name with no local account is refused without a request, so it
	 * cannot know that Okta is down: until Okta has taken the password, an
	 * outage reads and takes like a refusal (the log line and the PAM code
	 * still say outage), or it would tell which names have an account. */
	if (out->status == OKTA_STATUS_UNAVAILABLE && !answered)
		out->user_message = MSG_FAILED;
	if (out->status == OKTA_STATUS_REJECTED || (out->status != OKTA_STATUS_OK && !answered))
		pause_ms(start + OKTA_SIGNIN_REFUSAL_FLOOR_MS - now_ms());
}

void okta_signin_outcome_clear(struct okta_signin_outcome *out)
{
	okta_secret_free(out->session_token);
	memset(out, 0, sizeof(*out));
}

bool okta_signin_is_ip_address(const char *text)
{
	unsigned char buf[16];

	return text != NULL &&
	       (inet_pton(AF_INET, text, buf) == 1 || inet_pton(AF_INET6, text, buf) == 1);
}
