/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_wipe.h (the allocator given to libcurl) and okta_fd.h
 * (close-on-exec for what a library call created).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <malloc.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "okta_fd.h"
#include "okta_wipe.h"

static void test_realloc_keeps_the_data(void **state)
{
	char *p = okta_wipe_malloc(10);
	size_t i;

	(void)state;
	assert_non_null(p);
	memcpy(p, "0123456789", 10);
	for (i = 20; i < 70000; i *= 3) {
		p = okta_wipe_realloc(p, i);
		assert_non_null(p);
		assert_memory_equal(p, "0123456789", 10);
	}
	p = okta_wipe_realloc(p, 5); /* smaller: stays */
	assert_memory_equal(p, "01234", 5);
	assert_null(okta_wipe_realloc(p, 0)); /* freed */
	p = okta_wipe_realloc(NULL, 8);
	assert_non_null(p);
	okta_wipe_free(p);
	okta_wipe_free(NULL);
}

static void test_strdup_and_calloc(void **state)
{
	char *copy = okta_wipe_strdup("secret");
	unsigned char *zeros = okta_wipe_calloc(4, 8);
	size_t i;

	(void)state;
	assert_string_equal(copy, "secret");
	assert_non_null(zeros);
	for (i = 0; i < 32; i++)
		assert_int_equal(zeros[i], 0);
	okta_wipe_free(copy);
	okta_wipe_free(zeros);
}

/* Not OpenSSL 3 as libcurl's backend, or no context: nothing is called. */
static void test_tls_plaintext_needs_openssl_3(void **state)
{
	int not_a_ctx = 0;

	(void)state;
	assert_false(okta_wipe_tls_plaintext(&not_a_ctx, "GnuTLS/3.7.9"));
	assert_false(okta_wipe_tls_plaintext(&not_a_ctx, "OpenSSL/1.1.1k"));
	assert_false(okta_wipe_tls_plaintext(&not_a_ctx, "(OpenSSL/3.0.2) GnuTLS/3.7.9"));
	assert_false(okta_wipe_tls_plaintext(&not_a_ctx, NULL));
	assert_false(okta_wipe_tls_plaintext(NULL, "OpenSSL/3.0.19"));
}

static int cloexec(int fd)
{
	return (fcntl(fd, F_GETFD) & FD_CLOEXEC) != 0;
}

/* Only AF_UNIX sockets and pipes made after the snapshot are changed: the
 * channels libcurl makes for its own wakeups (a socketpair in 7.68 to 8.4, a
 * pipe without close-on-exec in 8.5 to 8.7). */
static void test_cloexec_new_pipes_and_unix_sockets_only(void **state)
{
	struct okta_fd_snapshot before;
	int old_pair[2], old_pipe[2], new_pair[2], new_pipe[2];
	int inet;

	(void)state;
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, old_pair), 0);
	assert_int_equal(pipe(old_pipe), 0);
	okta_fd_snapshot_take(&before);
	assert_true(before.ok);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, new_pair), 0);
	assert_int_equal(pipe(new_pipe), 0);
	inet = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(inet >= 0);
	assert_int_equal(okta_fd_cloexec_new_pipes_and_unix_sockets(&before), 4);
	assert_true(cloexec(new_pair[0]) && cloexec(new_pair[1]));
	assert_true(cloexec(new_pipe[0]) && cloexec(new_pipe[1]));
	assert_false(cloexec(old_pair[0]) || cloexec(old_pair[1]));
	assert_false(cloexec(old_pipe[0]) || cloexec(old_pipe[1]));
	assert_false(cloexec(inet));
	okta_fd_snapshot_clear(&before);
	close(old_pair[0]);
	close(old_pair[1]);
	close(old_pipe[0]);
	close(old_pipe[1]);
	close(new_pair[0]);
	close(new_pair[1]);
	close(new_pipe[0]);
	close(new_pipe[1]);
	close(inet);
}

/*
 * Without /proc (a chroot or container that mounts none) the new pipe is
 * still found: in a child with a mount namespace of its own and /proc
 * unmounted there (root only; skipped otherwise).
 */
static int marks_without_proc(void)
{
	struct okta_fd_snapshot before;
	int fds[2];

	if (unshare(CLONE_NEWNS) != 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) != 0)
		return 2;
	if (umount2("/proc", MNT_DETACH) != 0 && errno != EINVAL)
		return 2;
	if (opendir("/proc/self/fd") != NULL)
		return 3;
	okta_fd_snapshot_take(&before);
	if (pipe(fds) != 0)
		return 3;
	if (okta_fd_cloexec_new_pipes_and_unix_sockets(&before) != 2 || !cloexec(fds[0]) ||
	    !cloexec(fds[1]))
		return 1;
	okta_fd_snapshot_clear(&before);
	return 0;
}

static void test_cloexec_without_proc(void **state)
{
	int status = 0;
	pid_t pid;

	(void)state;
	if (geteuid() != 0)
		skip();
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(marks_without_proc());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip(); /* no mount namespace here */
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_realloc_keeps_the_data),
		cmocka_unit_test(test_strdup_and_calloc),
		cmocka_unit_test(test_tls_plaintext_needs_openssl_3),
		cmocka_unit_test(test_cloexec_new_pipes_and_unix_sockets_only),
		cmocka_unit_test(test_cloexec_without_proc),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
