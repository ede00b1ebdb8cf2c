/*
 * The create-and-refresh-session workflow and the session-open refresh, as
 * the PAM glue and the admin check tool both run them: requests, the
 * binding of the Okta session to the local user, and the clean-up of a
 * session that must not be handed out.
 */
#ifndef OKTA_WORKFLOW_H
#define OKTA_WORKFLOW_H

#include "okta_client.h"
#include "okta_config.h"
#include "okta_json.h"

/*
 * createSession, check status ACTIVE and that login is user + login_suffix
 * (revoking the session otherwise), then refreshSession. On OK, *out holds
 * id, userId, login and the refreshed expiresAt.
 * REJECTED: bad token, inactive session or another person's session.
 */
enum okta_status okta_workflow_authenticate(struct okta_client *client,
					    const struct okta_config *cfg, const char *user,
					    const char *session_token, struct okta_session *out);

/*
 * Refresh an existing session and check it still belongs to user.
 * REJECTED: it now belongs to someone else or is not ACTIVE;
 * NOT_FOUND: it is gone.
 */
enum okta_status okta_workflow_refresh(struct okta_client *client,
				       const struct okta_config *cfg, const char *user,
				       const char *session_id, struct okta_session *out);

#endif
