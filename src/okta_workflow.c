#include "config.h"

#include "okta_workflow.h"
#include "okta_validate.h"

#include <string.h>

/* The session must be ACTIVE and its login must be user + login_suffix:
 * a valid token of another person must never open this account. */
static enum okta_status check_binding(const struct okta_logger *logger,
				      const struct okta_config *cfg, const char *user,
				      const struct okta_session *session, const char *step)
{
	char shown_login[128];
	char shown_status[32];

	okta_log_printable(session->login, shown_login, sizeof(shown_login));
	if (strcmp(session->status, "ACTIVE") != 0) {
		okta_log_printable(session->status, shown_status, sizeof(shown_status));
		okta_log(logger, LOG_NOTICE, "%s: Okta session of '%s' has status %s, not ACTIVE",
			 step, shown_login, shown_status);
		return OKTA_STATUS_REJECTED;
	}
	if (!okta_login_matches_user(session->login, user, cfg->login_suffix)) {
		okta_log(logger, LOG_WARNING,
			 "%s: Okta login '%s' tried to log in as user '%s' (expected '%s%s'); refused",
			 step, shown_login, user, user, cfg->login_suffix);
		return OKTA_STATUS_REJECTED;
	}
	return OKTA_STATUS_OK;
}

/* A session we created but will not hand out is revoked at once, so that
 * it cannot be used elsewhere. Best effort: the refusal stands either way. */
static void revoke_unused(struct okta_client *client, const struct okta_logger *logger,
			  const char *session_id)
{
	enum okta_status status = okta_revoke_session(client, session_id);

	if (status == OKTA_STATUS_OK || status == OKTA_STATUS_NOT_FOUND)
		okta_log(logger, LOG_DEBUG, "revoked the Okta session that was refused");
	else
		okta_log(logger, LOG_ERR, "could not revoke the Okta session that was refused");
}

enum okta_status okta_workflow_authenticate(struct okta_client *client,
					    const struct okta_config *cfg, const char *user,
					    const char *session_token, struct okta_session *out)
{
	const struct okta_logger *logger = okta_client_logger(client);
	struct okta_session created;
	enum okta_status status;

	memset(out, 0, sizeof(*out));
	status = okta_create_session(client, session_token, &created);
	if (status != OKTA_STATUS_OK)
		return status == OKTA_STATUS_NOT_FOUND ? OKTA_STATUS_REJECTED : status;

	status = check_binding(logger, cfg, user, &created, "createSession");
	if (status == OKTA_STATUS_OK) {
		status = okta_workflow_refresh(client, cfg, user, created.id, out);
		/* Gone between create and refresh: the token bought nothing. */
		if (status == OKTA_STATUS_NOT_FOUND)
			status = OKTA_STATUS_REJECTED;
	}
	if (status != OKTA_STATUS_OK)
		revoke_unused(client, logger, created.id);
	okta_session_clear(&created);
	return status;
}

enum okta_status okta_workflow_refresh(struct okta_client *client,
				       const struct okta_config *cfg, const char *user,
				       const char *session_id, struct okta_session *out)
{
	enum okta_status status = okta_refresh_session(client, session_id, out);

	if (status != OKTA_STATUS_OK)
		return status;
	status = check_binding(okta_client_logger(client), cfg, user, out, "refreshSession");
	if (status != OKTA_STATUS_OK)
		okta_session_clear(out);
	return status;
}
