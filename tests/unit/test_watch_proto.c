/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_watch_proto.h: the registration messages that cross
 * pam_okta_sessiond's socket (and fill its state files), and the parser of
 * /proc/PID/stat. tests/fuzz/fuzz_watch.c feeds the same parser arbitrary
 * bytes.
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

#include "okta_watch_proto.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define SID "102abcDEF_ghi-jkl012345"

static const char good[] = "okta-watch 1\n"
			   "op=register\n"
			   "session_id=" SID "\n"
			   "user_id=00u1abcdefGHIJKLMNOP\n"
			   "expires_at=2026-12-07T08:00:00.000Z\n"
			   "user=alice\n"
			   "service=sshd\n"
			   "rhost=192.0.2.7\n"
			   "tty=/dev/pts/3\n"
			   "logind_session=c12\n"
			   "pid=4242\n"
			   "start_time=123456789\n";

static int parse(const char *text, struct okta_watch_reg *reg, const char **why)
{
	return okta_watch_parse(text, strlen(text), reg, why);
}

static void test_parse_register(void **state)
{
	struct okta_watch_reg reg;
	const char *why = "x";

	(void)state;
	assert_int_equal(parse(good, &reg, &why), 0);
	assert_null(why);
	assert_int_equal(reg.op, OKTA_WATCH_REGISTER);
	assert_string_equal(reg.session_id, SID);
	assert_string_equal(reg.user_id, "00u1abcdefGHIJKLMNOP");
	assert_string_equal(reg.user, "alice");
	assert_string_equal(reg.service, "sshd");
	assert_string_equal(reg.rhost, "192.0.2.7");
	assert_string_equal(reg.tty, "/dev/pts/3");
	assert_string_equal(reg.logind_session, "c12");
	assert_int_equal(reg.pid, 4242);
	assert_true(reg.start_time == 123456789ULL);
}

/* encode(parse(x)) parses to the same registration; the optional fields
 * may be left out. */
static void test_round_trip(void **state)
{
	struct okta_watch_reg a, b;
	char out[OKTA_WATCH_MSG_MAX];
	const char *why;
	size_t n;

	(void)state;
	assert_int_equal(parse(good, &a, &why), 0);
	n = okta_watch_encode(&a, out, sizeof(out));
	assert_true(n > 0);
	assert_int_equal(okta_watch_parse(out, n, &b, &why), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	memset(a.rhost, 0, sizeof(a.rhost));
	memset(a.tty, 0, sizeof(a.tty));
	memset(a.logind_session, 0, sizeof(a.logind_session));
	n = okta_watch_encode(&a, out, sizeof(out));
	assert_true(n > 0);
	assert_null(strstr(out, "rhost="));
	assert_int_equal(okta_watch_parse(out, n, &b, &why), 0);
	assert_memory_equal(&a, &b, sizeof(a));
	/* too small a buffer: nothing, and no partial message */
	assert_int_equal(okta_watch_encode(&a, out, 40), 0);
	assert_string_equal(out, "");
}

static void test_deregister_and_list(void **state)
{
	struct okta_watch_reg reg;
	const char *why;

	(void)state;
	assert_int_equal(
		parse("okta-watch 1\nop=deregister\nsession_id=" SID "\npid=7\n", &reg, &why), 0);
	assert_int_equal(reg.op, OKTA_WATCH_DEREGISTER);
	assert_int_equal(reg.pid, 7);
	assert_int_equal(parse("okta-watch 1\nop=list\n", &reg, &why), 0);
	assert_int_equal(reg.op, OKTA_WATCH_LIST);
	/* list and deregister take nothing else */
	assert_int_equal(parse("okta-watch 1\nop=list\npid=7\n", &reg, &why), -1);
	assert_int_equal(parse("okta-watch 1\nop=deregister\nsession_id=" SID
			       "\npid=7\nuser=alice\n",
			       &reg, &why),
			 -1);
	assert_int_equal(parse("okta-watch 1\nop=deregister\nsession_id=" SID "\n", &reg, &why),
			 -1);
}

/* Replace the first occurrence of from in good by to. */
static char *edited(const char *from, const char *to)
{
	const char *at = strstr(good, from);
	char *out;

	assert_non_null(at);
	out = malloc(sizeof(good) + strlen(to));
	assert_non_null(out);
	memcpy(out, good, (size_t)(at - good));
	strcpy(out + (at - good), to);
	strcat(out, at + strlen(from));
	return out;
}

static void test_refused(void **state)
{
	static const char *const edits[][2] = {
		{ "okta-watch 1\n", "okta-watch 2\n" },
		{ "op=register\n", "op=unregister\n" },
		{ "op=register\n", "" },
		{ "session_id=" SID, "session_id=../../x" },
		{ "session_id=" SID, "session_id=" },
		{ "user=alice", "user=-alice" },
		{ "user=alice", "user=al ice" },
		{ "user=alice\n", "" },
		{ "service=sshd", "service=ss hd" },
		{ "rhost=192.0.2.7", "rhost=a\tb" },
		{ "logind_session=c12", "logind_session=-c12" },
		{ "logind_session=c12", "logind_session=../1" },
		{ "pid=4242", "pid=0" },
		{ "pid=4242", "pid=-1" },
		{ "pid=4242", "pid=4194305" },
		{ "pid=4242", "pid=99999999999999999999999" },
		{ "pid=4242", "pid=12a" },
		{ "start_time=123456789", "start_time=184467440737095516160" },
		{ "start_time=123456789\n", "" },
		{ "start_time=123456789\n", "start_time=123456789" }, /* truncated */
		{ "user=alice\n", "user=alice\nuser=bob\n" },         /* twice */
		{ "user=alice\n", "user=alice\nshell=/bin/sh\n" },    /* unknown key */
		{ "user=alice\n", "user=alice\n\n" },                 /* empty line */
		{ "user=alice\n", "user\n" },
		{ "user=alice\n", "user=alice\r\n" },
	};
	struct okta_watch_reg reg;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(edits); i++) {
		char *text = edited(edits[i][0], edits[i][1]);

		why = NULL;
		if (parse(text, &reg, &why) != -1)
			fail_msg("accepted edit %zu: %s", i, text);
		assert_non_null(why);
		/* nothing of a refused message stays behind */
		assert_string_equal(reg.session_id, "");
		assert_int_equal(reg.op, OKTA_WATCH_NONE);
		free(text);
	}
}

/* sudo: the login runs as root, the Okta session is the invoking user's. */
static void test_invoking_user(void **state)
{
	static const char *const hostile[] = {
		"-alice", "al ice", "../root", "ALICE", "alice\tbob", "a=b", "alice\x7f", "",
	};
	char *text = edited("user=alice\n", "user=root\ninvoking_user=alice\n");
	char out[OKTA_WATCH_MSG_MAX];
	char long_user[OKTA_PAM_USER_MAX + 2];
	char value[OKTA_PAM_USER_MAX + 32];
	struct okta_watch_reg reg, again;
	const char *why;
	size_t i, n;

	(void)state;
	assert_int_equal(parse(text, &reg, &why), 0);
	assert_string_equal(reg.user, "root");
	assert_string_equal(reg.invoking_user, "alice");
	n = okta_watch_encode(&reg, out, sizeof(out));
	assert_true(n > 0);
	assert_non_null(strstr(out, "\ninvoking_user=alice\n"));
	assert_int_equal(okta_watch_parse(out, n, &again, &why), 0);
	assert_memory_equal(&reg, &again, sizeof(reg));
	free(text);
	/* optional: without it, "" */
	assert_int_equal(parse(good, &reg, &why), 0);
	assert_string_equal(reg.invoking_user, "");
	/* the same checks as user */
	memset(long_user, 'a', sizeof(long_user) - 1);
	long_user[sizeof(long_user) - 1] = '\0';
	for (i = 0; i <= ARRAY_LEN(hostile); i++) {
		snprintf(value, sizeof(value), "user=alice\ninvoking_user=%s\n",
			 i < ARRAY_LEN(hostile) ? hostile[i] : long_user);
		text = edited("user=alice\n", value);
		if (parse(text, &reg, &why) != -1)
			fail_msg("accepted invoking_user %zu: %s", i, text);
		assert_string_equal(reg.session_id, "");
		free(text);
	}
	text = edited("user=alice\n", "user=alice\ninvoking_user=bob\ninvoking_user=carol\n");
	assert_int_equal(parse(text, &reg, &why), -1);
	free(text);
	/* a register field only */
	assert_int_equal(parse("okta-watch 1\nop=deregister\nsession_id=" SID
			       "\npid=7\ninvoking_user=alice\n",
			       &reg, &why),
			 -1);
	assert_int_equal(parse("okta-watch 1\nop=list\ninvoking_user=alice\n", &reg, &why), -1);
}

static void test_nul_and_size(void **state)
{
	char big[OKTA_WATCH_MSG_MAX + 2];
	struct okta_watch_reg reg;
	const char *why;
	size_t len = strlen(good);

	(void)state;
	memcpy(big, good, len);
	big[20] = '\0';
	assert_int_equal(okta_watch_parse(big, len, &reg, &why), -1);
	assert_string_equal(why, "NUL byte");
	memset(big, 'a', sizeof(big));
	memcpy(big, good, len);
	assert_int_equal(okta_watch_parse(big, sizeof(big), &reg, &why), -1);
	assert_string_equal(why, "too long");
	/* an empty datagram */
	assert_int_equal(okta_watch_parse(good, 0, &reg, &why), -1);
}

static void test_proc_stat(void **state)
{
	/* comm with spaces and parentheses: the fields start after the last ')' */
	static const char stat[] =
		"4242 (a) b) (c) S 1000 4242 4242 34819 4242 4194560 1 2 3 4 5 6 7 8 20 0 1 0 "
		"987654 1000 100 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 1 0 0\n";
	struct okta_proc_stat st;

	(void)state;
	assert_int_equal(okta_proc_stat_parse(stat, strlen(stat), &st), 0);
	assert_int_equal(st.state, 'S');
	assert_int_equal(st.ppid, 1000);
	assert_int_equal(st.sid, 4242);
	assert_int_equal(st.tty_nr, 34819);
	assert_true(st.start_time == 987654ULL);
	assert_int_equal(okta_proc_stat_parse(stat, 60, &st), -1); /* cut short */
	assert_int_equal(okta_proc_stat_parse("4242 (x S 1 2 3", 15, &st), -1);
	assert_int_equal(okta_proc_stat_parse("", 0, &st), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_register),      cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_deregister_and_list), cmocka_unit_test(test_refused),
		cmocka_unit_test(test_invoking_user),       cmocka_unit_test(test_nul_and_size),
		cmocka_unit_test(test_proc_stat),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
