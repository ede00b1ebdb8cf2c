/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD shim for tests/integration/test_trust.py: pam_putenv() answers
 * PAM_BUF_ERR when it is asked to set the variable named by
 * PAM_OKTA_TEST_FAIL_PUTENV (in the test process's environment), and passes
 * every other call on to libpam. It lets a test make the module's export of
 * a created session fail, as it would when libpam runs out of memory.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <security/pam_appl.h>
#include <stdlib.h>
#include <string.h>

int pam_putenv(pam_handle_t *pamh, const char *name_value)
{
	int (*real)(pam_handle_t *, const char *);
	const char *fail = getenv("PAM_OKTA_TEST_FAIL_PUTENV");
	size_t n;

	if (fail != NULL && fail[0] != '\0') {
		n = strlen(fail);
		if (strncmp(name_value, fail, n) == 0 && name_value[n] == '=')
			return PAM_BUF_ERR;
	}
	*(void **)&real = dlsym(RTLD_NEXT, "pam_putenv");
	return real != NULL ? real(pamh, name_value) : PAM_SYSTEM_ERR;
}
