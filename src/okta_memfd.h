/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A read-only, in-memory copy of checked bytes that a library can open by
 * path: the ca_file content for libcurl releases before 7.77, which take a
 * CA bundle only as a file name (no CURLOPT_CAINFO_BLOB). No libcurl, no
 * libpam.
 */
#ifndef OKTA_MEMFD_H
#define OKTA_MEMFD_H

#include <stddef.h>

/* Longest "/proc/thread-self/fd/N" path okta_memfd_path() writes, NUL
 * included. */
#define OKTA_MEMFD_PATH_MAX sizeof("/proc/thread-self/fd/-2147483648")

/*
 * An anonymous file (memfd_create) holding the len bytes of data, sealed
 * against every later write, resize and seal change, closed on exec (a
 * shell started by the host process never inherits it). Returns its
 * descriptor, or -1 with errno set. Nothing in the file system names it:
 * no other process and no path a user controls can reach or replace it.
 */
int okta_memfd_sealed_copy(const char *name, const void *data, size_t len);

/* "/proc/thread-self/fd/FD" into out (OKTA_MEMFD_PATH_MAX bytes): the
 * path by which the calling thread opens the file again, at offset 0. Not
 * /proc/self, which is the main thread's: a thread with a descriptor table
 * of its own (unshare(CLONE_FILES)) would open whatever FD is there. */
void okta_memfd_path(int fd, char *out, size_t outlen);

#endif
