/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_validate.h (every value that crosses a trust boundary)
 * and the two text helpers of okta_log.h (redaction and printable copies).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <locale.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "okta_log.h"
#include "okta_validate.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------ predicates */

/*
 * One input for a bool (*)(const char *) check. The input is text, or, when
 * fill is set, count copies of fill followed by text (so that long inputs
 * such as 4097 bytes stay readable in the table). text NULL and fill 0 is
 * the NULL pointer.
 */
struct pred_case {
	const char *text;
	char fill;
	size_t count;
	bool expected;
};

/* clang-format would lay out the braces of these initialisers as blocks. */
// clang-format off
#define STR(s, ok) { (s), 0, 0, (ok) }
#define REP(c, n, tail, ok) { (tail), (c), (n), (ok) }
// clang-format on

/* Heap copy of the case input (NULL stays NULL). */
static char *materialise(const struct pred_case *c)
{
	size_t tail_len;
	char *buf;

	if (c->text == NULL && c->fill == 0)
		return NULL;
	tail_len = c->text != NULL ? strlen(c->text) : 0;
	buf = malloc(c->count + tail_len + 1);
	assert_non_null(buf);
	memset(buf, c->fill, c->count);
	memcpy(buf + c->count, c->text != NULL ? c->text : "", tail_len + 1);
	return buf;
}

static void check_predicate(const char *name, bool (*pred)(const char *),
			    const struct pred_case *cases, size_t n)
{
	size_t i;
	int failures = 0;

	for (i = 0; i < n; i++) {
		char *input = materialise(&cases[i]);
		bool got = pred(input);

		if (got != cases[i].expected) {
			print_error("%s case %zu (\"%.40s\", %zu bytes): expected %s, got %s\n",
				    name, i, input != NULL ? input : "(NULL)",
				    input != NULL ? strlen(input) : 0,
				    cases[i].expected ? "true" : "false", got ? "true" : "false");
			failures++;
		}
		free(input);
	}
	assert_int_equal(failures, 0);
}

static void test_session_token(void **state)
{
	static const struct pred_case cases[] = {
		STR("00HiohZYpJgMSHwmL9TQy7RRzuY-q9soKp1SPmYYow", true),
		STR("x", true),
		STR("with space", true),
		STR(" ", true),
		STR("quote\"and\\backslash", true),
		STR("~!@#$%^&*()_+{}|:<>?`-=[];',./", true),
		REP('a', OKTA_SESSION_TOKEN_MAX, "", true),
		REP('a', OKTA_SESSION_TOKEN_MAX + 1, "", false),
		REP('a', OKTA_SESSION_TOKEN_MAX - 1, "\n", false),
		STR("", false),
		STR(NULL, false),
		STR("abc\x01", false),
		STR("abc\ndef", false),
		STR("abc\n", false),
		STR("\tabc", false),
		STR("abc\rdef", false),
		STR("abc\x7f", false),
		STR("abc\x80", false),
		STR("caf\xc3\xa9", false),
		STR("\xff", false),
	};

	(void)state;
	check_predicate("session_token", okta_session_token_is_acceptable, cases, ARRAY_LEN(cases));
}

static void test_session_id(void **state)
{
	static const struct pred_case cases[] = {
		STR("102G3ddj6qITJ2pVxeqFb5gbw", true),
		STR("l7FbDVqS8zHSy65uJD85", true),
		STR("a_b-c", true),
		STR("x", true),
		REP('a', OKTA_SESSION_ID_MAX, "", true),
		REP('a', OKTA_SESSION_ID_MAX + 1, "", false),
		STR("../x", false),
		STR("a?b", false),
		STR("a%2Fb", false),
		STR("a/b", false),
		STR("a#b", false),
		STR("a.b", false),
		STR("", false),
		STR(" ", false),
		STR("abc ", false),
		STR("abc\n", false),
		STR("ab\xc3\xa9", false),
		STR(NULL, false),
	};

	(void)state;
	check_predicate("session_id", okta_session_id_is_valid, cases, ARRAY_LEN(cases));
}

static void test_user_id(void **state)
{
	static const struct pred_case cases[] = {
		STR("00u0abcdefGHIJKLMNOP", true),
		STR("00u_-x", true),
		REP('u', OKTA_USER_ID_MAX, "", true),
		REP('u', OKTA_USER_ID_MAX + 1, "", false),
		STR("", false),
		STR(NULL, false),
		STR("00u/..", false),
		STR("00u 1", false),
		STR("00u=1", false),
		STR("00u\n", false),
	};

	(void)state;
	check_predicate("user_id", okta_user_id_is_valid, cases, ARRAY_LEN(cases));
}

static void test_pam_user(void **state)
{
	static const struct pred_case cases[] = {
		STR("alice", true),
		STR("a.b-c_d", true),
		STR("machine$", true),
		STR("alice42", true),
		/* Upper case: a second account for the same Okta login (T4). */
		STR("Alice42", false),
		STR("ALICE", false),
		STR("_svc", true),
		STR("x", true),
		REP('a', OKTA_PAM_USER_MAX, "", true),
		REP('a', OKTA_PAM_USER_MAX + 1, "", false),
		REP('a', 300, "", false),
		REP('a', OKTA_PAM_USER_MAX - 1, "$", true),
		STR("a@b", false),
		STR("alice@example.com", false),
		STR("a/b", false),
		STR("a%b", false),
		STR("alice\n", false),
		STR("ali\nce", false),
		STR("-alice", false),
		STR("-", false),
		STR("", false),
		STR(NULL, false),
		STR("ma$chine", false),
		STR("machine$$", false),
		/* "1..128 of [A-Za-z0-9._-] plus an optional trailing '$'": a lone
		 * '$' has none of the required characters. */
		STR("$", false),
		STR("al ice", false),
		STR("al\tice", false),
		STR("al\x7f", false),
		STR("j\xc3\xb6rg", false),
		STR("a:b", false),
		STR("a*", false),
	};

	(void)state;
	check_predicate("pam_user", okta_pam_user_is_valid, cases, ARRAY_LEN(cases));
}

static void test_timestamp(void **state)
{
	static const struct pred_case cases[] = {
		STR("2019-08-24T14:15:22Z", true),
		STR("2019-08-24T14:15:22.000Z", true),
		STR("2019-08-24T14:15:22+02:00", true),
		STR("2019-08-24T14:15:22-05:30", true),
		STR("0", true),
		REP('0', OKTA_TIMESTAMP_MAX, "", true),
		REP('0', OKTA_TIMESTAMP_MAX + 1, "", false),
		STR("", false),
		STR(NULL, false),
		STR("2019-08-24 14:15:22Z", false),
		STR("2019-08-24t14:15:22z", false),
		STR("2019-08-24T14:15:22Z\n", false),
		STR("yesterday", false),
		STR("2019/08/24", false),
		STR("2019-08-24T14:15:22Z;rm", false),
	};

	(void)state;
	check_predicate("timestamp", okta_timestamp_is_valid, cases, ARRAY_LEN(cases));
}

/* ------------------------------------------------------------ user binding */

struct match_case {
	const char *login;
	const char *user;
	const char *suffix;
	bool expected;
};

static int count_match_failures(const struct match_case *cases, size_t n, const char *where)
{
	size_t i;
	int failures = 0;

	for (i = 0; i < n; i++) {
		bool got = okta_login_matches_user(cases[i].login, cases[i].user, cases[i].suffix);

		if (got != cases[i].expected) {
			print_error(
				"%s case %zu: login \"%s\" user \"%s\" suffix \"%s\": expected %s\n",
				where, i, cases[i].login ? cases[i].login : "(NULL)",
				cases[i].user ? cases[i].user : "(NULL)",
				cases[i].suffix ? cases[i].suffix : "(NULL)",
				cases[i].expected ? "a match" : "no match");
			failures++;
		}
	}
	return failures;
}

static void test_login_matches_user(void **state)
{
	static const struct match_case cases[] = {
		{ "alice@example.com", "alice", "@example.com", true },
		{ "ALICE@Example.COM", "alice", "@example.com", true },
		{ "alice@example.com", "alice", "@EXAMPLE.COM", true },
		{ "alice", "alice", "", true },
		{ "Alice", "alice", "", true },
		/* One Okta login, one local account (SECURITY.md T4): the login's
		 * local part folded to lower case, never another case of it. */
		{ "alice@example.com", "ALICE", "@example.com", false },
		{ "alice@example.com", "Alice", "@EXAMPLE.COM", false },
		{ "ALICE@Example.COM", "ALICE", "@example.com", false },
		{ "Alice", "aLICE", "", false },
		{ "machine$@corp.example", "machine$", "@corp.example", true },
		/* wrong or missing suffix */
		{ "alice@example.org", "alice", "@example.com", false },
		{ "alice", "alice", "@example.com", false },
		{ "alice@example.com", "alice", "", false },
		{ "alice@example.com", "alice", "@example", false },
		/* prefix and extension attacks */
		{ "alice@example.com.evil", "alice", "@example.com", false },
		{ "xalice@example.com", "alice", "@example.com", false },
		{ "alice@example.comx", "alice", "@example.com", false },
		{ "alice@example.com", "alic", "@example.com", false },
		{ "alic@example.com", "alice", "@example.com", false },
		{ "alice@example.com", "alice@example.com", "@example.com", false },
		{ "bob@example.com", "alice", "@example.com", false },
		{ "alice2@example.com", "alice", "@example.com", false },
		/* empty and NULL */
		{ "@example.com", "", "@example.com", false },
		{ "", "", "", false },
		{ "", "alice", "", false },
		{ NULL, "alice", "@example.com", false },
		{ "alice@example.com", NULL, "@example.com", false },
		{ "alice@example.com", "alice", NULL, false },
		{ NULL, NULL, NULL, false },
	};

	(void)state;
	assert_int_equal(count_match_failures(cases, ARRAY_LEN(cases), "C locale"), 0);
}

/*
 * The comparison must be ASCII-only whatever the process locale: in a
 * Turkish locale a locale-aware fold maps 'I' to a dotless i, and in
 * single-byte Latin locales it folds accented letters. Only A-Z and a-z may
 * be folded.
 */
static const struct match_case ascii_only_cases[] = {
	{ "ADMIN@EXAMPLE.COM", "admin", "@example.com", true },
	{ "AdMiN", "admin", "", true },
	{ "IIII", "iiii", "", true },
	{ "\xc9lise", "\xe9lise", "", false },         /* Latin-1 E acute */
	{ "\xc3\x89lise", "\xc3\xa9lise", "", false }, /* UTF-8 E acute */
	{ "adm\xc4\xb0n", "admin", "", false },        /* U+0130 dotted I */
	{ "adm\xc4\xb1n", "admin", "", false },        /* U+0131 dotless i */
	{ "adm\xdd"
	  "n",
	  "admin", "", false }, /* ISO-8859-9 dotted I */
	{ "adm\xfd"
	  "n",
	  "admIn", "", false },                                /* ISO-8859-9 dotless i */
	{ "\xe0@example.com", "\xc0", "@example.com", false }, /* Latin-1 a grave */
};

static void test_login_match_ascii_only(void **state)
{
	static const char *const turkish[] = { "tr_TR.UTF-8", "tr_TR.utf8", "tr_TR.ISO-8859-9",
					       "tr_TR" };
	const char *where = "C locale";
	size_t i;
	int failures;

	(void)state;
	assert_int_equal(count_match_failures(ascii_only_cases, ARRAY_LEN(ascii_only_cases), where),
			 0);
	/* When no Turkish locale is installed (minimal containers), setlocale
	 * fails and the table above has already run in the C locale: the
	 * ASCII-only rule is still checked, just without the locale change. */
	for (i = 0; i < ARRAY_LEN(turkish); i++) {
		if (setlocale(LC_ALL, turkish[i]) != NULL) {
			where = turkish[i];
			break;
		}
	}
	failures = count_match_failures(ascii_only_cases, ARRAY_LEN(ascii_only_cases), where);
	setlocale(LC_ALL, "C");
	assert_int_equal(failures, 0);
}

/* ------------------------------------------------------------ okta_log */

struct redact_case {
	const char *text;
	const char *secret;
	const char *expected;
};

static void test_log_redact(void **state)
{
	static const struct redact_case cases[] = {
		{ "GET /sessions/abc123: not found abc123", "abc123",
		  "GET /sessions/******: not found ******" },
		{ "abc123", "abc123", "******" },
		{ "xabc123abc123y", "abc123", "x************y" },
		{ "aaaa", "aa", "****" },
		{ "aaa", "aa", "**a" },
		{ "nothing to hide", "abc123", "nothing to hide" },
		{ "abc12", "abc123", "abc12" },
		{ "keep this", "", "keep this" },
		{ "keep this", NULL, "keep this" },
		{ "", "abc", "" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char buf[128];

		snprintf(buf, sizeof(buf), "%s", cases[i].text);
		okta_log_redact(buf, cases[i].secret);
		if (strcmp(buf, cases[i].expected) != 0)
			fail_msg("redact case %zu: got \"%s\", expected \"%s\"", i, buf,
				 cases[i].expected);
	}
	okta_log_redact(NULL, "abc"); /* must not crash */
}

/*
 * A secret made only of '*' (a user may type "*" as a session token, which
 * okta_session_token_is_acceptable allows) must not make redaction loop
 * forever: each pass rewrites the hit with the very same bytes. Run in a
 * child with an alarm so that a hang is a failure, not a stuck test run.
 */
static void test_log_redact_star_secret_terminates(void **state)
{
	static const char *const secrets[] = { "*", "**" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(secrets); i++) {
		int status = 0;
		pid_t pid = fork();

		assert_true(pid >= 0);
		if (pid == 0) {
			char text[] = "token ** here";

			alarm(3);
			okta_log_redact(text, secrets[i]);
			_exit(strcmp(text, "token ** here") == 0 ? 0 : 1);
		}
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (WIFSIGNALED(status))
			fail_msg(
				"okta_log_redact(text, \"%s\") did not return (killed by signal %d)",
				secrets[i], WTERMSIG(status));
		assert_true(WIFEXITED(status));
		assert_int_equal(WEXITSTATUS(status), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_session_token),
		cmocka_unit_test(test_session_id),
		cmocka_unit_test(test_user_id),
		cmocka_unit_test(test_pam_user),
		cmocka_unit_test(test_timestamp),
		cmocka_unit_test(test_login_matches_user),
		cmocka_unit_test(test_login_match_ascii_only),
		cmocka_unit_test(test_log_redact),
		cmocka_unit_test(test_log_redact_star_secret_terminates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
