/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dlopen the built module as libpam would, and check that it exports the
 * five pam_sm_* hooks and nothing of its internals (module.map). TAP output.
 */
#include "config.h"

#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>

static int test_number;
static int failures;

static void check(int ok, const char *what)
{
	printf("%s %d - %s\n", ok ? "ok" : "not ok", ++test_number, what);
	if (!ok)
		failures++;
}

int main(void)
{
	static const char *const exported[] = {
		"pam_sm_authenticate", "pam_sm_setcred",       "pam_sm_acct_mgmt",
		"pam_sm_open_session", "pam_sm_close_session",
	};
	static const char *const hidden[] = {
		"okta_config_parse",          "okta_parse_session", "okta_create_session",
		"okta_workflow_authenticate", "okta_log",           "pam_sm_chauthtok",
	};
	const char *path = getenv("PAM_OKTA_MODULE");
	char what[128];
	void *module;
	size_t i;

	printf("1..%zu\n",
	       1 + sizeof(exported) / sizeof(exported[0]) + sizeof(hidden) / sizeof(hidden[0]));
	if (path == NULL)
		path = ".libs/pam_okta_session.so";
	/* RTLD_NOW: every symbol the module needs must resolve, as in sshd. */
	module = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	check(module != NULL, "module loads with RTLD_NOW");
	if (module == NULL) {
		printf("# %s\n", dlerror());
		return 1;
	}
	for (i = 0; i < sizeof(exported) / sizeof(exported[0]); i++) {
		snprintf(what, sizeof(what), "exports %s", exported[i]);
		check(dlsym(module, exported[i]) != NULL, what);
	}
	for (i = 0; i < sizeof(hidden) / sizeof(hidden[0]); i++) {
		snprintf(what, sizeof(what), "does not export %s", hidden[i]);
		check(dlsym(module, hidden[i]) == NULL, what);
	}
	dlclose(module);
	return failures == 0 ? 0 : 1;
}
