/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_watch_end.h: which processes belong to a login when
 * pam_okta_sessiond ends it. Real processes (children of the test) stand
 * for the login and for somebody else's session.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "okta_proc.h"
#include "okta_watch_end.h"

/* A child that sleeps; with new_session, in a session it leads, with one
 * child of its own in that session (written to *member). */
static pid_t sleeper(bool new_session, pid_t *member)
{
	int fds[2];
	pid_t pid, grandchild = 0;

	assert_int_equal(pipe(fds), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(fds[0]);
		if (new_session) {
			(void)setsid();
			grandchild = fork();
			if (grandchild == 0) {
				pause();
				_exit(0);
			}
		}
		if (write(fds[1], &grandchild, sizeof(grandchild)) != sizeof(grandchild))
			_exit(1);
		pause();
		_exit(0);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], &grandchild, sizeof(grandchild)), sizeof(grandchild));
	close(fds[0]);
	if (member != NULL)
		*member = grandchild;
	return pid;
}

static struct okta_proc_ref ref_of(pid_t pid)
{
	struct okta_proc_stat st;
	struct okta_proc_ref ref = { pid, 0 };

	assert_int_equal(okta_proc_read_stat(pid, &st), 0);
	ref.start_time = st.start_time;
	return ref;
}

static bool has(const struct okta_login_procs *p, pid_t pid)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		if (p->procs[i].pid == pid)
			return true;
	}
	return false;
}

static void reap(pid_t pid, pid_t member)
{
	if (member > 0)
		kill(member, SIGKILL);
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
}

/*
 * The second collection (SIGKILL) starts from what the first (SIGHUP)
 * found. A session number it found whose session has since emptied and
 * been reused by someone else's new session (pid reuse) names nobody of the
 * login: its processes are not collected.
 */
static void test_reused_session_number_not_collected(void **state)
{
	struct okta_login_procs procs = { 0 };
	pid_t member = 0;
	pid_t login = sleeper(false, NULL);
	pid_t other = sleeper(true, &member); /* somebody else's session */
	struct okta_proc_ref root = ref_of(login);
	bool found_login, found_other;
	int rc;

	(void)state;
	/* as if the first collection had found a session with other's
	 * number, whose processes are gone */
	procs.sids = malloc(sizeof(*procs.sids));
	assert_non_null(procs.sids);
	procs.sids[0] = other;
	procs.sid_count = 1;
	rc = okta_login_procs_collect(&root, 1, &procs);
	found_login = has(&procs, login);
	found_other = has(&procs, other) || has(&procs, member);
	okta_login_procs_free(&procs);
	reap(login, 0);
	reap(other, member);
	assert_int_equal(rc, 0);
	assert_true(found_login);
	assert_false(found_other);
}

/* A session found earlier whose leader (found then) still lives in it:
 * its members are the login's, also those started since. */
static void test_live_session_still_collected(void **state)
{
	struct okta_login_procs procs = { 0 };
	pid_t member = 0;
	pid_t login = sleeper(false, NULL);
	pid_t leader = sleeper(true, &member);
	struct okta_proc_ref root = ref_of(login);
	struct okta_proc_ref found = ref_of(leader);
	bool found_member;
	int rc;

	(void)state;
	procs.sids = malloc(sizeof(*procs.sids));
	procs.procs = malloc(sizeof(*procs.procs));
	assert_non_null(procs.sids);
	assert_non_null(procs.procs);
	procs.sids[0] = leader;
	procs.sid_count = 1;
	procs.procs[0] = found;
	procs.count = 1;
	rc = okta_login_procs_collect(&root, 1, &procs);
	found_member = has(&procs, member);
	okta_login_procs_free(&procs);
	reap(login, 0);
	reap(leader, member);
	assert_int_equal(rc, 0);
	assert_true(found_member);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_session_number_not_collected),
		cmocka_unit_test(test_live_session_still_collected),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
