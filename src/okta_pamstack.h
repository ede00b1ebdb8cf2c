/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an /etc/pam.d service file does with pam_okta_session when Okta is
 * unreachable: fail closed, let a local break-glass group past it, fail
 * open on PAM_AUTHINFO_UNAVAIL only, or fail open on everything.
 *
 * The auth lines are parsed (simple and [value=action ...] controls,
 * @include / include / substack) and then run, as libpam's dispatcher runs
 * them (pam_dispatch.c: impression, status, ok/done/bad/die/ignore/reset
 * and jumps), for every combination of: what pam_okta_session returns
 * (PAM_SUCCESS, PAM_AUTH_ERR, PAM_AUTHINFO_UNAVAIL), whether the user is in
 * each group a `pam_succeed_if.so user ingroup G` line tests, and whether
 * each other module (pam_unix.so...) accepts the user's credential. The
 * verdict follows from which combinations log in. Pure: no libpam, no
 * files (included files come through a callback), fuzzable.
 */
#ifndef OKTA_PAMSTACK_H
#define OKTA_PAMSTACK_H

#include <stdbool.h>
#include <stddef.h>

/* Include and substack nesting deeper than this is refused (a loop). */
#define OKTA_PAMSTACK_MAX_DEPTH 8

enum okta_pamstack_verdict {
	OKTA_PAMSTACK_ERROR,             /* unreadable or unparsable; see error */
	OKTA_PAMSTACK_NOT_IN_AUTH,       /* no pam_okta_session.so auth line */
	OKTA_PAMSTACK_NO_LOGIN,          /* not even a good Okta token logs in */
	OKTA_PAMSTACK_FAIL_CLOSED,       /* Okta down: everybody refused */
	OKTA_PAMSTACK_BREAK_GLASS,       /* Okta down: only members of groups[] get in */
	OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL, /* Okta down: the rest of the stack decides */
	OKTA_PAMSTACK_FAIL_OPEN_ALL,     /* a refused token (PAM_AUTH_ERR) does not stop a login */
};

struct okta_pamstack_report {
	enum okta_pamstack_verdict verdict;
	/* Break-glass groups (comma-separated), also with FAIL_OPEN_UNAVAIL. */
	char groups[256];
	/* The way past Okta (break-glass or fail-open) asks for no other
	 * credential: no module but pam_okta_session checks anything. */
	bool bypass_without_credential;
	/* A good Okta token alone is not enough: another module must accept
	 * the user too (e.g. pam_unix after the module). */
	bool okta_needs_more;
	char error[256];
};

/*
 * Reads an included file: returns its text (malloc'ed, the caller frees
 * it) or NULL with a reason in err. name is as written in the stack file.
 */
typedef char *(*okta_pamstack_reader)(void *ctx, const char *name, char *err, size_t errlen);

/*
 * Analyse the auth stack of a PAM service file's text. reader may be NULL
 * (an include is then an error). Returns the verdict, also in report.
 */
enum okta_pamstack_verdict okta_pamstack_analyse(const char *text, okta_pamstack_reader reader,
						 void *reader_ctx,
						 struct okta_pamstack_report *report);

/* One line for an administrator: "fail closed: ...", "break-glass group X: ...". */
void okta_pamstack_describe(const struct okta_pamstack_report *report, char *out, size_t outlen);

#endif
