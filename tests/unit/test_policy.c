/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for the access policy: its configuration keys, the session
 * fields it reads, the listUserGroups parser, the timestamp parser and the
 * rule evaluation (clock edges included). Link paging: test_link.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_config.h"
#include "okta_json.h"
#include "okta_policy.h"
#include "okta_session.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BASE "org_url = https://example.okta.com\napi_token = 00abc\n"
#define ORG "https://example.okta.com"
#define UID "00u1abcdefGHIJKLMNOP"

/* ------------------------------------------------------------ helpers */

static int parse_conf(const char *extra, struct okta_config *cfg, char *err, size_t errlen)
{
	char text[4096];

	snprintf(text, sizeof(text), BASE "%s\n", extra);
	okta_config_init(cfg);
	return okta_config_parse(text, strlen(text), cfg, err, errlen);
}

static void parse_session(const char *extra_fields, struct okta_session *s)
{
	char body[2048];

	snprintf(body, sizeof(body),
		 "{\"id\":\"102abc\",\"userId\":\"" UID "\",\"login\":\"alice@example.com\","
		 "\"status\":\"ACTIVE\"%s%s}",
		 extra_fields[0] != '\0' ? "," : "", extra_fields);
	assert_int_equal(okta_parse_session(body, strlen(body), s), OKTA_PARSE_OK);
}

static long long ts(const char *text)
{
	long long t = 0;

	assert_int_equal(okta_timestamp_parse(text, &t), 0);
	return t;
}

/* ------------------------------------------------------------ configuration */

static void test_config_policy_absent(void **state)
{
	struct okta_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse_conf("", &cfg, err, sizeof(err)), 0);
	assert_null(cfg.require_groups);
	assert_int_equal(cfg.require_group_count, 0);
	assert_false(cfg.require_mfa);
	assert_int_equal(cfg.max_auth_age, 0);
	assert_false(okta_policy_active(&cfg));
	okta_config_clear(&cfg);
}

static void test_config_group_lists(void **state)
{
	static const struct {
		const char *value;
		size_t count;
		const char *groups[4];
	} cases[] = {
		{ "bastion-admins", 1, { "bastion-admins" } },
		{ "a,b", 2, { "a", "b" } },
		{ "  db admins ,\tops  ", 2, { "db admins", "ops" } },
		{ "\"Ops, EU\", dev", 2, { "Ops, EU", "dev" } },
		{ "dev, \" spaced \"", 2, { "dev", " spaced " } },
		{ "00g1abcdefGHIJKLMNOP", 1, { "00g1abcdefGHIJKLMNOP" } },
		{ "Développeurs", 1, { "Développeurs" } },
	};
	size_t i;
	size_t k;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_config cfg;
		char line[512];
		char err[256] = "";

		snprintf(line, sizeof(line), "require_group = %s", cases[i].value);
		assert_int_equal(parse_conf(line, &cfg, err, sizeof(err)), 0);
		assert_int_equal(cfg.require_group_count, cases[i].count);
		for (k = 0; k < cases[i].count; k++)
			assert_string_equal(cfg.require_groups[k], cases[i].groups[k]);
		assert_true(okta_policy_active(&cfg));
		okta_config_clear(&cfg);
		assert_null(cfg.require_groups);
	}
}

static void test_config_policy_bad_values(void **state)
{
	char too_many[1024] = "require_group = g0";
	char too_long[400];
	const char *cases[] = {
		"require_group = \"ops",
		"require_group = ops,,dev",
		"require_group = ops,",
		"require_group = ,ops",
		"require_group = ops\"x",
		"require_group = \"ops\" x",
		"require_group = \"\"",
		"require_group = a\x01"
		"b",
		too_many,
		too_long,
		"require_mfa = maybe",
		"require_mfa = YES",
		"max_auth_age = 0",
		"max_auth_age = 31536001",
		"max_auth_age = 99999999999999999999999",
		"max_auth_age = -1",
		"max_auth_age = 1.5",
		"max_auth_age = 900s",
		"require_mfa = yes\nrequire_mfa = no",
	};
	size_t i;
	int n;

	(void)state;
	for (n = 1; n <= OKTA_REQUIRE_GROUP_MAX; n++)
		snprintf(too_many + strlen(too_many), sizeof(too_many) - strlen(too_many), ",g%d",
			 n);
	snprintf(too_long, sizeof(too_long), "require_group = %0256d", 7);
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_config cfg;
		char err[256] = "";

		assert_int_equal(parse_conf(cases[i], &cfg, err, sizeof(err)), -1);
		assert_true(strlen(err) > 0);
		okta_config_clear(&cfg);
	}
}

static void test_config_policy_limits(void **state)
{
	struct okta_config cfg;
	char line[1024] = "require_group = g0";
	char err[256] = "";
	int n;

	(void)state;
	for (n = 1; n < OKTA_REQUIRE_GROUP_MAX; n++)
		snprintf(line + strlen(line), sizeof(line) - strlen(line), ",g%d", n);
	snprintf(line + strlen(line), sizeof(line) - strlen(line),
		 "\nrequire_mfa = yes\nmax_auth_age = 31536000");
	assert_int_equal(parse_conf(line, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.require_group_count, OKTA_REQUIRE_GROUP_MAX);
	assert_true(cfg.require_mfa);
	assert_int_equal(cfg.max_auth_age, 31536000);
	okta_config_clear(&cfg);
	assert_int_equal(parse_conf("max_auth_age = 1\nrequire_mfa = no", &cfg, err, sizeof(err)),
			 0);
	assert_int_equal(cfg.max_auth_age, 1);
	assert_false(cfg.require_mfa);
	okta_config_clear(&cfg);
}

/* ------------------------------------------------------------ session fields */

static void test_session_policy_fields(void **state)
{
	struct okta_session s;

	(void)state;
	parse_session(
		"\"amr\":[\"pwd\",\"mfa\"],\"lastPasswordVerification\":\"2026-01-01T00:00:00.000Z\","
		"\"lastFactorVerification\":\"2026-01-01T00:00:05.000Z\"",
		&s);
	assert_int_equal(s.amr_count, 2);
	assert_string_equal(s.amr[0], "pwd");
	assert_string_equal(s.amr[1], "mfa");
	assert_string_equal(s.last_password_verification, "2026-01-01T00:00:00.000Z");
	assert_string_equal(s.last_factor_verification, "2026-01-01T00:00:05.000Z");
	assert_int_equal(s.malformed, 0);
	okta_session_clear(&s);

	parse_session("\"amr\":null,\"lastFactorVerification\":null", &s);
	assert_null(s.amr);
	assert_int_equal(s.amr_count, 0);
	assert_null(s.last_factor_verification);
	assert_int_equal(s.malformed, 0);
	okta_session_clear(&s);
}

static void test_session_policy_fields_malformed(void **state)
{
	static const struct {
		const char *fields;
		unsigned malformed;
	} cases[] = {
		{ "\"amr\":\"mfa\"", OKTA_FIELD_AMR },
		{ "\"amr\":[1]", OKTA_FIELD_AMR },
		{ "\"amr\":[\"pwd\",null]", OKTA_FIELD_AMR },
		{ "\"amr\":[\"m\\u0000fa\"]", OKTA_FIELD_AMR },
		{ "\"amr\":[\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"]", OKTA_FIELD_AMR },
		{ "\"amr\":[\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
		  "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\",\"a\","
		  "\"a\",\"a\",\"a\",\"a\",\"a\",\"a\"]",
		  OKTA_FIELD_AMR },
		{ "\"lastPasswordVerification\":1700000000", OKTA_FIELD_LAST_PASSWORD },
		{ "\"lastFactorVerification\":{}", OKTA_FIELD_LAST_FACTOR },
		{ "\"amr\":{},\"lastFactorVerification\":[]",
		  OKTA_FIELD_AMR | OKTA_FIELD_LAST_FACTOR },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_session s;

		/* Still a usable session: only a rule that needs the field fails. */
		parse_session(cases[i].fields, &s);
		assert_int_equal(s.malformed, cases[i].malformed);
		assert_string_equal(s.login, "alice@example.com");
		if (cases[i].malformed & OKTA_FIELD_AMR) {
			assert_null(s.amr);
			assert_int_equal(s.amr_count, 0);
		}
		okta_session_clear(&s);
	}
}

/* ------------------------------------------------------------ groups */

static void test_parse_groups(void **state)
{
	static const char page1[] =
		"[{\"id\":\"00g1\",\"type\":\"OKTA_GROUP\",\"profile\":{\"name\":\"Everyone\",\"description\":\"\"}},"
		" {\"id\":\"00g2\",\"profile\":{\"name\":\"Ops, EU\"}},"
		" {\"id\":\"00g3\"}, {\"id\":\"00g4\",\"profile\":null}]";
	static const char page2[] = "[{\"id\":\"00g5\",\"type\":\"APP_GROUP\","
				    "\"profile\":{\"name\":\"bastion-admins\"}}]";
	struct okta_group_list list = { 0 };

	(void)state;
	assert_int_equal(okta_parse_groups(page1, strlen(page1), 100, &list), OKTA_PARSE_OK);
	assert_int_equal(okta_parse_groups("[]", 2, 100, &list), OKTA_PARSE_OK);
	assert_int_equal(okta_parse_groups(page2, strlen(page2), 100, &list), OKTA_PARSE_OK);
	assert_int_equal(list.count, 5);
	assert_string_equal(list.items[0].name, "Everyone");
	assert_string_equal(list.items[1].name, "Ops, EU");
	assert_null(list.items[2].name);
	assert_null(list.items[3].name);
	assert_string_equal(list.items[4].id, "00g5");
	assert_string_equal(list.items[4].name, "bastion-admins");
	/* The type as Okta sent it; NULL when absent (never guessed). */
	assert_string_equal(list.items[0].type, "OKTA_GROUP");
	assert_null(list.items[1].type);
	assert_string_equal(list.items[4].type, "APP_GROUP");
	/* Over the cap: refused, list unchanged. */
	assert_int_equal(okta_parse_groups(page2, strlen(page2), 5, &list), OKTA_PARSE_BAD_FIELD);
	assert_int_equal(list.count, 5);
	okta_group_list_clear(&list);
	assert_int_equal(list.count, 0);
	assert_null(list.items);
}

static void test_parse_groups_bad(void **state)
{
	static const struct {
		const char *body;
		enum okta_parse_result result;
	} cases[] = {
		{ "{\"id\":\"00g1\"}", OKTA_PARSE_NOT_ARRAY },
		{ "null\n", OKTA_PARSE_NOT_ARRAY }, /* json-c needs the newline to end "null" */
		{ "[", OKTA_PARSE_NOT_JSON },
		{ "", OKTA_PARSE_NOT_JSON },
		{ "[{\"id\":\"00g1\"},1]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\"},{\"profile\":{\"name\":\"x\"}}]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":7}]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\",\"profile\":\"x\"}]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\",\"profile\":{\"name\":[]}}]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\",\"profile\":{\"name\":\"a\\u0000b\"}}]",
		  OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\",\"type\":1}]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\",\"type\":[\"OKTA_GROUP\"]}]", OKTA_PARSE_BAD_FIELD },
		{ "[{\"id\":\"00g1\",\"type\":\"OKTA_GROUP\\u0000\"}]", OKTA_PARSE_BAD_FIELD },
		/* A group's name twice: json-c keeps "admins", a reader that
		 * keeps the first sees "users" (F8). */
		{ "[{\"id\":\"00g1\",\"profile\":{\"name\":\"users\"},"
		  "\"profile\":{\"name\":\"admins\"}}]",
		  OKTA_PARSE_DUPLICATE_KEY },
		{ "[{\"id\":\"00g1\",\"profile\":{\"name\":\"users\",\"name\":\"admins\"}}]",
		  OKTA_PARSE_DUPLICATE_KEY },
		{ "[{\"id\":\"00g1\",\"id\":\"00g2\",\"profile\":{\"name\":\"a\"}}]",
		  OKTA_PARSE_DUPLICATE_KEY },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_group_list list = { 0 };

		assert_int_equal(
			okta_parse_groups(cases[i].body, strlen(cases[i].body), 100, &list),
			cases[i].result);
		assert_int_equal(list.count, 0);
		okta_group_list_clear(&list);
	}
}

/* ------------------------------------------------------------ timestamps */

static void test_timestamp_parse(void **state)
{
	static const struct {
		const char *text;
		long long seconds;
	} cases[] = {
		{ "1970-01-01T00:00:00Z", 0 },
		{ "1970-01-01T00:00:00.999Z", 0 },
		{ "2000-03-01T00:00:00Z", 951868800 },
		{ "2000-02-29T23:59:59.000Z", 951868799 },
		{ "2019-08-24T14:15:22Z", 1566656122 },
		{ "2024-02-29T12:00:00.5Z", 1709208000 },
		{ "2026-11-25T20:31:10.000Z", 1795638670 },
		{ "2038-01-19T03:14:08.000Z", 2147483648LL },
		{ "2100-03-01T00:00:00Z", 4107542400LL },
		{ "9999-12-31T23:59:59.123456789Z", 253402300799LL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++)
		assert_int_equal(ts(cases[i].text), cases[i].seconds);
}

static void test_timestamp_parse_bad(void **state)
{
	static const char *const cases[] = {
		"",
		"2019-08-24",
		"2019-08-24T14:15:22",
		"2019-08-24T14:15:22z",
		"2019-08-24T14:15:22+00:00",
		"2019-08-24 14:15:22Z",
		"2019-08-24T14:15:22.Z",
		"2019-08-24T14:15:22.1234567890Z",
		"2019-08-24T14:15:22ZZ",
		"2019-8-24T14:15:22Z",
		"1969-12-31T23:59:59Z",
		"2019-13-01T00:00:00Z",
		"2019-00-01T00:00:00Z",
		"2019-02-29T00:00:00Z",
		"2100-02-29T00:00:00Z",
		"2019-04-31T00:00:00Z",
		"2019-01-00T00:00:00Z",
		"2019-01-01T24:00:00Z",
		"2019-01-01T00:60:00Z",
		"2019-01-01T00:00:60Z",
		"+2019-01-01T00:00:00Z",
		"2019-01-01T00:00:0xZ",
		" 2019-01-01T00:00:00Z",
	};
	size_t i;
	long long t = 42;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(okta_timestamp_parse(cases[i], &t), -1);
		assert_int_equal(t, 42);
	}
	assert_int_equal(okta_timestamp_parse(NULL, &t), -1);
}

/* ------------------------------------------------------------ evaluation */

#define NOW_TEXT "2026-01-01T12:00:00.000Z"

static enum okta_verdict evaluate(const char *conf, const char *fields,
				  const struct okta_group_list *groups, long long now,
				  unsigned mask, struct okta_rule_verdict v[OKTA_RULE_COUNT])
{
	struct okta_config cfg;
	struct okta_session s;
	enum okta_verdict overall;
	char err[256] = "";

	assert_int_equal(parse_conf(conf, &cfg, err, sizeof(err)), 0);
	parse_session(fields, &s);
	overall = okta_policy_evaluate(&cfg, &s, groups, now, mask, v);
	okta_session_clear(&s);
	okta_config_clear(&cfg);
	return overall;
}

static void test_evaluate_no_policy(void **state)
{
	struct okta_rule_verdict v[OKTA_RULE_COUNT];
	int r;

	(void)state;
	assert_int_equal(evaluate("", "\"amr\":7", NULL, 0, OKTA_RULES_ALL, v), OKTA_VERDICT_PASS);
	for (r = 0; r < OKTA_RULE_COUNT; r++) {
		assert_int_equal(v[r].rule, r);
		assert_int_equal(v[r].verdict, OKTA_VERDICT_OFF);
	}
	assert_null(okta_policy_first_failure(v));
}

static void test_evaluate_mfa(void **state)
{
	static const struct {
		const char *amr;
		enum okta_verdict verdict;
	} cases[] = {
		{ "\"amr\":[\"pwd\",\"mfa\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"otp\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"pwd\",\"hwk\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"swk\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"sms\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"tel\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"sc\"]", OKTA_VERDICT_PASS },
		{ "\"amr\":[\"pwd\"]", OKTA_VERDICT_REFUSE },
		{ "\"amr\":[\"pwd\",\"kba\",\"geo\"]", OKTA_VERDICT_REFUSE },
		{ "\"amr\":[\"MFA\"]", OKTA_VERDICT_REFUSE },
		{ "\"amr\":[]", OKTA_VERDICT_REFUSE },
		{ "\"amr\":null", OKTA_VERDICT_REFUSE },
		{ "\"createdAt\":\"x\"", OKTA_VERDICT_REFUSE },
		{ "\"amr\":\"mfa\"", OKTA_VERDICT_ERROR },
		{ "\"amr\":[\"mfa\",2]", OKTA_VERDICT_ERROR },
	};
	struct okta_rule_verdict v[OKTA_RULE_COUNT];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(
			evaluate("require_mfa = yes", cases[i].amr, NULL, 0, OKTA_RULES_ALL, v),
			cases[i].verdict);
		assert_int_equal(v[OKTA_RULE_MFA].verdict, cases[i].verdict);
		assert_true(strlen(v[OKTA_RULE_MFA].reason) > 0);
	}
	evaluate("require_mfa = yes", "\"amr\":[\"pwd\"]", NULL, 0, OKTA_RULES_ALL, v);
	assert_ptr_equal(okta_policy_first_failure(v), &v[OKTA_RULE_MFA]);
	assert_non_null(strstr(v[OKTA_RULE_MFA].reason, "[pwd]"));
	/* Not asked for: reported as not checked, not as a pass. */
	assert_int_equal(evaluate("require_mfa = yes", "\"amr\":[\"pwd\"]", NULL, 0,
				  OKTA_RULE_BIT(OKTA_RULE_AUTH_AGE), v),
			 OKTA_VERDICT_NOT_CHECKED);
	assert_int_equal(v[OKTA_RULE_MFA].verdict, OKTA_VERDICT_NOT_CHECKED);
	assert_null(okta_policy_first_failure(v));
}

static void test_evaluate_auth_age_edges(void **state)
{
	static const struct {
		const char *conf;
		const char *fields;
		long long now_offset; /* seconds after NOW_TEXT */
		enum okta_verdict verdict;
	} cases[] = {
		/* Exactly max_auth_age old passes ("no older than"), one more refuses. */
		{ "max_auth_age = 900", "\"lastPasswordVerification\":\"" NOW_TEXT "\"", 900,
		  OKTA_VERDICT_PASS },
		{ "max_auth_age = 900", "\"lastPasswordVerification\":\"" NOW_TEXT "\"", 901,
		  OKTA_VERDICT_REFUSE },
		{ "max_auth_age = 900", "\"lastPasswordVerification\":\"2026-01-01T12:00:00.999Z\"",
		  900, OKTA_VERDICT_PASS },
		{ "max_auth_age = 900", "\"lastPasswordVerification\":\"2026-01-01T12:00:00.999Z\"",
		  901, OKTA_VERDICT_REFUSE },
		{ "max_auth_age = 1", "\"lastFactorVerification\":\"" NOW_TEXT "\"", 0,
		  OKTA_VERDICT_PASS },
		{ "max_auth_age = 1", "\"lastFactorVerification\":\"" NOW_TEXT "\"", 1,
		  OKTA_VERDICT_PASS },
		{ "max_auth_age = 1", "\"lastFactorVerification\":\"" NOW_TEXT "\"", 2,
		  OKTA_VERDICT_REFUSE },
		/* The later of the two counts... */
		{ "max_auth_age = 900",
		  "\"lastPasswordVerification\":\"2026-01-01T11:00:00Z\",\"lastFactorVerification\":\"" NOW_TEXT
		  "\"",
		  900, OKTA_VERDICT_PASS },
		{ "max_auth_age = 900",
		  "\"lastPasswordVerification\":\"" NOW_TEXT
		  "\",\"lastFactorVerification\":\"2026-01-01T11:00:00Z\"",
		  900, OKTA_VERDICT_PASS },
		/* ...except with require_mfa: only the factor. */
		{ "max_auth_age = 900\nrequire_mfa = yes",
		  "\"amr\":[\"mfa\"],\"lastPasswordVerification\":\"" NOW_TEXT "\","
		  "\"lastFactorVerification\":\"2026-01-01T11:00:00Z\"",
		  900, OKTA_VERDICT_REFUSE },
		{ "max_auth_age = 900\nrequire_mfa = yes",
		  "\"amr\":[\"mfa\"],\"lastPasswordVerification\":\"" NOW_TEXT "\"", 0,
		  OKTA_VERDICT_REFUSE },
		/* Nothing to measure: refused. */
		{ "max_auth_age = 900", "\"lastFactorVerification\":null", 0, OKTA_VERDICT_REFUSE },
		/* Okta's clock ahead: up to OKTA_CLOCK_SKEW_MAX counts as now. */
		{ "max_auth_age = 900", "\"lastPasswordVerification\":\"" NOW_TEXT "\"", -300,
		  OKTA_VERDICT_PASS },
		{ "max_auth_age = 900", "\"lastPasswordVerification\":\"" NOW_TEXT "\"", -301,
		  OKTA_VERDICT_ERROR },
		/* Malformed: an error, even when the other field would pass. */
		{ "max_auth_age = 900",
		  "\"lastPasswordVerification\":\"" NOW_TEXT "\",\"lastFactorVerification\":42", 0,
		  OKTA_VERDICT_ERROR },
		{ "max_auth_age = 900",
		  "\"lastPasswordVerification\":\"2026-01-01T12:00:00+00:00\"", 0,
		  OKTA_VERDICT_ERROR },
		/* A malformed password time is irrelevant when only the factor counts. */
		{ "max_auth_age = 900\nrequire_mfa = yes",
		  "\"amr\":[\"mfa\"],\"lastPasswordVerification\":7,\"lastFactorVerification\":\"" NOW_TEXT
		  "\"",
		  10, OKTA_VERDICT_PASS },
	};
	struct okta_rule_verdict v[OKTA_RULE_COUNT];
	long long now = ts(NOW_TEXT);
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		evaluate(cases[i].conf, cases[i].fields, NULL, now + cases[i].now_offset,
			 OKTA_RULE_BIT(OKTA_RULE_AUTH_AGE), v);
		if (v[OKTA_RULE_AUTH_AGE].verdict != cases[i].verdict)
			fail_msg("case %zu: verdict %s, expected %s (%s)", i,
				 okta_verdict_name(v[OKTA_RULE_AUTH_AGE].verdict),
				 okta_verdict_name(cases[i].verdict), v[OKTA_RULE_AUTH_AGE].reason);
	}
}

static void add_group(struct okta_group_list *list, const char *json)
{
	assert_int_equal(okta_parse_groups(json, strlen(json), 1000, list), OKTA_PARSE_OK);
}

static void test_evaluate_groups(void **state)
{
	static const struct {
		const char *conf;
		enum okta_verdict verdict;
	} cases[] = {
		{ "require_group = bastion-admins", OKTA_VERDICT_PASS },
		{ "require_group = nobody, \"Ops, EU\"", OKTA_VERDICT_PASS },
		{ "require_group = 00gABCDEFGHIJKLMNOPQ", OKTA_VERDICT_PASS },
		{ "require_group = Bastion-Admins", OKTA_VERDICT_REFUSE },
		{ "require_group = bastion", OKTA_VERDICT_REFUSE },
		{ "require_group = Ops", OKTA_VERDICT_REFUSE },
		/* An id-shaped entry matches ids only: the group *named* so does not count. */
		{ "require_group = 00gNAMEDLIKEANIDxxxx", OKTA_VERDICT_REFUSE },
		/* A name matches names only: 00g5 is an id here, not a name. */
		{ "require_group = 00g5", OKTA_VERDICT_REFUSE },
		/* The explicit form of a name. */
		{ "require_group = OKTA_GROUP:bastion-admins", OKTA_VERDICT_PASS },
		{ "require_group = APP_GROUP:bastion-admins", OKTA_VERDICT_REFUSE },
		{ "require_group = BUILT_IN:Everyone", OKTA_VERDICT_PASS },
		{ "require_group = Everyone", OKTA_VERDICT_REFUSE },
	};
	struct okta_group_list groups = { 0 };
	struct okta_group_list empty = { 0 };
	struct okta_rule_verdict v[OKTA_RULE_COUNT];
	size_t i;

	(void)state;
	add_group(&groups,
		  "[{\"id\":\"00g1\",\"type\":\"BUILT_IN\",\"profile\":{\"name\":\"Everyone\"}},"
		  "{\"id\":\"00g2\",\"type\":\"OKTA_GROUP\",\"profile\":{\"name\":\"Ops, EU\"}},"
		  "{\"id\":\"00g3\",\"type\":\"OKTA_GROUP\","
		  "\"profile\":{\"name\":\"00gNAMEDLIKEANIDxxxx\"}},"
		  "{\"id\":\"00g5\"}]");
	add_group(&groups, "[{\"id\":\"00gABCDEFGHIJKLMNOPQ\",\"type\":\"OKTA_GROUP\","
			   "\"profile\":{\"name\":\"bastion-admins\"}}]");
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		assert_int_equal(evaluate(cases[i].conf, "", &groups, 0, OKTA_RULES_ALL, v),
				 cases[i].verdict);
		assert_int_equal(v[OKTA_RULE_GROUP].verdict, cases[i].verdict);
	}
	evaluate("require_group = Ops", "", &groups, 0, OKTA_RULES_ALL, v);
	assert_non_null(strstr(v[OKTA_RULE_GROUP].reason, "5 groups checked"));
	assert_non_null(strstr(v[OKTA_RULE_GROUP].reason, "Ops"));
	assert_int_equal(evaluate("require_group = Everyone", "", &empty, 0, OKTA_RULES_ALL, v),
			 OKTA_VERDICT_REFUSE);
	/* No list: not checked, never a pass. */
	assert_int_equal(evaluate("require_group = Everyone", "", NULL, 0, OKTA_RULES_ALL, v),
			 OKTA_VERDICT_NOT_CHECKED);
	assert_int_equal(v[OKTA_RULE_GROUP].verdict, OKTA_VERDICT_NOT_CHECKED);
	okta_group_list_clear(&groups);
}

/* SECURITY.md T3: Okta keeps names unique only among OKTA_GROUP groups, so
 * a group imported from AD or LDAP (APP_GROUP), or one Okta sent without a
 * type or with a type we do not know, never matches a bare name. */
static void test_group_names_match_okta_groups_only(void **state)
{
	static const struct {
		const char *group;
		const char *conf;
		enum okta_verdict verdict;
	} cases[] = {
		{ "\"type\":\"APP_GROUP\",", "require_group = bastion-admins",
		  OKTA_VERDICT_REFUSE },
		{ "\"type\":\"APP_GROUP\",", "require_group = APP_GROUP:bastion-admins",
		  OKTA_VERDICT_PASS },
		{ "\"type\":\"APP_GROUP\",", "require_group = 00gAPPGROUPxxxxxxxxx",
		  OKTA_VERDICT_PASS },
		{ "", "require_group = bastion-admins", OKTA_VERDICT_REFUSE },
		{ "", "require_group = OKTA_GROUP:bastion-admins", OKTA_VERDICT_REFUSE },
		{ "", "require_group = 00gAPPGROUPxxxxxxxxx", OKTA_VERDICT_PASS },
		{ "\"type\":null,", "require_group = bastion-admins", OKTA_VERDICT_REFUSE },
		{ "\"type\":\"okta_group\",", "require_group = bastion-admins",
		  OKTA_VERDICT_REFUSE },
		{ "\"type\":\"NEW_KIND\",", "require_group = bastion-admins", OKTA_VERDICT_REFUSE },
		/* The type prefix is case-sensitive, as Okta writes it: otherwise a name. */
		{ "\"type\":\"APP_GROUP\",", "require_group = app_group:bastion-admins",
		  OKTA_VERDICT_REFUSE },
		{ "\"type\":\"OKTA_GROUP\",", "require_group = bastion-admins", OKTA_VERDICT_PASS },
	};
	struct okta_rule_verdict v[OKTA_RULE_COUNT];
	char json[256];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_group_list groups = { 0 };

		snprintf(
			json, sizeof(json),
			"[{\"id\":\"00gAPPGROUPxxxxxxxxx\",%s\"profile\":{\"name\":\"bastion-admins\"}}]",
			cases[i].group);
		add_group(&groups, json);
		if (evaluate(cases[i].conf, "", &groups, 0, OKTA_RULES_ALL, v) != cases[i].verdict)
			fail_msg("%s with group %s: %s (%s)", cases[i].conf, cases[i].group,
				 okta_verdict_name(v[OKTA_RULE_GROUP].verdict),
				 v[OKTA_RULE_GROUP].reason);
		okta_group_list_clear(&groups);
	}
	/* An OKTA_GROUP named like a typed entry: only its explicit form names
	 * it; the bare text names an APP_GROUP "x" (pam_okta_session.conf(5)). */
	{
		struct okta_group_list groups = { 0 };

		add_group(&groups, "[{\"id\":\"00gOKTAGROUPxxxxxxxx\",\"type\":\"OKTA_GROUP\","
				   "\"profile\":{\"name\":\"APP_GROUP:x\"}}]");
		assert_int_equal(evaluate("require_group = OKTA_GROUP:APP_GROUP:x", "", &groups, 0,
					  OKTA_RULES_ALL, v),
				 OKTA_VERDICT_PASS);
		assert_int_equal(
			evaluate("require_group = APP_GROUP:x", "", &groups, 0, OKTA_RULES_ALL, v),
			OKTA_VERDICT_REFUSE);
		okta_group_list_clear(&groups);
	}
	/* The refusal says why the same-named group did not count. */
	{
		struct okta_group_list groups = { 0 };

		add_group(&groups, "[{\"id\":\"00gAPPGROUPxxxxxxxxx\",\"type\":\"APP_GROUP\","
				   "\"profile\":{\"name\":\"bastion-admins\"}}]");
		evaluate("require_group = bastion-admins", "", &groups, 0, OKTA_RULES_ALL, v);
		assert_non_null(strstr(v[OKTA_RULE_GROUP].reason, "OKTA_GROUP:bastion-admins"));
		assert_non_null(strstr(v[OKTA_RULE_GROUP].reason, "is of type APP_GROUP"));
		okta_group_list_clear(&groups);
	}
}

static void test_evaluate_overall_and_first_failure(void **state)
{
	struct okta_group_list groups = { 0 };
	struct okta_rule_verdict v[OKTA_RULE_COUNT];
	const char *conf = "require_group = dev\nrequire_mfa = yes\nmax_auth_age = 60";
	long long now = ts(NOW_TEXT);

	(void)state;
	add_group(&groups,
		  "[{\"id\":\"00g1\",\"type\":\"OKTA_GROUP\",\"profile\":{\"name\":\"dev\"}}]");
	assert_int_equal(evaluate(conf,
				  "\"amr\":[\"mfa\"],\"lastFactorVerification\":\"" NOW_TEXT "\"",
				  &groups, now, OKTA_RULES_ALL, v),
			 OKTA_VERDICT_PASS);
	/* Refuse + error: error wins, and is reported first. */
	assert_int_equal(evaluate(conf, "\"amr\":[\"pwd\"],\"lastFactorVerification\":false",
				  &groups, now, OKTA_RULES_ALL, v),
			 OKTA_VERDICT_ERROR);
	assert_int_equal(v[OKTA_RULE_MFA].verdict, OKTA_VERDICT_REFUSE);
	assert_ptr_equal(okta_policy_first_failure(v), &v[OKTA_RULE_AUTH_AGE]);
	okta_group_list_clear(&groups);
}

static void test_names_and_descriptions(void **state)
{
	struct okta_config cfg;
	char err[256] = "";
	char out[128];

	(void)state;
	assert_string_equal(okta_rule_name(OKTA_RULE_GROUP), "require_group");
	assert_string_equal(okta_rule_name(OKTA_RULE_MFA), "require_mfa");
	assert_string_equal(okta_rule_name(OKTA_RULE_AUTH_AGE), "max_auth_age");
	assert_string_equal(okta_verdict_name(OKTA_VERDICT_REFUSE), "refuse");
	assert_int_equal(parse_conf("require_group = a, \"b, c\"\nmax_auth_age = 900", &cfg, err,
				    sizeof(err)),
			 0);
	okta_policy_describe_rule(&cfg, OKTA_RULE_GROUP, out, sizeof(out));
	assert_string_equal(out, "OKTA_GROUP:a, \"OKTA_GROUP:b, c\"");
	okta_config_clear(&cfg);
	/* Each entry in its explicit form: how it is matched. */
	assert_int_equal(parse_conf("require_group = APP_GROUP:x, 00g1abcdefGHIJKLMNOP, "
				    "OKTA_GROUP:y, BUILT_IN:Everyone, app_group:z",
				    &cfg, err, sizeof(err)),
			 0);
	okta_policy_describe_rule(&cfg, OKTA_RULE_GROUP, out, sizeof(out));
	assert_string_equal(out,
			    "APP_GROUP:x, 00g1abcdefGHIJKLMNOP, OKTA_GROUP:y, BUILT_IN:Everyone, "
			    "OKTA_GROUP:app_group:z");
	okta_config_clear(&cfg);
	assert_int_equal(parse_conf("require_group = a, \"b, c\"\nmax_auth_age = 900", &cfg, err,
				    sizeof(err)),
			 0);
	okta_policy_describe_rule(&cfg, OKTA_RULE_MFA, out, sizeof(out));
	assert_string_equal(out, "(not set)");
	okta_policy_describe_rule(&cfg, OKTA_RULE_AUTH_AGE, out, sizeof(out));
	assert_string_equal(out, "900");
	okta_config_clear(&cfg);
	assert_true(okta_group_entry_is_id("00g1abcdefGHIJKLMNOP"));
	assert_false(okta_group_entry_is_id("00g1abcdefGHIJKLMNO"));
	assert_false(okta_group_entry_is_id("00g1abcdefGHIJKLMNOPQ"));
	assert_false(okta_group_entry_is_id("00u1abcdefGHIJKLMNOP"));
	assert_false(okta_group_entry_is_id("00g1abcdef-HIJKLMNOP"));
	assert_true(okta_amr_is_strong_factor("mfa"));
	assert_false(okta_amr_is_strong_factor("pwd"));
	assert_false(okta_amr_is_strong_factor(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_policy_absent),
		cmocka_unit_test(test_config_group_lists),
		cmocka_unit_test(test_config_policy_bad_values),
		cmocka_unit_test(test_config_policy_limits),
		cmocka_unit_test(test_session_policy_fields),
		cmocka_unit_test(test_session_policy_fields_malformed),
		cmocka_unit_test(test_parse_groups),
		cmocka_unit_test(test_parse_groups_bad),
		cmocka_unit_test(test_timestamp_parse),
		cmocka_unit_test(test_timestamp_parse_bad),
		cmocka_unit_test(test_evaluate_no_policy),
		cmocka_unit_test(test_evaluate_mfa),
		cmocka_unit_test(test_evaluate_auth_age_edges),
		cmocka_unit_test(test_evaluate_groups),
		cmocka_unit_test(test_group_names_match_okta_groups_only),
		cmocka_unit_test(test_evaluate_overall_and_first_failure),
		cmocka_unit_test(test_names_and_descriptions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
