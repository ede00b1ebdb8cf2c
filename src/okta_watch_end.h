/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The processes of a watched login, for pam_okta_sessiond: which they are
 * (the registered process, its descendants, and every process of a session
 * one of them leads), whether the login's terminal was used, and ending
 * them (logind's TerminateSession through loginctl, SIGHUP, SIGKILL). A
 * process is always signalled by pidfd after its start time was checked
 * (pid plus start time on kernels without pidfds), never by a bare pid that
 * may have been recycled.
 */
#ifndef OKTA_WATCH_END_H
#define OKTA_WATCH_END_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "okta_log.h"

struct okta_proc_ref {
	pid_t pid;
	unsigned long long start_time;
};

/* A login's processes, as found at one moment. */
struct okta_login_procs {
	struct okta_proc_ref *procs;
	size_t count;
	long long *sids; /* sessions led by one of them */
	size_t sid_count;
};

/*
 * Every process of the host at one moment (pid, parent, session, start
 * time), sorted by pid, with indices by parent and by session built once
 * at load: about 32 bytes a process. Logins are collected from it in
 * O(k log n) each (k: the login's processes), so that one look at /proc
 * serves every login the daemon records in a while. A table ages: a
 * process it lists may have exited (its pid and start time then name
 * nobody: signalling checks them again), one started since is missing.
 */
struct okta_proc_table;

/* Read /proc once. NULL when /proc cannot be read or memory ran out. */
struct okta_proc_table *okta_proc_table_load(void);

size_t okta_proc_table_count(const struct okta_proc_table *t);

void okta_proc_table_free(struct okta_proc_table *t);

/*
 * Find the processes of a login in table t: the roots it lists (same pid
 * and start time), their descendants, and every process of a session that
 * one of them leads or that `into` already names (while a process found in
 * it then is still in it: W2). Results are merged into *into. Never pid 1
 * or the calling process. 0, or -1 when memory ran out (what was found so
 * far stays). The table is written to (each entry's mark) but not changed.
 */
int okta_login_procs_collect_from(struct okta_proc_table *t, const struct okta_proc_ref *roots,
				  size_t root_count, struct okta_login_procs *into);

/*
 * The same from a table loaded now: what ending a login uses (SIGHUP and
 * SIGKILL go to what runs now, never to an old view). 0, or -1 when /proc
 * cannot be read or memory ran out.
 */
int okta_login_procs_collect(const struct okta_proc_ref *roots, size_t root_count,
			     struct okta_login_procs *into);

/*
 * What is left of a login whose registered process (`gone`, which was in
 * session sid, led by the process `leader`) exited without close_session
 * and without a recording of its processes: the processes of that session
 * that started no earlier than `gone` and run as uid (real, effective,
 * saved and filesystem uid all), with their descendants and the sessions
 * they lead, from table t. Nothing when the leader no longer lives (same
 * pid and start time) and leads the session: the number may be another
 * session's. Processes in `exclude` (other logins' own) are left out.
 * Merged into *into; 0, or -1 (memory).
 */
int okta_login_procs_remains(struct okta_proc_table *t, const struct okta_proc_ref *gone,
			     const struct okta_proc_ref *leader, long long sid, uid_t uid,
			     const struct okta_login_procs *exclude, struct okta_login_procs *into);

/* Send sig to each process still alive with its start time; returns how
 * many were signalled (zombies are not: they have exited). Signal 0
 * counts the living. */
size_t okta_login_procs_signal(const struct okta_login_procs *procs, int sig);

/*
 * Does any of procs still run (same start time, not a zombie)? Looked for
 * from *cursor on, round the list, and *cursor left at the one found:
 * polled every second for an orphaned login, this costs one look while
 * that process runs, not one per process (up to 256). Those gone on the
 * way are dropped from procs (they never come back); zombies are kept
 * (the session one leads still holds its members).
 */
bool okta_login_procs_any_alive(struct okta_login_procs *procs, size_t *cursor);

void okta_login_procs_free(struct okta_login_procs *procs);

/*
 * keep_alive = active: was the login's terminal read from (input typed)
 * after `since` (epoch seconds)? The terminal is tty when it names a
 * /dev/ device, else the controlling terminal of the first of the login's
 * processes that has one (a pty, a virtual console or a serial line; a
 * terminal counts as read from only once its atime passed its ctime, not
 * for being made after `since`). A login without a terminal counts as in use
 * (true) while its processes run. The kernel updates a terminal's atime on
 * input, at most every 8 seconds (what w(1) shows as IDLE).
 */
bool okta_login_terminal_used(const struct okta_login_procs *procs, const char *tty, time_t since);

/* Is systemd-logind running (so that loginctl can end a session)? */
bool okta_logind_running(void);

/*
 * Does logind say that its session id was opened by (is led by) process
 * leader? XDG_SESSION_ID comes from the PAM environment, which a user can
 * plant (pam_env.so user_readenv=1) before pam_systemd sets it, and sudo's
 * and su's may name the caller's session: only the login's own session is
 * ever terminated. Reads LEADER= of /run/systemd/sessions/ID.
 */
bool okta_logind_session_led_by(const char *id, pid_t leader);

/*
 * Start loginctl terminate-session ID; returns its pid, or -1. Not waited
 * for: the caller reaps it, and signals the login only after it exited
 * (logind closes a session whose leader exits first, and TerminateSession
 * then ends nothing). id was checked by the protocol parser (letters and
 * digits only).
 */
pid_t okta_logind_terminate(const char *id, const struct okta_logger *logger);

#endif
