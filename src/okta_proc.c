/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_proc.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

/* 1 KiB holds any stat line: comm is at most 16 bytes (64 for kernel
 * threads' names in newer kernels), the rest about 52 numbers. */
#define STAT_MAX 1024

int okta_proc_read_stat(pid_t pid, struct okta_proc_stat *out)
{
	char path[64];
	char text[STAT_MAX];
	ssize_t n;
	int fd;

	if (pid == 0)
		snprintf(path, sizeof(path), "/proc/self/stat");
	else
		snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -1;
	n = read(fd, text, sizeof(text));
	close(fd);
	if (n <= 0 || (size_t)n >= sizeof(text))
		return -1;
	return okta_proc_stat_parse(text, (size_t)n, out);
}

int okta_pidfd_open(pid_t pid)
{
#ifdef SYS_pidfd_open
	/* flags 0: a pidfd is always close-on-exec */
	return (int)syscall(SYS_pidfd_open, pid, 0);
#else
	(void)pid;
	errno = ENOSYS;
	return -1;
#endif
}

int okta_pidfd_send_signal(int pidfd, int sig)
{
#ifdef SYS_pidfd_send_signal
	return (int)syscall(SYS_pidfd_send_signal, pidfd, sig, NULL, 0);
#else
	(void)pidfd;
	(void)sig;
	errno = ENOSYS;
	return -1;
#endif
}

int okta_proc_identify(pid_t pid, unsigned long long start_time, int *pidfd_out)
{
	struct okta_proc_stat st;
	int pidfd = pidfd_out != NULL ? okta_pidfd_open(pid) : -1;

	/* The pidfd first, the start time after: if the start time still
	 * matches, the pidfd was taken of that process, not of a successor. */
	if (okta_proc_read_stat(pid, &st) != 0 || st.start_time != start_time) {
		if (pidfd >= 0)
			close(pidfd);
		return -1;
	}
	if (pidfd_out != NULL)
		*pidfd_out = pidfd;
	return 0;
}
