/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_audit.h: the audit line's exact shape, and that no
 * value (from the user, the application or Okta) can add a field or a line,
 * checked by parsing the line back the way a SIEM's key=value splitter would.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_audit.h"
#include "okta_session.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

static const char *const keys[] = {
	"event",         "outcome",           "service",       "user",
	"rhost",         "okta_login",        "okta_user_id",  "reason",
	"okta_error_id", "okta_session_tail", "invoking_user",
};
#define NKEYS ARRAY_LEN(keys)

/* ------------------------------------------------------------ a parser */

/* Decode one value starting at *p (bare up to a space, or "quoted" with
 * \" \\ \xHH escapes) into out; *p moves past it. -1 on a malformed value. */
static int parse_value(const char **p, char *out, size_t outlen)
{
	const char *s = *p;
	size_t n = 0;

	if (*s != '"') {
		while (*s != '\0' && *s != ' ' && n + 1 < outlen)
			out[n++] = *s++;
		out[n] = '\0';
		*p = s;
		return n > 0 ? 0 : -1;
	}
	for (s++; *s != '"'; s++) {
		if (*s == '\0' || n + 1 >= outlen)
			return -1;
		if (*s == '\\') {
			s++;
			if (*s == '"' || *s == '\\') {
				out[n++] = *s;
			} else if (*s == 'x') {
				unsigned v;

				if (sscanf(s + 1, "%2x", &v) != 1)
					return -1;
				out[n++] = (char)v;
				s += 2;
			} else {
				return -1;
			}
		} else {
			out[n++] = *s;
		}
	}
	out[n] = '\0';
	*p = s + 1;
	return 0;
}

/* Split a line into exactly the NKEYS fields, in order: values[i] gets the
 * decoded value of keys[i]. Fails the test on anything else. */
static void parse_line(const char *line, char values[NKEYS][1024])
{
	const char *p = line;
	size_t i;

	assert_int_equal(strncmp(p, OKTA_AUDIT_PREFIX, strlen(OKTA_AUDIT_PREFIX)), 0);
	p += strlen(OKTA_AUDIT_PREFIX);
	for (i = 0; i < NKEYS; i++) {
		if (i > 0) {
			assert_int_equal(*p, ' ');
			p++;
		}
		assert_int_equal(strncmp(p, keys[i], strlen(keys[i])), 0);
		p += strlen(keys[i]);
		assert_int_equal(*p, '=');
		p++;
		assert_int_equal(parse_value(&p, values[i], 1024), 0);
	}
	assert_string_equal(p, "");
}

/* The line holds nothing but printable ASCII (no newline, no byte that a
 * terminal or a log shipper would act on). */
static void assert_printable(const char *line)
{
	for (; *line != '\0'; line++)
		assert_true(*line >= ' ' && *line < 0x7f);
}

static struct okta_audit_facts facts_with(const char *login, const char *user_id,
					  const char *reason, const char *error_id,
					  const char *session_id)
{
	struct okta_audit_facts f;

	memset(&f, 0, sizeof(f));
	snprintf(f.login, sizeof(f.login), "%s", login);
	snprintf(f.user_id, sizeof(f.user_id), "%s", user_id);
	okta_audit_note_reason(&f, reason);
	okta_audit_note_error_id(&f, error_id);
	okta_audit_note_session_tail(&f, session_id);
	return f;
}

/* ------------------------------------------------------------ the shape */

static void test_success_line_exact(void **state)
{
	struct okta_audit_facts f = facts_with("alice@example.com", "00u1abcdEFGH", "ok", "",
					       "102xYzAbCdEfGhIjKlMnOpWXYZ");
	struct okta_audit_record rec = {
		OKTA_AUDIT_AUTH, OKTA_AUDIT_SUCCESS, "sshd", "alice", "192.0.2.1", &f, NULL
	};
	char line[OKTA_AUDIT_LINE_MAX];
	size_t len;

	(void)state;
	len = okta_audit_format(&rec, line, sizeof(line));
	assert_string_equal(line, "audit: event=auth outcome=success service=sshd user=alice "
				  "rhost=192.0.2.1 okta_login=alice@example.com "
				  "okta_user_id=00u1abcdEFGH reason=ok okta_error_id=- "
				  "okta_session_tail=WXYZ invoking_user=-");
	assert_int_equal(len, strlen(line));
}

static void test_unknown_fields_are_dashes(void **state)
{
	struct okta_audit_record rec = {
		OKTA_AUDIT_SESSION_CLOSE, OKTA_AUDIT_ERROR, NULL, "", NULL, NULL, NULL
	};
	char line[OKTA_AUDIT_LINE_MAX];

	(void)state;
	assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
	assert_string_equal(line, "audit: event=session_close outcome=error service=- user=- "
				  "rhost=- okta_login=- okta_user_id=- reason=- okta_error_id=- "
				  "okta_session_tail=- invoking_user=-");
}

static void test_events_and_outcomes(void **state)
{
	struct okta_audit_facts f = facts_with("", "", "okta_unavailable", "oaeAbC-123_x", NULL);
	struct okta_audit_record rec = {
		OKTA_AUDIT_SESSION_OPEN, OKTA_AUDIT_UNAVAILABLE, "su", "bob", "::1", &f, NULL
	};
	char line[OKTA_AUDIT_LINE_MAX];

	(void)state;
	okta_audit_format(&rec, line, sizeof(line));
	assert_string_equal(line, "audit: event=session_open outcome=unavailable service=su "
				  "user=bob rhost=::1 okta_login=- okta_user_id=- "
				  "reason=okta_unavailable okta_error_id=oaeAbC-123_x "
				  "okta_session_tail=- invoking_user=-");
	rec.outcome = OKTA_AUDIT_REFUSED;
	okta_audit_format(&rec, line, sizeof(line));
	assert_non_null(strstr(line, " outcome=refused "));
}

/* ------------------------------------------------------------ injection */

static void test_injection_attempts_stay_in_their_field(void **state)
{
	static const struct {
		const char *user, *rhost, *login;
		const char *expect_user, *expect_rhost, *expect_login;
	} cases[] = {
		{ "alice okta_login=root", "evil host", "a@b", "\"alice\\x20okta_login=root\"",
		  "\"evil\\x20host\"", "a@b" },
		{ "alice", "1.2.3.4\nJan  1 00:00:00 host sshd: fake", "x\"y", "alice",
		  "\"1.2.3.4\\x0aJan\\x20\\x201\\x2000:00:00\\x20host\\x20sshd:\\x20fake\"",
		  "\"x\\x22y\"" },
		{ "al=ice", "host\r", "back\\slash\" reason=ok", "\"al=ice\"", "\"host\\x0d\"",
		  "\"back\\x5cslash\\x22\\x20reason=ok\"" },
		{ "alice\xc3\xa9", "h\x1b[31m", "\xe2\x80\xaeoot@x", "\"alice\\xc3\\xa9\"",
		  "\"h\\x1b[31m\"", "\"\\xe2\\x80\\xaeoot@x\"" },
		{ "-", "\"", "\t", "\"-\"", "\"\\x22\"", "\"\\x09\"" },
	};
	char line[OKTA_AUDIT_LINE_MAX];
	char values[NKEYS][1024];
	char needle[512];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_audit_facts f =
			facts_with(cases[i].login, "00u1", "wrong_user", "", NULL);
		struct okta_audit_record rec = { OKTA_AUDIT_AUTH,
						 OKTA_AUDIT_REFUSED,
						 "sshd",
						 cases[i].user,
						 cases[i].rhost,
						 &f,
						 NULL };

		assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
		assert_printable(line);
		snprintf(needle, sizeof(needle),
			 " user=%s rhost=%s okta_login=%s okta_user_id=00u1 ", cases[i].expect_user,
			 cases[i].expect_rhost, cases[i].expect_login);
		if (strstr(line, needle) == NULL)
			fail_msg("case %zu: %s\nexpected to contain: %s", i, line, needle);
		parse_line(line, values);
		assert_string_equal(values[3], cases[i].user);
		assert_string_equal(values[4], cases[i].rhost);
		assert_string_equal(values[5], cases[i].login);
		assert_string_equal(values[7], "wrong_user");
	}
}

/*
 * Many SIEM splitters know neither quotes nor backslash escapes: Elastic's
 * kv processor splits fields on spaces, Logstash's kv filter and the usual
 * key="[^"]*" regex end a quoted value at the next '"'. For each of them to
 * see the eleven fields and nothing else, a value may hold no space, no '"'
 * but its own two quotes, and no '\' but its escapes' (review finding A1).
 */
static void test_naive_splitters_see_only_the_eleven_fields(void **state)
{
	static const char *const hostile[] = {
		"alice okta_login=root",
		"x\" outcome=success user=root",
		"x\\\" reason=ok",
		"a\tb outcome=success",
	};
	char line[OKTA_AUDIT_LINE_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(hostile); i++) {
		struct okta_audit_facts f = facts_with(hostile[i], "00u1", "wrong_user", "", NULL);
		struct okta_audit_record rec = { OKTA_AUDIT_AUTH,
						 OKTA_AUDIT_REFUSED,
						 "sshd",
						 hostile[i],
						 hostile[i],
						 &f,
						 NULL };
		char *token, *save = NULL;
		size_t n = 0;

		assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
		for (token = strtok_r(line + strlen(OKTA_AUDIT_PREFIX), " ", &save); token != NULL;
		     token = strtok_r(NULL, " ", &save), n++) {
			const char *value = strchr(token, '=');
			size_t len;

			if (n >= NKEYS || value == NULL ||
			    (size_t)(value - token) != strlen(keys[n]) ||
			    strncmp(token, keys[n], strlen(keys[n])) != 0)
				fail_msg("case %zu: token %zu is '%s'", i, n, token);
			value++;
			len = strlen(value);
			if (value[0] == '"' && (len < 2 || value[len - 1] != '"' ||
						memchr(value + 1, '"', len - 2) != NULL))
				fail_msg("case %zu: a '\"' inside %s", i, token);
			for (; (value = strchr(value, '\\')) != NULL; value += 2) {
				if (value[1] != 'x')
					fail_msg("case %zu: a '\\' not starting \\xHH in %s", i,
						 token);
			}
		}
		assert_int_equal(n, NKEYS);
	}
}

/* Every byte value in every untrusted field parses back to itself. */
static void test_every_byte_round_trips(void **state)
{
	char text[256];
	char line[OKTA_AUDIT_LINE_MAX];
	char values[NKEYS][1024];
	struct okta_audit_facts f;
	struct okta_audit_record rec = {
		OKTA_AUDIT_AUTH, OKTA_AUDIT_REFUSED, text, text, text, &f, text
	};
	int b;

	(void)state;
	for (b = 1; b < 256; b++) {
		snprintf(text, sizeof(text), "a%cb", b);
		f = facts_with(text, text, "r", text, NULL);
		assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
		assert_printable(line);
		parse_line(line, values);
		assert_string_equal(values[2], text);
		assert_string_equal(values[3], text);
		assert_string_equal(values[4], text);
		assert_string_equal(values[5], text);
		assert_string_equal(values[6], text);
		assert_string_equal(values[8], text);
		assert_string_equal(values[10], text);
	}
}

static void test_long_values_are_cut_and_marked(void **state)
{
	char longest[1200];
	char line[OKTA_AUDIT_LINE_MAX];
	char values[NKEYS][1024];
	char expect[OKTA_AUDIT_VALUE_MAX + 8];
	struct okta_audit_facts f = facts_with("", "", "r", "", NULL);
	struct okta_audit_record rec = {
		OKTA_AUDIT_AUTH, OKTA_AUDIT_REFUSED, "sshd", longest, longest, &f, NULL
	};

	(void)state;
	memset(longest, '\n', sizeof(longest) - 1);
	longest[sizeof(longest) - 1] = '\0';
	memset(f.login, 'L', sizeof(f.login) - 1); /* one byte more than is shown */
	assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
	assert_printable(line);
	parse_line(line, values);
	assert_int_equal(strlen(values[3]), OKTA_AUDIT_VALUE_MAX + 3);
	assert_string_equal(values[3] + OKTA_AUDIT_VALUE_MAX, "...");
	memset(expect, 'L', OKTA_AUDIT_VALUE_MAX);
	strcpy(expect + OKTA_AUDIT_VALUE_MAX, "...");
	assert_string_equal(values[5], expect);
	/* A login exactly OKTA_AUDIT_VALUE_MAX long is shown whole, bare. */
	f.login[OKTA_AUDIT_VALUE_MAX] = '\0';
	okta_audit_format(&rec, line, sizeof(line));
	parse_line(line, values);
	assert_int_equal(strlen(values[5]), OKTA_AUDIT_VALUE_MAX);
}

/* The worst case: every field at its longest, every byte escaped as \xHH.
 * The line still fits OKTA_AUDIT_LINE_MAX (else a hostile PAM_RHOST could
 * suppress the audit line). */
static void test_longest_line_fits(void **state)
{
	char worst[1000];
	char line[OKTA_AUDIT_LINE_MAX];
	struct okta_audit_facts f;
	struct okta_audit_record rec = {
		OKTA_AUDIT_SESSION_CLOSE, OKTA_AUDIT_UNAVAILABLE, worst, worst, worst, &f, worst
	};

	(void)state;
	memset(worst, 0xff, sizeof(worst) - 1);
	worst[sizeof(worst) - 1] = '\0';
	memset(&f, 0xff, sizeof(f));
	f.login[sizeof(f.login) - 1] = '\0';
	f.user_id[sizeof(f.user_id) - 1] = '\0';
	f.reason[sizeof(f.reason) - 1] = '\0';
	f.error_id[sizeof(f.error_id) - 1] = '\0';
	f.session_tail[sizeof(f.session_tail) - 1] = '\0';
	assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
	assert_printable(line);
	assert_non_null(strstr(line, " okta_session_tail=\"\\xff\\xff\\xff\\xff\" "));
	assert_non_null(strstr(line, " invoking_user=\"\\xff"));
}

/* sudo: the login is root's, the Okta session the invoking user's; a
 * hostile value stays in its field. */
static void test_invoking_user(void **state)
{
	struct okta_audit_facts f = facts_with("alice@example.com", "00u1", "session_gone", "",
					       "102xYzAbCdEfGhIjKlMnOpWXYZ");
	struct okta_audit_record rec = {
		OKTA_AUDIT_WATCH, OKTA_AUDIT_REVOKED, "sudo", "root", NULL, &f, "alice"
	};
	char line[OKTA_AUDIT_LINE_MAX];
	char values[NKEYS][1024];

	(void)state;
	assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
	assert_string_equal(line, "audit: event=watch outcome=revoked service=sudo user=root "
				  "rhost=- okta_login=alice@example.com okta_user_id=00u1 "
				  "reason=session_gone okta_error_id=- okta_session_tail=WXYZ "
				  "invoking_user=alice");
	rec.invoking_user = "bob reason=ok\nuser=root";
	assert_true(okta_audit_format(&rec, line, sizeof(line)) > 0);
	assert_printable(line);
	parse_line(line, values);
	assert_string_equal(values[7], "session_gone");
	assert_string_equal(values[10], "bob reason=ok\nuser=root");
}

static void test_too_small_buffer(void **state)
{
	struct okta_audit_record rec = {
		OKTA_AUDIT_AUTH, OKTA_AUDIT_SUCCESS, "sshd", "alice", NULL, NULL, NULL
	};
	char line[40];

	(void)state;
	memset(line, 'x', sizeof(line));
	assert_int_equal(okta_audit_format(&rec, line, sizeof(line)), 0);
	assert_string_equal(line, "");
	assert_int_equal(okta_audit_format(&rec, line, 0), 0);
}

/* ------------------------------------------------------------ the facts */

static void test_session_tail_at_most_four_and_a_quarter(void **state)
{
	static const struct {
		const char *id, *tail;
	} cases[] = {
		{ "102xYzAbCdEfGhIjKlMnOpWXYZ", "WXYZ" },
		{ "0123456789abcdef", "cdef" },
		{ "0123456789abcde", "cde" },
		{ "abcdefgh", "gh" },
		{ "abcdefg", "g" },
		{ "abc", "" },
		{ "", "" },
	};
	struct okta_audit_facts f;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		memset(&f, 0, sizeof(f));
		okta_audit_note_session_tail(&f, cases[i].id);
		assert_string_equal(f.session_tail, cases[i].tail);
	}
	memset(&f, 0, sizeof(f));
	okta_audit_note_session_tail(&f, NULL);
	assert_string_equal(f.session_tail, "");
	okta_audit_note_session_tail(NULL, "abcdefgh");
}

static void test_note_session_takes_login_user_id_and_tail(void **state)
{
	char id[] = "102SecretSessionIdABCD";
	char user_id[] = "00u1";
	char login[] = "alice@example.com";
	struct okta_session session = { .id = id, .user_id = user_id, .login = login };
	struct okta_audit_facts f;
	char line[OKTA_AUDIT_LINE_MAX];
	struct okta_audit_record rec = {
		OKTA_AUDIT_AUTH, OKTA_AUDIT_SUCCESS, "sshd", "alice", NULL, &f, NULL
	};

	(void)state;
	memset(&f, 0, sizeof(f));
	okta_audit_note_session(&f, &session);
	okta_audit_note_session(NULL, &session);
	assert_string_equal(f.login, "alice@example.com");
	assert_string_equal(f.user_id, "00u1");
	assert_string_equal(f.session_tail, "ABCD");
	okta_audit_format(&rec, line, sizeof(line));
	/* Never more of the id than its tail. */
	assert_null(strstr(line, "IdABCD"));
	assert_non_null(strstr(line, " okta_session_tail=ABCD"));
}

static void test_first_reason_and_error_id_win(void **state)
{
	struct okta_audit_facts f;

	(void)state;
	memset(&f, 0, sizeof(f));
	okta_audit_note_reason(&f, NULL);
	okta_audit_note_reason(&f, "wrong_user");
	okta_audit_note_reason(&f, "okta_unavailable");
	assert_string_equal(f.reason, "wrong_user");
	okta_audit_note_error_id(&f, "");
	okta_audit_note_error_id(&f, NULL);
	okta_audit_note_error_id(&f, "oae1");
	okta_audit_note_error_id(&f, "oae2");
	assert_string_equal(f.error_id, "oae1");
	okta_audit_note_reason(NULL, "x");
	okta_audit_note_error_id(NULL, "x");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_success_line_exact),
		cmocka_unit_test(test_unknown_fields_are_dashes),
		cmocka_unit_test(test_events_and_outcomes),
		cmocka_unit_test(test_injection_attempts_stay_in_their_field),
		cmocka_unit_test(test_naive_splitters_see_only_the_eleven_fields),
		cmocka_unit_test(test_every_byte_round_trips),
		cmocka_unit_test(test_long_values_are_cut_and_marked),
		cmocka_unit_test(test_longest_line_fits),
		cmocka_unit_test(test_invoking_user),
		cmocka_unit_test(test_too_small_buffer),
		cmocka_unit_test(test_session_tail_at_most_four_and_a_quarter),
		cmocka_unit_test(test_note_session_takes_login_user_id_and_tail),
		cmocka_unit_test(test_first_reason_and_error_id_win),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
