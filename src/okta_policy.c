/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_policy.h"
#include "okta_config.h"
#include "okta_log.h"
#include "okta_session.h"
#include "okta_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* How much of one Okta text (a group name, an amr value) a reason shows. */
#define OKTA_POLICY_SHOWN_MAX 40

static void set_reason(struct okta_rule_verdict *v, enum okta_verdict verdict, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_reason(struct okta_rule_verdict *v, enum okta_verdict verdict, const char *fmt, ...)
{
	char raw[sizeof(v->reason)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(raw, sizeof(raw), fmt, ap);
	va_end(ap);
	/* Reasons quote Okta's data (group names, amr): keep log lines clean. */
	okta_text_printable(raw, v->reason, sizeof(v->reason));
	v->verdict = verdict;
}

static bool rule_is_configured(const struct okta_config *cfg, enum okta_rule rule)
{
	switch (rule) {
	case OKTA_RULE_GROUP:
		return cfg->require_group_count > 0;
	case OKTA_RULE_MFA:
		return cfg->require_mfa;
	case OKTA_RULE_AUTH_AGE:
		return cfg->max_auth_age > 0;
	case OKTA_RULE_COUNT:
		break;
	}
	return false;
}

bool okta_policy_active(const struct okta_config *cfg)
{
	return rule_is_configured(cfg, OKTA_RULE_GROUP) || rule_is_configured(cfg, OKTA_RULE_MFA) ||
	       rule_is_configured(cfg, OKTA_RULE_AUTH_AGE);
}

const char *okta_rule_name(enum okta_rule rule)
{
	switch (rule) {
	case OKTA_RULE_GROUP:
		return "require_group";
	case OKTA_RULE_MFA:
		return "require_mfa";
	case OKTA_RULE_AUTH_AGE:
		return "max_auth_age";
	case OKTA_RULE_COUNT:
		break;
	}
	return "unknown rule";
}

const char *okta_verdict_name(enum okta_verdict verdict)
{
	switch (verdict) {
	case OKTA_VERDICT_OFF:
		return "off";
	case OKTA_VERDICT_PASS:
		return "pass";
	case OKTA_VERDICT_NOT_CHECKED:
		return "not checked";
	case OKTA_VERDICT_REFUSE:
		return "refuse";
	case OKTA_VERDICT_ERROR:
		return "error";
	}
	return "unknown verdict";
}

/* The require_group entries in their explicit form ("OKTA_GROUP:name",
 * "APP_GROUP:name", an id), joined with ", " into out (cut to fit); an
 * entry holding a comma is shown in double quotes, as it is written in the
 * configuration. */
static void describe_groups(const struct okta_config *cfg, char *out, size_t outlen)
{
	size_t used = 0;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < cfg->require_group_count && used < outlen; i++) {
		struct okta_group_entry e = okta_group_entry_parse(cfg->require_groups[i]);
		const char *quote = strchr(e.value, ',') != NULL ? "\"" : "";
		int n = snprintf(out + used, outlen - used, "%s%s%s%s%s%s", i > 0 ? ", " : "",
				 quote, e.type != NULL ? e.type : "", e.type != NULL ? ":" : "",
				 e.value, quote);

		if (n < 0)
			break;
		used += (size_t)n;
	}
}

/* Okta's list items (amr values), each quoted (okta_text_quote), joined by
 * ",": no item can look like two, or like the module's own words. */
static void join_quoted(char *const *items, size_t count, char *out, size_t outlen)
{
	char item[OKTA_TEXT_QUOTED_SIZE(OKTA_POLICY_SHOWN_MAX)];
	size_t used = 0;
	size_t i;

	out[0] = '\0';
	for (i = 0; i < count && used < outlen; i++) {
		int n;

		okta_text_quote(items[i], OKTA_POLICY_SHOWN_MAX, item, sizeof(item));
		n = snprintf(out + used, outlen - used, "%s%s", i > 0 ? "," : "", item);
		if (n < 0)
			break;
		used += (size_t)n;
	}
}

void okta_policy_describe_rule(const struct okta_config *cfg, enum okta_rule rule, char *out,
			       size_t outlen)
{
	if (outlen == 0)
		return;
	if (!rule_is_configured(cfg, rule))
		snprintf(out, outlen, "(not set)");
	else if (rule == OKTA_RULE_GROUP)
		describe_groups(cfg, out, outlen);
	else if (rule == OKTA_RULE_MFA)
		snprintf(out, outlen, "yes");
	else
		snprintf(out, outlen, "%ld", cfg->max_auth_age);
}

/* Names and types are compared byte for byte (case-sensitive): a near miss
 * refuses, and so does a group Okta sent without a type or a name. With
 * any_type, the type is not compared (only to explain a refusal). */
static bool group_matches(const struct okta_group_entry *e, const struct okta_group *group,
			  bool any_type)
{
	if (e->type == NULL)
		return strcmp(group->id, e->value) == 0;
	return group->name != NULL && strcmp(group->name, e->value) == 0 &&
	       (any_type || (group->type != NULL && strcmp(group->type, e->type) == 0));
}

/* The first group of the list that a configured entry names, or NULL. */
static const struct okta_group *find_required_group(const struct okta_config *cfg,
						    const struct okta_group_list *groups,
						    bool any_type)
{
	size_t e;
	size_t g;

	for (e = 0; e < cfg->require_group_count; e++) {
		struct okta_group_entry entry = okta_group_entry_parse(cfg->require_groups[e]);

		for (g = 0; g < groups->count; g++) {
			if (group_matches(&entry, &groups->items[g], any_type))
				return &groups->items[g];
		}
	}
	return NULL;
}

static void check_group(const struct okta_config *cfg, const struct okta_group_list *groups,
			struct okta_rule_verdict *v)
{
	const struct okta_group *match;
	char wanted[200];
	char name[OKTA_TEXT_QUOTED_SIZE(OKTA_POLICY_SHOWN_MAX)];

	if (cfg->require_group_count == 0)
		return;
	if (groups == NULL) {
		set_reason(v, OKTA_VERDICT_NOT_CHECKED, "the user's groups were not fetched");
		return;
	}
	match = find_required_group(cfg, groups, false);
	if (match != NULL) {
		/* the group's name is Okta's text: quoted (okta_text_quote) */
		okta_text_quote(match->name, OKTA_POLICY_SHOWN_MAX, name, sizeof(name));
		set_reason(v, OKTA_VERDICT_PASS, "member of %s (%s)", name, match->id);
		return;
	}
	describe_groups(cfg, wanted, sizeof(wanted));
	match = find_required_group(cfg, groups, true);
	if (match != NULL) {
		/* name and type are Okta's text: quoted (okta_text_quote) */
		char type[OKTA_TEXT_QUOTED_SIZE(OKTA_POLICY_SHOWN_MAX)];

		okta_text_quote(match->name, OKTA_POLICY_SHOWN_MAX, name, sizeof(name));
		okta_text_quote(match->type != NULL ? match->type : "(none)", OKTA_POLICY_SHOWN_MAX,
				type, sizeof(type));
		set_reason(v, OKTA_VERDICT_REFUSE,
			   "not a member of any of: %s (group %s %s is of type %s)", wanted, name,
			   match->id, type);
	} else {
		set_reason(v, OKTA_VERDICT_REFUSE,
			   "not a member of any of: %s (%zu groups checked)", wanted,
			   groups->count);
	}
}

bool okta_amr_is_strong_factor(const char *amr)
{
	/* RFC 8176 values that prove something beyond a password: a second
	 * factor, a possession or a biometric. Not counted: pwd, kba (a
	 * security question), pin, geo, rba, user, wia. */
	static const char *const strong[] = {
		"mfa", "mca", "otp",  "hwk",  "swk",    "sms", "tel",
		"sc",  "fpt", "face", "iris", "retina", "vbm", "pop",
	};
	size_t i;

	for (i = 0; amr != NULL && i < sizeof(strong) / sizeof(strong[0]); i++) {
		if (strcmp(amr, strong[i]) == 0)
			return true;
	}
	return false;
}

static void check_mfa(const struct okta_config *cfg, const struct okta_session *session,
		      struct okta_rule_verdict *v)
{
	char shown[128];
	size_t i;

	if (!cfg->require_mfa)
		return;
	if (session->malformed & OKTA_FIELD_AMR) {
		set_reason(v, OKTA_VERDICT_ERROR,
			   "the session's amr is not a list of short strings");
		return;
	}
	join_quoted(session->amr, session->amr_count, shown, sizeof(shown));
	for (i = 0; i < session->amr_count; i++) {
		if (okta_amr_is_strong_factor(session->amr[i])) {
			set_reason(v, OKTA_VERDICT_PASS, "amr [%s]", shown);
			return;
		}
	}
	set_reason(v, OKTA_VERDICT_REFUSE, "amr [%s] shows no factor beyond the password", shown);
}

/* One verification time: 1 and *t when present, 0 when absent, -1 (verdict
 * set) when malformed. */
static int read_verification(const char *name, const char *value, bool malformed, long long *t,
			     struct okta_rule_verdict *v)
{
	if (malformed) {
		set_reason(v, OKTA_VERDICT_ERROR, "the session's %s is not a string", name);
		return -1;
	}
	if (value == NULL)
		return 0;
	if (okta_timestamp_parse(value, t) != 0) {
		set_reason(v, OKTA_VERDICT_ERROR, "the session's %s is not a UTC timestamp", name);
		return -1;
	}
	return 1;
}

static void check_auth_age(const struct okta_config *cfg, const struct okta_session *session,
			   long long now, struct okta_rule_verdict *v)
{
	long long factor = 0;
	long long password = 0;
	long long latest;
	long long age;
	int has_factor;
	int has_password = 0;
	const char *what = cfg->require_mfa ? "last factor verification" : "last verification";

	if (cfg->max_auth_age <= 0)
		return;
	has_factor = read_verification("lastFactorVerification", session->last_factor_verification,
				       session->malformed & OKTA_FIELD_LAST_FACTOR, &factor, v);
	if (has_factor < 0)
		return;
	/* With require_mfa only a factor verification counts: a fresh
	 * password on top of a morning's factor is not a fresh MFA. */
	if (!cfg->require_mfa) {
		has_password = read_verification(
			"lastPasswordVerification", session->last_password_verification,
			session->malformed & OKTA_FIELD_LAST_PASSWORD, &password, v);
		if (has_password < 0)
			return;
	}
	if (!has_factor && !has_password) {
		set_reason(v, OKTA_VERDICT_REFUSE, "the session has no %s",
			   cfg->require_mfa ? "lastFactorVerification"
					    : "lastPasswordVerification or lastFactorVerification");
		return;
	}
	latest = has_factor && (!has_password || factor > password) ? factor : password;
	if (latest > now + OKTA_CLOCK_SKEW_MAX) {
		set_reason(v, OKTA_VERDICT_ERROR,
			   "last verification is %lld s in the future: check this host's clock",
			   latest - now);
		return;
	}
	age = latest > now ? 0 : now - latest;
	if (age > cfg->max_auth_age)
		set_reason(v, OKTA_VERDICT_REFUSE, "%s %lld s ago, more than %ld s", what, age,
			   cfg->max_auth_age);
	else
		set_reason(v, OKTA_VERDICT_PASS, "%s %lld s ago", what, age);
}

enum okta_verdict okta_policy_evaluate(const struct okta_config *cfg,
				       const struct okta_session *session,
				       const struct okta_group_list *groups, long long now,
				       unsigned mask,
				       struct okta_rule_verdict verdicts[OKTA_RULE_COUNT])
{
	enum okta_verdict overall = OKTA_VERDICT_PASS;
	int r;

	for (r = 0; r < OKTA_RULE_COUNT; r++) {
		verdicts[r].rule = (enum okta_rule)r;
		verdicts[r].verdict = OKTA_VERDICT_OFF;
		verdicts[r].reason[0] = '\0';
	}
	if (mask & OKTA_RULE_BIT(OKTA_RULE_GROUP))
		check_group(cfg, groups, &verdicts[OKTA_RULE_GROUP]);
	if (mask & OKTA_RULE_BIT(OKTA_RULE_MFA))
		check_mfa(cfg, session, &verdicts[OKTA_RULE_MFA]);
	if (mask & OKTA_RULE_BIT(OKTA_RULE_AUTH_AGE))
		check_auth_age(cfg, session, now, &verdicts[OKTA_RULE_AUTH_AGE]);
	for (r = 0; r < OKTA_RULE_COUNT; r++) {
		/* A configured rule left out of mask is reported as such. */
		if (!(mask & OKTA_RULE_BIT(r)) && rule_is_configured(cfg, (enum okta_rule)r))
			set_reason(&verdicts[r], OKTA_VERDICT_NOT_CHECKED,
				   "not checked at this step");
		/* The verdicts are ordered by severity. */
		if (verdicts[r].verdict > overall)
			overall = verdicts[r].verdict;
	}
	return overall;
}

const struct okta_rule_verdict *
okta_policy_first_failure(const struct okta_rule_verdict verdicts[OKTA_RULE_COUNT])
{
	int r;

	for (r = 0; r < OKTA_RULE_COUNT; r++) {
		if (verdicts[r].verdict == OKTA_VERDICT_ERROR)
			return &verdicts[r];
	}
	for (r = 0; r < OKTA_RULE_COUNT; r++) {
		if (verdicts[r].verdict == OKTA_VERDICT_REFUSE)
			return &verdicts[r];
	}
	return NULL;
}

/* ------------------------------------------------------------ timestamps */

/* Read exactly n digits. */
static bool read_digits(const char **p, int n, int *out)
{
	int value = 0;
	int i;

	for (i = 0; i < n; i++) {
		char c = (*p)[i];

		if (c < '0' || c > '9')
			return false;
		value = value * 10 + (c - '0');
	}
	*p += n;
	*out = value;
	return true;
}

static bool expect_char(const char **p, char c)
{
	if (**p != c)
		return false;
	(*p)++;
	return true;
}

static bool is_leap_year(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int y, int m)
{
	static const int days[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && is_leap_year(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil): plain arithmetic, no timegm, no TZ. */
static long long days_from_civil(int y, int m, int d)
{
	long long era;
	long long yoe;
	long long doy;
	long long doe;

	y -= m <= 2;
	era = y / 400; /* y >= 1969 here: no negative rounding */
	yoe = y - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

int okta_timestamp_parse(const char *text, long long *out)
{
	const char *p = text;
	int y, mo, d, h, mi, s;
	int digit;
	int fraction_digits = 0;

	if (text == NULL)
		return -1;
	if (!read_digits(&p, 4, &y) || !expect_char(&p, '-') || !read_digits(&p, 2, &mo) ||
	    !expect_char(&p, '-') || !read_digits(&p, 2, &d) || !expect_char(&p, 'T') ||
	    !read_digits(&p, 2, &h) || !expect_char(&p, ':') || !read_digits(&p, 2, &mi) ||
	    !expect_char(&p, ':') || !read_digits(&p, 2, &s))
		return -1;
	if (*p == '.') {
		p++;
		while (fraction_digits < 10 && read_digits(&p, 1, &digit))
			fraction_digits++;
		if (fraction_digits == 0 || fraction_digits > 9)
			return -1;
	}
	if (!expect_char(&p, 'Z') || *p != '\0')
		return -1;
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 23 ||
	    mi > 59 || s > 59)
		return -1;
	*out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s;
	return 0;
}
