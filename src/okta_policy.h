/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Access policy on the Okta session: require_group, require_mfa and
 * max_auth_age (see README "Access policy"). Pure: the caller supplies the
 * configuration, the session, the user's groups (if fetched) and the time,
 * and gets a verdict per rule, so that the PAM module and the admin check
 * tool report the same thing.
 */
#ifndef OKTA_POLICY_H
#define OKTA_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "okta_config.h"
#include "okta_session.h"

/* How far in the future (Okta's clock ahead of ours) a verification time
 * may be before it is treated as bad data instead of "just now". */
#define OKTA_CLOCK_SKEW_MAX 300

enum okta_rule {
	OKTA_RULE_GROUP = 0, /* require_group */
	OKTA_RULE_MFA,       /* require_mfa */
	OKTA_RULE_AUTH_AGE,  /* max_auth_age */
	OKTA_RULE_COUNT
};

/* Which rules an evaluation covers (bit (1 << rule)). */
#define OKTA_RULES_ALL ((1u << OKTA_RULE_COUNT) - 1)
#define OKTA_RULE_BIT(rule) (1u << (rule))

enum okta_verdict {
	OKTA_VERDICT_OFF = 0, /* the rule is not configured */
	OKTA_VERDICT_PASS,
	OKTA_VERDICT_NOT_CHECKED, /* configured, but not evaluated (not asked for,
				     or the group list was not fetched) */
	OKTA_VERDICT_REFUSE,      /* the session does not satisfy the rule */
	OKTA_VERDICT_ERROR,       /* what the rule needs came in a malformed shape */
};

struct okta_rule_verdict {
	enum okta_rule rule;
	enum okta_verdict verdict;
	char reason[256]; /* printable ASCII; never a secret */
};

/* Is any rule configured? */
bool okta_policy_active(const struct okta_config *cfg);

/* "require_group", "require_mfa", "max_auth_age". */
const char *okta_rule_name(enum okta_rule rule);

/* "off", "pass", "not checked", "refuse", "error". */
const char *okta_verdict_name(enum okta_verdict verdict);

/* The rule's configured value as text ("bastion-admins, ops", "yes", "900"),
 * or "(not set)". OKTA_RULE_DESCRIPTION_MAX bytes hold any that is not cut. */
#define OKTA_RULE_DESCRIPTION_MAX 512
void okta_policy_describe_rule(const struct okta_config *cfg, enum okta_rule rule, char *out,
			       size_t outlen);

/*
 * Evaluate the rules in mask against session at time now (epoch seconds).
 * groups is the user's complete group list, or NULL when it was not fetched
 * (require_group is then NOT_CHECKED). verdicts[r] is filled for every rule.
 * Returns the overall verdict: ERROR if any rule errs, else REFUSE if any
 * refuses, else NOT_CHECKED if any configured rule in mask was not checked,
 * else PASS (also when no rule is configured).
 */
enum okta_verdict okta_policy_evaluate(const struct okta_config *cfg,
				       const struct okta_session *session,
				       const struct okta_group_list *groups, long long now,
				       unsigned mask,
				       struct okta_rule_verdict verdicts[OKTA_RULE_COUNT]);

/* The first rule that refused or erred (ERROR first), or NULL. */
const struct okta_rule_verdict *
okta_policy_first_failure(const struct okta_rule_verdict verdicts[OKTA_RULE_COUNT]);

/* Does this amr value show a factor beyond the password? */
bool okta_amr_is_strong_factor(const char *amr);

/*
 * Okta's timestamps, "2026-11-25T20:31:10.000Z": UTC ('Z' required),
 * optional fraction of 1-9 digits (dropped: whole seconds), years
 * 1970-9999, real calendar dates. No locale or time zone involved.
 * Returns 0 and epoch seconds in *out, or -1.
 */
int okta_timestamp_parse(const char *text, long long *out);

#endif
