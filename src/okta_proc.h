/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Processes by identity, for the session watch: a pid alone can be
 * recycled, so a process is named by pid plus start time (field 22 of
 * /proc/PID/stat) and, where the kernel has pidfd_open (Linux 5.3), held by
 * a pidfd. Built for glibc 2.28 and Linux 4.18 (RHEL 8): no glibc wrapper
 * is used; without SYS_pidfd_open, or when the kernel answers ENOSYS, the
 * callers fall back to pid plus start time.
 */
#ifndef OKTA_PROC_H
#define OKTA_PROC_H

#include <sys/types.h>

#include "okta_watch_proto.h"

/* /proc/PID/stat of pid (0: the calling process). 0, or -1 (gone, unreadable). */
int okta_proc_read_stat(pid_t pid, struct okta_proc_stat *out);

/* A pidfd of pid (O_CLOEXEC), or -1 with errno (ENOSYS: no pidfds here). */
int okta_pidfd_open(pid_t pid);

/* pidfd_send_signal(2); -1 with errno ENOSYS where the kernel lacks it. */
int okta_pidfd_send_signal(int pidfd, int sig);

/*
 * Is pid still the process that started at start_time? When it is and
 * pidfd_out is not NULL, *pidfd_out is a pidfd taken before the check (so
 * it names that very process), or -1 where the kernel has none.
 */
int okta_proc_identify(pid_t pid, unsigned long long start_time, int *pidfd_out);

#endif
