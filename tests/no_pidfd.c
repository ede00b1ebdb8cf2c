/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD shim for tests/integration/test_watch.py: a kernel without
 * pidfds (RHEL 8's 4.18). syscall(SYS_pidfd_open) and
 * syscall(SYS_pidfd_send_signal) fail with ENOSYS, as they do there; every
 * other syscall() is passed on. The module and pam_okta_sessiond then fall
 * back to pid plus start time.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <sys/syscall.h>

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

long syscall(long number, ...);

long syscall(long number, ...)
{
	long (*real)(long, ...);
	long a[6];
	va_list ap;
	int i;

	if (number == SYS_pidfd_open || number == SYS_pidfd_send_signal) {
		errno = ENOSYS;
		return -1;
	}
	/* syscall(2) takes at most six arguments; reading six is what the
	 * C library's own wrapper does with its registers. */
	va_start(ap, number);
	for (i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	*(void **)&real = dlsym(RTLD_NEXT, "syscall");
	if (real == NULL) {
		errno = ENOSYS;
		return -1;
	}
	return real(number, a[0], a[1], a[2], a[3], a[4], a[5]);
}
