/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_workflow.h"
#include "okta_audit.h"
#include "okta_client.h"
#include "okta_config.h"
#include "okta_log.h"
#include "okta_policy.h"
#include "okta_session.h"
#include "okta_text.h"
#include "okta_validate.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

/* How much of an Okta login a log line shows, before quoting: Okta's own
 * limit for a login is 100 characters. */
#define OKTA_SHOWN_LOGIN_MAX 127

/* The session must be ACTIVE and its login must be user + login_suffix:
 * a valid token of another person must never open this account. */
static enum okta_status check_binding(const struct okta_logger *logger,
				      const struct okta_config *cfg, const char *user,
				      const struct okta_session *session, const char *step,
				      struct okta_audit_facts *facts)
{
	char shown_login[OKTA_TEXT_QUOTED_SIZE(OKTA_SHOWN_LOGIN_MAX)];
	char shown_status[OKTA_TEXT_QUOTED_SIZE(32)];

	okta_text_quote(session->login, OKTA_SHOWN_LOGIN_MAX, shown_login, sizeof(shown_login));
	if (strcmp(session->status, "ACTIVE") != 0) {
		okta_text_quote(session->status, 32, shown_status, sizeof(shown_status));
		okta_log(logger, LOG_NOTICE, "%s: Okta session of '%s' has status %s, not ACTIVE",
			 step, shown_login, shown_status);
		okta_audit_note_reason(facts, "session_inactive");
		return OKTA_STATUS_REJECTED;
	}
	if (!okta_login_matches_user(session->login, user, cfg->login_suffix)) {
		okta_log(
			logger, LOG_WARNING,
			"%s: Okta login '%s' tried to log in as user '%s' (expected '%s%s'); refused",
			step, shown_login, user, user, cfg->login_suffix);
		okta_audit_note_reason(facts, "wrong_user");
		return OKTA_STATUS_REJECTED;
	}
	return OKTA_STATUS_OK;
}

/* Okta's errorId of the call that just failed, for the audit line. */
static void note_failed_call(const struct okta_client *client, struct okta_audit_facts *facts)
{
	okta_audit_note_error_id(facts, okta_client_last_result(client)->error_id);
}

/* A getSession or refresh that failed: its errorId, and session_gone when
 * the session no longer exists. Returns status. */
static enum okta_status note_lookup_failure(const struct okta_client *client,
					    struct okta_audit_facts *facts, enum okta_status status)
{
	note_failed_call(client, facts);
	if (status == OKTA_STATUS_NOT_FOUND)
		okta_audit_note_reason(facts, "session_gone");
	return status;
}

/* A session we created but will not hand out is revoked at once, so that
 * it cannot be used elsewhere, even when the refusal came because the
 * deadline ran out (a slow group listing): the DELETE then gets a budget of
 * its own. The refusal stands either way; a failed revoke is logged. */
void okta_workflow_revoke_unused(struct okta_client *client, const char *session_id)
{
	const struct okta_logger *logger = okta_client_logger(client);
	enum okta_status status;

	okta_client_extend_deadline(client, OKTA_REVOKE_BUDGET_MS);
	status = okta_revoke_session(client, session_id);
	if (status == OKTA_STATUS_OK || status == OKTA_STATUS_NOT_FOUND)
		okta_log(logger, LOG_DEBUG, "revoked the Okta session that was refused");
	else
		okta_log(logger, LOG_ERR, "could not revoke the Okta session that was refused");
}

/*
 * Evaluate the policy rules in mask. A refusal writes the one line that
 * says which rule refused whom, and why (rule values and group names are
 * not secrets; the session id never appears). REJECTED when a rule is not
 * satisfied, UNAVAILABLE when what it needs came malformed from Okta.
 */
static enum okta_status
enforce_policy(const struct okta_logger *logger, const struct okta_config *cfg, const char *user,
	       const struct okta_session *session, const struct okta_group_list *groups,
	       long long now, unsigned mask, const char *step, struct okta_rule_verdict *report,
	       struct okta_audit_facts *facts)
{
	struct okta_rule_verdict verdicts[OKTA_RULE_COUNT];
	const struct okta_rule_verdict *failed;
	char shown_login[OKTA_TEXT_QUOTED_SIZE(OKTA_SHOWN_LOGIN_MAX)];
	char reason[OKTA_AUDIT_REASON_MAX];
	int r;

	okta_policy_evaluate(cfg, session, groups, now, mask, verdicts);
	for (r = 0; report != NULL && r < OKTA_RULE_COUNT; r++) {
		if (mask & OKTA_RULE_BIT(r))
			report[r] = verdicts[r];
	}
	failed = okta_policy_first_failure(verdicts);
	if (failed == NULL)
		return OKTA_STATUS_OK;
	okta_text_quote(session->login, OKTA_SHOWN_LOGIN_MAX, shown_login, sizeof(shown_login));
	okta_log(logger, failed->verdict == OKTA_VERDICT_ERROR ? LOG_ERR : LOG_WARNING,
		 "%s: access policy %s refused Okta login '%s' as user '%s': %s", step,
		 okta_rule_name(failed->rule), shown_login, user, failed->reason);
	snprintf(reason, sizeof(reason), "policy_%s", okta_rule_name(failed->rule));
	okta_audit_note_reason(facts, reason);
	return failed->verdict == OKTA_VERDICT_ERROR ? OKTA_STATUS_UNAVAILABLE
						     : OKTA_STATUS_REJECTED;
}

/*
 * The access policy on a just-created session, before it is refreshed:
 * first the rules that need nothing but the session (no request), then
 * require_group with listUserGroups on the same connection. A refusal thus
 * costs no refresh, and only a session we hand out is extended.
 */
static enum okta_status apply_auth_policy(struct okta_client *client, const struct okta_config *cfg,
					  const char *user, const struct okta_session *session,
					  struct okta_rule_verdict *report,
					  struct okta_audit_facts *facts)
{
	const struct okta_logger *logger = okta_client_logger(client);
	long long now = (long long)time(NULL);
	struct okta_group_list groups;
	enum okta_status status;

	status = enforce_policy(logger, cfg, user, session, NULL, now,
				OKTA_RULE_BIT(OKTA_RULE_MFA) | OKTA_RULE_BIT(OKTA_RULE_AUTH_AGE),
				"createSession", report, facts);
	if (status != OKTA_STATUS_OK || cfg->require_group_count == 0)
		return status;
	status = okta_list_user_groups(client, session->user_id, &groups);
	if (status == OKTA_STATUS_NOT_FOUND) {
		okta_log(
			logger, LOG_WARNING,
			"listUserGroups: access policy require_group refused user '%s': Okta does not know user %s",
			user, session->user_id);
		okta_audit_note_reason(facts, "policy_require_group");
		return OKTA_STATUS_REJECTED;
	}
	if (status != OKTA_STATUS_OK)
		return status;
	status = enforce_policy(logger, cfg, user, session, &groups, now,
				OKTA_RULE_BIT(OKTA_RULE_GROUP), "listUserGroups", report, facts);
	okta_group_list_clear(&groups);
	return status;
}

/*
 * Refresh an existing session and check it still belongs to user.
 * REJECTED: it now belongs to someone else or is not ACTIVE;
 * NOT_FOUND: it is gone.
 */
static enum okta_status refresh_bound(struct okta_client *client, const struct okta_config *cfg,
				      const char *user, const char *session_id,
				      struct okta_session *out, struct okta_audit_facts *facts)
{
	enum okta_status status = okta_refresh_session(client, session_id, out);

	if (status != OKTA_STATUS_OK)
		return note_lookup_failure(client, facts, status);
	okta_audit_note_session(facts, out);
	status = check_binding(okta_client_logger(client), cfg, user, out, "refreshSession", facts);
	if (status != OKTA_STATUS_OK)
		okta_session_clear(out);
	return status;
}

enum okta_status okta_workflow_authenticate(struct okta_client *client,
					    const struct okta_config *cfg, const char *user,
					    const char *session_token, struct okta_session *out,
					    struct okta_rule_verdict *policy_report,
					    struct okta_audit_facts *facts)
{
	const struct okta_logger *logger = okta_client_logger(client);
	struct okta_session created;
	enum okta_status status;

	memset(out, 0, sizeof(*out));
	/* An empty mask evaluates nothing: OFF or NOT_CHECKED for every rule. */
	if (policy_report != NULL)
		okta_policy_evaluate(cfg, NULL, NULL, 0, 0, policy_report);
	status = okta_create_session(client, session_token, &created);
	if (status != OKTA_STATUS_OK) {
		note_failed_call(client, facts);
		if (status == OKTA_STATUS_UNAVAILABLE)
			return status;
		okta_audit_note_reason(facts, "bad_token");
		return OKTA_STATUS_REJECTED;
	}
	okta_audit_note_session(facts, &created);

	status = check_binding(logger, cfg, user, &created, "createSession", facts);
	if (status == OKTA_STATUS_OK)
		status = apply_auth_policy(client, cfg, user, &created, policy_report, facts);
	if (status == OKTA_STATUS_OK) {
		status = refresh_bound(client, cfg, user, created.id, out, facts);
		/* Gone between create and refresh: the token bought nothing. */
		if (status == OKTA_STATUS_NOT_FOUND)
			status = OKTA_STATUS_REJECTED;
	}
	if (status != OKTA_STATUS_OK) {
		/* Before the revoke's own request replaces the last result. */
		note_failed_call(client, facts);
		okta_workflow_revoke_unused(client, created.id);
	}
	okta_session_clear(&created);
	return status;
}

/*
 * Is this session id, which this module does not hold, an ACTIVE session
 * whose login is user + login_suffix? getSession only. OK: it is;
 * REJECTED: it is not (logged); NOT_FOUND: gone; UNAVAILABLE: Okta could
 * not be asked.
 */
static enum okta_status check_owned(struct okta_client *client, const struct okta_config *cfg,
				    const char *user, const char *session_id,
				    struct okta_audit_facts *facts)
{
	struct okta_session current;
	enum okta_status status = okta_get_session(client, session_id, &current);

	if (status != OKTA_STATUS_OK)
		return note_lookup_failure(client, facts, status);
	okta_audit_note_session(facts, &current);
	status =
		check_binding(okta_client_logger(client), cfg, user, &current, "getSession", facts);
	okta_session_clear(&current);
	return status;
}

enum okta_status okta_workflow_open_session(struct okta_client *client,
					    const struct okta_config *cfg, const char *user,
					    const char *session_id, bool held,
					    struct okta_session *out,
					    struct okta_audit_facts *facts)
{
	enum okta_status status = OKTA_STATUS_OK;

	/* An id this handle does not hold may be anyone's: it must be user's
	 * before the admin token extends it. */
	if (!held)
		status = check_owned(client, cfg, user, session_id, facts);
	if (status == OKTA_STATUS_OK)
		status = refresh_bound(client, cfg, user, session_id, out, facts);
	if (status != OKTA_STATUS_OK)
		return status;
	/* Only require_mfa: see okta_workflow.h. */
	status = enforce_policy(okta_client_logger(client), cfg, user, out, NULL,
				(long long)time(NULL), OKTA_RULE_BIT(OKTA_RULE_MFA),
				"refreshSession", NULL, facts);
	if (status != OKTA_STATUS_OK)
		okta_session_clear(out);
	return status;
}

enum okta_status okta_workflow_close_session(struct okta_client *client,
					     const struct okta_config *cfg, const char *user,
					     const char *session_id, bool held,
					     struct okta_audit_facts *facts)
{
	enum okta_status status = OKTA_STATUS_OK;

	/* No facts for the ownership check: close names a refusal itself. */
	if (!held)
		status = check_owned(client, cfg, user, session_id, NULL);
	if (status == OKTA_STATUS_OK)
		status = okta_revoke_session(client, session_id);
	okta_audit_note_error_id(facts, okta_client_last_result(client)->error_id);
	okta_audit_note_reason(facts, status == OKTA_STATUS_NOT_FOUND  ? "already_gone"
				      : status == OKTA_STATUS_REJECTED ? "not_owner"
				      : status == OKTA_STATUS_OK       ? "revoked"
								       : NULL);
	return status;
}
