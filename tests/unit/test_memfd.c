/* SPDX-License-Identifier: BSD-3-Clause */
/* The sealed copy that carries ca_file to libcurl releases without
 * CURLOPT_CAINFO_BLOB (okta_memfd.c): the bytes it holds are the checked
 * ones, and nothing can change them afterwards. */
#include "config.h"

#include "okta_memfd.h"

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

static int sealed_pem(void)
{
	int fd = okta_memfd_sealed_copy("test-ca", pem, sizeof(pem) - 1);

	assert_true(fd >= 0);
	return fd;
}

/* What opening the path reads: what libcurl (OpenSSL) gets. */
static void assert_path_reads_pem(int fd)
{
	char path[OKTA_MEMFD_PATH_MAX];
	char buf[256];
	ssize_t n;
	int again;

	okta_memfd_path(fd, path, sizeof(path));
	again = open(path, O_RDONLY | O_CLOEXEC);
	assert_true(again >= 0);
	n = read(again, buf, sizeof(buf));
	close(again);
	assert_int_equal(n, sizeof(pem) - 1);
	assert_memory_equal(buf, pem, sizeof(pem) - 1);
}

static void test_content_by_path(void **state)
{
	int fd = sealed_pem();

	(void)state;
	assert_path_reads_pem(fd);
	assert_path_reads_pem(fd); /* each open starts at the beginning */
	close(fd);
}

static void test_path_text(void **state)
{
	char path[OKTA_MEMFD_PATH_MAX];

	(void)state;
	okta_memfd_path(7, path, sizeof(path));
	assert_string_equal(path, "/proc/thread-self/fd/7");
	okta_memfd_path(-2147483647 - 1, path, sizeof(path));
	assert_string_equal(path, "/proc/thread-self/fd/-2147483648");
}

/* The attacker's moves against the copy, through every way in: the
 * descriptor itself, a new read-write open by path, a shared mapping. */
static void test_sealed_against_change(void **state)
{
	char path[OKTA_MEMFD_PATH_MAX];
	int fd = sealed_pem();
	int rw;

	(void)state;
	assert_int_equal(fcntl(fd, F_GET_SEALS),
			 F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	assert_int_equal(pwrite(fd, "X", 1, 0), -1);
	assert_int_equal(errno, EPERM);
	assert_int_equal(ftruncate(fd, 0), -1);
	assert_int_equal(ftruncate(fd, 4096), -1);
	assert_int_equal(fcntl(fd, F_ADD_SEALS, 0), -1); /* F_SEAL_SEAL */
	assert_true(mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0) == MAP_FAILED);
	okta_memfd_path(fd, path, sizeof(path));
	rw = open(path, O_RDWR | O_CLOEXEC);
	if (rw >= 0) {
		assert_int_equal(write(rw, "X", 1), -1);
		assert_int_equal(errno, EPERM);
		close(rw);
	}
	assert_path_reads_pem(fd);
	close(fd);
}

/* A shell or helper the host process starts never inherits it. */
static void test_close_on_exec(void **state)
{
	int fd = sealed_pem();

	(void)state;
	assert_true(fcntl(fd, F_GETFD) & FD_CLOEXEC);
	close(fd);
}

/* An anonymous file: in no directory, so no path a user controls. */
static void test_anonymous(void **state)
{
	char path[OKTA_MEMFD_PATH_MAX];
	char target[256];
	struct stat st;
	ssize_t n;
	int fd = sealed_pem();

	(void)state;
	assert_int_equal(fstat(fd, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, sizeof(pem) - 1);
	okta_memfd_path(fd, path, sizeof(path));
	n = readlink(path, target, sizeof(target) - 1);
	assert_true(n > 0);
	target[n] = '\0';
	assert_string_equal(target, "/memfd:test-ca (deleted)");
	close(fd);
}

/* What a thread of the host that has a descriptor table of its own
 * (unshare(CLONE_FILES)) reads by the path: the copy it made, not what the
 * same number is in the main thread's table. */
struct own_table {
	int planted;   /* the main thread's descriptor with the attacker's bytes */
	int fd;        /* the thread's copy */
	char buf[256]; /* what the thread read by the path */
	ssize_t n;
};

static void *copy_in_own_table(void *arg)
{
	struct own_table *t = arg;
	char path[OKTA_MEMFD_PATH_MAX];
	int again;

	t->n = -1;
	if (unshare(CLONE_FILES) != 0)
		return NULL;
	close(t->planted); /* in this thread's table only: the number is free */
	t->fd = okta_memfd_sealed_copy("test-ca", pem, sizeof(pem) - 1);
	if (t->fd < 0)
		return NULL;
	okta_memfd_path(t->fd, path, sizeof(path));
	again = open(path, O_RDONLY | O_CLOEXEC);
	if (again >= 0) {
		t->n = read(again, t->buf, sizeof(t->buf));
		close(again);
	}
	close(t->fd);
	return NULL;
}

static void test_path_in_a_thread_with_its_own_table(void **state)
{
	static const char attacker[] = "-----BEGIN CERTIFICATE-----\nATTACKER\n";
	struct own_table t;
	pthread_t thread;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.planted = memfd_create("attacker", MFD_CLOEXEC);
	assert_true(t.planted >= 0);
	assert_int_equal(write(t.planted, attacker, sizeof(attacker) - 1), sizeof(attacker) - 1);
	assert_int_equal(pthread_create(&thread, NULL, copy_in_own_table, &t), 0);
	assert_int_equal(pthread_join(thread, NULL), 0);
	assert_int_equal(t.fd, t.planted); /* the same number in both tables */
	assert_int_equal(t.n, sizeof(pem) - 1);
	assert_memory_equal(t.buf, pem, sizeof(pem) - 1);
	close(t.planted);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content_by_path),
		cmocka_unit_test(test_path_text),
		cmocka_unit_test(test_sealed_against_change),
		cmocka_unit_test(test_close_on_exec),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_path_in_a_thread_with_its_own_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
