/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_watch.h"
#include "okta_audit.h"
#include "okta_client.h"
#include "okta_policy.h"
#include "okta_proc.h"
#include "okta_session.h"
#include "okta_text.h"
#include "okta_watch_client.h"
#include "okta_watch_end.h"
#include "okta_watch_proto.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* A peer has this long to send its message once connected. */
#define PEER_TIMEOUT_MS 2000
/* Connected peers waiting for their message (each holds a descriptor): at
 * most this many, fewer under a low descriptor limit. Beyond it, the one
 * waiting longest is dropped: a genuine peer's message is there when it is
 * accepted, only a stopped or slow one waits. */
#define PEERS_MAX 64
/* epoll's name for a peer: this bit and the peer's own number. */
#define PEER_EVENT (1ULL << 63)
/* Keep-alive refreshes a session expiring within 2 x watch_interval, and
 * never later than this many seconds before it expires. */
#define KEEP_ALIVE_MARGIN_MIN 300
/* Backoff after Okta could not be asked: 1 s, doubling, at most
 * watch_interval. */
#define BACKOFF_FIRST_MS 1000
/* A problem with Okta is logged at most once a minute per cause. */
#define PROBLEM_LOG_EVERY_MS 60000
/* Logins held by pid + start time only (no pidfds) are checked this often. */
#define PID_POLL_MS 1000
/* How long the login's SIGHUP waits for loginctl terminate-session. */
#define LOGIND_WAIT_MS 5000
/* watch_socket fits sun_path (108 bytes); its directory plus "/state" this. */
#define STATE_DIR_MAX 128
/* A state file's path. */
#define STATE_PATH_MAX (STATE_DIR_MAX + NAME_MAX + 8)
/* epoll event names besides the logins' ids (which start above them). */
#define EVENT_LISTEN 1
#define EVENT_SIGNAL 2
#define FIRST_LOGIN_ID 3
/* Descriptors kept free besides one pidfd per login and one per waiting
 * peer: stdio, syslog, epoll, signalfd, the socket and a peer with its
 * passed fd, Okta's connection and resolver, /proc reading, a state file,
 * loginctl. */
#define FD_RESERVE 32
/* Checks run back to back before the loop serves its socket again. */
#define CHECKS_PER_TURN 16
/* Processes recorded per login: a bound on memory (OKTA_WATCH_LOGINS_MAX
 * logins); beyond it the first found are kept. */
#define RECORDED_MAX 256
/* The first recording, this long after the registration: su and sudo
 * start the shell or command right after pam_open_session. */
#define RECORD_FIRST_MS 500
/*
 * Recording looks at every process of the host (a read of /proc: ~6 us of
 * CPU a process, 20 ms on a host of 3,000). One read is shared by all
 * logins: a table of the host's processes, in which each recording costs
 * O(k log n) for the login's k processes. A new table is read only when
 * the one held is too old for what is asked: a first recording wants one
 * read after it was due; a check (and keep_alive = active) one at most
 * TABLE_MAX_AGE_MS old, or TABLE_AGE_PER_COST times the last read's
 * duration where that is more. And never sooner than SCAN_GAP_MIN_MS, nor
 * than SCAN_GAP_PER_COST times the last read's duration, after the last.
 * Why these: the first recording (what a kill -9 of su must beat) stays
 * within about 1.5 s of the registration while a registration storm costs
 * at most one read a second, and never more than 1/50 of a core on a host
 * where a read is slow. In steady state checks come often (1,000 logins
 * at watch_interval 60: 17 a second; a read for each took 40 % of a core
 * at 3,000 processes), and one read per 5 s serves them all: at most 1/250
 * of a core whatever the host's size. Ending a login reads /proc afresh:
 * its SIGHUP and SIGKILL go to what runs now.
 */
#define SCAN_GAP_MIN_MS 1000
#define SCAN_GAP_PER_COST 50
#define TABLE_MAX_AGE_MS 5000
#define TABLE_AGE_PER_COST 250

enum problem {
	PROBLEM_NETWORK, /* no HTTP answer: connection, TLS, deadline */
	PROBLEM_RATE,    /* 429 */
	PROBLEM_SERVER,  /* 5xx */
	PROBLEM_TOKEN,   /* 401, 403: the API token */
	PROBLEM_ANSWER,  /* garbage, or an answer that cannot be acted on */
	PROBLEM_COUNT,
};

static const char *const problem_names[] = {
	[PROBLEM_NETWORK] = "Okta unreachable",
	[PROBLEM_RATE] = "rate limited by Okta",
	[PROBLEM_SERVER] = "Okta failing (5xx)",
	[PROBLEM_TOKEN] = "the API token is refused",
	[PROBLEM_ANSWER] = "unusable answer from Okta",
};

struct login {
	/* epoll's name for it: an event of this batch may name a login an
	 * earlier event forgot (deregistered, then its process exited). */
	unsigned long long id;
	struct okta_watch_reg reg;
	int pidfd; /* -1: held by pid + start time only */
	char state_name[NAME_MAX + 1];
	long long next_check_ms;
	long long expires_epoch;      /* 0: unknown */
	long long last_refresh_epoch; /* keep_alive = active: terminal input since */
	long long last_check_epoch;   /* 0: never */
	const char *last_outcome;
	char okta_login[OKTA_AUDIT_VALUE_MAX + 2];
	/* Ending: SIGHUP sent, SIGKILL at kill_at_ms to what is left. */
	bool ending;
	long long kill_at_ms;
	/* Ending through logind: loginctl's pid until it exits (0: none). The
	 * login's SIGHUP waits for it, until hangup_at_ms at the latest. */
	pid_t loginctl_pid;
	long long hangup_at_ms;
	struct okta_login_procs procs;
	/* The login's processes as the last check found them (at most
	 * RECORDED_MAX): what is left of it when the registered process exits
	 * without close_session (a user may SIGKILL their own su or sudo). */
	struct okta_login_procs recorded;
	bool orphaned;              /* the registered process is gone; recorded still live */
	size_t alive_at;            /* orphaned: the recorded process found running last */
	struct okta_proc_ref saved; /* orphaned: what its state file names */
	/* The registered process was seen gone then; its remains wait for a
	 * read of /proc the gap allows (0: not waiting). No check meanwhile:
	 * an ending without them would miss the shell. */
	long long remains_wait_ms;
	long long record_at_ms; /* the first recording (0: done) */
	long long recorded_ms;  /* the time of the table the record is from */
	/* The registered process's session at registration, and that
	 * session's leader then (pid 0: none): where the remains of a login
	 * never recorded are looked for when the process is gone. */
	long long reg_sid;
	struct okta_proc_ref sid_leader;
	struct login *next;
};

/* A connected root peer whose message has not come yet. */
struct peer {
	unsigned long long id; /* PEER_EVENT | a number never reused */
	int fd;
	struct ucred cred;
	long long deadline_ms;
	struct peer *next; /* the next to connect: the oldest is first */
};

struct watch {
	const struct okta_config *cfg;
	const struct okta_logger *logger;
	struct okta_logger quiet; /* the client's: problems are logged by the loop */
	char last_problem[512];
	struct okta_client *client;
	int epfd, listen_fd, signal_fd;
	char socket_path[STATE_DIR_MAX];
	char state_dir[STATE_DIR_MAX];
	char boot_id[40]; /* this boot's: the prefix of every state file's name */
	struct login *logins;
	size_t count;
	unsigned long long next_id;
	size_t logins_max;       /* OKTA_WATCH_LOGINS_MAX, or fewer: the fd limit */
	long long not_before_ms; /* no request before: pacing, backoff, 429 */
	long long gap_ms;        /* between two requests, from the rate limit */
	long long window_reset;  /* the rate-limit window: its X-Rate-Limit-Reset */
	long long window_budget; /* requests watching may make in it */
	long long window_used;   /* requests watching made in it */
	unsigned failures;       /* Okta could not be asked, in a row */
	long long logged_at[PROBLEM_COUNT];
	bool stop;
	struct peer *peers; /* waiting for their message, oldest first */
	size_t peer_count;
	size_t peers_max; /* PEERS_MAX, or fewer: the fd limit */
	unsigned long long next_peer;
	/* The host's processes, shared by the recordings of all logins. */
	struct okta_proc_table *procs;
	long long procs_at_ms;  /* when the read of procs started */
	long long scan_at_ms;   /* the last read (failed ones too) */
	long long scan_gap_ms;  /* no read before scan_at_ms + this */
	long long table_age_ms; /* what a check takes, from the read's cost */
	long long turn_ms;      /* when the loop's last wait ended */
};

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static long long epoch_s(void)
{
	return (long long)time(NULL);
}

/* A uniformly random number in [0, n). */
static long long random_below(long long n)
{
	unsigned long long r = 0;

	if (n <= 0)
		return 0;
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (unsigned long long)now_ms() * 2654435761ULL;
	return (long long)(r % (unsigned long long)n);
}

static long long interval_ms(const struct watch *w)
{
	return w->cfg->watch_interval * 1000;
}

/* The next check: watch_interval from now, +-10 % so that logins
 * registered together drift apart. */
static long long next_check_after(const struct watch *w, long long now)
{
	long long i = interval_ms(w);

	return now + i - i / 10 + random_below(i / 5 + 1);
}

/* ------------------------------------------------------------------ audit */

static void audit(const struct watch *w, const struct login *l, enum okta_audit_outcome outcome,
		  const char *reason, const char *error_id)
{
	char line[OKTA_AUDIT_LINE_MAX];
	struct okta_audit_facts facts;
	struct okta_audit_record rec = {
		OKTA_AUDIT_WATCH,
		outcome,
		l->reg.service,
		l->reg.user,
		l->reg.rhost[0] != '\0' ? l->reg.rhost : NULL,
		&facts,
		l->reg.invoking_user[0] != '\0' ? l->reg.invoking_user : NULL,
	};

	memset(&facts, 0, sizeof(facts));
	okta_audit_note_reason(&facts, reason);
	snprintf(facts.login, sizeof(facts.login), "%s", l->okta_login);
	snprintf(facts.user_id, sizeof(facts.user_id), "%s", l->reg.user_id);
	okta_audit_note_session_tail(&facts, l->reg.session_id);
	okta_audit_note_error_id(&facts, error_id);
	if (okta_audit_format(&rec, line, sizeof(line)) > 0)
		okta_log(w->logger, outcome == OKTA_AUDIT_KEPT_ALIVE ? LOG_INFO : LOG_NOTICE, "%s",
			 line);
}

/* ------------------------------------------------------------ state files */

/* Write the registration reg of login l to the state directory: a
 * temporary file, then rename, so that a restart finds the old file or the
 * new one. */
static int save_reg(const struct watch *w, struct login *l, const struct okta_watch_reg *reg)
{
	char msg[OKTA_WATCH_MSG_MAX];
	char tmp[STATE_PATH_MAX], path[STATE_PATH_MAX];
	size_t len = okta_watch_encode(reg, msg, sizeof(msg));
	int fd, rc = -1;

	snprintf(l->state_name, sizeof(l->state_name), "%s-%lld-%llu-%08llx", w->boot_id, reg->pid,
		 reg->start_time, (unsigned long long)random_below(0xffffffffLL));
	snprintf(tmp, sizeof(tmp), "%s/.%s.tmp", w->state_dir, l->state_name);
	snprintf(path, sizeof(path), "%s/%s", w->state_dir, l->state_name);
	fd = len > 0 ? open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1;
	if (fd >= 0) {
		if (write(fd, msg, len) == (ssize_t)len && close(fd) == 0)
			rc = rename(tmp, path);
		else
			close(fd);
		if (rc != 0)
			unlink(tmp);
	}
	explicit_bzero(msg, sizeof(msg));
	if (rc != 0)
		okta_log(w->logger, LOG_ERR, "cannot write the state file %s: %s", path,
			 strerror(errno));
	return rc;
}

static void remove_login_file(const struct watch *w, const struct login *l)
{
	char path[STATE_PATH_MAX];

	if (l->state_name[0] == '\0')
		return;
	snprintf(path, sizeof(path), "%s/%s", w->state_dir, l->state_name);
	if (unlink(path) != 0 && errno != ENOENT)
		okta_log(w->logger, LOG_ERR, "cannot remove the state file %s: %s", path,
			 strerror(errno));
}

static int save_login(const struct watch *w, struct login *l)
{
	return save_reg(w, l, &l->reg);
}

/*
 * An orphaned login's state file names the process of its remains found
 * running (alive_at), in place of the registered process (gone): a restart
 * watches the login from it (its descendants and the sessions they lead)
 * instead of forgetting it (W18). Written again when that one ends and
 * another runs; the old file goes once the new one is in place.
 */
static void save_orphan(const struct watch *w, struct login *l)
{
	const struct okta_proc_ref *p = &l->recorded.procs[l->alive_at];
	struct okta_watch_reg reg;
	struct login old;

	if (p->pid == l->saved.pid && p->start_time == l->saved.start_time)
		return;
	reg = l->reg;
	reg.pid = p->pid;
	reg.start_time = p->start_time;
	reg.logind_session[0] = '\0'; /* an orphan ends by signals (start_ending) */
	memcpy(old.state_name, l->state_name, sizeof(old.state_name));
	if (save_reg(w, l, &reg) == 0) {
		remove_login_file(w, &old);
		l->saved = *p;
	} else {
		memcpy(l->state_name, old.state_name, sizeof(old.state_name));
	}
	explicit_bzero(&reg, sizeof(reg));
}

/* --------------------------------------------------------------- logins */

static void watch_pidfd(struct watch *w, struct login *l)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.u64 = l->id };

	if (l->pidfd >= 0 && epoll_ctl(w->epfd, EPOLL_CTL_ADD, l->pidfd, &ev) != 0) {
		close(l->pidfd);
		l->pidfd = -1; /* polled by pid + start time instead */
	}
}

/* The session of the registered process, and its leader, for the
 * remains of a login killed before its first recording. */
static void note_session_of(struct login *l)
{
	struct okta_proc_stat st, leader;

	if (okta_proc_read_stat((pid_t)l->reg.pid, &st) != 0 ||
	    st.start_time != l->reg.start_time || st.sid <= 1)
		return;
	l->reg_sid = st.sid;
	if (okta_proc_read_stat((pid_t)st.sid, &leader) == 0 && leader.sid == st.sid) {
		l->sid_leader.pid = (pid_t)st.sid;
		l->sid_leader.start_time = leader.start_time;
	}
}

static struct login *add_login(struct watch *w, const struct okta_watch_reg *reg, int pidfd)
{
	struct login *l = calloc(1, sizeof(*l));
	long long now = now_ms();

	if (l == NULL)
		return NULL;
	l->id = w->next_id++;
	l->reg = *reg;
	l->pidfd = pidfd;
	/* The first check somewhere in the next interval: spread evenly. */
	l->next_check_ms = now + random_below(interval_ms(w));
	l->record_at_ms = now + RECORD_FIRST_MS;
	l->last_refresh_epoch = epoch_s();
	l->last_outcome = "pending";
	if (okta_timestamp_parse(reg->expires_at, &l->expires_epoch) != 0)
		l->expires_epoch = 0;
	note_session_of(l);
	watch_pidfd(w, l);
	l->next = w->logins;
	w->logins = l;
	w->count++;
	return l;
}

static struct login *find_login(struct watch *w, unsigned long long id)
{
	struct login *l;

	for (l = w->logins; l != NULL && l->id != id; l = l->next)
		;
	return l;
}

/* Stop watching: the state file, the pidfd and the memory go. */
static void forget_login(struct watch *w, struct login *l)
{
	struct login **p;

	for (p = &w->logins; *p != NULL; p = &(*p)->next) {
		if (*p == l) {
			*p = l->next;
			break;
		}
	}
	remove_login_file(w, l);
	if (l->pidfd >= 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, l->pidfd, NULL);
		close(l->pidfd);
	}
	okta_login_procs_free(&l->procs);
	okta_login_procs_free(&l->recorded);
	explicit_bzero(l, sizeof(*l));
	free(l);
	w->count--;
}

/* ------------------------------------------------------ talking to Okta */

/* The client's lines go here: the loop logs problems once a minute per
 * cause, with the last line the client wrote. */
static void quiet_sink(void *ctx, int priority, const char *fmt, va_list ap)
{
	struct watch *w = ctx;

	if (priority <= LOG_WARNING)
		vsnprintf(w->last_problem, sizeof(w->last_problem), fmt, ap);
}

static void begin_request(struct watch *w)
{
	long timeout = w->cfg->timeout < OKTA_WATCH_REQUEST_TIMEOUT ? w->cfg->timeout
								    : OKTA_WATCH_REQUEST_TIMEOUT;

	w->last_problem[0] = '\0';
	okta_client_begin(w->client, &w->quiet, timeout);
}

/*
 * Pace by X-Rate-Limit-*: in each rate-limit window (one X-Rate-Limit-Reset
 * value) watching spends at most a quarter of what remained when the
 * window was first seen, and never more than our use so far plus a quarter
 * of what remains now (other hosts and logins spend from the same bucket);
 * the requests left are spread evenly until the reset. After a 429,
 * nothing until the reset.
 */
static void note_rate_limit(struct watch *w, const struct okta_call_result *res)
{
	long long now = now_ms();
	long long window_ms;
	long long left;

	if (res->rate_limit_reset > 0) {
		window_ms = (res->rate_limit_reset - epoch_s()) * 1000;
		if (window_ms < 1000)
			window_ms = 1000;
		if (res->http_status == 429) {
			if (w->not_before_ms < now + window_ms)
				w->not_before_ms = now + window_ms;
		} else if (res->rate_limit_remaining >= 0) {
			if (res->rate_limit_reset != w->window_reset) {
				w->window_reset = res->rate_limit_reset;
				w->window_used = 0;
				w->window_budget = (res->rate_limit_remaining + 1) / 4;
			}
			w->window_used++;
			if (w->window_budget > w->window_used + res->rate_limit_remaining / 4)
				w->window_budget = w->window_used + res->rate_limit_remaining / 4;
			left = w->window_budget - w->window_used;
			w->gap_ms = left > 0 ? window_ms / left : window_ms;
		}
	}
	if (w->not_before_ms < now + w->gap_ms)
		w->not_before_ms = now + w->gap_ms;
}

static enum problem problem_of(const struct okta_call_result *res)
{
	if (res->http_status == 0)
		return PROBLEM_NETWORK;
	if (res->http_status == 429)
		return PROBLEM_RATE;
	if (res->http_status >= 500)
		return PROBLEM_SERVER;
	if (res->http_status == 401 || res->http_status == 403)
		return PROBLEM_TOKEN;
	return PROBLEM_ANSWER;
}

/* Okta could not be asked: nothing ends; back off; log at most once a
 * minute per cause (a refused API token loudly). */
static void okta_unavailable(struct watch *w, struct login *l, const struct okta_call_result *res)
{
	enum problem p = problem_of(res);
	long long now = now_ms();
	long long backoff = BACKOFF_FIRST_MS;
	unsigned i;

	w->failures++;
	for (i = 1; i < w->failures && backoff < interval_ms(w); i++)
		backoff *= 2;
	if (backoff > interval_ms(w))
		backoff = interval_ms(w);
	if (p != PROBLEM_RATE && w->not_before_ms < now + backoff)
		w->not_before_ms = now + backoff;
	l->next_check_ms = now + backoff;
	l->last_outcome = "unavailable";
	if (w->logged_at[p] != 0 && now - w->logged_at[p] < PROBLEM_LOG_EVERY_MS)
		return;
	w->logged_at[p] = now;
	okta_log(w->logger, p == PROBLEM_TOKEN ? LOG_CRIT : LOG_WARNING,
		 "%s%s: %s; no login is ended for it, %zu watched, retrying in %lld ms",
		 problem_names[p], p == PROBLEM_TOKEN ? " (fix api_token: nothing is checked)" : "",
		 w->last_problem[0] != '\0' ? w->last_problem : "no detail", w->count, backoff);
}

/* ------------------------------------------------ the login's processes */

/* Read the process table now; the next read waits for the gap its cost
 * sets. The old table goes first: two at once would double what the
 * table adds to the daemon's memory (32 bytes a process). */
static void load_procs(struct watch *w)
{
	long long start = now_ms();
	struct okta_proc_table *t;
	long long took;

	okta_proc_table_free(w->procs);
	w->procs = NULL;
	t = okta_proc_table_load();
	took = now_ms() - start;
	w->scan_at_ms = start;
	w->scan_gap_ms = took * SCAN_GAP_PER_COST;
	if (w->scan_gap_ms < SCAN_GAP_MIN_MS)
		w->scan_gap_ms = SCAN_GAP_MIN_MS;
	w->table_age_ms = took * TABLE_AGE_PER_COST;
	if (w->table_age_ms < TABLE_MAX_AGE_MS)
		w->table_age_ms = TABLE_MAX_AGE_MS;
	w->procs = t;
	w->procs_at_ms = t != NULL ? start : 0;
}

/* The table, read again when it is older than since and the gap allows
 * (NULL: none yet). */
static struct okta_proc_table *procs_since(struct watch *w, long long since)
{
	long long now = now_ms();

	if ((w->procs == NULL || w->procs_at_ms < since) &&
	    (w->scan_at_ms == 0 || now - w->scan_at_ms >= w->scan_gap_ms))
		load_procs(w);
	return w->procs;
}

/* The login's processes in table t (NULL: read /proc now), found from the
 * registered process and from those recorded (what is left of an orphaned
 * login, and what it started since): never from anything else. */
static int collect_login(const struct login *l, struct okta_proc_table *t,
			 struct okta_login_procs *into)
{
	size_t n = l->recorded.count;
	struct okta_proc_ref *roots = malloc((n + 1) * sizeof(*roots));
	int rc;

	if (roots == NULL)
		return -1;
	roots[0].pid = (pid_t)l->reg.pid;
	roots[0].start_time = l->reg.start_time;
	if (n > 0)
		memcpy(roots + 1, l->recorded.procs, n * sizeof(*roots));
	rc = t != NULL ? okta_login_procs_collect_from(t, roots, n + 1, into)
		       : okta_login_procs_collect(roots, n + 1, into);
	free(roots);
	return rc;
}

/* Keep at most RECORDED_MAX processes (the first found), without the
 * session numbers (found again from the processes). */
static void keep_record(struct login *l, struct okta_login_procs *now)
{
	if (now->count > RECORDED_MAX)
		now->count = RECORDED_MAX;
	free(now->sids);
	now->sids = NULL;
	now->sid_count = 0;
	okta_login_procs_free(&l->recorded);
	l->recorded = *now;
}

/*
 * Record the login's processes from the shared table when it is newer than
 * the record (tables only get newer: whatever the last record named and
 * still runs is in it); a collection that failed keeps the last record.
 * The first recording is done once the table was read after it was due.
 */
static void record_login(struct watch *w, struct login *l)
{
	struct okta_login_procs now = { 0 };

	if (w->procs == NULL || w->procs_at_ms <= l->recorded_ms)
		return;
	if (l->record_at_ms != 0 && w->procs_at_ms >= l->record_at_ms)
		l->record_at_ms = 0;
	if (collect_login(l, w->procs, &now) != 0) {
		okta_login_procs_free(&now);
		return;
	}
	keep_record(l, &now);
	l->recorded_ms = w->procs_at_ms;
}

/* The uid of the login's user, or -1 (an unknown user: no remains). */
static long long user_uid(const struct login *l)
{
	struct passwd pw, *found = NULL;
	char buf[4096];

	if (getpwnam_r(l->reg.user, &pw, buf, sizeof(buf), &found) != 0 || found == NULL)
		return -1;
	return (long long)found->pw_uid;
}

/* What the other logins of session sid hold: never counted as another
 * login's remains. */
static void other_logins_procs(struct watch *w, const struct login *self, long long sid,
			       struct okta_login_procs *into)
{
	const struct login *m;

	for (m = w->logins; m != NULL; m = m->next) {
		if (m != self && m->reg_sid == sid)
			(void)collect_login(m, w->procs, into);
	}
}

/*
 * The registered process is gone and the record may lack the login's shell
 * (a kill -9 of su before the first recording, or a shell started since):
 * add the processes of the registered process's session that run as the
 * login's user and started after it, with what they started, from a table
 * read after the process went (one read per turn of the loop). Who else
 * could match: only processes of the login's own user that the caller
 * started in the caller's session (another su or sudo to the same user);
 * those of other logins watched in that session are left out. The
 * caller's own processes keep the caller's real uid.
 */
static bool add_remains(struct watch *w, struct login *l)
{
	struct okta_proc_ref gone = { (pid_t)l->reg.pid, l->reg.start_time };
	struct okta_login_procs others = { 0 };
	long long uid;

	if (l->reg_sid <= 1 || l->sid_leader.pid == 0 || (uid = user_uid(l)) < 0)
		return true;
	if (l->remains_wait_ms == 0)
		l->remains_wait_ms = w->turn_ms;
	/* Within the gap like every read (W17): a read per su killed was one
	 * whole look at the host per login a user cares to kill. */
	if (procs_since(w, l->remains_wait_ms) == NULL && w->scan_at_ms < l->remains_wait_ms)
		return false; /* no read yet */
	if (w->procs != NULL && w->procs_at_ms < l->remains_wait_ms)
		return false; /* older than the process's end */
	l->remains_wait_ms = 0;
	if (w->procs == NULL)
		return true; /* the read failed: nothing found */
	other_logins_procs(w, l, l->reg_sid, &others);
	if (okta_login_procs_remains(w->procs, &gone, &l->sid_leader, l->reg_sid, (uid_t)uid,
				     &others, &l->recorded) != 0)
		okta_log(w->logger, LOG_WARNING,
			 "out of memory looking for the remains of a login");
	if (l->recorded.count > RECORDED_MAX)
		l->recorded.count = RECORDED_MAX;
	okta_login_procs_free(&others);
	return true;
}

/* ------------------------------------------------------- ending a login */

/* SIGHUP (and SIGCONT: a stopped process gets it) to the login's
 * processes; SIGKILL to what is left OKTA_WATCH_KILL_DELAY_MS later. */
static void hang_up(struct login *l)
{
	/* Also without logind, and after it: the registered process and its
	 * descendants may be outside the logind session (sudo's command). */
	(void)collect_login(l, NULL, &l->procs);
	if (l->pidfd >= 0)
		(void)okta_pidfd_send_signal(l->pidfd, SIGHUP);
	okta_login_procs_signal(&l->procs, SIGHUP);
	okta_login_procs_signal(&l->procs, SIGCONT);
	l->kill_at_ms = now_ms() + OKTA_WATCH_KILL_DELAY_MS;
}

/*
 * Through logind, loginctl must have asked TerminateSession before the
 * login's SIGHUP: sshd's process (the session's leader) exiting first has
 * logind mark the session "closing", and TerminateSession then succeeds
 * and kills nothing, so what only logind's scope holds (setsid, nohup)
 * would live on. The SIGHUP comes when loginctl exits (SIGCHLD), or at
 * LOGIND_WAIT_MS. Returns false when loginctl could not be started.
 */
static bool ask_logind(struct watch *w, struct login *l)
{
	pid_t child = okta_logind_terminate(l->reg.logind_session, w->logger);

	if (child <= 0)
		return false;
	l->loginctl_pid = child;
	l->hangup_at_ms = now_ms() + LOGIND_WAIT_MS;
	l->kill_at_ms = l->hangup_at_ms + OKTA_WATCH_KILL_DELAY_MS;
	return true;
}

static void start_ending(struct watch *w, struct login *l)
{
	struct okta_proc_ref root = { (pid_t)l->reg.pid, l->reg.start_time };
	/* An orphaned login's leader is gone: its remains end by signals. */
	bool by_logind = !l->orphaned && l->reg.logind_session[0] != '\0' && okta_logind_running();

	if (by_logind && !okta_logind_session_led_by(l->reg.logind_session, root.pid)) {
		okta_log(w->logger, LOG_WARNING,
			 "logind session %s of the login of '%s' (%s, pid %lld) is not led by that "
			 "process: not terminated, the login ends by signals",
			 l->reg.logind_session, l->reg.user, l->reg.service, l->reg.pid);
		by_logind = false;
	}
	l->ending = true;
	l->last_outcome = "ending";
	/* Found now, before anything exits: what the SIGKILL later covers
	 * when the registered process is gone by then. */
	(void)collect_login(l, NULL, &l->procs);
	if (by_logind && !ask_logind(w, l))
		by_logind = false;
	okta_log(w->logger, LOG_NOTICE,
		 "ending the login of '%s' (%s, pid %lld): %s%zu process(es)", l->reg.user,
		 l->reg.service, l->reg.pid,
		 by_logind ? "logind TerminateSession, then SIGHUP to " : "SIGHUP to ",
		 l->procs.count);
	if (!by_logind)
		hang_up(l);
}

/* loginctl exited (status from waitpid), or did not in time (timed_out:
 * killed): the login's signals now. */
static void logind_answered(struct watch *w, struct login *l, int status, bool timed_out)
{
	if (timed_out)
		okta_log(w->logger, LOG_WARNING,
			 "loginctl terminate-session %s did not finish in %d s: the login of '%s' "
			 "(%s) ends by signals",
			 l->reg.logind_session, LOGIND_WAIT_MS / 1000, l->reg.user, l->reg.service);
	else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		okta_log(w->logger, LOG_WARNING,
			 "loginctl terminate-session %s failed (%s %d): the login of '%s' (%s) "
			 "ends by signals",
			 l->reg.logind_session, WIFEXITED(status) ? "exit status" : "signal",
			 WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status), l->reg.user,
			 l->reg.service);
	l->loginctl_pid = 0;
	hang_up(l);
}

/* SIGKILL to whatever is left of the login (the processes found at SIGHUP
 * and what they started since), then forget it. */
static void finish_ending(struct watch *w, struct login *l)
{
	struct okta_proc_ref *roots = NULL;
	size_t killed, n = l->procs.count;

	/* What they started since is found from them (a copy: collecting
	 * grows the list the roots would be read from). */
	if (n > 0)
		roots = malloc(n * sizeof(*roots));
	if (roots != NULL) {
		memcpy(roots, l->procs.procs, n * sizeof(*roots));
		(void)okta_login_procs_collect(roots, n, &l->procs);
		free(roots);
	}
	killed = okta_login_procs_signal(&l->procs, SIGKILL);
	if (killed > 0)
		okta_log(w->logger, LOG_NOTICE, "SIGKILL to %zu process(es) left of '%s' (%s)",
			 killed, l->reg.user, l->reg.service);
	audit(w, l, OKTA_AUDIT_TERMINATED, "okta_session_ended", NULL);
	forget_login(w, l);
}

/* Okta says the session is gone (outcome REVOKED or EXPIRED). */
static void session_ended(struct watch *w, struct login *l, enum okta_audit_outcome outcome,
			  const char *reason, const char *error_id)
{
	audit(w, l, outcome, reason, error_id);
	if (w->cfg->on_end == OKTA_ON_END_LOG) {
		okta_log(w->logger, LOG_NOTICE,
			 "on_end = log: the login of '%s' (%s) goes on; no longer watched",
			 l->reg.user, l->reg.service);
		forget_login(w, l);
		return;
	}
	start_ending(w, l);
}

/* ------------------------------------------------------------ the checks */

static bool wants_refresh(struct watch *w, struct login *l)
{
	long long margin = 2 * w->cfg->watch_interval;
	struct okta_login_procs procs = { 0 };
	bool used;

	if (margin < KEEP_ALIVE_MARGIN_MIN)
		margin = KEEP_ALIVE_MARGIN_MIN;
	if (w->cfg->keep_alive == OKTA_KEEP_ALIVE_NO || l->expires_epoch == 0 ||
	    l->expires_epoch - epoch_s() > margin)
		return false;
	if (w->cfg->keep_alive == OKTA_KEEP_ALIVE_ALWAYS)
		return true;
	(void)collect_login(l, procs_since(w, now_ms() - w->table_age_ms), &procs);
	used = okta_login_terminal_used(&procs, l->reg.tty, (time_t)l->last_refresh_epoch);
	okta_login_procs_free(&procs);
	return used;
}

/* A session Okta answered with: is it still this login's? */
static const char *session_problem(const struct login *l, const struct okta_session *s)
{
	if (s->status == NULL || strcmp(s->status, "ACTIVE") != 0)
		return "session_inactive";
	if (strcmp(s->user_id, l->reg.user_id) != 0)
		return "other_user";
	return NULL;
}

static void note_session(struct login *l, const struct okta_session *s)
{
	long long expires;

	if (s->login != NULL)
		snprintf(l->okta_login, sizeof(l->okta_login), "%s", s->login);
	if (s->expires_at != NULL && okta_timestamp_parse(s->expires_at, &expires) == 0)
		l->expires_epoch = expires;
}

/*
 * A 404 ends the login only when it is Okta's "not found" (errorCode
 * E0000007): a proxy's or a load balancer's 404 page is an outage.
 */
static bool okta_says_gone(const struct okta_call_result *res)
{
	return strcmp(res->error_code, "E0000007") == 0;
}

static void gone(struct watch *w, struct login *l, const struct okta_call_result *res)
{
	bool expired = l->expires_epoch != 0 && epoch_s() >= l->expires_epoch;

	session_ended(w, l, expired ? OKTA_AUDIT_EXPIRED : OKTA_AUDIT_REVOKED,
		      expired ? "session_expired" : "session_gone", res->error_id);
}

static void keep_alive(struct watch *w, struct login *l)
{
	const struct okta_call_result *res;
	struct okta_session s;
	enum okta_status st;

	begin_request(w);
	st = okta_refresh_session(w->client, l->reg.session_id, &s);
	res = okta_client_last_result(w->client);
	note_rate_limit(w, res);
	if (st == OKTA_STATUS_OK && session_problem(l, &s) == NULL) {
		note_session(l, &s);
		l->last_refresh_epoch = epoch_s();
		l->last_outcome = "kept_alive";
		audit(w, l, OKTA_AUDIT_KEPT_ALIVE, "in_use", NULL);
	} else if (st == OKTA_STATUS_OK) {
		session_ended(w, l, OKTA_AUDIT_REVOKED, session_problem(l, &s), NULL);
	} else if (st == OKTA_STATUS_NOT_FOUND && okta_says_gone(res)) {
		gone(w, l, res);
	} else {
		okta_unavailable(w, l, res);
	}
	okta_session_clear(&s);
}

/* GET the session; end the login, keep it alive, or wait. */
static void check_login(struct watch *w, struct login *l)
{
	const struct okta_call_result *res;
	struct okta_session s;
	enum okta_status st;
	const char *problem;

	/* before the request: a test sees it done */
	(void)procs_since(w, now_ms() - w->table_age_ms);
	record_login(w, l);
	begin_request(w);
	st = okta_get_session(w->client, l->reg.session_id, &s);
	res = okta_client_last_result(w->client);
	note_rate_limit(w, res);
	l->last_check_epoch = epoch_s();
	if (st == OKTA_STATUS_OK) {
		w->failures = 0;
		note_session(l, &s);
		l->next_check_ms = next_check_after(w, now_ms());
		l->last_outcome = "active";
		problem = session_problem(l, &s);
		if (problem != NULL)
			session_ended(w, l, OKTA_AUDIT_REVOKED, problem, NULL);
		else if (wants_refresh(w, l))
			keep_alive(w, l);
	} else if (st == OKTA_STATUS_NOT_FOUND && okta_says_gone(res)) {
		w->failures = 0;
		gone(w, l, res);
	} else {
		okta_unavailable(w, l, res);
	}
	okta_session_clear(&s);
}

/* Revoke the login's session (revoke_on_close) and audit it. */
static void revoke_gone(struct watch *w, struct login *l)
{
	const struct okta_call_result *res;
	enum okta_status st;

	begin_request(w);
	st = okta_revoke_session(w->client, l->reg.session_id);
	res = okta_client_last_result(w->client);
	note_rate_limit(w, res);
	audit(w, l, OKTA_AUDIT_UNWATCHED,
	      st == OKTA_STATUS_OK          ? "process_gone_revoked"
	      : st == OKTA_STATUS_NOT_FOUND ? "process_gone_already_gone"
					    : "process_gone_revoke_failed",
	      res->error_id);
}

/*
 * The process that opened the login is gone without close_session (sshd
 * killed, a crash, or a user's SIGKILL to their own su or sudo). With
 * revoke_on_close its session is revoked and what is left of the login is
 * ended (on_end = terminate). Else the recorded processes still alive stay
 * watched (an orphaned login: a revocation ends them); the login is
 * forgotten once none is left.
 */
static void process_gone(struct watch *w, struct login *l)
{
	size_t left;

	if (l->pidfd >= 0) {
		epoll_ctl(w->epfd, EPOLL_CTL_DEL, l->pidfd, NULL);
		close(l->pidfd);
		l->pidfd = -1; /* polled by pid + start time from now on */
	}
	if (l->ending) {
		/* Ending already: the SIGKILL of what is left comes at
		 * kill_at_ms, or now when nothing is left (signal 0 tests). */
		if (okta_login_procs_signal(&l->procs, 0) == 0)
			finish_ending(w, l);
		return;
	}
	/* Polled every second (W15): one look while a process still runs. */
	if (l->orphaned && okta_login_procs_any_alive(&l->recorded, &l->alive_at)) {
		save_orphan(w, l);
		return;
	}
	l->record_at_ms = 0; /* recorded from the remains from now on */
	if (!l->orphaned && !add_remains(w, l))
		return; /* polled again until the gap allows a read */
	left = okta_login_procs_signal(&l->recorded, 0);
	if (!l->orphaned && w->cfg->revoke_on_close) {
		revoke_gone(w, l);
		if (left > 0 && w->cfg->on_end != OKTA_ON_END_LOG) {
			l->orphaned = true;
			start_ending(w, l);
			return;
		}
	} else if (!l->orphaned && left > 0) {
		/* the state file first: a restart right after the line below
		 * finds the orphan's */
		if (okta_login_procs_any_alive(&l->recorded, &l->alive_at))
			save_orphan(w, l);
		okta_log(w->logger, LOG_NOTICE,
			 "the process of the login of '%s' (%s, pid %lld) is gone without "
			 "close_session; %zu process(es) of the login stay watched",
			 l->reg.user, l->reg.service, l->reg.pid, left);
		l->orphaned = true;
		l->last_outcome = "orphaned";
		return;
	} else {
		audit(w, l, OKTA_AUDIT_UNWATCHED, "process_gone", NULL);
	}
	forget_login(w, l);
}

/* --------------------------------------------------------------- timers */

static bool process_alive(const struct login *l)
{
	return okta_proc_identify((pid_t)l->reg.pid, l->reg.start_time, NULL) == 0;
}

/* Kills due, processes gone (those without a pidfd), then checks due and
 * allowed by the pacing, a few at a time. */
static void run_timers(struct watch *w)
{
	struct login *l, *next;
	struct login *due;
	long long now = now_ms();
	int turn;

	for (l = w->logins; l != NULL; l = next) {
		next = l->next;
		if (l->record_at_ms != 0 && now >= l->record_at_ms) {
			(void)procs_since(w, l->record_at_ms);
			record_login(w, l); /* done when the table is new enough */
		}
		if (l->ending && l->loginctl_pid > 0 && now >= l->hangup_at_ms) {
			/* Not reaped yet: the pid is still loginctl's. */
			(void)kill(l->loginctl_pid, SIGKILL);
			logind_answered(w, l, 0, true);
		}
		if (l->ending && (now >= l->kill_at_ms ||
				  (l->pidfd < 0 && okta_login_procs_signal(&l->procs, 0) == 0)))
			finish_ending(w, l); /* due, or (no pidfd) nothing left */
		else if (!l->ending && l->pidfd < 0 && !process_alive(l))
			process_gone(w, l);
	}
	for (turn = 0; turn < CHECKS_PER_TURN && !w->stop; turn++) {
		now = now_ms();
		if (now < w->not_before_ms)
			break;
		due = NULL;
		for (l = w->logins; l != NULL; l = l->next) {
			if (!l->ending && l->remains_wait_ms == 0 && l->next_check_ms <= now &&
			    (due == NULL || l->next_check_ms < due->next_check_ms))
				due = l;
		}
		if (due == NULL)
			break;
		check_login(w, due);
	}
}

/* When the first recording can be done: when due, or when the gap after
 * the last read of /proc allows the next. */
static long long record_due(const struct watch *w, const struct login *l)
{
	long long gap_end = w->scan_at_ms + w->scan_gap_ms;

	if (w->procs_at_ms >= l->record_at_ms || gap_end <= l->record_at_ms)
		return l->record_at_ms;
	return gap_end;
}

/* Milliseconds until run_timers has something to do (-1: nothing). */
static int next_timeout(const struct watch *w)
{
	const struct login *l;
	long long now = now_ms();
	long long at = -1;
	long long t;

	for (l = w->logins; l != NULL; l = l->next) {
		if (l->ending)
			t = l->loginctl_pid > 0 ? l->hangup_at_ms : l->kill_at_ms;
		else if (l->remains_wait_ms != 0)
			t = w->scan_at_ms + w->scan_gap_ms;
		else
			t = l->next_check_ms > w->not_before_ms ? l->next_check_ms
								: w->not_before_ms;
		if (l->pidfd < 0 && now + PID_POLL_MS < t)
			t = now + PID_POLL_MS;
		if (l->record_at_ms != 0 && record_due(w, l) < t)
			t = record_due(w, l);
		if (at < 0 || t < at)
			at = t;
	}
	if (at < 0)
		return -1;
	return at <= now ? 0 : (int)(at - now > INT_MAX ? INT_MAX : at - now);
}

/* ------------------------------------------------------------- the socket */

static void reply(int fd, const char *text)
{
	(void)send(fd, text, strlen(text), MSG_NOSIGNAL);
}

static void refuse(struct watch *w, int fd, const struct ucred *peer, const char *why)
{
	char line[160];

	okta_log(w->logger, LOG_WARNING, "refused a request from pid %ld uid %ld: %s",
		 (long)peer->pid, (long)peer->uid, why);
	snprintf(line, sizeof(line), "refused %s\n", why);
	reply(fd, line);
}

/* fdinfo's "Pid:" line of a pidfd (Linux 5.3+), or -1 when fd is none. */
static long long pidfd_pid(int fd)
{
	char path[64];
	char text[1024];
	const char *p;
	ssize_t n;
	int info;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	info = open(path, O_RDONLY | O_CLOEXEC);
	if (info < 0)
		return -1;
	n = read(info, text, sizeof(text) - 1);
	close(info);
	if (n <= 0)
		return -1;
	text[n] = '\0';
	p = strstr(text, "\nPid:\t");
	return p == NULL ? -1 : strtoll(p + 6, NULL, 10);
}

/*
 * The process of a registration is the peer itself (SO_PEERCRED), with the
 * start time it claims; a pidfd it passes must be a pidfd of that process.
 * Without one, the daemon takes its own (pid + start time on old kernels).
 * Returns NULL, or why the registration is refused; *pidfd is set.
 */
static const char *check_process(const struct okta_watch_reg *reg, const struct ucred *peer,
				 int passed_fd, int *pidfd)
{
	*pidfd = -1;
	if (reg->pid != (long long)peer->pid)
		return "not the registering process";
	if (passed_fd >= 0) {
		if (pidfd_pid(passed_fd) != (long long)peer->pid)
			return "the fd passed is not a pidfd of the registering process";
		if (okta_proc_identify(peer->pid, reg->start_time, NULL) != 0)
			return "start_time is not the process's";
		*pidfd = fcntl(passed_fd, F_DUPFD_CLOEXEC, 0);
		return *pidfd >= 0 ? NULL : "out of file descriptors";
	}
	if (okta_proc_identify(peer->pid, reg->start_time, pidfd) != 0)
		return "start_time is not the process's";
	return NULL;
}

/* Whose login, for the log: 'user', and with sudo 'root' (by 'alice'). */
static const char *who(const struct okta_watch_reg *reg, char *buf, size_t len)
{
	if (reg->invoking_user[0] != '\0')
		snprintf(buf, len, "'%s' (by '%s')", reg->user, reg->invoking_user);
	else
		snprintf(buf, len, "'%s'", reg->user);
	return buf;
}

static void do_register(struct watch *w, int fd, const struct ucred *peer,
			const struct okta_watch_reg *reg, int passed_fd)
{
	char name[2 * OKTA_PAM_USER_MAX + 16];
	const char *why;
	struct login *l;
	int pidfd;

	for (l = w->logins; l != NULL; l = l->next) {
		if (l->reg.pid == reg->pid && strcmp(l->reg.session_id, reg->session_id) == 0) {
			refuse(w, fd, peer, "already registered");
			return;
		}
	}
	if (w->count >= w->logins_max) {
		refuse(w, fd, peer, "too many logins watched");
		return;
	}
	why = check_process(reg, peer, passed_fd, &pidfd);
	if (why != NULL) {
		refuse(w, fd, peer, why);
		return;
	}
	l = add_login(w, reg, pidfd);
	if (l == NULL) {
		if (pidfd >= 0)
			close(pidfd);
		refuse(w, fd, peer, "out of memory");
		return;
	}
	if (save_login(w, l) != 0) {
		forget_login(w, l);
		refuse(w, fd, peer, "cannot write the state file");
		return;
	}
	okta_log(w->logger, LOG_INFO, "watching the login of %s (%s, pid %lld%s), %zu in all",
		 who(reg, name, sizeof(name)), reg->service, reg->pid,
		 l->pidfd >= 0 ? ", pidfd" : "", w->count);
	reply(fd, OKTA_WATCH_REPLY_OK "\n");
}

static void do_deregister(struct watch *w, int fd, const struct ucred *peer,
			  const struct okta_watch_reg *reg)
{
	char name[2 * OKTA_PAM_USER_MAX + 16];
	struct login *l;

	if (reg->pid != (long long)peer->pid) {
		refuse(w, fd, peer, "not the registering process");
		return;
	}
	for (l = w->logins; l != NULL; l = l->next) {
		if (l->reg.pid == reg->pid && strcmp(l->reg.session_id, reg->session_id) == 0 &&
		    l->ending) {
			/* the login closes because it is being ended: the
			 * SIGKILL of what is left still comes */
			reply(fd, OKTA_WATCH_REPLY_OK "\n");
			return;
		}
		if (l->reg.pid == reg->pid && strcmp(l->reg.session_id, reg->session_id) == 0) {
			okta_log(w->logger, LOG_INFO, "the login of %s (%s, pid %lld) closed",
				 who(&l->reg, name, sizeof(name)), l->reg.service, l->reg.pid);
			forget_login(w, l);
			reply(fd, OKTA_WATCH_REPLY_OK "\n");
			return;
		}
	}
	refuse(w, fd, peer, "no such login");
}

/* One line per login: the session id's tail only. */
static void do_list(struct watch *w, int fd)
{
	struct timeval tv = { 2, 0 };
	struct okta_audit_facts facts;
	const struct login *l;
	char line[1024];
	char when[32];

	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
	for (l = w->logins; l != NULL; l = l->next) {
		struct tm tm;
		time_t t = (time_t)l->last_check_epoch;

		memset(&facts, 0, sizeof(facts));
		okta_audit_note_session_tail(&facts, l->reg.session_id);
		if (t != 0 && gmtime_r(&t, &tm) != NULL)
			strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		else
			snprintf(when, sizeof(when), "never");
		snprintf(line, sizeof(line),
			 "session=...%s user=%s invoking_user=%s service=%s rhost=%s pid=%lld "
			 "last_check=%s outcome=%s\n",
			 facts.session_tail, l->reg.user,
			 l->reg.invoking_user[0] != '\0' ? l->reg.invoking_user : "-",
			 l->reg.service, l->reg.rhost[0] != '\0' ? l->reg.rhost : "-", l->reg.pid,
			 when, l->last_outcome);
		if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0)
			return;
	}
	reply(fd, OKTA_WATCH_REPLY_END "\n");
}

/* The first fd of an SCM_RIGHTS message; every other fd is closed. */
static int take_fd(struct msghdr *mh)
{
	struct cmsghdr *c;
	int first = -1;

	for (c = CMSG_FIRSTHDR(mh); c != NULL; c = CMSG_NXTHDR(mh, c)) {
		size_t n, i;
		int fd;

		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (i = 0; i < n; i++) {
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
			if (first < 0)
				first = fd;
			else
				close(fd);
		}
	}
	return first;
}

/*
 * Read the peer's message, parse it, act, answer. One message is one
 * SOCK_SEQPACKET record, whole or not at all (a truncated one fails to
 * parse), with its pidfd in the same recvmsg. Returns false when nothing
 * has come yet (the peer waits in the loop, under its deadline); true when
 * the peer is done with (answered or refused) and is to be closed.
 */
static bool serve_peer(struct watch *w, int fd, const struct ucred *peer)
{
	union {
		char buf[CMSG_SPACE(4 * sizeof(int))];
		struct cmsghdr align;
	} control;
	char msg[OKTA_WATCH_MSG_MAX + 1];
	struct iovec iov = { msg, sizeof(msg) };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct okta_watch_reg reg;
	const char *why;
	ssize_t n;
	int passed;

	mh.msg_control = control.buf;
	mh.msg_controllen = sizeof(control.buf);
	n = recvmsg(fd, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return false; /* no fd came either: nothing to close */
	passed = n >= 0 ? take_fd(&mh) : -1;
	if (n < 0)
		refuse(w, fd, peer, "nothing received");
	else if (n == 0)
		refuse(w, fd, peer, "closed without a message");
	else if ((mh.msg_flags & MSG_TRUNC) != 0 || (size_t)n > OKTA_WATCH_MSG_MAX)
		refuse(w, fd, peer, "message too long");
	else if ((mh.msg_flags & MSG_CTRUNC) != 0)
		refuse(w, fd, peer, "too many file descriptors");
	else if (okta_watch_parse(msg, (size_t)n, &reg, &why) != 0)
		refuse(w, fd, peer, why);
	else if (reg.op == OKTA_WATCH_REGISTER)
		do_register(w, fd, peer, &reg, passed);
	else if (reg.op == OKTA_WATCH_DEREGISTER)
		do_deregister(w, fd, peer, &reg);
	else
		do_list(w, fd);
	if (passed >= 0)
		close(passed);
	explicit_bzero(msg, sizeof(msg));
	explicit_bzero(&reg, sizeof(reg));
	return true;
}

/* Close a waiting peer and forget it (*link points to it). */
static void drop_peer(struct watch *w, struct peer **link)
{
	struct peer *p = *link;

	*link = p->next;
	epoll_ctl(w->epfd, EPOLL_CTL_DEL, p->fd, NULL);
	close(p->fd);
	free(p);
	w->peer_count--;
}

/*
 * A peer that sent nothing yet waits in the loop, which goes on serving
 * everyone else (a user who stops their own su between its connect and its
 * send stalls nobody). Beyond peers_max waiting, the oldest is dropped.
 */
static void wait_for_peer(struct watch *w, int fd, const struct ucred *cred)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct peer **link = &w->peers;
	struct peer *p;
	long long now = now_ms();

	/* its message may have come meanwhile: then it is served instead */
	if (w->peer_count >= w->peers_max && w->peers != NULL) {
		if (!serve_peer(w, w->peers->fd, &w->peers->cred)) {
			okta_log(w->logger, LOG_WARNING,
				 "%zu peers connected without sending their message: dropped the "
				 "one waiting longest (pid %ld, %lld ms)",
				 w->peer_count, (long)w->peers->cred.pid,
				 now - (w->peers->deadline_ms - PEER_TIMEOUT_MS));
			reply(w->peers->fd, "refused too many peers waiting\n");
		}
		drop_peer(w, &w->peers);
	}
	p = calloc(1, sizeof(*p));
	if (p != NULL) {
		p->id = PEER_EVENT | w->next_peer++;
		ev.data.u64 = p->id;
	}
	if (p == NULL || epoll_ctl(w->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
		refuse(w, fd, cred, "cannot wait for its message");
		close(fd);
		free(p);
		return;
	}
	p->fd = fd;
	p->cred = *cred;
	p->deadline_ms = now + PEER_TIMEOUT_MS;
	while (*link != NULL)
		link = &(*link)->next;
	*link = p;
	w->peer_count++;
}

static void accept_peer(struct watch *w)
{
	struct ucred peer;
	socklen_t len = sizeof(peer);
	int fd = accept4(w->listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &peer, &len) != 0) {
		close(fd);
		return;
	}
	/* The socket is root's alone (mode 0600); this holds even when
	 * someone loosened it: only root may register, deregister or list. */
	if (peer.uid != 0)
		refuse(w, fd, &peer, "peer is not root");
	else if (!serve_peer(w, fd, &peer)) {
		wait_for_peer(w, fd, &peer); /* its message has not come yet */
		return;
	}
	close(fd);
}

/* epoll named a waiting peer: its message (or its hangup) has come. An
 * event of this batch may name a peer dropped meanwhile: its number is
 * never reused, so it is found no more. */
static void on_peer(struct watch *w, unsigned long long id)
{
	struct peer **link;

	for (link = &w->peers; *link != NULL; link = &(*link)->next) {
		if ((*link)->id == id) {
			if (serve_peer(w, (*link)->fd, &(*link)->cred))
				drop_peer(w, link);
			return;
		}
	}
}

/* Peers past their deadline are refused and closed (the oldest first).
 * One read first: a message that came while the loop was busy, and that
 * this batch did not name (more ready than it holds; epoll_wait's EINTR
 * after a SIGSTOP), is served. */
static void expire_peers(struct watch *w)
{
	long long now = now_ms();

	while (w->peers != NULL && w->peers->deadline_ms <= now) {
		if (!serve_peer(w, w->peers->fd, &w->peers->cred))
			refuse(w, w->peers->fd, &w->peers->cred, "nothing sent in time");
		drop_peer(w, &w->peers);
	}
}

/* timeout (ms, -1: none), or less when a peer's deadline comes first. */
static int peer_timeout(const struct watch *w, int timeout)
{
	long long left;

	if (w->peers == NULL)
		return timeout;
	left = w->peers->deadline_ms - now_ms();
	if (left < 0)
		left = 0;
	return timeout < 0 || left < timeout ? (int)left : timeout;
}

/* ------------------------------------------------------------ setting up */

static int split_dir(const char *path, char *dir, size_t dirlen)
{
	const char *slash = strrchr(path, '/');

	if (slash == NULL || (size_t)(slash - path) + 1 > dirlen)
		return -1;
	if (slash == path)
		slash++;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	return 0;
}

/* A directory that is root's alone (mode bits as given); created when
 * missing. */
static int own_dir(const struct watch *w, const char *dir, mode_t mode, bool private_dir)
{
	struct stat sb;

	if (mkdir(dir, mode) != 0 && errno != EEXIST) {
		okta_log(w->logger, LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
		return -1;
	}
	if (lstat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode) || sb.st_uid != 0 ||
	    (sb.st_mode & (private_dir ? 077 : 022)) != 0) {
		okta_log(w->logger, LOG_ERR, "%s must be a directory owned by root, %s", dir,
			 private_dir ? "mode 0700" : "not group- or world-writable");
		return -1;
	}
	return 0;
}

static int listen_socket(struct watch *w)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[sizeof(addr.sun_path)];
	char err[512];
	struct stat sb;
	int fd;

	if (split_dir(w->socket_path, dir, sizeof(dir)) != 0 ||
	    strlen(w->socket_path) >= sizeof(addr.sun_path) || own_dir(w, dir, 0755, false) != 0)
		return -1;
	if (okta_check_trusted_dir(dir, 0, err, sizeof(err)) != 0) {
		okta_log(w->logger, LOG_ERR, "watch_socket: %s", err);
		return -1;
	}
	snprintf(w->state_dir, sizeof(w->state_dir), "%s/" OKTA_WATCH_STATE_SUBDIR,
		 strcmp(dir, "/") == 0 ? "" : dir);
	if (own_dir(w, w->state_dir, 0700, true) != 0)
		return -1;
	/* Another daemon answering there: do not steal its socket. */
	if (okta_watch_list(w->socket_path, 1000, NULL, NULL, err, sizeof(err)) >= 0) {
		okta_log(w->logger, LOG_ERR, "another pam_okta_sessiond listens on %s",
			 w->socket_path);
		return -1;
	}
	if (lstat(w->socket_path, &sb) == 0 && S_ISSOCK(sb.st_mode))
		unlink(w->socket_path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	memcpy(addr.sun_path, w->socket_path, strlen(w->socket_path) + 1);
	/* umask 077 (set by the daemon) makes the socket 0600 from the start */
	if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    chmod(w->socket_path, 0600) != 0 || listen(fd, SOMAXCONN) != 0) {
		okta_log(w->logger, LOG_ERR, "cannot listen on %s: %s", w->socket_path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	w->listen_fd = fd;
	return 0;
}

/*
 * The kernel's boot id (a UUID). Pids and start times (ticks since boot)
 * repeat from boot to boot: a state file kept across a reboot (watch_socket
 * on persistent storage) must never name a process of this boot.
 */
static void read_boot_id(struct watch *w)
{
	size_t i, n = 0;
	int fd = open("/proc/sys/kernel/random/boot_id", O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		ssize_t got = read(fd, w->boot_id, sizeof(w->boot_id) - 1);

		n = got > 0 ? (size_t)got : 0;
		close(fd);
	}
	for (i = 0; i < n && (okta_ascii_is_xdigit(w->boot_id[i]) || w->boot_id[i] == '-'); i++)
		;
	w->boot_id[i] = '\0';
	if (i == 0)
		snprintf(w->boot_id, sizeof(w->boot_id), "noboot");
}

/* One state file: a registration whose process must still be there. */
static void reload_one(struct watch *w, const char *name)
{
	char path[STATE_PATH_MAX];
	char err[256];
	char *text;
	size_t len = 0;
	struct okta_watch_reg reg;
	struct login *l;
	const char *why = "unreadable";
	int pidfd = -1;
	bool alive;

	snprintf(path, sizeof(path), "%s/%s", w->state_dir, name);
	if (strncmp(name, w->boot_id, strlen(w->boot_id)) != 0 || name[strlen(w->boot_id)] != '-') {
		okta_log(w->logger, LOG_WARNING, "state file %s is of another boot; removed", path);
		unlink(path);
		return;
	}
	text = okta_read_secure_file(path, 0, OKTA_WATCH_MSG_MAX, &len, err, sizeof(err));
	if (text == NULL || okta_watch_parse(text, len, &reg, &why) != 0 ||
	    reg.op != OKTA_WATCH_REGISTER) {
		okta_log(w->logger, LOG_ERR, "state file %s refused (%s); removed", path,
			 text == NULL ? err : why);
		unlink(path);
	} else {
		alive = okta_proc_identify((pid_t)reg.pid, reg.start_time,
					   w->count < w->logins_max ? &pidfd : NULL) == 0;
		l = add_login(w, &reg, alive ? pidfd : -1);
		if (l != NULL) {
			snprintf(l->state_name, sizeof(l->state_name), "%s", name);
			if (!alive)
				process_gone(w, l); /* it ended while we were away */
		}
	}
	if (text != NULL) {
		explicit_bzero(text, len);
		free(text);
	}
	explicit_bzero(&reg, sizeof(reg));
}

static void reload_state(struct watch *w)
{
	DIR *dir = opendir(w->state_dir);
	struct dirent *de;

	if (dir == NULL)
		return;
	while ((de = readdir(dir)) != NULL) {
		if (de->d_name[0] == '.') {
			/* a temporary file of a write cut short */
			if (strstr(de->d_name, ".tmp") != NULL)
				(void)unlinkat(dirfd(dir), de->d_name, 0);
			continue;
		}
		reload_one(w, de->d_name);
	}
	closedir(dir);
	if (w->count > 0)
		okta_log(w->logger, LOG_INFO, "reloaded %zu watched login(s) from %s", w->count,
			 w->state_dir);
}

static int setup_signals(struct watch *w)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	signal(SIGPIPE, SIG_IGN);
	/* An ignored SIGCHLD survives exec and has the kernel reap loginctl:
	 * no SIGCHLD, and its pid, killed at LOGIND_WAIT_MS, may be anyone's. */
	signal(SIGCHLD, SIG_DFL);
	w->signal_fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	return w->signal_fd >= 0 ? 0 : -1;
}

static void on_signal(struct watch *w)
{
	struct signalfd_siginfo si;
	struct login *l;
	pid_t child;
	int status;

	while (read(w->signal_fd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			w->stop = true;
	}
	while ((child = waitpid(-1, &status, WNOHANG)) > 0) { /* loginctl */
		for (l = w->logins; l != NULL; l = l->next) {
			if (l->ending && l->loginctl_pid == child) {
				logind_answered(w, l, status, false);
				break;
			}
		}
	}
}

/*
 * Each login holds a pidfd: raise the soft descriptor limit to the hard one
 * (systemd's default soft limit is 1024) and watch no more logins than
 * leave FD_RESERVE free. At the limit, accept(), /proc and the connection
 * to Okta would fail for everyone (nothing checked, nothing ended).
 */
static void fit_fd_limit(struct watch *w)
{
	struct rlimit rl;
	size_t avail;

	w->logins_max = OKTA_WATCH_LOGINS_MAX;
	w->peers_max = PEERS_MAX;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
		return;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	if (rl.rlim_cur == RLIM_INFINITY ||
	    rl.rlim_cur >= OKTA_WATCH_LOGINS_MAX + PEERS_MAX + FD_RESERVE)
		return;
	avail = rl.rlim_cur > FD_RESERVE ? (size_t)(rl.rlim_cur - FD_RESERVE) : 0;
	/* waiting peers get an eighth of what is left (the reserve holds one) */
	w->peers_max = avail / 8 < PEERS_MAX ? avail / 8 : PEERS_MAX;
	w->logins_max = avail - w->peers_max;
	okta_log(w->logger, LOG_WARNING,
		 "the descriptor limit (%llu) allows %zu watched logins and %zu waiting peers; "
		 "raise LimitNOFILE",
		 (unsigned long long)rl.rlim_cur, w->logins_max, w->peers_max);
}

static int setup(struct watch *w)
{
	struct epoll_event ev = { .events = EPOLLIN };

	fit_fd_limit(w);
	read_boot_id(w);
	w->quiet.fn = quiet_sink;
	w->quiet.ctx = w;
	w->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (w->epfd < 0 || setup_signals(w) != 0 || listen_socket(w) != 0)
		return -1;
	ev.data.u64 = EVENT_LISTEN;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->listen_fd, &ev) != 0)
		return -1;
	ev.data.u64 = EVENT_SIGNAL;
	if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->signal_fd, &ev) != 0)
		return -1;
	w->client = okta_client_new(w->cfg, w->logger);
	return w->client != NULL ? 0 : -1;
}

static void teardown(struct watch *w)
{
	struct login *l;

	while (w->peers != NULL)
		drop_peer(w, &w->peers);
	/* The state files stay: a restarted daemon picks the logins up. */
	while ((l = w->logins) != NULL) {
		l->state_name[0] = '\0';
		forget_login(w, l);
	}
	okta_client_free(w->client);
	okta_proc_table_free(w->procs);
	if (w->listen_fd >= 0) {
		close(w->listen_fd);
		unlink(w->socket_path);
	}
	if (w->signal_fd >= 0)
		close(w->signal_fd);
	if (w->epfd >= 0)
		close(w->epfd);
}

int okta_watch_run(const struct okta_config *cfg, const struct okta_logger *logger)
{
	struct epoll_event events[64];
	struct watch w;
	struct login *l;
	int n, i;

	memset(&w, 0, sizeof(w));
	w.cfg = cfg;
	w.logger = logger;
	w.epfd = w.listen_fd = w.signal_fd = -1;
	w.next_id = FIRST_LOGIN_ID;
	snprintf(w.socket_path, sizeof(w.socket_path), "%s", okta_watch_socket_path(cfg));
	if (setup(&w) != 0) {
		okta_log(logger, LOG_ERR, "cannot start watching");
		teardown(&w);
		return 1;
	}
	reload_state(&w);
	okta_log(logger, LOG_INFO, "listening on %s; watch_interval %ld s, %zu login(s) watched",
		 w.socket_path, cfg->watch_interval, w.count);
	while (!w.stop) {
		n = epoll_wait(w.epfd, events, 64, peer_timeout(&w, next_timeout(&w)));
		w.turn_ms = now_ms(); /* what process_gone reads of /proc is newer */
		for (i = 0; i < n && !w.stop; i++) {
			if (events[i].data.u64 == EVENT_LISTEN)
				accept_peer(&w);
			else if (events[i].data.u64 == EVENT_SIGNAL)
				on_signal(&w);
			else if ((events[i].data.u64 & PEER_EVENT) != 0)
				on_peer(&w, events[i].data.u64);
			else if ((l = find_login(&w, events[i].data.u64)) != NULL)
				process_gone(&w, l);
		}
		expire_peers(&w);
		run_timers(&w);
	}
	okta_log(logger, LOG_INFO, "stopping; %zu login(s) stay registered for the next start",
		 w.count);
	teardown(&w);
	return 0;
}
