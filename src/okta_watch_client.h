/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The client side of pam_okta_sessiond's socket: the module registers and
 * deregisters logins, the check tool lists them. No libpam: the glue fills
 * the registration from its PAM items. Every exchange has a deadline.
 */
#ifndef OKTA_WATCH_CLIENT_H
#define OKTA_WATCH_CLIENT_H

#include <stdbool.h>

#include "okta_config.h"
#include "okta_log.h"
#include "okta_watch_proto.h"

/* The socket the configuration names (watch_socket or the default). */
const char *okta_watch_socket_path(const struct okta_config *cfg);

/* What the daemon answers ("ok" or "refused <reason>"), one line. */
/* How long the module waits for the daemon (connect, send, answer). */
#define OKTA_WATCH_CLIENT_TIMEOUT_MS 5000

#define OKTA_WATCH_REPLY_OK "ok"
#define OKTA_WATCH_REPLY_END "end"

/*
 * Send reg to the daemon at socket_path and wait for its answer, all within
 * timeout_ms. A register message carries a pidfd of the calling process
 * where the kernel has pidfd_open, and always its pid and start time
 * (filled here). The socket is used only in a directory that only root can
 * change and when it is a socket owned by root. Returns 0 when the daemon
 * said ok; -1 otherwise, with a reason (no secret) in why.
 */
int okta_watch_send(const char *socket_path, struct okta_watch_reg *reg, long timeout_ms, char *why,
		    size_t whylen);

/*
 * op=list: call line(ctx, text) for each login the daemon watches (a line
 * of printable ASCII the daemon wrote; line may be NULL), within timeout_ms. Returns the
 * number of lines, or -1 with a reason in why.
 */
int okta_watch_list(const char *socket_path, long timeout_ms,
		    void (*line)(void *ctx, const char *text), void *ctx, char *why, size_t whylen);

#endif
