/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_okta_sessiond's watch loop: the listening socket, the registered
 * logins (each held by a pidfd), their Okta sessions checked on one
 * kept-alive connection, paced by Okta's rate limit headers, and the state
 * directory that lets the daemon restart without forgetting a login. One
 * thread, one epoll loop: every request runs under its own short deadline.
 */
#ifndef OKTA_WATCH_H
#define OKTA_WATCH_H

#include "okta_config.h"
#include "okta_log.h"

/* The longest one Okta request of the daemon may take (or cfg->timeout
 * when shorter): the loop serves no registration meanwhile, and the
 * module waits OKTA_WATCH_CLIENT_TIMEOUT_MS for its answer. */
#define OKTA_WATCH_REQUEST_TIMEOUT 3
/* SIGHUP first; SIGKILL this long after, to what is left of the login. */
#define OKTA_WATCH_KILL_DELAY_MS 5000
/* At most this many watched logins. */
#define OKTA_WATCH_LOGINS_MAX 65536
/* The state directory, next to the socket. */
#define OKTA_WATCH_STATE_SUBDIR "state"

/*
 * Run until SIGTERM or SIGINT: set up the socket (its directory created
 * 0755 when missing, checked root-only), reload the state directory, then
 * watch. Returns 0 on a clean stop, 1 when it could not start (logged).
 */
int okta_watch_run(const struct okta_config *cfg, const struct okta_logger *logger);

#endif
