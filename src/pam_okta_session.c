/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PAM glue: module arguments, PAM items and environment, and the mapping
 * from workflow results to PAM return codes. Everything that talks to Okta
 * lives in okta_workflow.c and okta_client.c.
 */
#include "config.h"

#include <errno.h>
#include <pwd.h>
#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "okta_audit.h"
#include "okta_client.h"
#include "okta_config.h"
#include "okta_log.h"
#include "okta_session.h"
#include "okta_signin.h"
#include "okta_text.h"
#include "okta_validate.h"
#include "okta_watch_client.h"
#include "okta_watch_proto.h"
#include "okta_workflow.h"

#define STATE_KEY "pam_okta_session.state"
#define TOKEN_PROMPT "Okta session token: "
#define PASSWORD_PROMPT "Okta password: "
/* The short lines the person at the prompt reads after a refusal. */
#define MSG_FAILED "Okta: sign-in failed"
#define MSG_UNAVAILABLE "Okta: no answer from Okta, try again later"

/* Where the session token comes from. */
enum token_source {
	TOKEN_PROMPT_ALWAYS, /* default: our own prompt, whatever earlier modules read */
	TOKEN_TRY_FIRST,     /* try_first_pass: an earlier module's PAM_AUTHTOK, else prompt */
	TOKEN_USE_FIRST,     /* use_first_pass: an earlier module's PAM_AUTHTOK, or fail */
};

struct module_args {
	const char *conf_path;
	bool debug;
	enum token_source token_source;
	bool watch_required; /* watch = yes and no daemon: PAM_SESSION_ERR */
};

/* Names the module exports into the PAM environment. */
static const char *const okta_env_names[] = {
	"OKTA_SESSION_ID",
	"OKTA_USER_ID",
	"OKTA_SESSION_EXPIRES_AT",
};

/*
 * Module data (pam_set_data), kept between the auth and session calls of one
 * handle in one process (sudo, su, login; sshd's session-open and close) and
 * freed at pam_end. Every pam_sm_authenticate starts without it.
 */
struct module_state {
	/* The HTTP client, reused so that one login needs one connection;
	 * NULL until a hook needs it. */
	char *conf_path;
	struct okta_client *client;
	/* The Okta session this handle holds and the local user it is bound
	 * to: set when authentication on this handle created it, or when
	 * open_session refreshed and bound an id that came through the PAM
	 * environment (sshd authenticates in another process). NULL until
	 * then. Close revokes this session and no other; the PAM environment
	 * is only its copy for the user. */
	char *session_id;
	char *session_user;
	/* open_session ran for this session (it was handed out). */
	bool opened;
	/* pam_okta_sessiond watches it (watch = yes): close deregisters. */
	bool watched;
};

static void pam_log_sink(void *ctx, int priority, const char *fmt, va_list ap)
{
	pam_vsyslog((pam_handle_t *)ctx, priority, fmt, ap);
}

/* ------------------------------------------------ the audit line */

/* A string item of libpam's, NULL when unset. */
static const char *pam_text_item(pam_handle_t *pamh, int item_type)
{
	const void *item = NULL;

	if (pam_get_item(pamh, item_type, &item) != PAM_SUCCESS)
		return NULL;
	return item;
}

static enum okta_audit_outcome outcome_of_rc(int rc)
{
	switch (rc) {
	case PAM_SUCCESS:
		return OKTA_AUDIT_SUCCESS;
	case PAM_AUTH_ERR:
	case PAM_USER_UNKNOWN:
		return OKTA_AUDIT_REFUSED;
	case PAM_AUTHINFO_UNAVAIL:
		return OKTA_AUDIT_UNAVAILABLE;
	default:
		return OKTA_AUDIT_ERROR;
	}
}

static enum okta_audit_outcome outcome_of_status(enum okta_status status)
{
	switch (status) {
	case OKTA_STATUS_OK:
		return OKTA_AUDIT_SUCCESS;
	case OKTA_STATUS_REJECTED:
	case OKTA_STATUS_NOT_FOUND:
		return OKTA_AUDIT_REFUSED;
	case OKTA_STATUS_UNAVAILABLE:
		break;
	}
	return OKTA_AUDIT_UNAVAILABLE;
}

/* The reason when nothing more precise was noted on the way. */
static const char *default_reason(enum okta_audit_outcome outcome, int rc)
{
	if (outcome == OKTA_AUDIT_UNAVAILABLE)
		return "okta_unavailable";
	switch (rc) {
	case PAM_SUCCESS:
		return "ok";
	case PAM_SERVICE_ERR:
		return "config_error";
	case PAM_BUF_ERR:
		return "out_of_memory";
	case PAM_CONV_ERR:
		return "conversation_failed";
	case PAM_INCOMPLETE:
		return "conversation_incomplete";
	default:
		return "failed";
	}
}

static const char *invoking_user(pam_handle_t *pamh);

/*
 * The one audit line of a hook (see okta_audit.h and README "Audit lines"):
 * LOG_INFO for a success, LOG_NOTICE for anything else. Service, user and
 * remote host are libpam's items as the application set them; by is the
 * invoking user as the hook found it (close forgets the session it revokes).
 */
static void audit_by(pam_handle_t *pamh, enum okta_audit_event event,
		     enum okta_audit_outcome outcome, int rc, struct okta_audit_facts *facts,
		     const char *by)
{
	char line[OKTA_AUDIT_LINE_MAX];
	struct okta_audit_record rec = {
		event,
		outcome,
		pam_text_item(pamh, PAM_SERVICE),
		pam_text_item(pamh, PAM_USER),
		pam_text_item(pamh, PAM_RHOST),
		facts,
		by,
	};

	okta_audit_note_reason(facts, default_reason(outcome, rc));
	if (okta_audit_format(&rec, line, sizeof(line)) > 0)
		pam_syslog(pamh, outcome == OKTA_AUDIT_SUCCESS ? LOG_INFO : LOG_NOTICE, "%s", line);
}

static void audit(pam_handle_t *pamh, enum okta_audit_event event, enum okta_audit_outcome outcome,
		  int rc, struct okta_audit_facts *facts)
{
	audit_by(pamh, event, outcome, rc, facts, invoking_user(pamh));
}

static int parse_args(pam_handle_t *pamh, int argc, const char **argv, struct module_args *args)
{
	int i;

	args->conf_path = OKTA_CONFIG_DEFAULT_PATH;
	args->debug = false;
	args->token_source = TOKEN_PROMPT_ALWAYS;
	args->watch_required = false;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0 && argv[i][5] == '/')
			args->conf_path = argv[i] + 5;
		else if (strcmp(argv[i], "debug") == 0)
			args->debug = true;
		else if (strcmp(argv[i], "use_first_pass") == 0)
			args->token_source = TOKEN_USE_FIRST;
		else if (strcmp(argv[i], "try_first_pass") == 0)
			args->token_source = TOKEN_TRY_FIRST;
		else if (strcmp(argv[i], "watch_required") == 0)
			args->watch_required = true;
		else {
			/* A typo here would silently change behaviour. */
			pam_syslog(pamh, LOG_ERR, "unknown or malformed module argument '%s'",
				   argv[i]);
			return PAM_SERVICE_ERR;
		}
	}
	return PAM_SUCCESS;
}

static void forget_session(struct module_state *state)
{
	if (state == NULL)
		return;
	if (state->session_id != NULL)
		explicit_bzero(state->session_id, strlen(state->session_id));
	free(state->session_id);
	free(state->session_user);
	state->session_id = NULL;
	state->session_user = NULL;
	state->opened = false;
	state->watched = false;
}

static void free_state(pam_handle_t *pamh, void *data, int error_status)
{
	struct module_state *state = data;

	(void)pamh;
	(void)error_status;
	if (state == NULL)
		return;
	forget_session(state);
	okta_client_free(state->client);
	free(state->conf_path);
	free(state);
}

static struct module_state *find_state(pam_handle_t *pamh)
{
	const void *data = NULL;

	if (pam_get_data(pamh, STATE_KEY, &data) != PAM_SUCCESS)
		return NULL;
	return (struct module_state *)(uintptr_t)data;
}

/* The state of this handle, made empty if there is none yet. */
static struct module_state *get_state(pam_handle_t *pamh)
{
	struct module_state *state = find_state(pamh);

	if (state != NULL)
		return state;
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return NULL;
	if (pam_set_data(pamh, STATE_KEY, state, free_state) != PAM_SUCCESS) {
		free(state);
		return NULL;
	}
	return state;
}

/* The client for this handle and configuration file, reused if an earlier
 * hook already made one (a session the state holds survives a client
 * replaced for another configuration file). */
static struct okta_client *get_client(pam_handle_t *pamh, const struct module_args *args,
				      const struct okta_config *cfg,
				      const struct okta_logger *logger)
{
	struct module_state *state = get_state(pamh);

	if (state == NULL)
		return NULL;
	if (state->client != NULL && strcmp(state->conf_path, args->conf_path) == 0)
		return state->client;
	okta_client_free(state->client);
	free(state->conf_path);
	state->conf_path = strdup(args->conf_path);
	state->client = state->conf_path != NULL ? okta_client_new(cfg, logger) : NULL;
	return state->client;
}

/* Remember the session this handle holds (state from get_client()). */
static int hold_session(pam_handle_t *pamh, const char *session_id, const char *user)
{
	struct module_state *state = find_state(pamh);

	if (state == NULL)
		return PAM_BUF_ERR;
	forget_session(state);
	state->session_id = strdup(session_id);
	state->session_user = strdup(user);
	if (state->session_id == NULL || state->session_user == NULL) {
		forget_session(state);
		return PAM_BUF_ERR;
	}
	return PAM_SUCCESS;
}

/* The session this handle holds, or NULL. */
static struct module_state *held_session(pam_handle_t *pamh)
{
	struct module_state *state = find_state(pamh);

	return state != NULL && state->session_id != NULL ? state : NULL;
}

/* The local user the held session was verified for, when PAM_USER is now
 * another (sudo sets it to the target after authenticating the invoking
 * user): who the login really is. NULL when they are the same. */
static const char *invoking_user(pam_handle_t *pamh)
{
	const struct module_state *state = held_session(pamh);
	const char *user = pam_text_item(pamh, PAM_USER);

	if (state == NULL || (user != NULL && strcmp(user, state->session_user) == 0))
		return NULL;
	return state->session_user;
}

/* Remove OKTA_* from the PAM environment (libpam logs an error when asked
 * to remove a name that is not there: only present ones are removed). */
static void drop_okta_env(pam_handle_t *pamh)
{
	size_t i;

	for (i = 0; i < sizeof(okta_env_names) / sizeof(okta_env_names[0]); i++) {
		if (pam_getenv(pamh, okta_env_names[i]) != NULL)
			(void)pam_putenv(pamh, okta_env_names[i]);
	}
}

/* Arguments, configuration and client: what every hook needs first.
 * Returns PAM_SUCCESS or PAM_SERVICE_ERR (logged). */
static int prepare(pam_handle_t *pamh, int argc, const char **argv, struct module_args *args,
		   struct okta_logger *logger, struct okta_config *cfg)
{
	char err[512];
	int rc = parse_args(pamh, argc, argv, args);

	okta_config_init(cfg);
	logger->fn = pam_log_sink;
	logger->ctx = pamh;
	logger->debug = args->debug;
	if (rc != PAM_SUCCESS)
		return rc;
	if (okta_config_load(args->conf_path, 0, cfg, err, sizeof(err)) != 0) {
		pam_syslog(pamh, LOG_ERR, "configuration error: %s", err);
		okta_config_clear(cfg);
		return PAM_SERVICE_ERR;
	}
	return PAM_SUCCESS;
}

/* One call of a hook: what the frame (run_hook) prepares for its body, and
 * what the body leaves for the hook's audit line. */
struct hook_call {
	pam_handle_t *pamh;
	int flags;
	struct module_args args;
	struct okta_logger logger;
	struct okta_config cfg;
	/* open_session: the account is not the Okta user's (the OKTA_*
	 * variables were withheld from it). */
	bool foreign;
	struct okta_audit_facts facts;
	/* Set by a session hook once it knows (else taken from the return
	 * code; see audit_session). */
	enum okta_audit_outcome outcome;
};

/* The frame of every hook: prepare (arguments, logger, configuration), run
 * the body, clear the configuration. The body runs only when preparing
 * succeeded; the return code is the body's or prepare's. */
static int run_hook(struct hook_call *call, int argc, const char **argv,
		    int (*body)(struct hook_call *call))
{
	int rc = prepare(call->pamh, argc, argv, &call->args, &call->logger, &call->cfg);

	if (rc != PAM_SUCCESS)
		return rc;
	rc = body(call);
	okta_config_clear(&call->cfg);
	return rc;
}

/* How much of a user name or PAM_RHOST a log line shows; quoted
 * (okta_text_quote) as the audit line's values are, because both are the
 * remote user's text: a space or quote in them must not start a record. */
#define SHOWN_TEXT_MAX 63

/* A conversation that failed: PAM_CONV_AGAIN (authenticate makes it
 * PAM_INCOMPLETE) and PAM_BUF_ERR stay, any other code the application's
 * conversation (or pam_get_user: PAM_ABORT) gave is PAM_CONV_ERR, so that
 * the module returns only the codes pam_okta_session_check --pam-stack
 * tries: an application's PAM_AUTHINFO_UNAVAIL must not read as an
 * unreachable Okta, nor its PAM_ABORT pass a line that dies on the rest. */
static int conversation_failed(int rc)
{
	return rc == PAM_CONV_AGAIN || rc == PAM_BUF_ERR ? rc : PAM_CONV_ERR;
}

static int get_checked_user(pam_handle_t *pamh, const char **user, struct okta_audit_facts *facts)
{
	char shown[OKTA_TEXT_QUOTED_SIZE(SHOWN_TEXT_MAX)];
	int rc = pam_get_user(pamh, user, NULL);

	if (rc != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "cannot get the user name: %s", pam_strerror(pamh, rc));
		return rc == PAM_SYSTEM_ERR ? rc : conversation_failed(rc);
	}
	if (!okta_pam_user_is_valid(*user)) {
		okta_text_quote(*user, SHOWN_TEXT_MAX, shown, sizeof(shown));
		pam_syslog(pamh, LOG_NOTICE, "refusing user name '%s': not a plain account name",
			   shown);
		okta_audit_note_reason(facts, "bad_user_name");
		return PAM_AUTH_ERR;
	}
	return PAM_SUCCESS;
}

/* Strings in the PAM environment are copied by libpam; ours are wiped. */
static int put_env(pam_handle_t *pamh, const char *name, const char *value)
{
	size_t len = strlen(name) + 1 + strlen(value) + 1;
	char *entry = malloc(len);
	int rc;

	if (entry == NULL)
		return PAM_BUF_ERR;
	snprintf(entry, len, "%s=%s", name, value);
	rc = pam_putenv(pamh, entry);
	explicit_bzero(entry, len);
	free(entry);
	return rc;
}

/* The session's copy for the user, in the order of okta_env_names. */
static int export_session(pam_handle_t *pamh, const struct okta_session *session)
{
	const char *values[] = { session->id, session->user_id, session->expires_at };
	int rc = PAM_SUCCESS;
	size_t i;

	for (i = 0; rc == PAM_SUCCESS && i < sizeof(values) / sizeof(values[0]); i++)
		rc = put_env(pamh, okta_env_names[i], values[i]);
	return rc;
}

/*
 * The session token, as a heap copy the caller wipes and frees.
 * pam_get_authtok() is not used on purpose: it returns an earlier module's
 * PAM_AUTHTOK (say, the Unix password pam_unix read) even without
 * try_first_pass, which would send that password to Okta as a session
 * token. Only the two options below take an earlier module's item, and a
 * token we prompt for is not stored as PAM_AUTHTOK, so later modules never
 * see it.
 */
static int get_session_token(pam_handle_t *pamh, const struct module_args *args, const char *prompt,
			     char **token, struct okta_audit_facts *facts)
{
	const void *item = NULL;
	int rc;

	*token = NULL;
	if (args->token_source != TOKEN_PROMPT_ALWAYS &&
	    pam_get_item(pamh, PAM_AUTHTOK, &item) == PAM_SUCCESS && item != NULL) {
		*token = strdup(item);
		return *token != NULL ? PAM_SUCCESS : PAM_BUF_ERR;
	}
	if (args->token_source == TOKEN_USE_FIRST) {
		pam_syslog(pamh, LOG_NOTICE,
			   "use_first_pass given, but no earlier module read a token");
		okta_audit_note_reason(facts, "no_token");
		return PAM_AUTH_ERR;
	}
	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, token, "%s", prompt);
	if (rc != PAM_SUCCESS)
		return conversation_failed(rc);
	return *token != NULL ? PAM_SUCCESS : PAM_CONV_ERR;
}

static void free_token(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	free(token);
}

/* Give the user the session authentication made: held in module data (what
 * open_session and close_session trust) and copied into the PAM environment
 * (what carries it to sshd's session process and the user's shell). */
static int hand_out_session(pam_handle_t *pamh, const char *user,
			    const struct okta_session *session)
{
	int rc = hold_session(pamh, session->id, user);

	if (rc == PAM_SUCCESS)
		rc = export_session(pamh, session);
	return rc;
}

static int run_workflow(pam_handle_t *pamh, const struct module_args *args,
			const struct okta_config *cfg, const struct okta_logger *logger,
			const char *user, const char *token, struct okta_audit_facts *facts)
{
	struct okta_session session;
	struct okta_client *client;
	enum okta_status status;
	int rc;

	if (!okta_session_token_is_acceptable(token)) {
		pam_syslog(
			pamh, LOG_NOTICE,
			"session token for '%s' refused before any request: empty, over %d bytes or not printable ASCII",
			user, OKTA_SESSION_TOKEN_MAX);
		okta_audit_note_reason(facts, "bad_token");
		return PAM_AUTH_ERR;
	}
	client = get_client(pamh, args, cfg, logger);
	if (client == NULL)
		return PAM_BUF_ERR;
	/* After a password sign-in the workflow's requests share what is left
	 * of the budget the sign-in began with (one `timeout` per PAM call). */
	if (cfg->sign_in != OKTA_SIGN_IN_PASSWORD)
		okta_client_begin(client, logger, cfg->timeout);
	status = okta_workflow_authenticate(client, cfg, user, token, &session, NULL, facts);
	switch (status) {
	case OKTA_STATUS_OK:
		rc = hand_out_session(pamh, user, &session);
		if (rc == PAM_SUCCESS) {
			pam_syslog(pamh, LOG_INFO, "Okta session established for '%s'", user);
		} else {
			pam_syslog(pamh, LOG_ERR, "cannot hand out the Okta session of '%s': %s",
				   user, pam_strerror(pamh, rc));
			okta_audit_note_reason(facts, "hand_out_failed");
			okta_workflow_revoke_unused(client, session.id);
		}
		okta_session_clear(&session);
		return rc;
	case OKTA_STATUS_REJECTED:
	case OKTA_STATUS_NOT_FOUND:
		return PAM_AUTH_ERR;
	case OKTA_STATUS_UNAVAILABLE:
		break;
	}
	return PAM_AUTHINFO_UNAVAIL;
}

/* ------------------------------------------------ sign_in = password */

static int conv_prompt(void *ctx, bool echo, const char *text, char **answer)
{
	int rc = pam_prompt((pam_handle_t *)ctx, echo ? PAM_PROMPT_ECHO_ON : PAM_PROMPT_ECHO_OFF,
			    answer, "%s", text);

	return rc == PAM_SUCCESS && *answer != NULL ? 0 : -1;
}

static void conv_info(void *ctx, const char *text)
{
	pam_info((pam_handle_t *)ctx, "%s", text);
}

static void conv_silent(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
}

/* PAM_RHOST when it is an IP address and forwarding is on, else NULL. */
static const char *client_address(pam_handle_t *pamh, const struct okta_config *cfg)
{
	const void *rhost = NULL;

	if (!cfg->forward_client_ip || pam_get_item(pamh, PAM_RHOST, &rhost) != PAM_SUCCESS ||
	    !okta_signin_is_ip_address(rhost))
		return NULL;
	return rhost;
}

static const char *rhost_for_log(pam_handle_t *pamh)
{
	const void *rhost = NULL;

	if (pam_get_item(pamh, PAM_RHOST, &rhost) != PAM_SUCCESS || rhost == NULL)
		return "local";
	return rhost;
}

/* getpwnam_r's buffer grows on ERANGE up to this (NSS entries from LDAP or
 * sssd can be long; anything larger is an error, not a missing user). */
#define PASSWD_BUFFER_MAX (1024 * 1024)

/*
 * Does the PAM user have a local account, as the system sees it (NSS:
 * files, sssd, LDAP...)? *exists on PAM_SUCCESS; PAM_SYSTEM_ERR (or
 * PAM_BUF_ERR; logged) when NSS could not say: a broken lookup is not a
 * missing user, and nothing is sent.
 */
static int local_account_exists(pam_handle_t *pamh, const char *user, bool *exists)
{
	long hint = sysconf(_SC_GETPW_R_SIZE_MAX);
	size_t size = hint > 0 ? (size_t)hint : 4096;
	struct passwd pw;
	struct passwd *found = NULL;
	char *buf = NULL;
	char reason[128];
	int err;

	do {
		free(buf);
		buf = malloc(size);
		err = buf != NULL ? getpwnam_r(user, &pw, buf, size, &found) : ENOMEM;
		size *= 2;
	} while (err == ERANGE && size <= PASSWD_BUFFER_MAX);
	free(buf);
	/* glibc says "no such user" with 0 and NULL; other NSS modules with
	 * ENOENT or ESRCH (getpwnam_r(3)). */
	if (err == 0 || err == ENOENT || err == ESRCH) {
		*exists = err == 0 && found != NULL;
		return PAM_SUCCESS;
	}
	pam_syslog(pamh, LOG_ERR, "cannot look up user '%s': %s", user,
		   strerror_r(err, reason, sizeof(reason)));
	return err == ENOMEM ? PAM_BUF_ERR : PAM_SYSTEM_ERR;
}

/*
 * Okta password, then MFA, through okta_signin: a session token in *token
 * (the caller wipes and frees it). One log line says how it ended; *message
 * is the line for the user (NULL on success).
 */
static int sign_in_with_password(pam_handle_t *pamh, int flags, const struct module_args *args,
				 const struct okta_config *cfg, const struct okta_logger *logger,
				 const char *user, char **token, const char **message,
				 struct okta_audit_facts *facts)
{
	struct okta_signin_io io = { pamh, conv_prompt,
				     (flags & PAM_SILENT) != 0 ? conv_silent : conv_info, NULL };
	struct okta_signin_request req = { user, NULL, client_address(pamh, cfg), false };
	struct okta_signin_outcome out;
	struct okta_client *client;
	char shown_rhost[OKTA_TEXT_QUOTED_SIZE(SHOWN_TEXT_MAX)];
	char *password = NULL;
	bool exists = false;
	int rc;

	*token = NULL;
	*message = MSG_FAILED;
	/* Looked up before the prompt, so that the lookup's time (a slow
	 * directory, a cache that knows only existing names) is not part of
	 * the time from the password to the refusal; every name is prompted. */
	rc = local_account_exists(pamh, user, &exists);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = get_session_token(pamh, args, PASSWORD_PROMPT, &password, facts);
	if (rc != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_NOTICE, "no Okta password for '%s': %s", user,
			   pam_strerror(pamh, rc));
		return rc;
	}
	client = get_client(pamh, args, cfg, logger);
	if (client == NULL) {
		free_token(password);
		return PAM_BUF_ERR;
	}
	req.password = password;
	req.no_local_account = !exists;
	okta_client_begin(client, logger, cfg->timeout);
	okta_signin(client, cfg, &req, &io, &out);
	free_token(password);
	okta_text_quote(rhost_for_log(pamh), SHOWN_TEXT_MAX, shown_rhost, sizeof(shown_rhost));
	*message = out.user_message;
	okta_audit_note_reason(facts, out.audit_reason);
	okta_audit_note_error_id(facts, out.error_id);
	*token = out.session_token;
	out.session_token = NULL;
	rc = out.status == OKTA_STATUS_OK         ? PAM_SUCCESS
	     : out.conversation_failed            ? PAM_CONV_ERR
	     : req.no_local_account               ? PAM_USER_UNKNOWN
	     : out.status == OKTA_STATUS_REJECTED ? PAM_AUTH_ERR
						  : PAM_AUTHINFO_UNAVAIL;
	pam_syslog(pamh,
		   rc == PAM_AUTHINFO_UNAVAIL ? LOG_ERR
		   : rc == PAM_SUCCESS        ? LOG_INFO
					      : LOG_NOTICE,
		   "password sign-in for '%s' from %s: %s%s", user, shown_rhost, out.reason,
		   out.cancel_sent ? " (transaction cancelled)" : "");
	okta_signin_outcome_clear(&out);
	return rc;
}

/* The one short line a refusal ends with, unless PAM_SILENT. */
static void tell_user(pam_handle_t *pamh, int flags, int rc, const char *message)
{
	if ((flags & PAM_SILENT) != 0 || rc == PAM_SUCCESS || rc == PAM_CONV_ERR ||
	    rc == PAM_INCOMPLETE)
		return;
	if (message == NULL)
		message = rc == PAM_AUTHINFO_UNAVAIL ? MSG_UNAVAILABLE : MSG_FAILED;
	pam_error(pamh, "%s", message);
}

static int authenticate(struct hook_call *call)
{
	pam_handle_t *pamh = call->pamh;
	const int flags = call->flags;
	const struct module_args *args = &call->args;
	const struct okta_config *cfg = &call->cfg;
	const struct okta_logger *logger = &call->logger;
	struct okta_audit_facts *facts = &call->facts;
	const char *user = NULL;
	const char *message = NULL;
	char *token = NULL;
	int rc;

	rc = get_checked_user(pamh, &user, facts);
	if (rc != PAM_SUCCESS)
		return rc == PAM_CONV_AGAIN ? PAM_INCOMPLETE : rc;
	if (cfg->sign_in == OKTA_SIGN_IN_PASSWORD) {
		rc = sign_in_with_password(pamh, flags, args, cfg, logger, user, &token, &message,
					   facts);
	} else {
		rc = get_session_token(pamh, args, TOKEN_PROMPT, &token, facts);
		if (rc != PAM_SUCCESS)
			pam_syslog(pamh, LOG_NOTICE, "no session token for '%s': %s", user,
				   pam_strerror(pamh, rc));
	}
	if (rc == PAM_SUCCESS) {
		rc = run_workflow(pamh, args, cfg, logger, user, token, facts);
		message = NULL;
	}
	free_token(token);
	if (rc == PAM_CONV_AGAIN)
		rc = PAM_INCOMPLETE;
	tell_user(pamh, flags, rc, message);
	return rc;
}

/*
 * Nothing from an earlier pam_authenticate on this handle survives into this
 * one (login(1) retries with another user on one handle): the OKTA_*
 * variables and all module data go first. A session an earlier attempt
 * created but no open_session handed out is revoked (its own small budget):
 * from now on nothing would hand it out or revoke it at close.
 */
static void start_clean(pam_handle_t *pamh)
{
	struct module_state *state = held_session(pamh);
	struct okta_logger logger = { pam_log_sink, pamh, false };

	drop_okta_env(pamh);
	if (state != NULL && !state->opened && state->client != NULL) {
		okta_client_begin(state->client, &logger, 0);
		okta_workflow_revoke_unused(state->client, state->session_id);
	}
	/* Replacing the data frees the old state (free_state). */
	(void)pam_set_data(pamh, STATE_KEY, NULL, NULL);
}

/* A failed attempt leaves no session behind: not in module data, not in the
 * PAM environment (run_workflow revoked what it created). */
static void clear_failed_attempt(pam_handle_t *pamh)
{
	struct module_state *state = find_state(pamh);

	drop_okta_env(pamh);
	forget_session(state);
}

/* Every call ends with one audit line, whatever the outcome. */
PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct hook_call call = { .pamh = pamh, .flags = flags };
	int rc;

	start_clean(pamh);
	rc = run_hook(&call, argc, argv, authenticate);
	/* start_clean left nothing behind when preparing failed. */
	if (rc != PAM_SUCCESS)
		clear_failed_attempt(pamh);
	audit(pamh, OKTA_AUDIT_AUTH, outcome_of_rc(rc), rc, &call.facts);
	return rc;
}

/*
 * The session id reaches only its owner's account. The account a session
 * opens is PAM_USER at that moment; when the session this handle holds is
 * bound to someone else (sudo authenticates the invoking user, then sets
 * PAM_USER to the target: root, or `sudo -u svc`), OKTA_* leave the PAM
 * environment, which sudo would otherwise merge into the command's. su
 * authenticates the target itself (PAM_USER is the target throughout), and
 * sshd keeps PAM_USER, so there the variables stay. No PAM_USER: withheld
 * too (fail closed). Returns true when the account is foreign.
 */
static bool withhold_from_foreign_account(pam_handle_t *pamh)
{
	const struct module_state *state = held_session(pamh);
	const void *account = NULL;

	if (state == NULL)
		return false;
	if (pam_get_item(pamh, PAM_USER, &account) == PAM_SUCCESS && account != NULL &&
	    strcmp(account, state->session_user) == 0)
		return false;
	drop_okta_env(pamh);
	return true;
}

/* sudo calls pam_setcred(PAM_REINITIALIZE_CRED) after switching PAM_USER to
 * the target, also with `Defaults !pam_session`, where open_session never
 * runs: the variables are withheld here as well. */
PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)flags;
	(void)argc;
	(void)argv;
	(void)withhold_from_foreign_account(pamh);
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_acct_mgmt(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
	return PAM_IGNORE;
}

/*
 * The session id left by authentication in the PAM environment, for a
 * handle that holds none (sshd authenticated in another process): NULL with
 * PAM_IGNORE when there is none, PAM_SESSION_ERR when what is there is not a
 * session id (planted by another module?).
 */
static int get_session_id(pam_handle_t *pamh, const struct okta_logger *logger,
			  const char **session_id, struct okta_audit_facts *facts)
{
	*session_id = pam_getenv(pamh, "OKTA_SESSION_ID");
	if (*session_id == NULL || (*session_id)[0] == '\0') {
		okta_log(logger, LOG_DEBUG,
			 "no OKTA_SESSION_ID in the PAM environment; nothing to do");
		*session_id = NULL;
		return PAM_IGNORE;
	}
	if (!okta_session_id_is_valid(*session_id)) {
		pam_syslog(pamh, LOG_ERR,
			   "OKTA_SESSION_ID in the PAM environment is malformed; refused");
		okta_audit_note_reason(facts, "malformed_session_id");
		return PAM_SESSION_ERR;
	}
	return PAM_SUCCESS;
}

/*
 * Which session, for whom: the one this handle holds, bound to the user it
 * holds it for (sudo, su, login: authenticated in this process); else the id
 * in the PAM environment, which must belong to PAM_USER (sshd). *id and
 * *user point into the state or libpam: copy them before changing either.
 */
static int find_session(pam_handle_t *pamh, const struct okta_logger *logger, const char **id,
			const char **user, bool *held, struct okta_audit_facts *facts)
{
	const struct module_state *state = held_session(pamh);
	int rc;

	*held = state != NULL;
	if (*held) {
		*id = state->session_id;
		*user = state->session_user;
	} else {
		rc = get_session_id(pamh, logger, id, facts);
		if (rc != PAM_SUCCESS)
			return rc;
		if (get_checked_user(pamh, user, facts) != PAM_SUCCESS)
			return PAM_SESSION_ERR;
	}
	okta_audit_note_session_tail(facts, *id);
	return PAM_SUCCESS;
}

/* The session a session hook acts on (see find_session), and the client
 * that will ask Okta about it. */
struct session_target {
	const char *id;
	const char *user;
	bool held;
	struct okta_client *client;
};

/* Find the target and start the client's deadline. A target refused
 * before asking Okta sets the outcome REFUSED. */
static int start_session_hook(struct hook_call *call, struct session_target *target)
{
	int rc = find_session(call->pamh, &call->logger, &target->id, &target->user, &target->held,
			      &call->facts);

	if (rc == PAM_SESSION_ERR)
		call->outcome = OKTA_AUDIT_REFUSED; /* what came in was refused unasked */
	if (rc != PAM_SUCCESS)
		return rc;
	target->client = get_client(call->pamh, &call->args, &call->cfg, &call->logger);
	if (target->client == NULL)
		return PAM_BUF_ERR;
	okta_client_begin(target->client, &call->logger, call->cfg.timeout);
	return PAM_SUCCESS;
}

/* Copy a PAM item into a registration field; "" when it is absent or
 * does not fit (the protocol's checks decide the rest). */
static void copy_field(char *field, size_t size, const char *value)
{
	field[0] = '\0';
	if (value != NULL && strlen(value) < size)
		memcpy(field, value, strlen(value) + 1);
}

/* The registration of this login, from the refreshed session and the PAM
 * items. Optional fields that the protocol would refuse are left out. */
static void fill_registration(pam_handle_t *pamh, const struct okta_session *session,
			      struct okta_watch_reg *reg)
{
	char buf[OKTA_WATCH_MSG_MAX];

	memset(reg, 0, sizeof(*reg));
	reg->op = OKTA_WATCH_REGISTER;
	reg->pid = 1;
	copy_field(reg->session_id, sizeof(reg->session_id), session->id);
	copy_field(reg->user_id, sizeof(reg->user_id), session->user_id);
	copy_field(reg->expires_at, sizeof(reg->expires_at), session->expires_at);
	copy_field(reg->user, sizeof(reg->user), pam_text_item(pamh, PAM_USER));
	copy_field(reg->invoking_user, sizeof(reg->invoking_user), invoking_user(pamh));
	copy_field(reg->service, sizeof(reg->service), pam_text_item(pamh, PAM_SERVICE));
	copy_field(reg->rhost, sizeof(reg->rhost), pam_text_item(pamh, PAM_RHOST));
	if (okta_watch_encode(reg, buf, sizeof(buf)) == 0)
		reg->rhost[0] = '\0';
	copy_field(reg->tty, sizeof(reg->tty), pam_text_item(pamh, PAM_TTY));
	if (okta_watch_encode(reg, buf, sizeof(buf)) == 0)
		reg->tty[0] = '\0';
	copy_field(reg->logind_session, sizeof(reg->logind_session),
		   pam_getenv(pamh, "XDG_SESSION_ID"));
	if (okta_watch_encode(reg, buf, sizeof(buf)) == 0)
		reg->logind_session[0] = '\0';
	explicit_bzero(buf, sizeof(buf));
}

/*
 * watch = yes: hand the opened login to pam_okta_sessiond. Without an
 * answering daemon the login still opens (the refresh succeeded), with a
 * loud line and an audit line saying it is unwatched; with the argument
 * watch_required it fails instead.
 */
static int register_watch(struct hook_call *call, const struct okta_session *session)
{
	pam_handle_t *pamh = call->pamh;
	struct module_state *state = held_session(pamh);
	struct okta_watch_reg reg;
	struct okta_audit_facts facts = call->facts;
	char why[256];
	int rc;

	fill_registration(pamh, session, &reg);
	rc = okta_watch_send(okta_watch_socket_path(&call->cfg), &reg, OKTA_WATCH_CLIENT_TIMEOUT_MS,
			     why, sizeof(why));
	/* A daemon older than invoking_user (not restarted since the package
	 * was upgraded: the packages do not restart it) refuses the key: the
	 * login is still watched, without it. */
	if (rc != 0 && reg.invoking_user[0] != '\0' && strstr(why, "refused unknown key") != NULL) {
		pam_syslog(pamh, LOG_WARNING,
			   "pam_okta_sessiond is older than the module (restart it): registering "
			   "without invoking_user");
		reg.invoking_user[0] = '\0';
		rc = okta_watch_send(okta_watch_socket_path(&call->cfg), &reg,
				     OKTA_WATCH_CLIENT_TIMEOUT_MS, why, sizeof(why));
	}
	explicit_bzero(&reg, sizeof(reg));
	if (rc == 0) {
		if (state != NULL)
			state->watched = true;
		okta_log(&call->logger, LOG_DEBUG, "the login is watched by pam_okta_sessiond");
		return PAM_SUCCESS;
	}
	pam_syslog(pamh, LOG_ERR, "this login is NOT watched (watch = yes): %s%s", why,
		   call->args.watch_required ? "; refused (watch_required)" : "");
	okta_audit_note_reason(&facts, "no_daemon");
	audit(pamh, OKTA_AUDIT_WATCH, OKTA_AUDIT_UNWATCHED, PAM_SESSION_ERR, &facts);
	if (!call->args.watch_required)
		return PAM_SUCCESS;
	okta_audit_note_reason(&call->facts, "unwatched");
	call->outcome = OKTA_AUDIT_ERROR;
	return PAM_SESSION_ERR;
}

/* close_session of a watched login: the daemon stops watching it before
 * the session is revoked (revoke_on_close) or the process ends. */
static void deregister_watch(struct hook_call *call)
{
	struct module_state *state = held_session(call->pamh);
	struct okta_watch_reg reg;
	char why[256];

	if (state == NULL || !state->watched)
		return;
	memset(&reg, 0, sizeof(reg));
	reg.op = OKTA_WATCH_DEREGISTER;
	copy_field(reg.session_id, sizeof(reg.session_id), state->session_id);
	if (okta_watch_send(okta_watch_socket_path(&call->cfg), &reg, OKTA_WATCH_CLIENT_TIMEOUT_MS,
			    why, sizeof(why)) != 0)
		pam_syslog(call->pamh, LOG_WARNING,
			   "could not deregister the login from pam_okta_sessiond: %s", why);
	else
		state->watched = false;
	explicit_bzero(&reg, sizeof(reg));
}

/* call->outcome is set when Okta was asked. */
static int refresh_on_open(struct hook_call *call)
{
	pam_handle_t *pamh = call->pamh;
	const struct okta_config *cfg = &call->cfg;
	const struct okta_logger *logger = &call->logger;
	struct okta_audit_facts *facts = &call->facts;
	struct session_target target;
	struct okta_session session;
	enum okta_status status;
	int rc;

	if (!cfg->refresh_on_open)
		return PAM_IGNORE;
	rc = start_session_hook(call, &target);
	if (rc != PAM_SUCCESS)
		return rc;
	status = okta_workflow_open_session(target.client, cfg, target.user, target.id, target.held,
					    &session, facts);
	call->outcome = outcome_of_status(status);
	if (status != OKTA_STATUS_OK) {
		/* The failure itself was logged where it happened. */
		okta_log(logger, LOG_DEBUG, "open_session for '%s' fails", target.user);
		if (!target.held)
			drop_okta_env(pamh);
		return PAM_SESSION_ERR;
	}
	/* The id from the environment is now known to be PAM_USER's: hold it
	 * for close_session. session.id is a copy, target.user may be libpam's. */
	rc = target.held ? PAM_SUCCESS : hold_session(pamh, session.id, target.user);
	if (rc == PAM_SUCCESS && !call->foreign)
		rc = export_session(pamh, &session);
	if (rc != PAM_SUCCESS) {
		okta_audit_note_reason(facts, "hand_out_failed");
		call->outcome = OKTA_AUDIT_ERROR;
	} else if (cfg->watch) {
		rc = register_watch(call, &session);
	}
	okta_session_clear(&session);
	return rc == PAM_SUCCESS ? PAM_SUCCESS : PAM_SESSION_ERR;
}

/*
 * The audit line of a session hook: only when the module had something to
 * do (PAM_IGNORE, nothing to refresh or revoke, writes none). outcome is
 * the hook's (refresh_on_open, revoke_on_close), or comes from rc when the
 * hook ended before asking Okta.
 */
static void audit_session(pam_handle_t *pamh, enum okta_audit_event event, int rc,
			  enum okta_audit_outcome outcome, struct okta_audit_facts *facts,
			  const char *by)
{
	if (rc == PAM_IGNORE)
		return;
	audit_by(pamh, event, outcome, rc, facts, by);
}

static int open_session(struct hook_call *call)
{
	struct module_state *state;
	int rc;

	if (call->foreign)
		okta_log(&call->logger, LOG_DEBUG,
			 "the session's account is not the Okta user's: OKTA_* withheld from it");
	rc = refresh_on_open(call);
	state = held_session(call->pamh);
	if (state != NULL)
		state->opened = true;
	return rc;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct hook_call call = { .pamh = pamh, .flags = flags, .outcome = OKTA_AUDIT_ERROR };
	int rc;

	/* Before anything that can fail: the variables never reach a foreign
	 * account, whatever happens next. */
	call.foreign = withhold_from_foreign_account(pamh);
	rc = run_hook(&call, argc, argv, open_session);
	audit_session(pamh, OKTA_AUDIT_SESSION_OPEN, rc, call.outcome, &call.facts,
		      invoking_user(pamh));
	return rc;
}

/* A held session is the one close revokes, whatever the PAM environment
 * says (another module may have changed it): say so when they differ. */
static void note_foreign_env_id(pam_handle_t *pamh, const struct session_target *target)
{
	const char *in_env = pam_getenv(pamh, "OKTA_SESSION_ID");

	if (target->held && in_env != NULL && strcmp(in_env, target->id) != 0)
		pam_syslog(
			pamh, LOG_NOTICE,
			"OKTA_SESSION_ID in the PAM environment is not the session this module opened; only the module's own is revoked");
}

/* call->outcome as for refresh_on_open. A session that is not held needs
 * the getSession check first (it came through the PAM environment). */
static int revoke_on_close(struct hook_call *call)
{
	pam_handle_t *pamh = call->pamh;
	const struct okta_config *cfg = &call->cfg;
	struct okta_audit_facts *facts = &call->facts;
	struct session_target target;
	enum okta_status status;
	int rc;

	if (!cfg->revoke_on_close)
		return PAM_IGNORE;
	rc = start_session_hook(call, &target);
	if (rc == PAM_SUCCESS || rc == PAM_BUF_ERR)
		note_foreign_env_id(pamh, &target);
	if (rc != PAM_SUCCESS)
		return rc;
	status = okta_workflow_close_session(target.client, cfg, target.user, target.id,
					     target.held, facts);
	/* Already gone at Okta is what close wants: a success. */
	call->outcome =
		outcome_of_status(status == OKTA_STATUS_NOT_FOUND ? OKTA_STATUS_OK : status);
	if (status == OKTA_STATUS_REJECTED) {
		pam_syslog(
			pamh, LOG_ERR,
			"OKTA_SESSION_ID in the PAM environment is not a session of '%s'; not revoked",
			target.user);
		return PAM_SESSION_ERR;
	}
	if (status != OKTA_STATUS_OK && status != OKTA_STATUS_NOT_FOUND) {
		pam_syslog(pamh, LOG_ERR, "could not revoke the Okta session at close");
		return PAM_SESSION_ERR;
	}
	/* The session is gone: so are its module data and its copy. */
	if (target.held)
		forget_session(find_state(pamh));
	drop_okta_env(pamh);
	return PAM_SUCCESS;
}

static int close_session(struct hook_call *call)
{
	deregister_watch(call);
	return revoke_on_close(call);
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct hook_call call = { .pamh = pamh, .flags = flags, .outcome = OKTA_AUDIT_ERROR };
	const char *invoking = invoking_user(pamh);
	char by[OKTA_PAM_USER_MAX + 1];
	int rc;

	/* Taken before the hook: a revoked session is forgotten with its user. */
	snprintf(by, sizeof(by), "%s", invoking != NULL ? invoking : "");
	rc = run_hook(&call, argc, argv, close_session);
	audit_session(pamh, OKTA_AUDIT_SESSION_CLOSE, rc, call.outcome, &call.facts,
		      by[0] != '\0' ? by : NULL);
	return rc;
}
