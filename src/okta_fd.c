/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>

/*
 * okta_fd_cloexec_new_pipes_and_unix_sockets() looks at descriptors that
 * other threads of a threaded host may own, open or close meanwhile: a race
 * by design (SECURITY.md, Descriptors), which ThreadSanitizer reports as a
 * race on the descriptor. Its accesses are left out of TSan's view in a
 * TSan build (a suppression by function name missed whenever TSan lost the
 * scan's stack, and the stress test failed); nothing changes otherwise.
 */
#if defined(__SANITIZE_THREAD__)
#define OKTA_FD_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define OKTA_FD_TSAN 1
#endif
#endif

#ifdef OKTA_FD_TSAN
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);

static void scan_unseen_by_tsan_begin(void)
{
	__tsan_ignore_thread_begin();
}

static void scan_unseen_by_tsan_end(void)
{
	__tsan_ignore_thread_end();
}
#else
static void scan_unseen_by_tsan_begin(void)
{
}

static void scan_unseen_by_tsan_end(void)
{
}
#endif

/* How many descriptor numbers scan_fds() asks about at most. */
#define OKTA_FD_SCAN_MAX 65536

static int compare_fds(const void *a, const void *b)
{
	int x = *(const int *)a;
	int y = *(const int *)b;

	return (x > y) - (x < y);
}

/* Append fd (ok cleared when out of memory). */
static void add_fd(struct okta_fd_snapshot *snap, size_t *room, int fd)
{
	int *grown;

	if (snap->count == *room) {
		*room = *room == 0 ? 32 : *room * 2;
		grown = realloc(snap->fds, *room * sizeof(*grown));
		if (grown == NULL) {
			snap->ok = 0;
			return;
		}
		snap->fds = grown;
	}
	snap->fds[snap->count++] = fd;
}

/* The descriptors /proc/self/fd lists; 0, or -1 without /proc. */
static int list_proc_fds(struct okta_fd_snapshot *snap, size_t *room)
{
	DIR *dir = opendir("/proc/self/fd"); /* glibc opens it O_CLOEXEC */
	struct dirent *entry;

	if (dir == NULL)
		return -1;
	while (snap->ok && (entry = readdir(dir)) != NULL) {
		/* Not the directory's own descriptor: closed below, its number
		 * is the first a library call will reuse. */
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9' ||
		    atoi(entry->d_name) == dirfd(dir))
			continue;
		add_fd(snap, room, atoi(entry->d_name));
	}
	closedir(dir);
	return 0;
}

/* Without /proc (a chroot, a container that mounts none): every number
 * below the descriptor limit, asked one by one. A library's new descriptor
 * takes the lowest free number, so a cap of OKTA_FD_SCAN_MAX misses only
 * what a process holding that many would get. */
static void scan_fds(struct okta_fd_snapshot *snap, size_t *room)
{
	struct rlimit limit;
	rlim_t max = OKTA_FD_SCAN_MAX;
	int fd;

	if (getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur < max)
		max = limit.rlim_cur;
	for (fd = 0; snap->ok && (rlim_t)fd < max; fd++) {
		if (fcntl(fd, F_GETFD) != -1)
			add_fd(snap, room, fd);
	}
}

void okta_fd_snapshot_take(struct okta_fd_snapshot *snap)
{
	size_t room = 0;

	memset(snap, 0, sizeof(*snap));
	snap->ok = 1;
	if (list_proc_fds(snap, &room) != 0)
		scan_fds(snap, &room);
	if (snap->ok && snap->count > 0)
		qsort(snap->fds, snap->count, sizeof(*snap->fds), compare_fds);
}

void okta_fd_snapshot_clear(struct okta_fd_snapshot *snap)
{
	free(snap->fds);
	memset(snap, 0, sizeof(*snap));
}

static bool in_snapshot(const struct okta_fd_snapshot *snap, int fd)
{
	return snap->count > 0 &&
	       bsearch(&fd, snap->fds, snap->count, sizeof(*snap->fds), compare_fds) != NULL;
}

/* What libcurl makes for its wakeups: an AF_UNIX socket or a pipe. */
static bool is_pipe_or_unix_socket(int fd)
{
	struct sockaddr_storage addr;
	socklen_t len = sizeof(addr);
	struct stat st;

	if (fstat(fd, &st) != 0)
		return false;
	if (S_ISFIFO(st.st_mode))
		return true;
	return S_ISSOCK(st.st_mode) && getsockname(fd, (struct sockaddr *)&addr, &len) == 0 &&
	       addr.ss_family == AF_UNIX;
}

size_t okta_fd_cloexec_new_pipes_and_unix_sockets(const struct okta_fd_snapshot *before)
{
	struct okta_fd_snapshot after;
	size_t changed = 0;
	size_t i;
	int flags;

	if (!before->ok)
		return 0;
	okta_fd_snapshot_take(&after);
	scan_unseen_by_tsan_begin();
	for (i = 0; after.ok && i < after.count; i++) {
		int fd = after.fds[i];

		if (in_snapshot(before, fd) || !is_pipe_or_unix_socket(fd))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && (flags & FD_CLOEXEC) == 0 &&
		    fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0)
			changed++;
	}
	scan_unseen_by_tsan_end();
	okta_fd_snapshot_clear(&after);
	return changed;
}
