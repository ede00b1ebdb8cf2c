/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The create-and-refresh-session workflow and the session-open refresh, as
 * the PAM glue and the admin check tool both run them: requests, the
 * binding of the Okta session to the local user, and the clean-up of a
 * session that must not be handed out.
 */
#ifndef OKTA_WORKFLOW_H
#define OKTA_WORKFLOW_H

#include <stdbool.h>

#include "okta_audit.h"
#include "okta_client.h"
#include "okta_config.h"
#include "okta_policy.h"
#include "okta_session.h"

/*
 * createSession, check status ACTIVE and that login is user + login_suffix,
 * apply the access policy (require_mfa and max_auth_age on the created
 * session, then require_group with listUserGroups), then refreshSession.
 * A session refused at any step is revoked (okta_workflow_revoke_unused).
 * On OK, *out holds id, userId, login and the refreshed expiresAt.
 * REJECTED: bad token, inactive session, another person's session, a
 * policy rule not satisfied, or a user Okta does not know (listUserGroups
 * 404). UNAVAILABLE also covers an incomplete group list and policy data in
 * a malformed shape.
 */
enum okta_status okta_workflow_authenticate(struct okta_client *client,
					    const struct okta_config *cfg, const char *user,
					    const char *session_token, struct okta_session *out,
					    struct okta_rule_verdict *policy_report,
					    struct okta_audit_facts *facts);

/*
 * policy_report above, when not NULL, receives OKTA_RULE_COUNT verdicts:
 * OFF for rules not configured, NOT_CHECKED for rules the workflow did not
 * reach (it stops at the first refusal), else the rule's verdict. The admin
 * check tool prints them; the PAM module passes NULL.
 *
 * facts, when not NULL (here and below), receives what the audit line
 * reports: the session's login, userId and id tail once a session exists,
 * the reason token of the first refusal ("bad_token", "wrong_user",
 * "session_inactive", "policy_<rule>", "session_gone") and the errorId of
 * the Okta call that failed.
 */

/*
 * The session-open refresh. A session this handle does not hold (held
 * false: it came through the PAM environment, where pam_env or another
 * module may have put anyone's) must first be, by getSession alone, an
 * ACTIVE session of user + login_suffix: nothing is extended before that is
 * known. Then refresh the session and check it still belongs
 * to user (REJECTED: it now belongs to someone else or is not ACTIVE;
 * NOT_FOUND: it is gone), then require_mfa again on
 * the refreshed session (REJECTED when it fails; nothing is revoked: this
 * call did not create the session). require_mfa costs no request and
 * refuses a session id that did not come from our authentication (planted
 * in the PAM environment). max_auth_age is not re-checked: it is measured
 * when the user authenticates, and the age only grows, so a re-check
 * seconds later (sshd opens the session after its own round trips) could
 * only turn a login that just passed into a failed session. require_group is
 * not re-checked either: it would cost a request per page for a list read
 * moments before.
 */
enum okta_status okta_workflow_open_session(struct okta_client *client,
					    const struct okta_config *cfg, const char *user,
					    const char *session_id, bool held,
					    struct okta_session *out,
					    struct okta_audit_facts *facts);

/* How long a revoke of a session that will not be handed out may take when
 * the main deadline is already spent (okta_workflow_revoke_unused). */
#define OKTA_REVOKE_BUDGET_MS 2000

/*
 * Revoke a session this module created and will not hand out (refused by
 * the binding or the policy, a later step failed, or the PAM glue could not
 * export it). Runs under the client's deadline, extended to at least
 * OKTA_REVOKE_BUDGET_MS from now; a failure is logged, nothing is returned:
 * the refusal stands either way.
 */
void okta_workflow_revoke_unused(struct okta_client *client, const char *session_id);

/*
 * close_session's revoke. A held session (this handle authenticated or
 * opened it) is revoked as it is; one that came through the PAM
 * environment only after getSession shows an ACTIVE session whose login is
 * user + login_suffix. OK: revoked; NOT_FOUND: already gone; REJECTED: not
 * this user's (logged, nothing deleted); UNAVAILABLE: Okta could not be
 * asked. facts receives the reason ("revoked", "already_gone",
 * "not_owner") and Okta's errorId.
 */
enum okta_status okta_workflow_close_session(struct okta_client *client,
					     const struct okta_config *cfg, const char *user,
					     const char *session_id, bool held,
					     struct okta_audit_facts *facts);

#endif
