/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD shim for tests/integration/test_signin.py: getpwnam_r() answers
 * the error number in PAM_OKTA_TEST_FAIL_GETPWNAM (in the test process's
 * environment), as NSS does when sssd or an LDAP server cannot answer, and
 * passes every call on to libc when it is unset.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <pwd.h>
#include <stdlib.h>

int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t buflen,
	       struct passwd **result)
{
	int (*real)(const char *, struct passwd *, char *, size_t, struct passwd **);
	const char *fail = getenv("PAM_OKTA_TEST_FAIL_GETPWNAM");

	if (fail != NULL && atoi(fail) > 0) {
		*result = NULL;
		return atoi(fail);
	}
	*(void **)&real = dlsym(RTLD_NEXT, "getpwnam_r");
	if (real == NULL) {
		*result = NULL;
		return 5; /* EIO */
	}
	return real(name, pwd, buf, buflen, result);
}
