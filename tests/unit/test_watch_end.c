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

/* A synthetic table's entry: pid, parent, session. */
static void entry(struct proc_entry *e, pid_t pid, long long ppid, long long sid)
{
	memset(e, 0, sizeof(*e));
	e->pid = pid;
	e->ppid = (pid_t)ppid;
	e->sid = (pid_t)sid;
	e->start_time = 1000 + (unsigned long long)pid;
}

/* A table of copies of n entries (table_of takes what it is given). */
static struct okta_proc_table *table_copy(const struct proc_entry *all, size_t n)
{
	struct proc_entry *copy = malloc((n + 1) * sizeof(*copy));
	struct okta_proc_table *t;

	assert_non_null(copy);
	memcpy(copy, all, n * sizeof(*copy));
	t = table_of(copy, n);
	assert_non_null(t);
	return t;
}

/*
 * A user shapes their own process tree: here a chain whose every child has
 * a lower pid than its parent (pids wrapped), beside a crowd of unrelated
 * processes, /proc read in pid order. Loading the table and collecting end
 * within a second (a fixpoint over all pairs needed one pass per link:
 * hours).
 */
static void test_deep_tree_marked_fast(void **state)
{
	enum {
		CHAIN = 20000,
		OTHERS = 20000
	};
	size_t n = CHAIN + OTHERS, i;
	struct proc_entry *all = calloc(n, sizeof(*all));
	struct okta_login_procs procs = { 0 };
	struct okta_proc_table *t;
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
	t = table_of(all, n);
	assert_non_null(t);
	(void)okta_login_procs_collect_from(t, &root, 1, &procs);
	alarm(0);
	assert_int_equal(procs.count, CHAIN);
	assert_false(has(&procs, 100));
	okta_login_procs_free(&procs);
	okta_proc_table_free(t);
}

/* The same closure as before: children, the sessions marked processes
 * lead (members reparented to init included), never session 1. */
static void test_marking_closure(void **state)
{
	struct proc_entry all[8];
	struct okta_login_procs procs = { 0 };
	struct okta_proc_ref root = { 200, 1200 };
	bool want[8] = { false, true, true, true, true, false, false, true };
	struct okta_proc_table *t;
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
	t = table_copy(all, 8);
	(void)okta_login_procs_collect_from(t, &root, 1, &procs);
	for (i = 0; i < 8; i++)
		assert_int_equal(has(&procs, all[i].pid), want[i]);
	assert_int_equal(procs.count, 5);
	assert_int_equal(procs.sid_count, 1);
	assert_int_equal(procs.sids[0], 300);
	okta_login_procs_free(&procs);
	okta_proc_table_free(t);
}

static int by_pid_ref(const void *a, const void *b)
{
	const struct okta_proc_ref *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

/* The two collections name the same processes (pid and start time). */
static void assert_same(struct okta_login_procs *a, struct okta_login_procs *b)
{
	size_t i;

	assert_int_equal(a->count, b->count);
	qsort(a->procs, a->count, sizeof(*a->procs), by_pid_ref);
	qsort(b->procs, b->count, sizeof(*b->procs), by_pid_ref);
	for (i = 0; i < a->count; i++) {
		assert_int_equal(a->procs[i].pid, b->procs[i].pid);
		assert_int_equal(a->procs[i].start_time, b->procs[i].start_time);
	}
}

/*
 * A table read once serves many logins: collecting a login from it finds
 * what a fresh read finds, also after other logins were collected from the
 * same table (their marks must not hide anything), and again for the same
 * login.
 */
static void test_table_collect_matches_fresh(void **state)
{
	struct okta_login_procs fresh = { 0 }, first = { 0 }, again = { 0 }, other = { 0 };
	pid_t member = 0, other_member = 0;
	pid_t login = sleeper(true, &member); /* leads a session with a member */
	pid_t other_login = sleeper(true, &other_member);
	struct okta_proc_ref root = ref_of(login), other_root = ref_of(other_login);
	struct okta_proc_table *t;

	(void)state;
	assert_int_equal(okta_login_procs_collect(&root, 1, &fresh), 0);
	t = okta_proc_table_load();
	assert_non_null(t);
	assert_true(okta_proc_table_count(t) > 4);
	assert_int_equal(okta_login_procs_collect_from(t, &root, 1, &first), 0);
	assert_int_equal(okta_login_procs_collect_from(t, &other_root, 1, &other), 0);
	assert_int_equal(okta_login_procs_collect_from(t, &root, 1, &again), 0);
	okta_proc_table_free(t);
	reap(login, member);
	reap(other_login, other_member);
	assert_int_equal(fresh.count, 2);
	assert_true(has(&fresh, login) && has(&fresh, member));
	assert_same(&fresh, &first);
	assert_same(&fresh, &again);
	assert_int_equal(other.count, 2);
	assert_false(has(&other, login) || has(&other, member));
	okta_login_procs_free(&fresh);
	okta_login_procs_free(&first);
	okta_login_procs_free(&again);
	okta_login_procs_free(&other);
}

/*
 * What one login costs does not grow with the host: 10,000 collections of
 * a login of four processes from a table of 20,000 stay far within 10 s
 * (a tenth of a second here). Marking over the whole table per collection
 * (its sorts by parent and by session, a pass to clear and one to read the
 * marks: the code before the shared table) takes some milliseconds each at
 * this size: more than 10 s.
 */
static void test_per_login_cost_flat(void **state)
{
	enum {
		HOST = 20000,
		COLLECTS = 10000
	};
	struct proc_entry *all = calloc(HOST, sizeof(*all));
	struct okta_proc_ref root = { 15000, 1000 + 15000 };
	struct okta_proc_table *t;
	size_t i, found = 0;

	(void)state;
	assert_non_null(all);
	/* the host: parents and sessions scattered over its pids, as on a
	 * real one (none of them the login's) */
	for (i = 0; i < HOST; i++) {
		long long ppid = 100 + (long long)((i * 2654435761ULL) % HOST);
		long long sid = 100 + (long long)((i * 40503ULL + 7) % HOST);

		entry(&all[i], (pid_t)(100 + i), ppid >= 15000 && ppid <= 15003 ? 1 : ppid,
		      sid >= 15000 && sid <= 15003 ? 1 : sid);
	}
	/* the login: 15000 leads session 15000; its child, a member, and a
	 * child reparented to init in that session */
	entry(&all[15000 - 100], 15000, 1, 100);
	entry(&all[15001 - 100], 15001, 15000, 15001);
	entry(&all[15002 - 100], 15002, 1, 15001);
	entry(&all[15003 - 100], 15003, 15002, 15001);
	t = table_of(all, HOST);
	assert_non_null(t);
	alarm(10); /* SIGALRM ends (and fails) the test */
	for (i = 0; i < COLLECTS; i++) {
		struct okta_login_procs procs = { 0 };

		(void)okta_login_procs_collect_from(t, &root, 1, &procs);
		found += procs.count;
		okta_login_procs_free(&procs);
	}
	alarm(0);
	okta_proc_table_free(t);
	assert_int_equal(found, 4 * COLLECTS);
}

/* The uid line of /proc/PID/status: four numbers, or nothing. */
static void test_status_uids(void **state)
{
	static const char good[] = "Name:\tbash\nUmask:\t0022\nUid:\t1001\t1002\t1003\t1004\n"
				   "Gid:\t5\t5\t5\t5\n";
	static const char *const bad[] = {
		"Name:\tx\nGid:\t1\t1\t1\t1\n",       /* no Uid line */
		"Uid:\t1\t1\t1\n",                    /* three */
		"Uid:\t1\t1\t1\t1",                   /* cut short */
		"Uid:\t1\t1\t1\t99999999999999999\n", /* too long */
		"Uid:\t1\t-1\t1\t1\n",
		"XUid:\t1\t1\t1\t1\n",
	};
	unsigned long long uids[4];
	size_t i;

	(void)state;
	assert_int_equal(parse_status_uids(good, strlen(good), uids), 0);
	assert_int_equal(uids[0], 1001);
	assert_int_equal(uids[1], 1002);
	assert_int_equal(uids[2], 1003);
	assert_int_equal(uids[3], 1004);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_status_uids(bad[i], strlen(bad[i]), uids), -1);
}

#define NOBODY 65534

/* In a child: become uid (and gid) NOBODY for good. */
static void become_nobody(void)
{
	if (setresgid(NOBODY, NOBODY, NOBODY) != 0 || setresuid(NOBODY, NOBODY, NOBODY) != 0)
		_exit(1);
}

/* A child of the calling process that runs fn, then sleeps. */
static pid_t spawn(void (*fn)(void))
{
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (fn != NULL)
			fn();
		pause();
		_exit(0);
	}
	return pid;
}

/* A nobody process whose child leads a session of its own (su -c). */
static void nobody_with_session(void)
{
	become_nobody();
	if (fork() == 0) {
		(void)setsid();
		pause();
		_exit(0);
	}
}

/*
 * The caller's session as su leaves it when its caller kills it before any
 * recording: the caller's shell leads it; in it, the target user's
 * processes started before su (not the login's), su itself (gone), then
 * the target's shell (with a child in a session of its own) and the
 * caller's next command (the caller's uid: root here). Written to pids:
 * shell-before, su, target shell, caller's command.
 */
enum {
	BEFORE,
	GONE,
	SHELL,
	CALLER,
	PIDS
};

static void caller_session(int out)
{
	pid_t pids[PIDS];
	struct timespec tick = { 0, 40 * 1000 * 1000 }; /* > one clock tick */

	(void)setsid();
	pids[BEFORE] = spawn(become_nobody);
	nanosleep(&tick, NULL);
	pids[GONE] = spawn(NULL);
	nanosleep(&tick, NULL);
	pids[SHELL] = spawn(nobody_with_session);
	pids[CALLER] = spawn(NULL);
	if (write(out, pids, sizeof(pids)) != (ssize_t)sizeof(pids))
		_exit(1);
	pause();
	_exit(0);
}

/* The remains: the target's shell and what it started, nothing else. */
static void test_remains_in_callers_session(void **state)
{
	struct okta_login_procs remains = { 0 }, none = { 0 }, excluded = { 0 }, exclude = { 0 };
	struct okta_proc_ref gone, leader, wrong_leader, stranger_ref;
	pid_t pids[PIDS], caller, stranger, session_child = 0, stranger_child = 0;
	struct okta_proc_table *t;
	int fds[2];
	size_t i;

	(void)state;
	if (geteuid() != 0)
		skip(); /* the target user's processes are another uid's */
	assert_int_equal(pipe(fds), 0);
	caller = fork();
	assert_true(caller >= 0);
	if (caller == 0) {
		close(fds[0]);
		caller_session(fds[1]);
	}
	close(fds[1]);
	assert_int_equal(read(fds[0], pids, sizeof(pids)), sizeof(pids));
	close(fds[0]);
	stranger = spawn(nobody_with_session); /* nobody, another session, later */
	usleep(200 * 1000);                    /* the children set their uids */
	gone = ref_of(pids[GONE]);
	leader = ref_of(caller);
	wrong_leader = leader;
	wrong_leader.start_time++;
	stranger_ref = ref_of(stranger);
	t = okta_proc_table_load();
	assert_non_null(t);
	for (i = 0; i < t->count; i++) {
		if (t->all[i].ppid == pids[SHELL])
			session_child = t->all[i].pid;
		if (t->all[i].ppid == stranger)
			stranger_child = t->all[i].pid;
	}
	assert_int_equal(
		okta_login_procs_remains(t, &gone, &leader, caller, NOBODY, &exclude, &remains), 0);
	/* the leader no longer the one seen at registration: nothing */
	assert_int_equal(
		okta_login_procs_remains(t, &gone, &wrong_leader, caller, NOBODY, &exclude, &none),
		0);
	/* what another login of the session holds is left out */
	exclude.procs = malloc(2 * sizeof(*exclude.procs));
	assert_non_null(exclude.procs);
	exclude.procs[0] = ref_of(pids[SHELL]);
	exclude.procs[1] = ref_of(session_child);
	exclude.count = 2;
	assert_int_equal(
		okta_login_procs_remains(t, &gone, &leader, caller, NOBODY, &exclude, &excluded),
		0);
	okta_proc_table_free(t);
	if (session_child > 0)
		kill(session_child, SIGKILL);
	if (stranger_child > 0)
		kill(stranger_child, SIGKILL);
	kill(stranger, SIGKILL);
	waitpid(stranger, NULL, 0);
	kill(-caller, SIGKILL); /* the session's process group */
	waitpid(caller, NULL, 0);
	assert_true(session_child > 0);
	assert_int_equal(remains.count, 2);
	assert_true(has(&remains, pids[SHELL]));
	assert_true(has(&remains, session_child));
	assert_false(has(&remains, pids[BEFORE]) || has(&remains, pids[CALLER]) ||
		     has(&remains, caller) || has(&remains, stranger_ref.pid) ||
		     has(&remains, stranger_child));
	assert_int_equal(none.count, 0);
	assert_int_equal(excluded.count, 0);
	okta_login_procs_free(&remains);
	okta_login_procs_free(&none);
	okta_login_procs_free(&excluded);
	okta_login_procs_free(&exclude);
}

/*
 * W16: the table is read before each process's uids are. A process of the
 * caller's session that exited in between, its pid taken by one of the
 * login's user (any session, a user cycling pids), was taken for the
 * user's, and with it what it had started (another user's: root here) as
 * the table lists them. The uids are only believed of the process the
 * table names (same start time after the read).
 */
static void test_remains_uids_of_the_listed_process(void **state)
{
	struct proc_entry *all = calloc(4, sizeof(*all));
	struct okta_login_procs remains = { 0 }, exclude = { 0 };
	pid_t users = spawn(become_nobody); /* the pid's new owner */
	pid_t roots = spawn(NULL);          /* what the exited process started */
	struct okta_proc_ref gone, leader;
	struct okta_proc_table *t;
	pid_t sid = 2000000;

	(void)state;
	if (geteuid() != 0)
		skip();     /* the pid's new owner runs as another uid */
	usleep(200 * 1000); /* the child set its uids */
	assert_non_null(all);
	gone = (struct okta_proc_ref){ sid + 1, 20 };
	leader = (struct okta_proc_ref){ sid, 10 };
	all[0] = (struct proc_entry){ .pid = sid, .ppid = 1, .sid = sid, .start_time = 10 };
	all[1] = (struct proc_entry){ .pid = sid + 1, .ppid = sid, .sid = sid, .start_time = 20 };
	/* as listed: started after su, in its session; exited since, and its
	 * pid is the nobody process's now (another start time) */
	all[2] = (struct proc_entry){
		.pid = users, .ppid = sid, .sid = sid, .start_time = ref_of(users).start_time + 1
	};
	/* its child as listed: root's, alive */
	all[3] = (struct proc_entry){
		.pid = roots, .ppid = users, .sid = roots, .start_time = ref_of(roots).start_time
	};
	t = table_of(all, 4);
	assert_non_null(t);
	assert_int_equal(
		okta_login_procs_remains(t, &gone, &leader, sid, NOBODY, &exclude, &remains), 0);
	okta_proc_table_free(t);
	reap(users, 0);
	reap(roots, 0);
	assert_false(has(&remains, roots));
	assert_false(has(&remains, users));
	okta_login_procs_free(&remains);
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

/*
 * W15: an orphaned login is polled every second for a process left. The
 * poll looks from the one found last (one look while it runs), drops what
 * is gone (a recycled pid's start time differs too), and counts a zombie as
 * not running but keeps it.
 */
static void test_any_alive_from_cursor(void **state)
{
	pid_t gone = sleeper(false, NULL);
	pid_t zombie = sleeper(false, NULL);
	pid_t alive = sleeper(false, NULL);
	struct okta_proc_ref refs[4];
	struct okta_login_procs procs = { 0 };
	size_t cursor = 0;
	bool any;

	(void)state;
	refs[0] = ref_of(gone);
	refs[1] = ref_of(zombie);
	refs[2] = ref_of(alive);
	refs[3] = ref_of(alive);
	refs[3].start_time++; /* its pid, another process */
	reap(gone, 0);
	kill(zombie, SIGKILL);
	while (!is_zombie(zombie))
		usleep(1000);
	procs.procs = malloc(sizeof(refs));
	assert_non_null(procs.procs);
	memcpy(procs.procs, refs, sizeof(refs));
	procs.count = 4;
	any = okta_login_procs_any_alive(&procs, &cursor);
	assert_true(any);
	assert_int_equal(procs.count, 3); /* the gone one dropped */
	assert_int_equal(procs.procs[cursor].pid, alive);
	assert_true(okta_login_procs_any_alive(&procs, &cursor));
	assert_int_equal(procs.procs[cursor].pid, alive);
	reap(alive, 0);
	any = okta_login_procs_any_alive(&procs, &cursor);
	assert_false(any);
	assert_int_equal(procs.count, 1); /* the zombie kept */
	assert_int_equal(procs.procs[0].pid, zombie);
	okta_login_procs_free(&procs);
	waitpid(zombie, NULL, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reused_session_number_not_collected),
		cmocka_unit_test(test_live_session_still_collected),
		cmocka_unit_test(test_deep_tree_marked_fast),
		cmocka_unit_test(test_marking_closure),
		cmocka_unit_test(test_table_collect_matches_fresh),
		cmocka_unit_test(test_per_login_cost_flat),
		cmocka_unit_test(test_status_uids),
		cmocka_unit_test(test_remains_in_callers_session),
		cmocka_unit_test(test_new_terminal_is_not_input),
		cmocka_unit_test(test_tty_nr_paths),
		cmocka_unit_test(test_any_alive_from_cursor),
		cmocka_unit_test(test_remains_uids_of_the_listed_process),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
