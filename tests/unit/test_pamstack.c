/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_pamstack.h: what an /etc/pam.d auth stack does with
 * pam_okta_session whatever it returns. The three documented stacks
 * (conf/pam.d/breakglass/) are judged in tests/integration/test_check_tool.py
 * from the files themselves; here the parser and the dispatcher model are
 * taken apart line by line.
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "okta_pamstack.h"

#define OKTA "/lib/x86_64-linux-gnu/security/pam_okta_session.so conf=/etc/x.conf"

/* Included files for the tests: name -> text. */
struct files {
	const char *names[4];
	const char *texts[4];
};

static char *read_from(void *ctx, const char *name, char *err, size_t errlen)
{
	const struct files *files = ctx;
	int i;

	for (i = 0; files != NULL && i < 4 && files->names[i] != NULL; i++)
		if (strcmp(files->names[i], name) == 0)
			return strdup(files->texts[i]);
	snprintf(err, errlen, "no such file");
	return NULL;
}

static struct okta_pamstack_report analyse_with(const char *text, struct files *files)
{
	struct okta_pamstack_report r;

	okta_pamstack_analyse(text, read_from, files, &r);
	return r;
}

static enum okta_pamstack_verdict verdict_of(const char *text)
{
	struct okta_pamstack_report r = analyse_with(text, NULL);

	if (r.verdict == OKTA_PAMSTACK_ERROR)
		print_message("# error: %s\n", r.error);
	return r.verdict;
}

/* ---------------------------------------------------- the three stacks */

static void test_fail_closed_required(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth required " OKTA "\n"
				    "account required pam_unix.so\n"
				    "session required " OKTA "\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(verdict_of("auth requisite pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(verdict_of("auth [success=ok default=die] pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

static void test_fail_closed_with_password_after(void **state)
{
	struct okta_pamstack_report r = analyse_with(
		"auth [success=ok default=die] pam_okta_session.so\nauth required pam_unix.so\n",
		NULL);

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_CLOSED);
	assert_true(r.okta_needs_more);
	assert_int_equal(r.way_count, 0);
}

/* ------------------------------------- every return code of the module */

/* The first line of r's ways that contains needle, or fails. */
static const struct okta_pamstack_way *way_with(const struct okta_pamstack_report *r,
						const char *needle)
{
	int i;

	for (i = 0; i < r->way_count; i++)
		if (strstr(r->ways[i].text, needle) != NULL)
			return &r->ways[i];
	for (i = 0; i < r->way_count; i++)
		print_message("# way: %s\n", r->ways[i].text);
	fail_msg("no way in says '%s'", needle);
	return NULL;
}

/* Issue 15, finding 1: with sshd's password method the MFA prompt gets
 * PAM_CONV_ERR, default=ignore skips the module and pam_unix alone decides.
 * A configuration made 0644 (PAM_SERVICE_ERR) and a module that cannot be
 * loaded (PAM_MODULE_UNKNOWN) fall through the same way. */
static void test_default_ignore_after_die_codes_is_fail_open(void **state)
{
	struct okta_pamstack_report r = analyse_with(
		"auth [success=done auth_err=die authinfo_unavail=die default=ignore] " OKTA "\n"
		"auth required pam_unix.so\n",
		NULL);
	const struct okta_pamstack_way *w;
	char said[1024];

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ERRORS);
	assert_false(r.bypass_without_credential);
	assert_non_null(strstr(r.codes, "PAM_CONV_ERR"));
	assert_non_null(strstr(r.codes, "PAM_SERVICE_ERR"));
	assert_non_null(strstr(r.codes, "PAM_MODULE_UNKNOWN"));
	assert_null(strstr(r.codes, "PAM_AUTH_ERR"));
	assert_null(strstr(r.codes, "PAM_AUTHINFO_UNAVAIL"));
	w = way_with(&r, "PAM_CONV_ERR");
	assert_non_null(strstr(w->text, "from pam_okta_session.so let the user in with "
					"pam_unix.so's password"));
	assert_false(w->accepted);
	okta_pamstack_describe(&r, said, sizeof(said));
	assert_non_null(strstr(said, "fail open on PAM_SERVICE_ERR"));
	assert_non_null(strstr(said, "DANGEROUS"));
}

/* Only PAM_SERVICE_ERR added to the documented fail-open code. */
static void test_service_err_falls_through(void **state)
{
	struct okta_pamstack_report r = analyse_with(
		"auth [success=done authinfo_unavail=ignore service_err=ignore default=die] " OKTA
		"\n"
		"auth required pam_unix.so\n",
		NULL);

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ERRORS);
	assert_string_equal(r.codes, "PAM_SERVICE_ERR");
	assert_int_equal(r.way_count, 2);
	assert_false(way_with(&r, "PAM_SERVICE_ERR from pam_okta_session.so lets the user in "
				  "with pam_unix.so's password")
			     ->accepted);
	assert_true(way_with(&r, "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user "
				 "in with pam_unix.so's password")
			    ->accepted);
}

/* Each code the module can return is tried: a stack that lets exactly that
 * one through is judged by it. */
static void test_every_code_is_tried(void **state)
{
	static const struct {
		const char *value;
		const char *name;
		enum okta_pamstack_verdict verdict;
	} codes[] = {
		{ "auth_err", "PAM_AUTH_ERR", OKTA_PAMSTACK_FAIL_OPEN_ALL },
		{ "authinfo_unavail", "PAM_AUTHINFO_UNAVAIL", OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL },
		{ "service_err", "PAM_SERVICE_ERR", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		{ "conv_err", "PAM_CONV_ERR", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		{ "buf_err", "PAM_BUF_ERR", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		{ "system_err", "PAM_SYSTEM_ERR", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		{ "user_unknown", "PAM_USER_UNKNOWN", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		{ "ignore", "PAM_IGNORE", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		{ "module_unknown", "PAM_MODULE_UNKNOWN", OKTA_PAMSTACK_FAIL_OPEN_ERRORS },
		/* libpam returns PAM_INCOMPLETE to the application at once and
		 * resumes at the module: it never reaches the next line */
		{ "incomplete", "", OKTA_PAMSTACK_FAIL_CLOSED },
		/* the module never returns these */
		{ "maxtries", "", OKTA_PAMSTACK_FAIL_CLOSED },
		{ "cred_insufficient", "", OKTA_PAMSTACK_FAIL_CLOSED },
	};
	char text[256];
	struct okta_pamstack_report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		snprintf(text, sizeof(text),
			 "auth [success=done %s=ignore default=die] pam_okta_session.so\n"
			 "auth required pam_unix.so\n",
			 codes[i].value);
		print_message("# %s", text);
		r = analyse_with(text, NULL);
		assert_int_equal(r.verdict, codes[i].verdict);
		if (codes[i].name[0] != '\0') {
			assert_int_equal(r.way_count, 1);
			assert_non_null(strstr(r.ways[0].text, codes[i].name));
			assert_non_null(strstr(r.ways[0].text,
					       "lets the user in with pam_unix.so's password"));
		} else
			assert_int_equal(r.way_count, 0);
	}
}

/* `required` lets PAM_IGNORE pass: the stack's other yes decides. */
static void test_required_then_password_lets_ignore_through(void **state)
{
	struct okta_pamstack_report r = analyse_with(
		"auth required pam_okta_session.so\nauth required pam_unix.so\n", NULL);

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ERRORS);
	assert_string_equal(r.codes, "PAM_IGNORE");
	way_with(&r, "PAM_IGNORE from pam_okta_session.so lets the user in with pam_unix.so's "
		     "password");
	/* alone, the module's PAM_IGNORE leaves no yes: refused */
	assert_int_equal(verdict_of("auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

/* ------------------------------------------- credential or not */

/* Issue 15, finding 1: a module that checks no credential after a fail-open
 * line lets anyone in while Okta is down. */
static void test_succeed_if_after_unavail_is_no_credential(void **state)
{
	struct okta_pamstack_report r =
		analyse_with("auth [success=done authinfo_unavail=ignore default=die] " OKTA "\n"
			     "auth required pam_succeed_if.so uid >= 1000\n",
			     NULL);
	const struct okta_pamstack_way *w;
	char said[1024];

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	assert_true(r.bypass_without_credential);
	w = way_with(&r, "PAM_AUTHINFO_UNAVAIL from pam_okta_session.so lets the user in with no "
			 "credential at all (said yes: pam_succeed_if.so uid >= 1000)");
	assert_false(w->accepted);
	okta_pamstack_describe(&r, said, sizeof(said));
	assert_non_null(strstr(said, "DANGEROUS"));
}

static void test_only_known_modules_check_a_credential(void **state)
{
	static const char *const no_credential[] = {
		"pam_succeed_if.so uid >= 1000",
		"pam_permit.so",
		"pam_localuser.so",
		"pam_faillock.so preauth",
		"pam_faillock.so authsucc",
		"pam_env.so",
		"pam_rootok.so",
		"/opt/vendor/pam_mystery.so --strict",
	};
	static const char *const credential[] = {
		"pam_unix.so",   "pam_sss.so",     "pam_ldap.so",
		"pam_krb5.so",   "pam_winbind.so", "pam_u2f.so",
		"pam_yubico.so", "pam_duo.so",     "pam_google_authenticator.so",
		"pam_oath.so",   "pam_pkcs11.so",  "pam_radius_auth.so",
	};
	char text[256];
	struct okta_pamstack_report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(no_credential) / sizeof(no_credential[0]); i++) {
		snprintf(text, sizeof(text),
			 "auth [success=done authinfo_unavail=ignore default=die] "
			 "pam_okta_session.so\nauth required %s\n",
			 no_credential[i]);
		print_message("# %s", text);
		r = analyse_with(text, NULL);
		assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
		assert_true(r.bypass_without_credential);
	}
	for (i = 0; i < sizeof(credential) / sizeof(credential[0]); i++) {
		snprintf(text, sizeof(text),
			 "auth [success=done authinfo_unavail=ignore default=die] "
			 "pam_okta_session.so\nauth required %s\n",
			 credential[i]);
		print_message("# %s", text);
		r = analyse_with(text, NULL);
		assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
		assert_false(r.bypass_without_credential);
		assert_int_equal(r.way_count, 1);
		assert_true(r.ways[0].accepted);
		assert_non_null(strstr(r.ways[0].text, credential[i]));
	}
	/* pam_faildelay only ever returns PAM_IGNORE: no yes of its own */
	assert_int_equal(verdict_of("auth [success=done authinfo_unavail=ignore default=die] "
				    "pam_okta_session.so\nauth required pam_faildelay.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

/* A failure of a module that checks no credential may jump over a refusal. */
static void test_failure_of_a_non_credential_module_is_tried(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth [success=ok default=1] pam_localuser.so\n"
				    "auth requisite pam_deny.so\n"
				    "auth required pam_unix.so\n"
				    "auth [success=ok default=die] pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(verdict_of("auth [success=ok default=die] pam_okta_session.so\n"
				    "auth [success=ok default=1] pam_localuser.so\n"
				    "auth [success=done default=ignore] pam_permit.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(verdict_of("auth [default=1 success=ignore] pam_localuser.so\n"
				    "auth requisite pam_okta_session.so\n"
				    "auth required pam_unix.so\n"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
}

/* ------------------------------------------- the shipped stacks, with faillock */

static const char faillock_closed[] = "auth requisite pam_faillock.so preauth\n"
				      "auth [success=done default=ignore] " OKTA "\n"
				      "auth [default=die] pam_faillock.so authfail\n"
				      "account required pam_faillock.so\n";

static const char faillock_break_glass[] =
	"auth [success=3 default=ignore] pam_succeed_if.so quiet_fail user ingroup "
	"okta-breakglass\n"
	"auth requisite pam_faillock.so preauth\n"
	"auth [success=done default=ignore] " OKTA "\n"
	"auth [default=die] pam_faillock.so authfail\n"
	"auth required pam_unix.so\n";

static const char faillock_fail_open[] =
	"auth requisite pam_faillock.so preauth\n"
	"auth [success=done authinfo_unavail=1 default=ignore] " OKTA "\n"
	"auth [default=die] pam_faillock.so authfail\n"
	"auth required pam_unix.so\n";

static void test_faillock_stacks(void **state)
{
	struct okta_pamstack_report r;

	(void)state;
	r = analyse_with(faillock_closed, NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_CLOSED);
	assert_false(r.okta_needs_more);
	assert_int_equal(r.way_count, 0);
	r = analyse_with(faillock_break_glass, NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_BREAK_GLASS);
	assert_false(r.bypass_without_credential);
	assert_int_equal(r.way_count, 1);
	assert_true(r.ways[0].accepted);
	assert_string_equal(r.ways[0].text,
			    "the stack lets members of okta-breakglass in without running "
			    "pam_okta_session.so, with pam_unix.so's password");
	r = analyse_with(faillock_fail_open, NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	assert_false(r.bypass_without_credential);
	assert_int_equal(r.way_count, 1);
	assert_true(r.ways[0].accepted);
	/* preauth's yes stays when the module's line lets PAM_IGNORE pass */
	r = analyse_with("auth requisite pam_faillock.so preauth\n"
			 "auth required pam_okta_session.so\n",
			 NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ERRORS);
	assert_true(r.bypass_without_credential);
	way_with(&r, "PAM_IGNORE from pam_okta_session.so lets the user in with no credential at "
		     "all (said yes: pam_faillock.so preauth)");
}

/* Many modules that each may do anything: refused, not a long wait. */
static void test_too_many_combinations(void **state)
{
	char text[2048] = "";
	struct okta_pamstack_report r;
	int i;

	(void)state;
	for (i = 0; i < 7; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
			 "auth [success=ok default=1] pam_x%d.so\nauth optional pam_y%d.so\n", i,
			 i);
	strcat(text, "auth required pam_okta_session.so\n");
	r = analyse_with(text, NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_ERROR);
	assert_non_null(strstr(r.error, "combinations of return codes: too many"));
}

static const char break_glass[] =
	"auth [success=1 default=ignore] pam_succeed_if.so quiet_fail user ingroup okta-breakglass\n"
	"auth [success=done default=die] " OKTA "\n"
	"auth required pam_unix.so\n";

static void test_break_glass_group(void **state)
{
	struct okta_pamstack_report r = analyse_with(break_glass, NULL);
	char said[512];

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_BREAK_GLASS);
	assert_string_equal(r.groups, "okta-breakglass");
	assert_false(r.bypass_without_credential);
	okta_pamstack_describe(&r, said, sizeof(said));
	assert_non_null(strstr(said, "break-glass group okta-breakglass"));
}

static void test_break_glass_without_credential_is_dangerous(void **state)
{
	struct okta_pamstack_report r =
		analyse_with("auth sufficient pam_succeed_if.so user ingroup wheel\n"
			     "auth required pam_okta_session.so\n",
			     NULL);
	char said[512];

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_BREAK_GLASS);
	assert_true(r.bypass_without_credential);
	okta_pamstack_describe(&r, said, sizeof(said));
	assert_non_null(strstr(said, "DANGEROUS"));
}

static const char fail_open[] = "auth [success=done authinfo_unavail=ignore default=die] " OKTA "\n"
				"auth required pam_unix.so\n";

static void test_fail_open_on_authinfo_unavail(void **state)
{
	struct okta_pamstack_report r = analyse_with(fail_open, NULL);

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	assert_false(r.bypass_without_credential);
	assert_string_equal(r.groups, "");
}

/* A value a bracket control does not name, and no default=: "bad". */
static void test_bracket_without_default_is_bad(void **state)
{
	(void)state;
	assert_int_equal(
		verdict_of("auth [success=done authinfo_unavail=ignore] pam_okta_session.so\n"
			   "auth required pam_unix.so\n"),
		OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
}

/* Only ignoring the unavailability, with nothing after it, still refuses:
 * libpam fails a stack in which no module said yes. */
static void test_ignore_alone_fails_closed(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth [success=ok authinfo_unavail=ignore default=bad] "
				    "pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

static void test_fail_open_to_permit_is_dangerous(void **state)
{
	struct okta_pamstack_report r = analyse_with(
		"auth [success=done authinfo_unavail=ignore default=die] pam_okta_session.so\n"
		"auth required pam_permit.so\n",
		NULL);

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	assert_true(r.bypass_without_credential);
}

/* ------------------------------------------------------ misuses */

static void test_fail_open_on_everything(void **state)
{
	static const char *const stacks[] = {
		"auth optional pam_okta_session.so\nauth required pam_unix.so\n",
		"auth sufficient pam_okta_session.so\nauth required pam_unix.so\n",
		"auth [success=done default=ignore] pam_okta_session.so\nauth required pam_unix.so\n",
		/* auth_err forgotten: it falls to the default, ignore */
		"auth [success=done authinfo_unavail=ignore default=ignore] pam_okta_session.so\n"
		"auth required pam_unix.so\n",
		/* a jump on failure over the only refusal */
		"auth [success=2 default=1] pam_okta_session.so\nauth requisite pam_deny.so\n"
		"auth required pam_unix.so\n",
		/* password first, done: Okta never asked */
		"auth sufficient pam_unix.so\nauth required pam_okta_session.so\n",
		/* reset after a refusal forgets it */
		"auth required pam_okta_session.so\nauth [default=reset] pam_deny.so\n"
		"auth required pam_unix.so\n",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(stacks) / sizeof(stacks[0]); i++) {
		print_message("# %s", stacks[i]);
		assert_int_equal(verdict_of(stacks[i]), OKTA_PAMSTACK_FAIL_OPEN_ALL);
	}
}

static void test_optional_alone_is_dangerous_only_with_a_yes(void **state)
{
	(void)state;
	/* libpam: a stack in which nobody said yes fails */
	assert_int_equal(verdict_of("auth optional pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(
		verdict_of("auth optional pam_okta_session.so\nauth required pam_permit.so\n"),
		OKTA_PAMSTACK_FAIL_OPEN_ALL);
}

/* Debian's common-auth shape is fail closed: the jump lands on pam_deny. */
static void test_debian_style_jump_is_fail_closed(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth [success=1 default=ignore] pam_okta_session.so\n"
				    "auth requisite pam_deny.so\n"
				    "auth required pam_permit.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

static void test_bad_jump_refuses(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth [success=5 default=die] pam_okta_session.so\n"
				    "auth required pam_permit.so\n"),
			 OKTA_PAMSTACK_NO_LOGIN);
}

static void test_not_in_auth(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("session required pam_okta_session.so\n"
				    "auth required pam_unix.so\n"),
			 OKTA_PAMSTACK_NOT_IN_AUTH);
	assert_int_equal(verdict_of("# auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_NOT_IN_AUTH);
	assert_int_equal(verdict_of("auth required pam_unix.so # pam_okta_session.so\n"),
			 OKTA_PAMSTACK_NOT_IN_AUTH);
	assert_int_equal(verdict_of(""), OKTA_PAMSTACK_NOT_IN_AUTH);
}

static void test_no_login(void **state)
{
	(void)state;
	assert_int_equal(
		verdict_of("auth requisite pam_deny.so\nauth required pam_okta_session.so\n"),
		OKTA_PAMSTACK_NO_LOGIN);
}

/* ------------------------------------------------------ syntax */

static void test_syntax_variants(void **state)
{
	(void)state;
	/* case, tabs, leading dash, continuation, bracket control over two lines */
	assert_int_equal(verdict_of("AUTH\tREQUIRED\tpam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(verdict_of("-auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(verdict_of("auth [success=done \\\n default=ignore] pam_okta_session.so\n"
				    "auth required pam_unix.so"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* another module of that name elsewhere is the same module */
	assert_int_equal(
		verdict_of(
			"auth optional /opt/x/pam_okta_session.so\nauth required pam_permit.so\n"),
		OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* but not a module whose name only ends alike */
	assert_int_equal(verdict_of("auth required pam_not_okta_session.so\n"),
			 OKTA_PAMSTACK_NOT_IN_AUTH);
}

static void test_syntax_errors(void **state)
{
	static const char *const bad[] = {
		"auth sometimes pam_okta_session.so\n",
		"auth [success=ok default=maybe] pam_okta_session.so\n",
		"auth [succes=ok] pam_okta_session.so\n",
		"auth [success=ok pam_okta_session.so\n",
		"auth [success=0] pam_okta_session.so\n",
		"auth required\n",
		"@include\n",
		"@include missing\n",
	};
	struct okta_pamstack_report r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		r = analyse_with(bad[i], NULL);
		print_message("# %s# -> %s\n", bad[i], r.error);
		assert_int_equal(r.verdict, OKTA_PAMSTACK_ERROR);
		assert_true(r.error[0] != '\0');
	}
}

/* ------------------------------------------------------ includes */

static void test_at_include(void **state)
{
	struct files f = { { "common-auth" },
			   { "auth [success=1 default=ignore] pam_unix.so\n"
			     "auth requisite pam_deny.so\n"
			     "auth required pam_permit.so\n"
			     "session required pam_unix.so\n" } };
	struct okta_pamstack_report r;

	(void)state;
	/* the module, then common-auth: a token and a password */
	r = analyse_with("auth [success=ok default=die] pam_okta_session.so\n"
			 "@include common-auth\n",
			 &f);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_CLOSED);
	assert_true(r.okta_needs_more);
	/* required: the module's PAM_IGNORE would leave it to the password */
	r = analyse_with("auth required pam_okta_session.so\n@include common-auth\n", &f);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ERRORS);
	assert_string_equal(r.codes, "PAM_IGNORE");
	/* common-auth alone: the module is not in the auth stack */
	assert_int_equal(
		analyse_with("@include common-auth\nsession required pam_okta_session.so\n", &f)
			.verdict,
		OKTA_PAMSTACK_NOT_IN_AUTH);
	/* the module in an included file counts */
	f.names[1] = "okta-auth";
	f.texts[1] = "auth sufficient pam_okta_session.so\n";
	assert_int_equal(
		analyse_with("auth include okta-auth\nauth include common-auth\n", &f).verdict,
		OKTA_PAMSTACK_FAIL_OPEN_ALL);
}

static void test_include_loop_is_refused(void **state)
{
	struct files f = { { "a", "b" }, { "@include b\n", "auth include a\n" } };
	struct okta_pamstack_report r = analyse_with("@include a\n", &f);

	(void)state;
	assert_int_equal(r.verdict, OKTA_PAMSTACK_ERROR);
	assert_non_null(strstr(r.error, "deeper than"));
}

/* Many includes of small files: a budget, not 2^depth readings. */
static void test_include_budget(void **state)
{
	struct files f = { { "empty" }, { "# nothing\n" } };
	struct okta_pamstack_report r;
	char text[2048] = "auth required pam_okta_session.so\n";
	int i;

	(void)state;
	for (i = 0; i < 64; i++)
		strcat(text, "@include empty\n");
	assert_int_equal(analyse_with(text, &f).verdict, OKTA_PAMSTACK_FAIL_CLOSED);
	strcat(text, "@include empty\n");
	r = analyse_with(text, &f);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_ERROR);
	assert_non_null(strstr(r.error, "more than 64 included files"));
}

/* A substack's done ends only the substack; a die in it still refuses. */
static void test_substack(void **state)
{
	struct files f = { { "okta" },
			   { "auth sufficient pam_okta_session.so\n"
			     "auth requisite pam_deny.so\n" } };

	(void)state;
	/* as include, sufficient + requisite deny is fail closed; as a
	 * substack too, and pam_unix after it still runs */
	assert_int_equal(
		analyse_with("auth substack okta\nauth required pam_unix.so\n", &f).verdict,
		OKTA_PAMSTACK_FAIL_CLOSED);
	assert_int_equal(analyse_with("auth include okta\nauth required pam_unix.so\n", &f).verdict,
			 OKTA_PAMSTACK_FAIL_CLOSED);
	/* ... but the substack's done leaves pam_unix to run, include's does not */
	assert_true(analyse_with("auth substack okta\nauth required pam_unix.so\n", &f)
			    .okta_needs_more);
	assert_false(
		analyse_with("auth include okta\nauth required pam_unix.so\n", &f).okta_needs_more);
	/* a jump in the parent counts the substack as one line */
	assert_int_equal(
		analyse_with("auth [success=1 default=ignore] pam_succeed_if.so user ingroup adm\n"
			     "auth substack okta\n"
			     "auth required pam_unix.so\n",
			     &f)
			.verdict,
		OKTA_PAMSTACK_BREAK_GLASS);
}

static void test_other_succeed_if_conditions_are_unknowns(void **state)
{
	(void)state;
	/* uid >= 1000 may be true for anyone: a way past the module */
	assert_int_equal(verdict_of("auth sufficient pam_succeed_if.so uid < 1000\n"
				    "auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* notingroup: everyone outside the group skips the module */
	assert_int_equal(
		verdict_of(
			"auth [success=1 default=ignore] pam_succeed_if.so user notingroup okta\n"
			"auth required pam_okta_session.so\n"
			"auth required pam_unix.so\n"),
		OKTA_PAMSTACK_FAIL_OPEN_ALL);
}

/* ------------------------------------------- libpam's reading of the file */

/* A line whose type libpam does not know (a typo, "--auth") is an auth line
 * that fails (PAM_HT_MUST_FAIL): it counts for the jumps around it. */
static void test_unknown_type_is_refused(void **state)
{
	struct okta_pamstack_report r;

	(void)state;
	/* libpam: the jump of a failure lands on the typo line, the next is pam_permit */
	r = analyse_with("auth [success=ok default=1] pam_okta_session.so\n"
			 "acount required pam_access.so\n"
			 "auth sufficient pam_permit.so\n"
			 "auth requisite pam_deny.so\n",
			 NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_ERROR);
	assert_non_null(strstr(r.error, "acount"));
	assert_int_equal(verdict_of("--auth required pam_permit.so\n"
				    "auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_ERROR);
	assert_int_equal(verdict_of("-\nauth required pam_okta_session.so\n"), OKTA_PAMSTACK_ERROR);
	/* the other three types are not judged, in any case */
	assert_int_equal(verdict_of("Account required pam_permit.so\nSESSION optional pam_x.so\n"
				    "-password sufficient pam_permit.so\n"
				    "auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

/* pam_line.c: a physical line holding '#' ends the logical line, even if it
 * ends in a backslash; a backslash followed by blanks still continues. */
static void test_comments_and_continuations_as_libpam(void **state)
{
	(void)state;
	/* libpam reads the pam_permit line; it is not part of the comment */
	assert_int_equal(
		verdict_of("auth [success=done default=ignore] pam_okta_session.so # x \\\n"
			   "auth sufficient pam_permit.so\n"
			   "auth requisite pam_deny.so\n"),
		OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* libpam makes the pam_deny line arguments of pam_echo's */
	assert_int_equal(verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
				    "auth optional pam_echo.so hi \\ \t\n"
				    "auth requisite pam_deny.so\n"
				    "auth sufficient pam_permit.so\n"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* a comment line inside a continued line ends nothing */
	assert_int_equal(verdict_of("auth [success=done \\\n# note\ndefault=ignore] "
				    "pam_okta_session.so\nauth required pam_unix.so\n"),
			 OKTA_PAMSTACK_ERROR);
	/* the file ends inside a continued line: libpam refuses the file */
	assert_int_equal(verdict_of("auth required pam_okta_session.so \\\n"), OKTA_PAMSTACK_ERROR);
}

/* _pam_parse_control compares return and action names case-sensitively: a
 * wrong case makes every action "bad" there, which a reset may undo. */
static void test_control_names_are_case_sensitive(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth [SUCCESS=1 default=die] pam_okta_session.so\n"
				    "auth [default=reset] pam_permit.so\n"
				    "auth required pam_permit.so\n"),
			 OKTA_PAMSTACK_ERROR);
	assert_int_equal(verdict_of("auth [success=OK Default=die] pam_okta_session.so\n"),
			 OKTA_PAMSTACK_ERROR);
}

/* libpam's delimiters are space, tab and newline: a CR is part of a token,
 * so "pam_okta_session.so\r" is a module that does not load. */
static void test_carriage_return_is_not_a_blank(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth required pam_okta_session.so\r\n"),
			 OKTA_PAMSTACK_NOT_IN_AUTH);
	assert_int_equal(verdict_of("auth\r[success=1 default=ignore] pam_deny.so\n"
				    "auth required pam_okta_session.so\n"),
			 OKTA_PAMSTACK_ERROR);
}

/* Module paths are case-sensitive (pam_handlers.c): PAM_DENY.so is not
 * pam_deny.so, it is a module that does not load (PAM_MODULE_UNKNOWN). */
static void test_module_names_are_case_sensitive(void **state)
{
	(void)state;
	assert_int_equal(verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
				    "auth [auth_err=die default=ignore] PAM_DENY.so\n"
				    "auth required pam_unix.so\n"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
	assert_int_equal(verdict_of("auth required PAM_OKTA_SESSION.so\n"),
			 OKTA_PAMSTACK_NOT_IN_AUTH);
}

/* A credential module does not only accept or refuse: pam_sss
 * (ignore_authinfo_unavail, ignore_unknown_user), pam_google_authenticator
 * (nullok), pam_krb5 (minimum_uid) answer PAM_IGNORE, which "required"
 * ignores; every module may answer PAM_USER_UNKNOWN, PAM_AUTHINFO_UNAVAIL,
 * PAM_MODULE_UNKNOWN (not installed)... Each is tried. */
static void test_every_code_of_other_modules_is_tried(void **state)
{
	struct okta_pamstack_report r;

	(void)state;
	r = analyse_with("auth requisite pam_faillock.so preauth\n"
			 "auth [success=done authinfo_unavail=ignore default=die] "
			 "pam_okta_session.so\n"
			 "auth required pam_google_authenticator.so nullok\n",
			 NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	assert_true(r.bypass_without_credential);
	r = analyse_with("auth required pam_env.so\n"
			 "auth [success=done authinfo_unavail=ignore default=die] "
			 "pam_okta_session.so\n"
			 "auth required pam_sss.so ignore_authinfo_unavail\n",
			 NULL);
	assert_true(r.bypass_without_credential);
	/* a code no simple control tells apart: a jump on user_unknown (a user
	 * pam_unix does not know, from sssd, jumps over the module) */
	assert_int_equal(verdict_of("auth requisite pam_faillock.so preauth\n"
				    "auth [success=ok user_unknown=1 default=die] pam_unix.so\n"
				    "auth requisite pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
	assert_int_equal(verdict_of("auth [success=ok default=die] pam_okta_session.so\n"
				    "auth [success=ok new_authtok_reqd=1 default=die] "
				    "pam_localuser.so\n"
				    "auth [default=die] pam_deny.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
	/* pam_unix never answers PAM_IGNORE: the shipped fail-open stack stays ok */
	r = analyse_with(faillock_fail_open, NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	assert_false(r.bypass_without_credential);
}

/* Each line of the module is a call of its own (a new prompt, a new
 * request): a refused token on the first and an unreachable Okta on the
 * second are not the same code twice. */
static void test_module_on_two_lines_answers_twice(void **state)
{
	struct okta_pamstack_report r;

	(void)state;
	r = analyse_with("auth [success=done auth_err=ignore default=die] pam_okta_session.so\n"
			 "auth [success=done authinfo_unavail=ignore default=die] "
			 "pam_okta_session.so\n"
			 "auth required pam_unix.so\n",
			 NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ALL);
	way_with(&r, "PAM_AUTH_ERR");
	/* the same file included twice: two calls too */
	{
		struct files f = { { "okta-auth" },
				   { "auth [success=done auth_err=ignore default=die] "
				     "pam_okta_session.so\n" } };

		r = analyse_with("auth include okta-auth\n"
				 "auth [success=done authinfo_unavail=ignore default=die] "
				 "pam_okta_session.so\n"
				 "auth required pam_unix.so\n",
				 &f);
		assert_int_equal(r.verdict, OKTA_PAMSTACK_FAIL_OPEN_ALL);
	}
	/* a second chance that still lets only a good token in */
	assert_int_equal(verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
				    "auth [success=done default=die] pam_okta_session.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

/* A path that names no file (a stack copied from a distribution that keeps
 * modules elsewhere) gives PAM_MODULE_UNKNOWN, not the module's own code. */
static void test_module_path_may_name_no_file(void **state)
{
	(void)state;
	assert_int_equal(
		verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
			   "auth [auth_err=die default=ignore] /lib64/security/pam_deny.so\n"
			   "auth required pam_unix.so\n"),
		OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* the name alone is found in libpam's own directory */
	assert_int_equal(verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
				    "auth [auth_err=die default=ignore] pam_deny.so\n"
				    "auth required pam_unix.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

/* _pam_parse_control: default= sets the values not named so far, at that
 * point; a second default= finds none left. */
static void test_first_default_counts(void **state)
{
	(void)state;
	/* libpam: every failure is ignored, pam_unix's password lets in */
	assert_int_equal(verdict_of("auth [success=ok default=ignore default=die] "
				    "pam_okta_session.so\n"
				    "auth required pam_unix.so\n"),
			 OKTA_PAMSTACK_FAIL_OPEN_ALL);
	/* a value named after default= still counts */
	assert_int_equal(verdict_of("auth [default=die success=ok] pam_okta_session.so\n"
				    "auth required pam_unix.so\n"),
			 OKTA_PAMSTACK_FAIL_CLOSED);
}

/* libpam before 1.6 (Debian 12, RHEL 8 and 9) reads lines with fgets() into
 * 1024 bytes: a longer line is cut in two, and the rest of a long comment is
 * read as a line of its own; and a continued line skips blank and comment
 * lines, where libpam 1.6 ends it. Checked with the installed libpam 1.5.2
 * and pam_deny/pam_permit: each hidden line logs in. Refused. */
static void test_lines_older_libpam_reads_otherwise(void **state)
{
	char text[1400];
	struct okta_pamstack_report r;

	(void)state;
	snprintf(text, sizeof(text),
		 "auth [success=done default=ignore] pam_okta_session.so\n"
		 "# %01021d"
		 "auth sufficient pam_permit.so\n"
		 "auth requisite pam_deny.so\n",
		 0);
	r = analyse_with(text, NULL);
	assert_int_equal(r.verdict, OKTA_PAMSTACK_ERROR);
	assert_non_null(strstr(r.error, "1022"));
	assert_int_equal(verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
				    "auth optional pam_warn.so \\\n"
				    "\n"
				    "auth requisite pam_deny.so\n"
				    "auth sufficient pam_permit.so\n"),
			 OKTA_PAMSTACK_ERROR);
	assert_int_equal(verdict_of("auth [success=done default=ignore] pam_okta_session.so\n"
				    "auth optional pam_warn.so \\\n"
				    "  # note\n"
				    "auth requisite pam_deny.so\n"
				    "auth sufficient pam_permit.so\n"),
			 OKTA_PAMSTACK_ERROR);
	/* a line of 1022 characters, which both read alike, is still a line */
	snprintf(text, sizeof(text), "auth required pam_okta_session.so conf=/%0982d\n", 0);
	assert_int_equal(verdict_of(text), OKTA_PAMSTACK_FAIL_CLOSED);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fail_closed_required),
		cmocka_unit_test(test_fail_closed_with_password_after),
		cmocka_unit_test(test_default_ignore_after_die_codes_is_fail_open),
		cmocka_unit_test(test_service_err_falls_through),
		cmocka_unit_test(test_every_code_is_tried),
		cmocka_unit_test(test_required_then_password_lets_ignore_through),
		cmocka_unit_test(test_succeed_if_after_unavail_is_no_credential),
		cmocka_unit_test(test_only_known_modules_check_a_credential),
		cmocka_unit_test(test_failure_of_a_non_credential_module_is_tried),
		cmocka_unit_test(test_faillock_stacks),
		cmocka_unit_test(test_too_many_combinations),
		cmocka_unit_test(test_break_glass_group),
		cmocka_unit_test(test_break_glass_without_credential_is_dangerous),
		cmocka_unit_test(test_fail_open_on_authinfo_unavail),
		cmocka_unit_test(test_bracket_without_default_is_bad),
		cmocka_unit_test(test_ignore_alone_fails_closed),
		cmocka_unit_test(test_fail_open_to_permit_is_dangerous),
		cmocka_unit_test(test_fail_open_on_everything),
		cmocka_unit_test(test_optional_alone_is_dangerous_only_with_a_yes),
		cmocka_unit_test(test_debian_style_jump_is_fail_closed),
		cmocka_unit_test(test_bad_jump_refuses),
		cmocka_unit_test(test_not_in_auth),
		cmocka_unit_test(test_no_login),
		cmocka_unit_test(test_syntax_variants),
		cmocka_unit_test(test_syntax_errors),
		cmocka_unit_test(test_at_include),
		cmocka_unit_test(test_include_loop_is_refused),
		cmocka_unit_test(test_include_budget),
		cmocka_unit_test(test_substack),
		cmocka_unit_test(test_other_succeed_if_conditions_are_unknowns),
		cmocka_unit_test(test_unknown_type_is_refused),
		cmocka_unit_test(test_comments_and_continuations_as_libpam),
		cmocka_unit_test(test_control_names_are_case_sensitive),
		cmocka_unit_test(test_carriage_return_is_not_a_blank),
		cmocka_unit_test(test_module_names_are_case_sensitive),
		cmocka_unit_test(test_every_code_of_other_modules_is_tried),
		cmocka_unit_test(test_module_on_two_lines_answers_twice),
		cmocka_unit_test(test_module_path_may_name_no_file),
		cmocka_unit_test(test_first_default_counts),
		cmocka_unit_test(test_lines_older_libpam_reads_otherwise),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
