/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What an /etc/pam.d service file does with pam_okta_session when Okta is
 * unreachable: fail closed, let a local break-glass group past it, fail
 * open on PAM_AUTHINFO_UNAVAIL only, or fail open on everything.
 *
 * The auth lines are parsed (simple and [value=action ...] controls,
 * @include / include / substack) and then run, as libpam's dispatcher runs
 * them (pam_dispatch.c: impression, status, ok/done/bad/die/ignore/reset
 * and jumps), for every combination of: each return code pam_okta_session
 * can give (and PAM_MODULE_UNKNOWN, libpam's when the module cannot be
 * loaded), whether the user is in each group a `pam_succeed_if.so user
 * ingroup G` line tests, and each return code of every other module (once
 * per set of codes that take the same way): a module known to check a
 * credential (pam_unix.so, pam_sss.so...: one table in okta_pamstack.c)
 * counts as one when it returns PAM_SUCCESS, any other module checks no
 * credential and is taken to let the user through as far as the stack
 * allows. Each pam_okta_session.so line is a call with its own code. The
 * file is read as libpam reads it (pam_line.c, _pam_tokenize); a line
 * libpam would read as a failing one (an unknown type) is refused. The
 * verdict follows from which combinations log in: fail closed only if nothing but PAM_SUCCESS does, fail open on
 * PAM_AUTHINFO_UNAVAIL only if that code alone does. Pure: no libpam, no
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
	OKTA_PAMSTACK_FAIL_OPEN_ERRORS,  /* codes other than AUTHINFO_UNAVAIL (see codes) let in */
	OKTA_PAMSTACK_FAIL_OPEN_ALL,     /* a refused token (PAM_AUTH_ERR) does not stop a login */
};

/* At most this many ways in are described; more are summed up in the last. */
#define OKTA_PAMSTACK_MAX_WAYS 8

/* One way into the stack other than a good token for everybody: "PAM_CONV_ERR
 * from pam_okta_session.so lets the user in with pam_unix.so's password". */
struct okta_pamstack_way {
	char text[512];
	/* The documented kind: PAM_AUTHINFO_UNAVAIL (everybody) or a group's
	 * way past the module, and another credential checked on it. */
	bool accepted;
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
	/* FAIL_OPEN_ERRORS: the module's return codes besides PAM_SUCCESS and
	 * PAM_AUTHINFO_UNAVAIL that let everybody in ("PAM_CONV_ERR, ..."). */
	char codes[512];
	struct okta_pamstack_way ways[OKTA_PAMSTACK_MAX_WAYS];
	int way_count;
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
