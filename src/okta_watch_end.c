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

static bool has_proc(const struct okta_login_procs *p, pid_t pid, unsigned long long start)
{
	size_t i;

	for (i = 0; i < p->count; i++) {
		if (p->procs[i].pid == pid && p->procs[i].start_time == start)
			return true;
	}
	return false;
}

static int add_proc(struct okta_login_procs *p, pid_t pid, unsigned long long start)
{
	struct okta_proc_ref *grown;

	if (has_proc(p, pid, start))
		return 0;
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
static void keep_live_sids(struct okta_login_procs *p, const struct proc_entry *all, size_t n)
{
	size_t i, j, kept = 0;

	for (i = 0; i < p->sid_count; i++) {
		for (j = 0; j < n; j++) {
			if (all[j].st.sid == p->sids[i] &&
			    has_proc(p, all[j].pid, all[j].st.start_time))
				break;
		}
		if (j < n)
			p->sids[kept++] = p->sids[i];
	}
	p->sid_count = kept;
}

/* Mark the roots, then spread the mark to children and to the members of
 * marked sessions until nothing changes. */
static void mark(struct proc_entry *all, size_t n, const struct okta_proc_ref *roots,
		 size_t root_count, struct okta_login_procs *into)
{
	bool changed = true;
	size_t i, j;

	for (i = 0; i < n; i++) {
		for (j = 0; j < root_count; j++) {
			if (all[i].pid == roots[j].pid &&
			    all[i].st.start_time == roots[j].start_time)
				all[i].in_login = true;
		}
	}
	while (changed) {
		changed = false;
		for (i = 0; i < n; i++) {
			if (all[i].in_login) {
				if (all[i].st.sid == all[i].pid)
					(void)add_sid(into, all[i].st.sid);
				continue;
			}
			if (has_sid(into, all[i].st.sid))
				all[i].in_login = changed = true;
			for (j = 0; !all[i].in_login && j < n; j++) {
				if (all[j].in_login && all[j].pid == all[i].st.ppid)
					all[i].in_login = changed = true;
			}
		}
	}
}

int okta_login_procs_collect(const struct okta_proc_ref *roots, size_t root_count,
			     struct okta_login_procs *into)
{
	size_t n = 0, i;
	struct proc_entry *all = snapshot(&n);
	pid_t self = getpid();
	int rc = 0;

	if (all == NULL)
		return -1;
	keep_live_sids(into, all, n);
	mark(all, n, roots, root_count, into);
	for (i = 0; i < n; i++) {
		if (all[i].in_login && all[i].pid > 1 && all[i].pid != self &&
		    add_proc(into, all[i].pid, all[i].st.start_time) != 0)
			rc = -1;
	}
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

/* The /dev/pts path of a tty_nr from /proc/PID/stat, or false. */
static bool pts_path(long long tty_nr, char *out, size_t outlen)
{
	long long major = (tty_nr >> 8) & 0xfff;
	long long minor = (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00);

	if (tty_nr <= 0 || major < PTS_MAJOR_FIRST || major > PTS_MAJOR_LAST)
		return false;
	snprintf(out, outlen, "/dev/pts/%lld", (major - PTS_MAJOR_FIRST) * 256 + minor);
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
			(void)pts_path(st.tty_nr, path, sizeof(path));
	}
	if (path[0] == '\0' || stat(path, &sb) != 0)
		return true; /* no terminal: in use while its processes run */
	return sb.st_atime > since;
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
