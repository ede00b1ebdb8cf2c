/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_watch_end.h"
#include "okta_proc.h"
#include "okta_text.h"
#include "okta_watch_proto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Unix98 pseudo-terminals: majors 136-143 (/dev/pts/N). */
#define PTS_MAJOR_FIRST 136
#define PTS_MAJOR_LAST 143
/* Virtual consoles (minors 1-63, /dev/ttyN) and serial lines (64-255,
 * /dev/ttyS(N-64)): a console login's terminal. */
#define TTY_MAJOR 4
#define TTY_SERIAL_MINOR 64
#define LOGIND_RUNTIME_DIR "/run/systemd/seats"
#define LOGIND_SESSIONS_DIR "/run/systemd/sessions"
/* logind's session files are a few hundred bytes. */
#define LOGIND_SESSION_FILE_MAX 8192

/* One process of the snapshot of /proc. */
struct proc_entry {
	pid_t pid;
	struct okta_proc_stat st;
	bool in_login;
};

/* Every process's stat: a snapshot, read once per collection. */
static struct proc_entry *snapshot(size_t *count)
{
	struct proc_entry *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir = opendir("/proc");

	if (dir == NULL)
		return NULL;
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct proc_entry e = { 0 };

		if (*end != '\0' || pid <= 0 || !okta_ascii_is_digit(de->d_name[0]))
			continue;
		e.pid = (pid_t)pid;
		if (okta_proc_read_stat(e.pid, &e.st) != 0)
			continue; /* gone meanwhile */
		if (n == cap) {
			size_t grown_cap = cap == 0 ? 512 : cap * 2;
			struct proc_entry *grown = realloc(all, grown_cap * sizeof(*all));

			if (grown == NULL)
				break;
			all = grown;
			cap = grown_cap;
		}
		all[n++] = e;
	}
	closedir(dir);
	*count = n;
	if (all == NULL)
		all = calloc(1, sizeof(*all)); /* an empty snapshot, not a failure */
	return all;
}

static bool has_sid(const struct okta_login_procs *p, long long sid)
{
	size_t i;

	for (i = 0; i < p->sid_count; i++) {
		if (p->sids[i] == sid)
			return true;
	}
	return false;
}

/* The caller checked that pid is not in p yet (found_before: a snapshot
 * has each pid once). */
static int add_proc(struct okta_login_procs *p, pid_t pid, unsigned long long start)
{
	struct okta_proc_ref *grown;

	grown = realloc(p->procs, (p->count + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	p->procs = grown;
	p->procs[p->count].pid = pid;
	p->procs[p->count].start_time = start;
	p->count++;
	return 0;
}

static int add_sid(struct okta_login_procs *p, long long sid)
{
	long long *grown;

	if (sid <= 1 || has_sid(p, sid))
		return 0;
	grown = realloc(p->sids, (p->sid_count + 1) * sizeof(*grown));
	if (grown == NULL)
		return -1;
	p->sids = grown;
	p->sids[p->sid_count++] = sid;
	return 0;
}

/*
 * A session found by an earlier collection (SIGHUP, then SIGKILL 5 s later)
 * is still that session only while a process found in it then lives on in
 * it (same start time): the kernel frees the number of an empty session,
 * and a new session (another user's sshd connection, after the login's
 * user cycled the pids) may get it. Forget the others.
 */
static int by_ref(const void *a, const void *b)
{
	const struct okta_proc_ref *x = a, *y = b;

	if (x->pid != y->pid)
		return (x->pid > y->pid) - (x->pid < y->pid);
	return (x->start_time > y->start_time) - (x->start_time < y->start_time);
}

static int by_value(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return (x > y) - (x < y);
}

/* The processes found so far, sorted for bsearch (NULL when none or out
 * of memory). */
static struct okta_proc_ref *sorted_procs(const struct okta_login_procs *p)
{
	struct okta_proc_ref *copy = p->count > 0 ? malloc(p->count * sizeof(*copy)) : NULL;

	if (copy != NULL) {
		memcpy(copy, p->procs, p->count * sizeof(*copy));
		qsort(copy, p->count, sizeof(*copy), by_ref);
	}
	return copy;
}

static bool found_before(const struct okta_proc_ref *sorted, size_t count, pid_t pid,
			 unsigned long long start)
{
	struct okta_proc_ref key = { pid, start };

	return sorted != NULL && bsearch(&key, sorted, count, sizeof(key), by_ref) != NULL;
}

static void keep_live_sids(struct okta_login_procs *p, const struct proc_entry *all, size_t n)
{
	struct okta_proc_ref *sorted = sorted_procs(p);
	bool *live = calloc(p->sid_count + 1, sizeof(*live));
	size_t i, kept = 0;
	long long *hit;

	qsort(p->sids, p->sid_count, sizeof(*p->sids), by_value);
	for (i = 0; live != NULL && i < n; i++) {
		if (!found_before(sorted, p->count, all[i].pid, all[i].st.start_time))
			continue;
		hit = bsearch(&all[i].st.sid, p->sids, p->sid_count, sizeof(*p->sids), by_value);
		if (hit != NULL)
			live[hit - p->sids] = true;
	}
	for (i = 0; i < p->sid_count; i++) {
		if (live != NULL && live[i])
			p->sids[kept++] = p->sids[i];
	}
	p->sid_count = kept; /* out of memory: none is trusted */
	free(live);
	free(sorted);
}

/* Orders of the snapshot: by parent, by session (qsort of indices). */
static const struct proc_entry *sort_base;

static int by_ppid(const void *a, const void *b)
{
	long long x = sort_base[*(const size_t *)a].st.ppid;
	long long y = sort_base[*(const size_t *)b].st.ppid;

	return (x > y) - (x < y);
}

static int by_sid(const void *a, const void *b)
{
	long long x = sort_base[*(const size_t *)a].st.sid;
	long long y = sort_base[*(const size_t *)b].st.sid;

	return (x > y) - (x < y);
}

/* The first position in order (sorted by parent or session) whose value is
 * at least v. */
static size_t lower_bound(const struct proc_entry *all, const size_t *order, size_t n, bool parent,
			  long long v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		long long m = parent ? all[order[mid]].st.ppid : all[order[mid]].st.sid;

		if (m < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Mark every process of order (from first on) whose parent or session is
 * v, and push it on the work stack. */
static void mark_range(struct proc_entry *all, const size_t *order, size_t n, bool parent,
		       long long v, size_t *stack, size_t *top)
{
	size_t k;

	for (k = lower_bound(all, order, n, parent, v); k < n; k++) {
		struct proc_entry *e = &all[order[k]];

		if ((parent ? e->st.ppid : e->st.sid) != v)
			break;
		if (!e->in_login) {
			e->in_login = true;
			stack[(*top)++] = order[k];
		}
	}
}

/*
 * Mark the roots and the members of the sessions into names, then spread
 * the mark to children and to the members of sessions a marked process
 * leads. Each process is marked once, and its children and session found
 * by binary search: O(n log n), whatever the depth of the tree or the
 * order of its pids (a user controls both; a fixpoint over all pairs took
 * seconds per pass on a busy host and stalled the one loop).
 */
static int mark(struct proc_entry *all, size_t n, const struct okta_proc_ref *roots,
		size_t root_count, struct okta_login_procs *into)
{
	size_t *parents = calloc(n + 1, sizeof(*parents));
	size_t *sessions = calloc(n + 1, sizeof(*sessions));
	size_t *stack = calloc(n + 1, sizeof(*stack));
	struct okta_proc_ref *sorted_roots = NULL;
	size_t top = 0, i, j;
	int rc = -1;

	if (parents == NULL || sessions == NULL || stack == NULL)
		goto out;
	for (i = 0; i < n; i++)
		parents[i] = sessions[i] = i;
	sort_base = all;
	qsort(parents, n, sizeof(*parents), by_ppid);
	qsort(sessions, n, sizeof(*sessions), by_sid);
	if (root_count > 0) {
		sorted_roots = malloc(root_count * sizeof(*sorted_roots));
		if (sorted_roots == NULL)
			goto out;
		memcpy(sorted_roots, roots, root_count * sizeof(*sorted_roots));
		qsort(sorted_roots, root_count, sizeof(*sorted_roots), by_ref);
	}
	for (i = 0; i < n; i++) {
		if (found_before(sorted_roots, root_count, all[i].pid, all[i].st.start_time)) {
			all[i].in_login = true;
			stack[top++] = i;
		}
	}
	for (j = 0; j < into->sid_count; j++)
		mark_range(all, sessions, n, false, into->sids[j], stack, &top);
	rc = 0;
	while (top > 0) {
		struct proc_entry *e = &all[stack[--top]];

		if (e->st.sid == e->pid && e->st.sid > 1) {
			if (add_sid(into, e->st.sid) != 0)
				rc = -1;
			mark_range(all, sessions, n, false, e->st.sid, stack, &top);
		}
		mark_range(all, parents, n, true, e->pid, stack, &top);
	}
out:
	free(sorted_roots);
	free(parents);
	free(sessions);
	free(stack);
	return rc;
}

int okta_login_procs_collect(const struct okta_proc_ref *roots, size_t root_count,
			     struct okta_login_procs *into)
{
	size_t n = 0, i, known;
	struct proc_entry *all = snapshot(&n);
	struct okta_proc_ref *before;
	pid_t self = getpid();
	int rc = 0;

	if (all == NULL)
		return -1;
	keep_live_sids(into, all, n);
	if (mark(all, n, roots, root_count, into) != 0)
		rc = -1;
	before = sorted_procs(into);
	known = into->count;
	for (i = 0; i < n; i++) {
		if (all[i].in_login && all[i].pid > 1 && all[i].pid != self &&
		    !found_before(before, known, all[i].pid, all[i].st.start_time) &&
		    add_proc(into, all[i].pid, all[i].st.start_time) != 0)
			rc = -1;
	}
	free(before);
	free(all);
	return rc;
}

static bool is_zombie(pid_t pid)
{
	struct okta_proc_stat st;

	return okta_proc_read_stat(pid, &st) != 0 || st.state == 'Z' || st.state == 'X';
}

size_t okta_login_procs_signal(const struct okta_login_procs *procs, int sig)
{
	size_t sent = 0, i;

	for (i = 0; i < procs->count; i++) {
		const struct okta_proc_ref *p = &procs->procs[i];
		int pidfd = -1;

		if (okta_proc_identify(p->pid, p->start_time, &pidfd) != 0)
			continue; /* gone, or its pid is another process's now */
		if (is_zombie(p->pid)) {
			if (pidfd >= 0)
				close(pidfd);
			continue; /* exited: only its parent's wait is missing */
		}
		if (pidfd >= 0) {
			if (okta_pidfd_send_signal(pidfd, sig) == 0)
				sent++;
			close(pidfd);
		} else if (kill(p->pid, sig) == 0) {
			/* no pidfds (Linux < 5.3): the start time was checked
			 * just before; the window is the time of one kill() */
			sent++;
		}
	}
	return sent;
}

void okta_login_procs_free(struct okta_login_procs *procs)
{
	free(procs->procs);
	free(procs->sids);
	memset(procs, 0, sizeof(*procs));
}

/* The /dev path of a tty_nr from /proc/PID/stat (a pty, a virtual console,
 * a serial line), or false. */
static bool tty_path(long long tty_nr, char *out, size_t outlen)
{
	long long major = (tty_nr >> 8) & 0xfff;
	long long minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);

	if (tty_nr <= 0)
		return false;
	if (major >= PTS_MAJOR_FIRST && major <= PTS_MAJOR_LAST)
		snprintf(out, outlen, "/dev/pts/%lld", (major - PTS_MAJOR_FIRST) * 256 + minor);
	else if (major == TTY_MAJOR && minor >= 1 && minor < TTY_SERIAL_MINOR)
		snprintf(out, outlen, "/dev/tty%lld", minor);
	else if (major == TTY_MAJOR && minor >= TTY_SERIAL_MINOR && minor < 256)
		snprintf(out, outlen, "/dev/ttyS%lld", minor - TTY_SERIAL_MINOR);
	else
		return false;
	return true;
}

bool okta_login_terminal_used(const struct okta_login_procs *procs, const char *tty, time_t since)
{
	char path[64] = "";
	struct okta_proc_stat st;
	struct stat sb;
	size_t i;

	if (strncmp(tty, "/dev/", 5) == 0 && strlen(tty) < sizeof(path))
		snprintf(path, sizeof(path), "%s", tty);
	for (i = 0; path[0] == '\0' && i < procs->count; i++) {
		if (okta_proc_read_stat(procs->procs[i].pid, &st) == 0)
			(void)tty_path(st.tty_nr, path, sizeof(path));
	}
	if (path[0] == '\0' || stat(path, &sb) != 0)
		return true; /* no terminal: in use while its processes run */
	/* A terminal made after `since` (sshd allocates it after
	 * open_session) has its creation time as atime; sshd's chown moves
	 * ctime. Only a read of input moves atime past ctime. */
	return sb.st_atime > since && sb.st_atime > sb.st_ctime;
}

bool okta_logind_running(void)
{
	struct stat sb;

	return lstat(LOGIND_RUNTIME_DIR, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bool okta_logind_session_led_by(const char *id, pid_t leader)
{
	char path[sizeof(LOGIND_SESSIONS_DIR) + OKTA_WATCH_LOGIND_MAX + 2];
	char text[LOGIND_SESSION_FILE_MAX];
	const char *line;
	char *end;
	ssize_t n;
	int fd;

	if (snprintf(path, sizeof(path), "%s/%s", LOGIND_SESSIONS_DIR, id) >= (int)sizeof(path))
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return false;
	n = read(fd, text, sizeof(text) - 1);
	close(fd);
	if (n <= 0)
		return false;
	text[n] = '\0';
	line = strncmp(text, "LEADER=", 7) == 0 ? text : strstr(text, "\nLEADER=");
	if (line == NULL)
		return false;
	line += line[0] == '\n' ? 8 : 7;
	if (!okta_ascii_is_digit(line[0]))
		return false;
	errno = 0;
	return strtoll(line, &end, 10) == (long long)leader && errno == 0 &&
	       (*end == '\n' || *end == '\0');
}

int okta_logind_terminate(const char *id, const struct okta_logger *logger)
{
	static const char *const loginctl[] = { "/usr/bin/loginctl", "/bin/loginctl" };
	const char *path = NULL;
	pid_t child;
	size_t i;

	for (i = 0; i < sizeof(loginctl) / sizeof(loginctl[0]) && path == NULL; i++) {
		if (access(loginctl[i], X_OK) == 0)
			path = loginctl[i];
	}
	if (path == NULL) {
		okta_log(logger, LOG_WARNING, "logind runs but loginctl was not found");
		return -1;
	}
	child = fork();
	if (child < 0)
		return -1;
	if (child == 0) {
		/* execve's arrays are not const */
		char name[] = "loginctl";
		char verb[] = "terminate-session";
		char session[OKTA_WATCH_LOGIND_MAX + 1];
		char env_path[] = "PATH=/usr/bin:/bin";
		char *const argv[] = { name, verb, session, NULL };
		char *const envp[] = { env_path, NULL };
		int null = open("/dev/null", O_RDWR);

		snprintf(session, sizeof(session), "%s", id);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execve(path, argv, envp);
		_exit(127);
	}
	return 0;
}
