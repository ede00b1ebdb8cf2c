/*
 * PAM glue: module arguments, PAM items and environment, and the mapping
 * from workflow results to PAM return codes. Everything that talks to Okta
 * lives in okta_workflow.c and okta_client.c.
 */
#include "config.h"

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_client.h"
#include "okta_config.h"
#include "okta_signin.h"
#include "okta_validate.h"
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
};

/* Kept with pam_set_data between auth and session calls of one handle, so
 * that sudo, su and login reuse one connection (freed at pam_end). */
struct module_state {
	char *conf_path;
	struct okta_client *client;
	/* Who authenticated on this handle; NULL until auth succeeds. sudo
	 * opens the session with PAM_USER set to the target user (root), but
	 * the Okta session still belongs to the invoking user. */
	char *auth_user;
};

static void pam_log_sink(void *ctx, int priority, const char *fmt, va_list ap)
{
	pam_vsyslog((pam_handle_t *)ctx, priority, fmt, ap);
}

static int parse_args(pam_handle_t *pamh, int argc, const char **argv, struct module_args *args)
{
	int i;

	args->conf_path = OKTA_CONFIG_DEFAULT_PATH;
	args->debug = false;
	args->token_source = TOKEN_PROMPT_ALWAYS;
	for (i = 0; i < argc; i++) {
		if (strncmp(argv[i], "conf=", 5) == 0 && argv[i][5] == '/')
			args->conf_path = argv[i] + 5;
		else if (strcmp(argv[i], "debug") == 0)
			args->debug = true;
		else if (strcmp(argv[i], "use_first_pass") == 0)
			args->token_source = TOKEN_USE_FIRST;
		else if (strcmp(argv[i], "try_first_pass") == 0)
			args->token_source = TOKEN_TRY_FIRST;
		else {
			/* A typo here would silently change behaviour. */
			pam_syslog(pamh, LOG_ERR, "unknown or malformed module argument '%s'", argv[i]);
			return PAM_SERVICE_ERR;
		}
	}
	return PAM_SUCCESS;
}

static void free_state(pam_handle_t *pamh, void *data, int error_status)
{
	struct module_state *state = data;

	(void)pamh;
	(void)error_status;
	okta_client_free(state->client);
	free(state->conf_path);
	free(state->auth_user);
	free(state);
}

static struct module_state *find_state(pam_handle_t *pamh)
{
	const void *data = NULL;

	if (pam_get_data(pamh, STATE_KEY, &data) != PAM_SUCCESS)
		return NULL;
	return (struct module_state *)(uintptr_t)data;
}

/* The client for this handle and configuration file, reused if auth
 * already made one. */
static struct okta_client *get_client(pam_handle_t *pamh, const struct module_args *args,
				      const struct okta_config *cfg,
				      const struct okta_logger *logger)
{
	struct module_state *state = find_state(pamh);

	if (state != NULL && strcmp(state->conf_path, args->conf_path) == 0)
		return state->client;
	state = calloc(1, sizeof(*state));
	if (state == NULL)
		return NULL;
	state->conf_path = strdup(args->conf_path);
	state->client = okta_client_new(cfg, logger);
	if (state->conf_path == NULL || state->client == NULL ||
	    pam_set_data(pamh, STATE_KEY, state, free_state) != PAM_SUCCESS) {
		free_state(pamh, state, 0);
		return NULL;
	}
	return state->client;
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

static int get_checked_user(pam_handle_t *pamh, const char **user)
{
	char shown[64];
	int rc = pam_get_user(pamh, user, NULL);

	if (rc != PAM_SUCCESS) {
		pam_syslog(pamh, LOG_ERR, "cannot get the user name: %s", pam_strerror(pamh, rc));
		return rc;
	}
	if (!okta_pam_user_is_valid(*user)) {
		okta_log_printable(*user, shown, sizeof(shown));
		pam_syslog(pamh, LOG_NOTICE, "refusing user name '%s': not a plain account name", shown);
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

static int export_session(pam_handle_t *pamh, const struct okta_session *session)
{
	int rc = put_env(pamh, "OKTA_SESSION_ID", session->id);

	if (rc == PAM_SUCCESS)
		rc = put_env(pamh, "OKTA_USER_ID", session->user_id);
	if (rc == PAM_SUCCESS)
		rc = put_env(pamh, "OKTA_SESSION_EXPIRES_AT", session->expires_at);
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
static int get_session_token(pam_handle_t *pamh, const struct module_args *args,
			     const char *prompt, char **token)
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
		pam_syslog(pamh, LOG_NOTICE, "use_first_pass given, but no earlier module read a token");
		return PAM_AUTH_ERR;
	}
	rc = pam_prompt(pamh, PAM_PROMPT_ECHO_OFF, token, "%s", prompt);
	if (rc == PAM_SUCCESS && *token == NULL)
		rc = PAM_CONV_ERR;
	return rc;
}

static void free_token(char *token)
{
	if (token == NULL)
		return;
	explicit_bzero(token, strlen(token));
	free(token);
}

/* Called after get_client() made the state for this handle. */
static int remember_auth_user(pam_handle_t *pamh, const char *user)
{
	struct module_state *state = find_state(pamh);
	char *copy;

	if (state == NULL)
		return PAM_BUF_ERR;
	copy = strdup(user);
	if (copy == NULL)
		return PAM_BUF_ERR;
	free(state->auth_user);
	state->auth_user = copy;
	return PAM_SUCCESS;
}

static int run_workflow(pam_handle_t *pamh, const struct module_args *args,
			const struct okta_config *cfg, const struct okta_logger *logger,
			const char *user, const char *token)
{
	struct okta_session session;
	struct okta_client *client;
	enum okta_status status;
	int rc;

	if (!okta_session_token_is_acceptable(token)) {
		pam_syslog(pamh, LOG_NOTICE,
			   "session token for '%s' refused before any request: empty, over %d bytes or not printable ASCII",
			   user, OKTA_SESSION_TOKEN_MAX);
		return PAM_AUTH_ERR;
	}
	client = get_client(pamh, args, cfg, logger);
	if (client == NULL)
		return PAM_BUF_ERR;
	okta_client_begin(client, logger, cfg->timeout);
	status = okta_workflow_authenticate(client, cfg, user, token, &session, NULL);
	switch (status) {
	case OKTA_STATUS_OK:
		rc = export_session(pamh, &session);
		if (rc == PAM_SUCCESS)
			rc = remember_auth_user(pamh, user);
		if (rc == PAM_SUCCESS)
			pam_syslog(pamh, LOG_INFO, "Okta session established for '%s'", user);
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

/*
 * Okta password, then MFA, through okta_signin: a session token in *token
 * (the caller wipes and frees it). One log line says how it ended; *message
 * is the line for the user (NULL on success).
 */
static int sign_in_with_password(pam_handle_t *pamh, int flags, const struct module_args *args,
				 const struct okta_config *cfg, const struct okta_logger *logger,
				 const char *user, char **token, const char **message)
{
	struct okta_signin_io io = { pamh, conv_prompt,
				     (flags & PAM_SILENT) != 0 ? conv_silent : conv_info, NULL };
	struct okta_signin_request req = { user, NULL, client_address(pamh, cfg) };
	struct okta_signin_outcome out;
	struct okta_client *client;
	char shown_rhost[64];
	char *password = NULL;
	int rc;

	*token = NULL;
	*message = MSG_FAILED;
	rc = get_session_token(pamh, args, PASSWORD_PROMPT, &password);
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
	okta_signin(client, cfg, &req, &io, &out);
	free_token(password);
	okta_log_printable(rhost_for_log(pamh), shown_rhost, sizeof(shown_rhost));
	*message = out.user_message;
	*token = out.session_token;
	out.session_token = NULL;
	rc = out.status == OKTA_STATUS_OK ? PAM_SUCCESS
	     : out.conversation_failed ? PAM_CONV_ERR
	     : out.status == OKTA_STATUS_REJECTED ? PAM_AUTH_ERR : PAM_AUTHINFO_UNAVAIL;
	pam_syslog(pamh, rc == PAM_AUTHINFO_UNAVAIL ? LOG_ERR : rc == PAM_SUCCESS ? LOG_INFO : LOG_NOTICE,
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

static int authenticate(pam_handle_t *pamh, int flags, const struct module_args *args,
			const struct okta_config *cfg, const struct okta_logger *logger)
{
	const char *user = NULL;
	const char *message = NULL;
	char *token = NULL;
	int rc;

	rc = get_checked_user(pamh, &user);
	if (rc != PAM_SUCCESS)
		return rc;
	if (cfg->sign_in == OKTA_SIGN_IN_PASSWORD) {
		rc = sign_in_with_password(pamh, flags, args, cfg, logger, user, &token, &message);
	} else {
		rc = get_session_token(pamh, args, TOKEN_PROMPT, &token);
		if (rc != PAM_SUCCESS)
			pam_syslog(pamh, LOG_NOTICE, "no session token for '%s': %s", user,
				   pam_strerror(pamh, rc));
	}
	if (rc == PAM_SUCCESS) {
		rc = run_workflow(pamh, args, cfg, logger, user, token);
		message = NULL;
	}
	free_token(token);
	if (rc == PAM_CONV_AGAIN)
		rc = PAM_INCOMPLETE;
	tell_user(pamh, flags, rc, message);
	return rc;
}

PAM_EXTERN int pam_sm_authenticate(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args args;
	struct okta_logger logger;
	struct okta_config cfg;
	int rc;

	rc = prepare(pamh, argc, argv, &args, &logger, &cfg);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = authenticate(pamh, flags, &args, &cfg, &logger);
	okta_config_clear(&cfg);
	return rc;
}

PAM_EXTERN int pam_sm_setcred(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	(void)pamh;
	(void)flags;
	(void)argc;
	(void)argv;
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
 * The session id left by authentication, which in sshd ran in another
 * process: NULL with PAM_IGNORE when there is none, PAM_SESSION_ERR when
 * what is there is not a session id (planted by another module?).
 */
static int get_session_id(pam_handle_t *pamh, const struct okta_logger *logger,
			  const char **session_id)
{
	*session_id = pam_getenv(pamh, "OKTA_SESSION_ID");
	if (*session_id == NULL || (*session_id)[0] == '\0') {
		okta_log(logger, LOG_DEBUG, "no OKTA_SESSION_ID in the PAM environment; nothing to do");
		*session_id = NULL;
		return PAM_IGNORE;
	}
	if (!okta_session_id_is_valid(*session_id)) {
		pam_syslog(pamh, LOG_ERR, "OKTA_SESSION_ID in the PAM environment is malformed; refused");
		return PAM_SESSION_ERR;
	}
	return PAM_SUCCESS;
}

/* The user the Okta session must belong to: whoever authenticated on this
 * handle (sudo, su), else PAM_USER (sshd authenticates in another process,
 * for the same user). */
static int get_session_user(pam_handle_t *pamh, const char **user)
{
	struct module_state *state = find_state(pamh);

	if (state != NULL && state->auth_user != NULL) {
		*user = state->auth_user;
		return PAM_SUCCESS;
	}
	return get_checked_user(pamh, user);
}

static int refresh_on_open(pam_handle_t *pamh, const struct module_args *args,
			   const struct okta_config *cfg, const struct okta_logger *logger)
{
	struct okta_session session;
	struct okta_client *client;
	const char *session_id;
	const char *user;
	int rc;

	if (!cfg->refresh_on_open)
		return PAM_IGNORE;
	rc = get_session_id(pamh, logger, &session_id);
	if (rc != PAM_SUCCESS)
		return rc;
	/* get_client() may replace the state that get_session_user() reads */
	client = get_client(pamh, args, cfg, logger);
	if (client == NULL)
		return PAM_BUF_ERR;
	if (get_session_user(pamh, &user) != PAM_SUCCESS)
		return PAM_SESSION_ERR;
	okta_client_begin(client, logger, cfg->timeout);
	if (okta_workflow_open_session(client, cfg, user, session_id, &session) != OKTA_STATUS_OK) {
		/* The failure itself was logged where it happened. */
		okta_log(logger, LOG_DEBUG, "open_session for '%s' fails", user);
		return PAM_SESSION_ERR;
	}
	rc = put_env(pamh, "OKTA_SESSION_EXPIRES_AT", session.expires_at);
	okta_session_clear(&session);
	return rc == PAM_SUCCESS ? PAM_SUCCESS : PAM_SESSION_ERR;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args args;
	struct okta_logger logger;
	struct okta_config cfg;
	int rc;

	(void)flags;
	rc = prepare(pamh, argc, argv, &args, &logger, &cfg);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = refresh_on_open(pamh, &args, &cfg, &logger);
	okta_config_clear(&cfg);
	return rc;
}

static int revoke_on_close(pam_handle_t *pamh, const struct module_args *args,
			   const struct okta_config *cfg, const struct okta_logger *logger)
{
	struct okta_client *client;
	const char *session_id;
	enum okta_status status;
	int rc;

	if (!cfg->revoke_on_close)
		return PAM_IGNORE;
	rc = get_session_id(pamh, logger, &session_id);
	if (rc != PAM_SUCCESS)
		return rc;
	client = get_client(pamh, args, cfg, logger);
	if (client == NULL)
		return PAM_BUF_ERR;
	okta_client_begin(client, logger, cfg->timeout);
	status = okta_revoke_session(client, session_id);
	if (status != OKTA_STATUS_OK && status != OKTA_STATUS_NOT_FOUND) {
		pam_syslog(pamh, LOG_ERR, "could not revoke the Okta session at close");
		return PAM_SESSION_ERR;
	}
	/* The id no longer names a live session: drop it. */
	pam_putenv(pamh, "OKTA_SESSION_ID");
	return PAM_SUCCESS;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
	struct module_args args;
	struct okta_logger logger;
	struct okta_config cfg;
	int rc;

	(void)flags;
	rc = prepare(pamh, argc, argv, &args, &logger, &cfg);
	if (rc != PAM_SUCCESS)
		return rc;
	rc = revoke_on_close(pamh, &args, &cfg, &logger);
	okta_config_clear(&cfg);
	return rc;
}
