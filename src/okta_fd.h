/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Close-on-exec for the descriptors libcurl makes without it. The module's
 * own descriptors are opened with O_CLOEXEC / SOCK_CLOEXEC (the connection
 * to Okta through okta_client.c's open-socket callback); what remains is the
 * socketpair libcurl 7.68 to 8.x creates for its multi handle's wakeup (and
 * the threaded resolver's), for which libcurl offers no hook. A host
 * application that forks and execs a program after a PAM call must not hand
 * it any of them (SECURITY.md, T5). No libcurl, no libpam.
 */
#ifndef OKTA_FD_H
#define OKTA_FD_H

#include <stddef.h>

/* The descriptors open at one moment, from /proc/self/fd. */
struct okta_fd_snapshot {
	int *fds; /* sorted */
	size_t count;
	int ok; /* 0 when /proc/self/fd could not be read */
};

void okta_fd_snapshot_take(struct okta_fd_snapshot *snap);
void okta_fd_snapshot_clear(struct okta_fd_snapshot *snap);

/*
 * Set FD_CLOEXEC on every AF_UNIX socket open now that was not in before
 * and lacks it: what the library call between the two snapshots created.
 * Returns how many were changed. Nothing happens when either snapshot
 * fails (no /proc).
 */
size_t okta_fd_cloexec_new_unix_sockets(const struct okta_fd_snapshot *before);

#endif
