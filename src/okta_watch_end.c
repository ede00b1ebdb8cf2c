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
#include <stdint.h>
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

/* /proc/PID/status is a few KiB (more with many supplementary groups). */
#define STATUS_MAX 16384

/* One process of the table. mark: the generation of the collection that
 * found it last, so that no collection clears the marks of the one before
 * (that would cost a pass over the table per login). */
struct proc_entry {
	pid_t pid;
	pid_t ppid;
	pid_t sid;
	uint32_t mark;
	unsigned long long start_time;
};

struct okta_proc_table {
	struct proc_entry *all; /* sorted by pid */
	size_t count;
	uint32_t *by_parent;  /* indices of all, by ppid */
	uint32_t *by_session; /* indices of all, by sid */
	uint32_t generation;  /* of the last collection */
	pid_t self;           /* the reader: never collected, nor its children */
};

/* A growing array of n items of size bytes: room for one more. */
static int room_for_one(void **items, size_t n, size_t *cap, size_t size)
{
	size_t grown_cap;
	void *grown;

	if (n < *cap)
		return 0;
	grown_cap = *cap == 0 ? 64 : *cap * 2;
	grown = realloc(*items, grown_cap * size);
	if (grown == NULL)
		return -1;
	*items = grown;
	*cap = grown_cap;
	return 0;
}

/* qsort and bsearch, which must not be given a null array even when it
 * is empty (a login without sessions, an empty table): nothing to do. */
static void sort_array(void *base, size_t n, size_t size, int (*cmp)(const void *, const void *))
{
	if (n > 1)
		qsort(base, n, size, cmp);
}

static void *find_in(const void *key, const void *base, size_t n, size_t size,
		     int (*cmp)(const void *, const void *))
{
	return n > 0 ? bsearch(key, base, n, size, cmp) : NULL;
}

static int by_pid(const void *a, const void *b)
{
	const struct proc_entry *x = a, *y = b;

	return (x->pid > y->pid) - (x->pid < y->pid);
}

static int by_key(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* The indices of all sorted by parent or by session: (key, index) pairs
 * sorted as numbers, then the indices kept. */
static uint32_t *index_by(const struct okta_proc_table *t, bool parent, uint64_t *keyed)
{
	uint32_t *order = malloc((t->count + 1) * sizeof(*order));
	size_t i;

	if (order == NULL)
		return NULL;
	for (i = 0; i < t->count; i++) {
		pid_t key = parent ? t->all[i].ppid : t->all[i].sid;

		keyed[i] = (uint64_t)(uint32_t)key << 32 | (uint32_t)i;
	}
	sort_array(keyed, t->count, sizeof(*keyed), by_key);
	for (i = 0; i < t->count; i++)
		order[i] = (uint32_t)keyed[i];
	return order;
}

void okta_proc_table_free(struct okta_proc_table *t)
{
	if (t == NULL)
		return;
	free(t->all);
	free(t->by_parent);
	free(t->by_session);
	free(t);
}

/* A table of the n entries of all (taken over, also on failure): sorted
 * by pid, indexed by parent and by session. The one place that sorts. */
static struct okta_proc_table *table_of(struct proc_entry *all, size_t n)
{
	struct okta_proc_table *t = calloc(1, sizeof(*t));
	uint64_t *keyed = malloc((n + 1) * sizeof(*keyed));

	if (t == NULL || keyed == NULL || n > UINT32_MAX) {
		free(t);
		free(keyed);
		free(all);
		return NULL;
	}
	t->all = all;
	t->count = n;
	sort_array(all, n, sizeof(*all), by_pid);
	t->by_parent = index_by(t, true, keyed);
	t->by_session = index_by(t, false, keyed);
	free(keyed);
	if (t->by_parent == NULL || t->by_session == NULL) {
		okta_proc_table_free(t);
		return NULL;
	}
	return t;
}

struct okta_proc_table *okta_proc_table_load(void)
{
	struct okta_proc_table *t;
	struct proc_entry *all = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *dir = opendir("/proc");

	if (dir == NULL)
		return NULL;
	while ((de = readdir(dir)) != NULL) {
		char *end;
		long pid = strtol(de->d_name, &end, 10);
		struct okta_proc_stat st;

		if (*end != '\0' || pid <= 0 || !okta_ascii_is_digit(de->d_name[0]))
			continue;
		if (okta_proc_read_stat((pid_t)pid, &st) != 0)
			continue; /* gone meanwhile */
		if (room_for_one((void **)&all, n, &cap, sizeof(*all)) != 0) {
			closedir(dir);
			free(all);
			return NULL; /* a partial table would hide processes */
		}
		all[n].pid = (pid_t)pid;
		all[n].ppid = (pid_t)st.ppid;
		all[n].sid = (pid_t)st.sid;
		all[n].mark = 0;
		all[n].start_time = st.start_time;
		n++;
	}
	closedir(dir);
	if (n > 0 && n < cap) { /* what the doubling left over */
		struct proc_entry *fit = realloc(all, n * sizeof(*all));

		if (fit != NULL)
			all = fit;
	}
	t = table_of(all, n);
	if (t != NULL)
		t->self = getpid();
	return t;
}

size_t okta_proc_table_count(const struct okta_proc_table *t)
{
	return t->count;
}

/* The index of pid in t, or t->count. */
static size_t find_pid(const struct okta_proc_table *t, pid_t pid)
{
	struct proc_entry key = { .pid = pid };
	const struct proc_entry *hit = find_in(&key, t->all, t->count, sizeof(key), by_pid);

	return hit != NULL ? (size_t)(hit - t->all) : t->count;
}

/* The index in t of the process ref names (same pid and start time), or
 * t->count. */
static size_t find_ref(const struct okta_proc_table *t, const struct okta_proc_ref *ref)
{
	size_t i = find_pid(t, ref->pid);

	return i < t->count && t->all[i].start_time == ref->start_time ? i : t->count;
}

static pid_t key_of(const struct proc_entry *e, bool parent)
{
	return parent ? e->ppid : e->sid;
}

/* The first position in order (by parent or by session) whose key is at
 * least v. */
static size_t lower_bound(const struct okta_proc_table *t, const uint32_t *order, bool parent,
			  long long v)
{
	size_t lo = 0, hi = t->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (key_of(&t->all[order[mid]], parent) < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

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

static bool in_sorted(const struct okta_proc_ref *sorted, size_t count,
		      const struct okta_proc_ref *ref)
{
	return sorted != NULL && find_in(ref, sorted, count, sizeof(*ref), by_ref) != NULL;
}

/* A sorted copy of n refs (NULL when none or out of memory). */
static struct okta_proc_ref *sorted_copy(const struct okta_proc_ref *refs, size_t n)
{
	struct okta_proc_ref *copy = n > 0 ? malloc(n * sizeof(*copy)) : NULL;

	if (copy != NULL) {
		memcpy(copy, refs, n * sizeof(*copy));
		sort_array(copy, n, sizeof(*copy), by_ref);
	}
	return copy;
}

/*
 * A session found by an earlier collection (SIGHUP, then SIGKILL 5 s later)
 * is still that session only while a process found in it then lives on in
 * it (same start time): the kernel frees the number of an empty session,
 * and a new session (another user's sshd connection, after the login's
 * user cycled the pids) may get it. Forget the others. Each process found
 * then is looked up by pid: O(k log n).
 */
static void keep_live_sids(struct okta_login_procs *p, const struct okta_proc_table *t)
{
	bool *live = calloc(p->sid_count + 1, sizeof(*live));
	size_t i, kept = 0;
	long long *hit;

	sort_array(p->sids, p->sid_count, sizeof(*p->sids), by_value);
	for (i = 0; live != NULL && i < p->count; i++) {
		size_t at = find_ref(t, &p->procs[i]);
		long long sid;

		if (at == t->count)
			continue;
		sid = t->all[at].sid;
		hit = find_in(&sid, p->sids, p->sid_count, sizeof(*p->sids), by_value);
		if (hit != NULL)
			live[hit - p->sids] = true;
	}
	for (i = 0; i < p->sid_count; i++) {
		if (live != NULL && live[i])
			p->sids[kept++] = p->sids[i];
	}
	p->sid_count = kept; /* out of memory: none is trusted */
	free(live);
}

/* One collection: the processes it marked, in the order found. */
struct marking {
	struct okta_proc_table *t;
	uint32_t *found;
	size_t count, cap;
	bool failed; /* out of memory */
};

/* A new generation of marks: the old ones are stale at once, without a
 * pass over the table (but every 2^32 collections). */
static void next_generation(struct okta_proc_table *t)
{
	size_t i;

	if (++t->generation == 0) {
		for (i = 0; i < t->count; i++)
			t->all[i].mark = 0;
		t->generation = 1;
	}
}

/* Mark entry i unless marked already; never pid 1 or the daemon (their
 * children are not the login's). */
static void mark_one(struct marking *m, size_t i)
{
	struct proc_entry *e = &m->t->all[i];

	if (e->mark == m->t->generation || e->pid <= 1 || e->pid == m->t->self)
		return;
	if (room_for_one((void **)&m->found, m->count, &m->cap, sizeof(*m->found)) != 0) {
		m->failed = true;
		return;
	}
	e->mark = m->t->generation;
	m->found[m->count++] = (uint32_t)i;
}

/* Mark every process whose parent (or session) is v. */
static void mark_range(struct marking *m, bool parent, long long v)
{
	const struct okta_proc_table *t = m->t;
	const uint32_t *order = parent ? t->by_parent : t->by_session;
	size_t k;

	for (k = lower_bound(t, order, parent, v); k < t->count; k++) {
		if (key_of(&t->all[order[k]], parent) != v)
			break;
		mark_one(m, order[k]);
	}
}

static int add_sid(struct okta_login_procs *p, size_t *cap, long long sid)
{
	if (room_for_one((void **)&p->sids, p->sid_count, cap, sizeof(*p->sids)) != 0)
		return -1;
	p->sids[p->sid_count++] = sid;
	return 0;
}

/* Sessions are added as their leaders are found: sorted and made unique
 * once at the end. */
static void unique_sids(struct okta_login_procs *p)
{
	size_t i, kept = 0;

	sort_array(p->sids, p->sid_count, sizeof(*p->sids), by_value);
	for (i = 0; i < p->sid_count; i++) {
		if (kept == 0 || p->sids[kept - 1] != p->sids[i])
			p->sids[kept++] = p->sids[i];
	}
	p->sid_count = kept;
}

/*
 * Spread the marks from what is marked to children and to the members of
 * sessions a marked process leads. Each process is marked once, and its
 * children and session found by binary search: O(k log n) for the k found,
 * whatever the depth of the tree or the order of its pids (a user controls
 * both; a fixpoint over all pairs took seconds per pass on a busy host and
 * stalled the one loop).
 */
static int spread(struct marking *m, struct okta_login_procs *into)
{
	size_t cap = into->sid_count, j;
	int rc = 0;

	for (j = 0; j < m->count; j++) {
		const struct proc_entry *e = &m->t->all[m->found[j]];
		pid_t pid = e->pid;

		if (e->sid == pid && pid > 1) {
			if (add_sid(into, &cap, pid) != 0)
				rc = -1;
			mark_range(m, false, pid);
		}
		mark_range(m, true, pid);
	}
	unique_sids(into);
	return m->failed ? -1 : rc;
}

/* Add the n processes of add to into, but those into has already or skip
 * (sorted) names. */
static int merge(struct okta_login_procs *into, const struct okta_proc_ref *add, size_t n,
		 const struct okta_proc_ref *skip, size_t skip_count)
{
	struct okta_proc_ref *before = sorted_copy(into->procs, into->count);
	struct okta_proc_ref *grown;
	size_t known = into->count, i;
	int rc = 0;

	if (known > 0 && before == NULL)
		return -1;
	grown = n > 0 ? realloc(into->procs, (known + n) * sizeof(*grown)) : into->procs;
	if (n > 0 && grown == NULL) {
		free(before);
		return -1;
	}
	into->procs = grown;
	for (i = 0; i < n; i++) {
		if (!in_sorted(before, known, &add[i]) && !in_sorted(skip, skip_count, &add[i]))
			into->procs[into->count++] = add[i];
	}
	free(before);
	return rc;
}

int okta_login_procs_collect_from(struct okta_proc_table *t, const struct okta_proc_ref *roots,
				  size_t root_count, struct okta_login_procs *into)
{
	struct marking m = { .t = t };
	struct okta_proc_ref *found;
	size_t i;
	int rc;

	next_generation(t);
	keep_live_sids(into, t);
	for (i = 0; i < root_count; i++) {
		size_t at = find_ref(t, &roots[i]);

		if (at < t->count)
			mark_one(&m, at);
	}
	for (i = 0; i < into->sid_count; i++) {
		if (into->sids[i] > 1)
			mark_range(&m, false, into->sids[i]);
	}
	rc = spread(&m, into);
	found = malloc((m.count + 1) * sizeof(*found));
	if (found == NULL) {
		free(m.found);
		return -1;
	}
	for (i = 0; i < m.count; i++) {
		found[i].pid = t->all[m.found[i]].pid;
		found[i].start_time = t->all[m.found[i]].start_time;
	}
	if (merge(into, found, m.count, NULL, 0) != 0)
		rc = -1;
	free(found);
	free(m.found);
	return rc;
}

int okta_login_procs_collect(const struct okta_proc_ref *roots, size_t root_count,
			     struct okta_login_procs *into)
{
	struct okta_proc_table *t = okta_proc_table_load();
	int rc;

	if (t == NULL)
		return -1;
	rc = okta_login_procs_collect_from(t, roots, root_count, into);
	okta_proc_table_free(t);
	return rc;
}

/*
 * The four uids of a /proc/PID/status text (its "Uid:" line: real,
 * effective, saved, filesystem). 0, or -1 when there is no such line of
 * four numbers.
 */
static int parse_status_uids(const char *text, size_t len, unsigned long long uids[4])
{
	const char *end = text + len;
	const char *p = text;
	size_t i;

	while (p < end && !(end - p > 4 && memcmp(p, "Uid:", 4) == 0)) {
		p = memchr(p, '\n', (size_t)(end - p));
		if (p == NULL)
			return -1;
		p++;
	}
	if (p >= end)
		return -1;
	p += 4;
	for (i = 0; i < 4; i++) {
		unsigned long long v = 0;
		const char *digits;

		while (p < end && (*p == '\t' || *p == ' '))
			p++;
		for (digits = p; p < end && okta_ascii_is_digit(*p) && p - digits < 11; p++)
			v = v * 10 + (unsigned long long)(*p - '0');
		if (p == digits || p - digits >= 11 || (p < end && okta_ascii_is_digit(*p)))
			return -1;
		uids[i] = v;
	}
	return p < end && *p == '\n' ? 0 : -1;
}

/* Does the process e names run as uid, all four of its uids (a setuid
 * program started by someone else keeps their real uid)? The uids are read
 * by pid, after the table was: believed only when that pid still has e's
 * start time once they were read (W16: the pid may be another's now). */
static bool runs_as(const struct proc_entry *e, uid_t uid)
{
	struct okta_proc_stat st;
	pid_t pid = e->pid;
	char path[64];
	char *text = malloc(STATUS_MAX);
	unsigned long long uids[4];
	bool yes = false;
	ssize_t n = -1;
	int fd;

	snprintf(path, sizeof(path), "/proc/%ld/status", (long)pid);
	fd = text != NULL ? open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW) : -1;
	if (fd >= 0) {
		n = read(fd, text, STATUS_MAX);
		close(fd);
	}
	if (n > 0 && n < STATUS_MAX && parse_status_uids(text, (size_t)n, uids) == 0)
		yes = uids[0] == uid && uids[1] == uid && uids[2] == uid && uids[3] == uid;
	free(text);
	return yes && okta_proc_read_stat(pid, &st) == 0 && st.start_time == e->start_time;
}

/* Does the process leader (pid and start time) lead session sid in t? */
static bool leads(const struct okta_proc_table *t, const struct okta_proc_ref *leader,
		  long long sid)
{
	size_t at = find_ref(t, leader);

	return leader->pid == (pid_t)sid && at < t->count && t->all[at].sid == (pid_t)sid;
}

int okta_login_procs_remains(struct okta_proc_table *t, const struct okta_proc_ref *gone,
			     const struct okta_proc_ref *leader, long long sid, uid_t uid,
			     const struct okta_login_procs *exclude, struct okta_login_procs *into)
{
	struct okta_login_procs found = { 0 };
	struct okta_proc_ref *roots = NULL, *skip;
	size_t n = 0, cap = 0, k;
	int rc = 0;

	/* The session is the one the registered process was in only while
	 * its leader (seen then) leads it: else the number may have been
	 * freed and given to another session. */
	if (sid <= 1 || !leads(t, leader, sid))
		return 0;
	for (k = lower_bound(t, t->by_session, false, sid);
	     k < t->count && t->all[t->by_session[k]].sid == (pid_t)sid; k++) {
		const struct proc_entry *e = &t->all[t->by_session[k]];

		if (e->start_time < gone->start_time || !runs_as(e, uid))
			continue;
		if (room_for_one((void **)&roots, n, &cap, sizeof(*roots)) != 0) {
			rc = -1;
			break;
		}
		roots[n].pid = e->pid;
		roots[n++].start_time = e->start_time;
	}
	if (n > 0 && okta_login_procs_collect_from(t, roots, n, &found) != 0)
		rc = -1;
	skip = sorted_copy(exclude->procs, exclude->count);
	if ((skip == NULL && exclude->count > 0) ||
	    merge(into, found.procs, found.count, skip, exclude->count) != 0)
		rc = -1;
	free(skip);
	free(roots);
	okta_login_procs_free(&found);
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

bool okta_login_procs_any_alive(struct okta_login_procs *procs, size_t *cursor)
{
	size_t looked;

	if (*cursor >= procs->count)
		*cursor = 0;
	for (looked = 0; looked < procs->count;) {
		struct okta_proc_ref *p = &procs->procs[*cursor];
		struct okta_proc_stat st;

		if (okta_proc_read_stat(p->pid, &st) == 0 && st.start_time == p->start_time) {
			if (st.state != 'Z' && st.state != 'X')
				return true;
			looked++;
			*cursor = *cursor + 1 < procs->count ? *cursor + 1 : 0;
			continue;
		}
		memmove(p, p + 1, (procs->count - *cursor - 1) * sizeof(*p)); /* gone */
		procs->count--;
		if (*cursor >= procs->count)
			*cursor = 0;
	}
	return false;
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

pid_t okta_logind_terminate(const char *id, const struct okta_logger *logger)
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
		sigset_t none;

		/* The daemon's blocked signals (SIGTERM: it reads them from a
		 * signalfd) and ignored SIGPIPE survive execve: a loginctl
		 * that hangs must end on the SIGTERM of a stop. */
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		signal(SIGPIPE, SIG_DFL);
		snprintf(session, sizeof(session), "%s", id);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
		}
		execve(path, argv, envp);
		_exit(127);
	}
	return child;
}
