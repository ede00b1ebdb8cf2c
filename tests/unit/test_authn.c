/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_authn_json.h (authentication transactions and the
 * bodies we send to /api/v1/authn) and the configuration keys of
 * sign_in = password. The authn link check: test_link.c.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <json-c/json.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_authn_json.h"
#include "okta_config.h"
#include "okta_json.h"
#include "okta_signin.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define BODY(lit) (lit), (sizeof(lit) - 1)
#define ORG "https://example.okta.com"

/* Shaped after the MFA_REQUIRED example of Okta's Authentication API
 * reference (values our own). */
static const char mfa_required[] =
	"{\"stateToken\":\"007ucIX7PATyn94hsHfOLVaXAmOBkKHWnOOLG43bsb\","
	"\"expiresAt\":\"2026-11-25T20:31:10.000Z\",\"status\":\"MFA_REQUIRED\","
	"\"_embedded\":{\"user\":{\"id\":\"00ub0oNGTSWTBKOLGLNR\"},"
	"\"factors\":["
	"{\"id\":\"uftig1RFn4RQkJUu50g3\",\"factorType\":\"token:software:totp\",\"provider\":\"GOOGLE\","
	"\"_links\":{\"verify\":{\"href\":\"" ORG
	"/api/v1/authn/factors/uftig1RFn4RQkJUu50g3/verify\"}}},"
	"{\"id\":\"opfh52xcuft3J4uZc0g3\",\"factorType\":\"push\",\"provider\":\"OKTA\","
	"\"_links\":{\"verify\":{\"href\":\"" ORG
	"/api/v1/authn/factors/opfh52xcuft3J4uZc0g3/verify\"}}},"
	"{\"id\":\"ostf1fmaMGJLMNGNLIVG\",\"factorType\":\"token:software:totp\",\"provider\":\"OKTA\","
	"\"_links\":{\"verify\":{\"href\":\"" ORG
	"/api/v1/authn/factors/ostf1fmaMGJLMNGNLIVG/verify\"}}},"
	"{\"id\":\"sms193zUBEROPBNZKPPE\",\"factorType\":\"sms\",\"provider\":\"OKTA\"}"
	"]},"
	"\"_links\":{\"cancel\":{\"href\":\"" ORG
	"/api/v1/authn/cancel\",\"hints\":{\"allow\":[\"POST\"]}}}}";

static const char challenge[] =
	"{\"stateToken\":\"st1\",\"status\":\"MFA_CHALLENGE\",\"factorResult\":\"WAITING\","
	"\"_embedded\":{\"factor\":{\"id\":\"opf1\",\"factorType\":\"push\","
	"\"_embedded\":{\"challenge\":{\"correctAnswer\":42}}}},"
	"\"_links\":{\"next\":{\"name\":\"poll\",\"href\":\"" ORG
	"/api/v1/authn/factors/opf1/verify\"},"
	"\"cancel\":{\"href\":\"" ORG "/api/v1/authn/cancel\"}}}";

static void test_parse_mfa_required(void **state)
{
	struct okta_authn tx;
	const struct okta_authn_factor *f;

	(void)state;
	assert_int_equal(okta_parse_authn(BODY(mfa_required), &tx), OKTA_PARSE_OK);
	assert_int_equal(tx.state, OKTA_AUTHN_MFA_REQUIRED);
	assert_string_equal(tx.status, "MFA_REQUIRED");
	assert_string_equal(tx.state_token, "007ucIX7PATyn94hsHfOLVaXAmOBkKHWnOOLG43bsb");
	assert_null(tx.session_token);
	assert_string_equal(tx.cancel_href, ORG "/api/v1/authn/cancel");
	assert_null(tx.next_href);
	assert_int_equal(tx.factor_count, 4);
	assert_int_equal(tx.correct_answer, -1);
	f = okta_authn_find_factor(&tx, "push", "OKTA");
	assert_non_null(f);
	assert_string_equal(f->id, "opfh52xcuft3J4uZc0g3");
	f = okta_authn_find_factor(&tx, "token:software:totp", "okta");
	assert_non_null(f);
	assert_string_equal(f->id, "ostf1fmaMGJLMNGNLIVG");
	f = okta_authn_find_factor(&tx, "token:software:totp", NULL);
	assert_string_equal(f->id, "uftig1RFn4RQkJUu50g3");
	/* listed, but without a verify link: not usable */
	assert_null(okta_authn_find_factor(&tx, "sms", NULL));
	okta_authn_clear(&tx);
	okta_authn_clear(&tx); /* twice is harmless */
}

static void test_parse_challenge_and_results(void **state)
{
	static const struct {
		const char *body;
		enum okta_factor_result result;
	} results[] = {
		{ "{\"status\":\"MFA_CHALLENGE\",\"factorResult\":\"WAITING\"}",
		  OKTA_FACTOR_RESULT_WAITING },
		{ "{\"status\":\"MFA_CHALLENGE\",\"factorResult\":\"REJECTED\"}",
		  OKTA_FACTOR_RESULT_REJECTED },
		{ "{\"status\":\"MFA_CHALLENGE\",\"factorResult\":\"TIMEOUT\"}",
		  OKTA_FACTOR_RESULT_TIMEOUT },
		{ "{\"status\":\"MFA_CHALLENGE\",\"factorResult\":\"CHALLENGE\"}",
		  OKTA_FACTOR_RESULT_OTHER },
		{ "{\"status\":\"MFA_CHALLENGE\"}", OKTA_FACTOR_RESULT_NONE },
	};
	struct okta_authn tx;
	size_t i;

	(void)state;
	assert_int_equal(okta_parse_authn(BODY(challenge), &tx), OKTA_PARSE_OK);
	assert_int_equal(tx.state, OKTA_AUTHN_MFA_CHALLENGE);
	assert_int_equal(tx.factor_result, OKTA_FACTOR_RESULT_WAITING);
	assert_int_equal(tx.correct_answer, 42);
	assert_string_equal(tx.next_href, ORG "/api/v1/authn/factors/opf1/verify");
	okta_authn_clear(&tx);
	for (i = 0; i < ARRAY_LEN(results); i++) {
		assert_int_equal(okta_parse_authn(results[i].body, strlen(results[i].body), &tx),
				 OKTA_PARSE_OK);
		assert_int_equal(tx.factor_result, results[i].result);
		okta_authn_clear(&tx);
	}
}

static void test_parse_states(void **state)
{
	static const struct {
		const char *status;
		enum okta_authn_state state;
	} cases[] = {
		{ "SUCCESS", OKTA_AUTHN_SUCCESS },
		{ "MFA_REQUIRED", OKTA_AUTHN_MFA_REQUIRED },
		{ "MFA_CHALLENGE", OKTA_AUTHN_MFA_CHALLENGE },
		{ "PASSWORD_WARN", OKTA_AUTHN_PASSWORD_WARN },
		{ "PASSWORD_EXPIRED", OKTA_AUTHN_PASSWORD_EXPIRED },
		{ "LOCKED_OUT", OKTA_AUTHN_LOCKED_OUT },
		{ "MFA_ENROLL", OKTA_AUTHN_MFA_ENROLL },
		{ "MFA_ENROLL_ACTIVATE", OKTA_AUTHN_MFA_ENROLL_ACTIVATE },
		{ "UNAUTHENTICATED", OKTA_AUTHN_OTHER },
		{ "success", OKTA_AUTHN_OTHER },
		{ "SUCCESS ", OKTA_AUTHN_OTHER },
	};
	char body[128];
	struct okta_authn tx;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		snprintf(body, sizeof(body), "{\"status\":\"%s\",\"sessionToken\":\"20111x\"}",
			 cases[i].status);
		assert_int_equal(okta_parse_authn(body, strlen(body), &tx), OKTA_PARSE_OK);
		assert_int_equal(tx.state, cases[i].state);
		assert_string_equal(tx.session_token, "20111x");
		okta_authn_clear(&tx);
	}
}

static void test_parse_bad_bodies(void **state)
{
	static const struct {
		const char *body;
		enum okta_parse_result result;
	} cases[] = {
		{ "", OKTA_PARSE_NOT_JSON },
		{ "{\"status\":", OKTA_PARSE_NOT_JSON },
		{ "{\"status\":\"SUCCESS\"} x", OKTA_PARSE_NOT_JSON },
		{ "[]", OKTA_PARSE_NOT_OBJECT },
		{ "\"str\"", OKTA_PARSE_NOT_OBJECT },
		{ "{}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"MFA_REQUIRED\",\"status\":\"SUCCESS\"}",
		  OKTA_PARSE_DUPLICATE_KEY },
		{ "{\"status\":\"SUCCESS\",\"sessionToken\":\"a\",\"sessionToken\":\"b\"}",
		  OKTA_PARSE_DUPLICATE_KEY },
		{ "{\"status\":7}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"\"}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"A\\u0001B\"}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"SUCCESS\",\"sessionToken\":5}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"SUCCESS\",\"sessionToken\":\"\"}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"SUCCESS\",\"sessionToken\":\"a\\u0000b\"}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"SUCCESS\",\"stateToken\":[]}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_links\":[]}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_links\":{\"next\":\"u\"}}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_links\":{\"next\":{\"href\":1}}}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":\"x\"}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factors\":{}}}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factors\":[1]}}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factors\":[{\"factorType\":\"push\"}]}}",
		  OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factors\":[{\"id\":\"a\",\"_links\":{\"verify\":1}}]}}",
		  OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"factorResult\":false}", OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factor\":{\"_embedded\":{\"challenge\":"
		  "{\"correctAnswer\":\"42\"}}}}}",
		  OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factor\":{\"_embedded\":{\"challenge\":"
		  "{\"correctAnswer\":-1}}}}}",
		  OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factor\":{\"_embedded\":{\"challenge\":"
		  "{\"correctAnswer\":1000000}}}}}",
		  OKTA_PARSE_BAD_FIELD },
		{ "{\"status\":\"X\",\"_embedded\":{\"factor\":{\"_embedded\":{\"challenge\":"
		  "{\"correctAnswer\":4.5}}}}}",
		  OKTA_PARSE_BAD_FIELD },
	};
	struct okta_authn tx;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (okta_parse_authn(cases[i].body, strlen(cases[i].body), &tx) != cases[i].result)
			fail_msg("%s: not %d", cases[i].body, (int)cases[i].result);
		assert_null(tx.state_token);
		assert_null(tx.factors);
		assert_int_equal(tx.factor_count, 0);
	}
	assert_int_equal(okta_parse_authn(NULL, 0, &tx), OKTA_PARSE_NOT_JSON);
}

static void test_parse_limits(void **state)
{
	char *body;
	size_t len = 0;
	size_t cap = 64 * 1024;
	struct okta_authn tx;
	int n;

	(void)state;
	body = malloc(cap);
	assert_non_null(body);
	/* 33 factors: one more than we keep */
	len = (size_t)snprintf(body, cap,
			       "{\"status\":\"MFA_REQUIRED\",\"_embedded\":{\"factors\":[");
	for (n = 0; n < OKTA_AUTHN_FACTORS_MAX + 1; n++)
		len += (size_t)snprintf(body + len, cap - len, "%s{\"id\":\"f%d\"}", n ? "," : "",
					n);
	len += (size_t)snprintf(body + len, cap - len, "]}}");
	assert_int_equal(okta_parse_authn(body, len, &tx), OKTA_PARSE_BAD_FIELD);
	/* a link longer than OKTA_AUTHN_URL_MAX */
	len = (size_t)snprintf(body, cap,
			       "{\"status\":\"X\",\"_links\":{\"next\":{\"href\":\"" ORG "/");
	memset(body + len, 'a', OKTA_AUTHN_URL_MAX);
	len += OKTA_AUTHN_URL_MAX;
	len += (size_t)snprintf(body + len, cap - len, "\"}}}");
	assert_int_equal(okta_parse_authn(body, len, &tx), OKTA_PARSE_BAD_FIELD);
	/* a status longer than we show */
	len = (size_t)snprintf(body, cap, "{\"status\":\"");
	memset(body + len, 'A', OKTA_AUTHN_TEXT_MAX);
	len += OKTA_AUTHN_TEXT_MAX;
	len += (size_t)snprintf(body + len, cap - len, "\"}");
	assert_int_equal(okta_parse_authn(body, len, &tx), OKTA_PARSE_BAD_FIELD);
	free(body);
}

static void test_primary_body(void **state)
{
	size_t len = 0;
	char *body;
	json_object *root;
	json_object *field;
	json_object *options;

	(void)state;
	body = okta_authn_primary_body("alice@example.com", "p\"w\\d\n\u00e9", &len);
	assert_non_null(body);
	assert_int_equal(strlen(body), len);
	root = json_tokener_parse(body);
	assert_non_null(root);
	assert_true(json_object_object_get_ex(root, "username", &field));
	assert_string_equal(json_object_get_string(field), "alice@example.com");
	assert_true(json_object_object_get_ex(root, "password", &field));
	assert_string_equal(json_object_get_string(field), "p\"w\\d\n\u00e9");
	assert_true(json_object_object_get_ex(root, "options", &options));
	assert_true(json_object_object_get_ex(options, "warnBeforePasswordExpired", &field));
	assert_true(json_object_get_boolean(field));
	assert_true(json_object_object_get_ex(options, "multiOptionalFactorEnroll", &field));
	assert_true(json_object_is_type(field, json_type_boolean));
	assert_false(json_object_get_boolean(field));
	assert_int_equal(json_object_object_length(root), 3);
	json_object_put(root);
	explicit_bzero(body, len);
	free(body);
}

static void test_state_body(void **state)
{
	size_t len = 0;
	char *body;

	(void)state;
	body = okta_authn_state_body("00abc", NULL, &len);
	assert_string_equal(body, "{\"stateToken\":\"00abc\"}");
	assert_int_equal(len, strlen(body));
	free(body);
	body = okta_authn_state_body("00abc", "123456", &len);
	assert_string_equal(body, "{\"stateToken\":\"00abc\",\"passCode\":\"123456\"}");
	free(body);
}

static void test_config_sign_in_keys(void **state)
{
	static const char good[] = "org_url = " ORG "\napi_token = 00abc\nsign_in = password\n"
				   "mfa = push\nmfa_timeout = 300\nforward_client_ip = no\n";
	static const char *const bad[] = {
		"sign_in = Password\n",
		"sign_in = \n",
		"mfa = totp\n",
		"mfa_timeout = 9\n",
		"mfa_timeout = 301\n",
		"mfa_timeout = 1e2\n",
		"forward_client_ip = true\n",
		"sign_in = password\nsign_in = password\n",
	};
	struct okta_config cfg;
	char err[256];
	size_t i;

	(void)state;
	okta_config_init(&cfg);
	assert_int_equal(cfg.sign_in, OKTA_SIGN_IN_SESSION_TOKEN);
	assert_int_equal(cfg.mfa, OKTA_MFA_PROMPT);
	assert_int_equal(cfg.mfa_timeout, 60);
	assert_true(cfg.forward_client_ip);
	assert_int_equal(okta_config_parse(BODY(good), &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.sign_in, OKTA_SIGN_IN_PASSWORD);
	assert_int_equal(cfg.mfa, OKTA_MFA_PUSH);
	assert_int_equal(cfg.mfa_timeout, 300);
	assert_false(cfg.forward_client_ip);
	okta_config_clear(&cfg);
	for (i = 0; i < ARRAY_LEN(bad); i++) {
		okta_config_init(&cfg);
		if (okta_config_parse(bad[i], strlen(bad[i]), &cfg, err, sizeof(err)) != -1)
			fail_msg("accepted: %s", bad[i]);
		okta_config_clear(&cfg);
	}
}

static void test_is_ip_address(void **state)
{
	(void)state;
	assert_true(okta_signin_is_ip_address("192.0.2.1"));
	assert_true(okta_signin_is_ip_address("2001:db8::1"));
	assert_true(okta_signin_is_ip_address("::ffff:192.0.2.1"));
	assert_false(okta_signin_is_ip_address("host.example.com"));
	assert_false(okta_signin_is_ip_address("192.0.2.1 "));
	assert_false(okta_signin_is_ip_address("192.0.2.1\r\nX: y"));
	assert_false(okta_signin_is_ip_address(""));
	assert_false(okta_signin_is_ip_address(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_mfa_required),
		cmocka_unit_test(test_parse_challenge_and_results),
		cmocka_unit_test(test_parse_states),
		cmocka_unit_test(test_parse_bad_bodies),
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_primary_body),
		cmocka_unit_test(test_state_body),
		cmocka_unit_test(test_config_sign_in_keys),
		cmocka_unit_test(test_is_ip_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
