/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_watch_client.h"
#include "okta_config.h"
#include "okta_proc.h"
#include "okta_text.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

const char *okta_watch_socket_path(const struct okta_config *cfg)
{
	return cfg->watch_socket != NULL ? cfg->watch_socket : OKTA_WATCH_SOCKET_DEFAULT;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void set_why(char *why, size_t whylen, const char *what, int errnum)
{
	char reason[128];

	if (errnum != 0)
		snprintf(why, whylen, "%s: %s", what, strerror_r(errnum, reason, sizeof(reason)));
	else
		snprintf(why, whylen, "%s", what);
}

/*
 * The daemon's socket, connected (non-blocking): only in a directory that
 * only root can change, only a socket owned by root. Whoever could replace
 * it could learn every session id registered.
 */
static int connect_daemon(const char *path, long long deadline_ms, char *why, size_t whylen)
{
	long long left = deadline_ms - now_ms();
	struct timeval tv = { (time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000 };
	struct sockaddr_un addr = { .sun_family = AF_UNIX };
	char dir[sizeof(addr.sun_path)];
	char *slash;
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path) || path[0] != '/') {
		set_why(why, whylen, "watch_socket is not a usable socket path", 0);
		return -1;
	}
	memcpy(dir, path, strlen(path) + 1);
	slash = strrchr(dir, '/');
	slash[slash == dir ? 1 : 0] = '\0';
	if (okta_check_trusted_dir(dir, 0, why, whylen) != 0)
		return -1;
	if (lstat(path, &st) != 0) {
		set_why(why, whylen, "no daemon (watch_socket)", errno);
		return -1;
	}
	if (!S_ISSOCK(st.st_mode) || st.st_uid != 0) {
		set_why(why, whylen, "watch_socket is not a socket owned by root", 0);
		return -1;
	}
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		set_why(why, whylen, "socket", errno);
		return -1;
	}
	memcpy(addr.sun_path, path, strlen(path) + 1);
	/* A blocking connect waits while the daemon's backlog is full (a
	 * storm of logins while it waits for Okta), for at most SO_SNDTIMEO:
	 * the deadline. Then non-blocking, under the same deadline. */
	if (left <= 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&addr, sizeof(addr)) != 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
		set_why(why, whylen, "cannot reach the daemon", errno);
		close(fd);
		return -1;
	}
	return fd;
}

/* Wait for events on fd until deadline_ms; 0 when ready. */
static int wait_for(int fd, short events, long long deadline_ms)
{
	struct pollfd p = { .fd = fd, .events = events };
	long long left;
	int rc;

	for (;;) {
		left = deadline_ms - now_ms();
		if (left <= 0)
			return -1;
		rc = poll(&p, 1, (int)left);
		if (rc > 0)
			return 0;
		if (rc < 0 && errno != EINTR)
			return -1;
	}
}

/* One message, with an optional fd. */
static int send_message(int fd, const char *msg, size_t len, int pass_fd, long long deadline_ms)
{
	char copy[OKTA_WATCH_MSG_MAX];
	union {
		char buf[CMSG_SPACE(sizeof(int))];
		struct cmsghdr align;
	} control;
	struct iovec iov = { copy, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *cmsg;
	int rc = -1;

	/* sendmsg's iovec is not const. */
	if (len > sizeof(copy))
		return -1;
	memcpy(copy, msg, len);
	if (pass_fd >= 0) {
		memset(&control, 0, sizeof(control));
		mh.msg_control = control.buf;
		mh.msg_controllen = sizeof(control.buf);
		cmsg = CMSG_FIRSTHDR(&mh);
		cmsg->cmsg_level = SOL_SOCKET;
		cmsg->cmsg_type = SCM_RIGHTS;
		cmsg->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cmsg), &pass_fd, sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(fd, &mh, MSG_NOSIGNAL);

		if (n == (ssize_t)len)
			rc = 0;
		if (n >= 0 || (errno != EAGAIN && errno != EINTR))
			break;
		if (wait_for(fd, POLLOUT, deadline_ms) != 0)
			break;
	}
	explicit_bzero(copy, len);
	return rc;
}

/* One reply line into out (NUL-terminated, at most outlen - 1 bytes). */
static int receive_line(int fd, char *out, size_t outlen, long long deadline_ms)
{
	ssize_t n;

	for (;;) {
		n = recv(fd, out, outlen - 1, 0);
		if (n > 0)
			break;
		if (n == 0 || (errno != EAGAIN && errno != EINTR))
			return -1;
		if (wait_for(fd, POLLIN, deadline_ms) != 0)
			return -1;
	}
	while (n > 0 && out[n - 1] == '\n')
		n--;
	out[n] = '\0';
	return 0;
}

/* Pid and start time of the calling process, and a pidfd of it (or -1). */
static int identify_self(struct okta_watch_reg *reg)
{
	struct okta_proc_stat st;

	if (okta_proc_read_stat(0, &st) != 0)
		return -1;
	reg->pid = (long long)getpid();
	reg->start_time = st.start_time;
	return okta_pidfd_open(getpid());
}

int okta_watch_send(const char *socket_path, struct okta_watch_reg *reg, long timeout_ms, char *why,
		    size_t whylen)
{
	long long deadline = now_ms() + timeout_ms;
	char msg[OKTA_WATCH_MSG_MAX];
	char reply[256];
	char shown[128];
	size_t len;
	int pidfd = -1;
	int fd;
	int rc = -1;

	if (reg->op == OKTA_WATCH_REGISTER)
		pidfd = identify_self(reg);
	else
		reg->pid = (long long)getpid();
	len = okta_watch_encode(reg, msg, sizeof(msg));
	fd = len > 0 ? connect_daemon(socket_path, deadline, why, whylen) : -1;
	if (len == 0)
		set_why(why, whylen, "the login's details do not fit a registration", 0);
	if (fd >= 0) {
		if (send_message(fd, msg, len, pidfd, deadline) != 0)
			set_why(why, whylen, "cannot send to the daemon", errno);
		else if (receive_line(fd, reply, sizeof(reply), deadline) != 0)
			set_why(why, whylen, "no answer from the daemon in time", 0);
		else if (strcmp(reply, OKTA_WATCH_REPLY_OK) == 0)
			rc = 0;
		else {
			okta_text_printable(reply, shown, sizeof(shown));
			snprintf(why, whylen, "the daemon said: %s", shown);
		}
		close(fd);
	}
	explicit_bzero(msg, sizeof(msg));
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

int okta_watch_list(const char *socket_path, long timeout_ms,
		    void (*line)(void *ctx, const char *text), void *ctx, char *why, size_t whylen)
{
	static const char request[] = OKTA_WATCH_MAGIC "\nop=list\n";
	long long deadline = now_ms() + timeout_ms;
	char reply[1024];
	char shown[sizeof(reply)];
	int count = 0;
	int fd = connect_daemon(socket_path, deadline, why, whylen);

	if (fd < 0)
		return -1;
	if (send_message(fd, request, sizeof(request) - 1, -1, deadline) != 0) {
		set_why(why, whylen, "cannot send to the daemon", errno);
		close(fd);
		return -1;
	}
	for (;;) {
		if (receive_line(fd, reply, sizeof(reply), deadline) != 0) {
			set_why(why, whylen, "the daemon's list ended early", 0);
			count = -1;
			break;
		}
		if (strcmp(reply, OKTA_WATCH_REPLY_END) == 0)
			break;
		okta_text_printable(reply, shown, sizeof(shown));
		if (line != NULL)
			line(ctx, shown);
		count++;
	}
	close(fd);
	return count;
}
