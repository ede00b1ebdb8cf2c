/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_fd.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>

static int compare_fds(const void *a, const void *b)
{
	int x = *(const int *)a;
	int y = *(const int *)b;

	return (x > y) - (x < y);
}

void okta_fd_snapshot_take(struct okta_fd_snapshot *snap)
{
	DIR *dir = opendir("/proc/self/fd"); /* glibc opens it O_CLOEXEC */
	struct dirent *entry;
	size_t room = 0;
	int *grown;

	memset(snap, 0, sizeof(*snap));
	if (dir == NULL)
		return;
	snap->ok = 1;
	while ((entry = readdir(dir)) != NULL) {
		/* Not the directory's own descriptor: closed below, its number
		 * is the first a library call will reuse. */
		if (entry->d_name[0] < '0' || entry->d_name[0] > '9' ||
		    atoi(entry->d_name) == dirfd(dir))
			continue;
		if (snap->count == room) {
			room = room == 0 ? 32 : room * 2;
			grown = realloc(snap->fds, room * sizeof(*grown));
			if (grown == NULL) {
				snap->ok = 0;
				break;
			}
			snap->fds = grown;
		}
		snap->fds[snap->count++] = atoi(entry->d_name);
	}
	closedir(dir);
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
	for (i = 0; after.ok && i < after.count; i++) {
		int fd = after.fds[i];

		if (in_snapshot(before, fd) || !is_pipe_or_unix_socket(fd))
			continue;
		flags = fcntl(fd, F_GETFD);
		if (flags >= 0 && (flags & FD_CLOEXEC) == 0 &&
		    fcntl(fd, F_SETFD, flags | FD_CLOEXEC) == 0)
			changed++;
	}
	okta_fd_snapshot_clear(&after);
	return changed;
}
