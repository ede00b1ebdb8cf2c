/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Close-on-exec for the descriptors libcurl makes without it. The module's
 * own descriptors are opened with O_CLOEXEC / SOCK_CLOEXEC (the connection
 * to Okta through okta_client.c's open-socket callback); what remains is the
 * channel libcurl creates for its multi handle's wakeup (and the threaded
 * resolver's), for which libcurl offers no hook: an AF_UNIX socketpair in
 * 7.68 to 8.4, a pipe() in 8.5 to 8.7 (Ubuntu 24.04's 8.5.0), both without
 * close-on-exec (8.8 and later make theirs close-on-exec). A host
 * application that forks and execs a program after a PAM call must not hand
 * it any of them (SECURITY.md, T5). No libcurl, no libpam.
 */
#ifndef OKTA_FD_H
#define OKTA_FD_H

#include <stddef.h>

/* The descriptors open at one moment, from /proc/self/fd (without /proc:
 * fcntl() on every number below the descriptor limit, at most 65536). */
struct okta_fd_snapshot {
	int *fds; /* sorted */
	size_t count;
	int ok; /* 0 when out of memory */
};

void okta_fd_snapshot_take(struct okta_fd_snapshot *snap);
void okta_fd_snapshot_clear(struct okta_fd_snapshot *snap);

/*
 * Set FD_CLOEXEC on every AF_UNIX socket and pipe open now that was not in
 * before and lacks it: what the library call between the two snapshots
 * created.
 * Returns how many were changed. Nothing happens when either snapshot
 * failed (out of memory).
 */
size_t okta_fd_cloexec_new_pipes_and_unix_sockets(const struct okta_fd_snapshot *before);

#endif
