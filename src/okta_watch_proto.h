/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The watch protocol: what the module (and the check tool) say to
 * pam_okta_sessiond over its Unix socket, and what the daemon keeps in its
 * state directory. Pure: bytes in, struct out (and back), no I/O, so that
 * the parser of what crosses the socket can be unit-tested and fuzzed.
 *
 * A message is one SOCK_SEQPACKET datagram of at most OKTA_WATCH_MSG_MAX
 * bytes of text: the line "okta-watch 1", then "key=value" lines, each
 * ending in '\n'. Keys appear at most once, in any order; unknown keys,
 * empty values and bytes outside each key's character set are refused.
 * A register message may carry one pidfd of the sending process
 * (SCM_RIGHTS). A state file is a register message.
 */
#ifndef OKTA_WATCH_PROTO_H
#define OKTA_WATCH_PROTO_H

#include <stdbool.h>
#include <stddef.h>

#include "okta_validate.h"

#define OKTA_WATCH_SOCKET_DEFAULT "/run/pam_okta_session/watch.sock"
#define OKTA_WATCH_MAGIC "okta-watch 1"
#define OKTA_WATCH_MSG_MAX 4096

/* Field limits (bytes, without the NUL). */
#define OKTA_WATCH_SERVICE_MAX 64
#define OKTA_WATCH_RHOST_MAX 255
#define OKTA_WATCH_TTY_MAX 64
#define OKTA_WATCH_LOGIND_MAX 32
/* Linux's PID_MAX_LIMIT */
#define OKTA_WATCH_PID_MAX 4194304LL

enum okta_watch_op {
	OKTA_WATCH_NONE = 0,
	OKTA_WATCH_REGISTER,   /* watch this login */
	OKTA_WATCH_DEREGISTER, /* the login closed: session_id + pid */
	OKTA_WATCH_LIST,       /* what is watched (the check tool's --watch) */
};

/*
 * One login. Fixed buffers: nothing to free, and the whole struct is wiped
 * at once (session_id is as secret as in the PAM environment).
 */
struct okta_watch_reg {
	enum okta_watch_op op;
	char session_id[OKTA_SESSION_ID_MAX + 1];
	char user_id[OKTA_USER_ID_MAX + 1];
	char expires_at[OKTA_TIMESTAMP_MAX + 1];
	char user[OKTA_PAM_USER_MAX + 1];
	/* The local user the Okta session was verified for, when the login
	 * runs as another account (sudo: the invoking user, while user is the
	 * target, root); "" when it is user. */
	char invoking_user[OKTA_PAM_USER_MAX + 1];
	char service[OKTA_WATCH_SERVICE_MAX + 1];
	char rhost[OKTA_WATCH_RHOST_MAX + 1];           /* "" when none */
	char tty[OKTA_WATCH_TTY_MAX + 1];               /* "" when none */
	char logind_session[OKTA_WATCH_LOGIND_MAX + 1]; /* XDG_SESSION_ID, "" when none */
	long long pid;                 /* the process that called pam_open_session */
	unsigned long long start_time; /* its start time, field 22 of /proc/PID/stat */
};

/*
 * Encode reg as a message into out (outlen bytes). Returns the length, or 0
 * when a field is not acceptable (the same checks as the parser) or out is
 * too small.
 */
size_t okta_watch_encode(const struct okta_watch_reg *reg, char *out, size_t outlen);

/*
 * Parse a message of len bytes (not NUL-terminated, any bytes). Returns 0
 * and fills *reg, or -1 with *reg wiped and a short reason (a static
 * string, never an input byte) in *why. Required fields: register: all
 * but invoking_user, rhost, tty and logind_session; deregister: session_id
 * and pid;
 * list: none (any other field is refused for list and deregister).
 */
int okta_watch_parse(const char *msg, size_t len, struct okta_watch_reg *reg, const char **why);

/* What a process's /proc/PID/stat says (only the fields the watch uses). */
struct okta_proc_stat {
	char state; /* 'R', 'S', ... 'Z' (zombie: exited, not yet reaped) */
	long long ppid;
	long long sid; /* session id */
	long long tty_nr;
	unsigned long long start_time; /* clock ticks after boot */
};

/*
 * Parse the text of /proc/PID/stat: "pid (comm) state ppid pgrp session
 * tty_nr ... starttime ...". comm may hold any byte, ')' included: the
 * fields start after the last ')'. Returns 0, or -1 on anything else.
 */
int okta_proc_stat_parse(const char *text, size_t len, struct okta_proc_stat *out);

#endif
