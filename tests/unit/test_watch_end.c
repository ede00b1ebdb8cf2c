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

#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "okta_proc.h"
#include "okta_watch_end.h"

/* The marking itself is static: the file is compiled in here. */
#include "../../src/okta_watch_end.c"

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

/* A synthetic snapshot: pid, parent, session. */
static void entry(struct proc_entry *e, pid_t pid, long long ppid, long long sid)
{
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->st.ppid = ppid;
	e->st.sid = sid;
	e->st.start_time = 1000 + (unsigned long long)pid;
}

/*
 * A user shapes their own process tree: here a chain whose every child has
 * a lower pid than its parent (pids wrapped), beside a crowd of unrelated
 * processes, /proc read in pid order. The marking ends within a second
 * (a fixpoint over all pairs needed one pass per link: hours).
 */
static void test_deep_tree_marked_fast(void **state)
{
	enum {
		CHAIN = 20000,
		OTHERS = 20000
	};
	size_t n = CHAIN + OTHERS, i, marked = 0;
	struct proc_entry *all = calloc(n, sizeof(*all));
	struct okta_login_procs procs = { 0 };
	struct okta_proc_ref root;

	(void)state;
	assert_non_null(all);
	/* others: pids 100..20099, children of 1, session 1 */
	for (i = 0; i < OTHERS; i++)
		entry(&all[i], (pid_t)(100 + i), 1, 1);
	/* the chain: pids 30000 (the root) down to 10001 */
	for (i = 0; i < CHAIN; i++) {
		pid_t pid = (pid_t)(30000 - CHAIN + 1 + i);

		/* each link leads its own session: no session to spread by */
		entry(&all[OTHERS + i], pid, i + 1 == CHAIN ? 1 : pid + 1, pid);
	}
	root.pid = 30000;
	root.start_time = 1000 + 30000;
	alarm(10); /* SIGALRM ends (and fails) the test */
	(void)mark(all, n, &root, 1, &procs);
	alarm(0);
	for (i = 0; i < n; i++)
		marked += all[i].in_login;
	assert_int_equal(marked, CHAIN);
	assert_false(all[0].in_login);
	okta_login_procs_free(&procs);
	free(all);
}

/* The same closure as before: children, the sessions marked processes
 * lead (members reparented to init included), never session 1. */
static void test_marking_closure(void **state)
{
	struct proc_entry all[8];
	struct okta_login_procs procs = { 0 };
	struct okta_proc_ref root = { 200, 1200 };
	bool want[8] = { false, true, true, true, true, false, false, true };
	size_t i;

	(void)state;
	entry(&all[0], 100, 1, 100);   /* the caller's shell (sudo's caller) */
	entry(&all[1], 200, 100, 100); /* registered: sudo, in the caller's session */
	entry(&all[2], 300, 200, 300); /* its child, leads session 300 */
	entry(&all[3], 400, 1, 300);   /* reparented, still in session 300 */
	entry(&all[4], 500, 400, 300); /* its child */
	entry(&all[5], 600, 1, 1);     /* a daemon in session 1 */
	entry(&all[6], 700, 100, 100); /* the caller's other job */
	entry(&all[7], 800, 300, 1);   /* child of a marked one, session 1 */
	(void)mark(all, 8, &root, 1, &procs);
	for (i = 0; i < 8; i++)
		assert_int_equal(all[i].in_login, want[i]);
	okta_login_procs_free(&procs);
}

/*
 * keep_alive = active. sshd allocates a login's terminal after
 * open_session registered the login, often in a later second: the new
 * terminal's atime (its creation time) is then after `since`, yet nothing
 * was typed. Only input read from it counts (the kernel moves the atime
 * on a read once it is in another 8-second slot than before).
 */
static void test_new_terminal_is_not_input(void **state)
{
	struct okta_login_procs none = { 0 };
	time_t since = time(NULL);
	char name[64], buf[8];
	struct stat sb;
	int master, slave;

	(void)state;
	while (time(NULL) == since) /* the terminal comes a second later */
		usleep(10000);
	master = posix_openpt(O_RDWR | O_NOCTTY);
	assert_true(master >= 0);
	assert_int_equal(grantpt(master), 0);
	assert_int_equal(unlockpt(master), 0);
	assert_int_equal(ptsname_r(master, name, sizeof(name)), 0);
	slave = open(name, O_RDWR | O_NOCTTY);
	assert_true(slave >= 0);
	assert_false(okta_login_terminal_used(&none, name, since));

	/* A line typed and read in the next 8-second slot is input. */
	assert_int_equal(fstat(slave, &sb), 0);
	while (((time(NULL) ^ sb.st_atime) & ~7) == 0)
		usleep(100000);
	usleep(50000); /* the kernel's clock may be a tick behind time() */
	assert_int_equal(write(master, "x\n", 2), 2);
	assert_int_equal(read(slave, buf, sizeof(buf)), 2);
	assert_true(okta_login_terminal_used(&none, name, since));
	close(slave);
	close(master);
}

/*
 * keep_alive = active finds the terminal of a login whose PAM_TTY is not a
 * path (sshd sets "ssh", login(1) "tty1") by its processes' tty_nr. A
 * console login's virtual console or serial line was taken for no
 * terminal, so for a login in use whatever was typed.
 */
static void test_tty_nr_paths(void **state)
{
	char path[64];

	(void)state;
	assert_true(tty_path((136 << 8) | 3, path, sizeof(path)));
	assert_string_equal(path, "/dev/pts/3");
	assert_true(tty_path((137 << 8) | 44, path, sizeof(path)));
	assert_string_equal(path, "/dev/pts/300");
	assert_true(tty_path((4 << 8) | 1, path, sizeof(path)));
	assert_string_equal(path, "/dev/tty1");
	assert_true(tty_path((4 << 8) | 63, path, sizeof(path)));
	assert_string_equal(path, "/dev/tty63");
	assert_true(tty_path((4 << 8) | 64, path, sizeof(path)));
	assert_string_equal(path, "/dev/ttyS0");
	assert_false(tty_path(0, path, sizeof(path)));            /* none */
	assert_false(tty_path(4 << 8, path, sizeof(path)));       /* tty0 */
	assert_false(tty_path((5 << 8) | 1, path, sizeof(path))); /* console */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_session_number_not_collected),
		cmocka_unit_test(test_live_session_still_collected),
		cmocka_unit_test(test_deep_tree_marked_fast),
		cmocka_unit_test(test_marking_closure),
		cmocka_unit_test(test_new_terminal_is_not_input),
		cmocka_unit_test(test_tty_nr_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
