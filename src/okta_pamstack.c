/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Analysis of a PAM service file's auth stack: see okta_pamstack.h.
 *
 * Parsing follows Linux-PAM's pam_handlers.c (types, the four simple
 * controls, [value=action ...], @include, include, substack, '#' comments,
 * backslash continuation); evaluation follows pam_dispatch.c, so that a
 * Debian-style `[success=1 default=ignore]` + `requisite pam_deny.so` pair
 * is judged by what it does, not by how it looks.
 */
#include "config.h"

#include "okta_pamstack.h"
#include "okta_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Linux-PAM's return codes, in its numbering (_pam_types.h); their names
 * are the value names of a [value=action] control. */
static const char *const value_names[] = {
	"success",
	"open_err",
	"symbol_err",
	"service_err",
	"system_err",
	"buf_err",
	"perm_denied",
	"auth_err",
	"cred_insufficient",
	"authinfo_unavail",
	"user_unknown",
	"maxtries",
	"new_authtok_reqd",
	"acct_expired",
	"session_err",
	"cred_unavail",
	"cred_expired",
	"cred_err",
	"no_module_data",
	"conv_err",
	"authtok_err",
	"authtok_recover_err",
	"authtok_lock_busy",
	"authtok_disable_aging",
	"try_again",
	"ignore",
	"abort",
	"authtok_expired",
	"module_unknown",
	"bad_item",
	"conv_again",
	"incomplete",
};
#define RETURN_VALUES ((int)(sizeof(value_names) / sizeof(value_names[0])))
#define MAX_NAME 128
#define RC_SUCCESS 0
#define RC_SERVICE_ERR 3
#define RC_SYSTEM_ERR 4
#define RC_BUF_ERR 5
#define RC_PERM_DENIED 6 /* libpam's PAM_MUST_FAIL_CODE */
#define RC_AUTH_ERR 7
#define RC_AUTHINFO_UNAVAIL 9
#define RC_USER_UNKNOWN 10
#define RC_NEW_AUTHTOK_REQD 12
#define RC_CONV_ERR 19
#define RC_IGNORE 25
#define RC_MODULE_UNKNOWN 28
#define RC_INCOMPLETE 31
#define BIT(rc) (1u << (rc))

/*
 * Every code pam_okta_session's authenticate can return (a refused token,
 * Okta unreachable, a configuration it refuses, a conversation that failed
 * or was cut short, no memory, a user with no local account, nothing to do),
 * and PAM_MODULE_UNKNOWN, libpam's own when the module cannot be loaded (a
 * wrong path, the package removed): each is tried, so that only the stack
 * decides what a code does, never a guess about which codes happen.
 */
#define OKTA_CODES                                                                             \
	(BIT(RC_SUCCESS) | BIT(RC_AUTH_ERR) | BIT(RC_AUTHINFO_UNAVAIL) | BIT(RC_SERVICE_ERR) | \
	 BIT(RC_CONV_ERR) | BIT(RC_BUF_ERR) | BIT(RC_SYSTEM_ERR) | BIT(RC_INCOMPLETE) |        \
	 BIT(RC_USER_UNKNOWN) | BIT(RC_IGNORE) | BIT(RC_MODULE_UNKNOWN))

/* Every return code. A module other than pam_okta_session is tried with
 * each code it may return (for one not in the table: all of them, as the
 * user, the host or the module's options decide), but codes that take the
 * same way through the stack are tried once (distinct_codes). */
#define ALL_CODES 0xffffffffu
/* pam_sss (ignore_unknown_user, ignore_authinfo_unavail), pam_ldap,
 * pam_krb5 (minimum_uid), pam_google_authenticator (nullok)... answer
 * PAM_IGNORE by option: a "required" line then lets the user past without
 * the credential. pam_unix's authenticate never does (pam_unix_auth.c). */
#define CREDENTIAL_CODES ALL_CODES
#define UNIX_CODES (ALL_CODES & ~BIT(RC_IGNORE))

/* Actions; a positive value is a jump over that many lines. */
enum {
	ACT_IGNORE = 0,
	ACT_OK = -1,
	ACT_DONE = -2,
	ACT_BAD = -3,
	ACT_DIE = -4,
	ACT_RESET = -5,
	ACT_UNDEF = -6,
};

/* What a line's outcome depends on: the unknowns the analysis tries. */
enum unknown_kind {
	U_OKTA,       /* pam_okta_session.so: every code of OKTA_CODES */
	U_GROUP,      /* membership of a group (pam_succeed_if user ingroup G) */
	U_CREDENTIAL, /* a module that checks a credential: accepts it or not */
	U_OTHER,      /* any other module: its results (every code unless known) */
};

struct unknown {
	enum unknown_kind kind;
	char name[MAX_NAME];    /* module (with its arguments for U_OTHER) or group */
	const char *credential; /* U_CREDENTIAL: what it checks, "password" */
	unsigned results;       /* the return codes tried (U_GROUP: none) */
	int group;              /* U_GROUP: its bit in a set of groups */
};

#define MAX_STACKS 16
#define MAX_STACK_LINES 64
#define MAX_GROUPS 4
#define MAX_UNKNOWNS 16 /* the module, groups and other modules */
#define MAX_FILE_TEXT (1024 * 1024)
/* Included files per analysis: a file that includes another twice, eight
 * levels deep, would otherwise be read 2^8 times. */
#define MAX_INCLUDES 64
/* Runs of the stack per analysis (each unknown a line meets is tried with
 * every value; lines a run never reaches cost nothing). */
#define MAX_RUNS 200000

struct stack_line {
	signed char actions[RETURN_VALUES];
	bool substack; /* arg is then the child stack */
	int arg;       /* the unknown the line's result depends on */
	bool negate;   /* pam_succeed_if ... notingroup */
};

struct stack {
	struct stack_line lines[MAX_STACK_LINES];
	int count;
};

struct analysis {
	struct stack stacks[MAX_STACKS];
	int stack_count;
	struct unknown unknowns[MAX_UNKNOWNS];
	int unknown_count;
	int group_count;
	bool has_okta;
	int okta_lines;
	int includes;
	okta_pamstack_reader reader;
	void *reader_ctx;
	char *error;
	size_t errlen;
};

#define UNSET (-1)

/* One combination of the unknowns: a value for each the run met so far
 * (a return code; for a group 1 = member, 0 = not). */
struct scenario {
	signed char value[MAX_UNKNOWNS];
};

enum impression {
	IMP_UNDEF,
	IMP_POSITIVE,
	IMP_NEGATIVE
};

struct dispatch_state {
	enum impression impression;
	int status;
};

static void fail(struct analysis *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void fail(struct analysis *a, const char *fmt, ...)
{
	va_list ap;

	if (a->error[0] != '\0')
		return; /* the first error is the one worth reading */
	va_start(ap, fmt);
	vsnprintf(a->error, a->errlen, fmt, ap);
	va_end(ap);
}

/* ------------------------------------------------------------- tokens */

/* Next whitespace-separated token of *p; a token that starts with '['
 * runs to the matching ']' (controls and module arguments may hold
 * spaces there). Returns its length, 0 at the end, -1 if unterminated. */
static int next_token(const char **p, const char **start)
{
	const char *s = *p;
	const char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	*start = s;
	if (*s == '\0') {
		*p = s;
		return 0;
	}
	if (*s == '[') {
		e = strchr(s, ']');
		if (e == NULL)
			return -1;
		e++;
	} else {
		for (e = s; *e != '\0' && *e != ' ' && *e != '\t'; e++)
			;
	}
	*p = e;
	return (int)(e - s);
}

static bool token_is(const char *tok, int len, const char *word)
{
	return (size_t)len == strlen(word) && okta_ascii_equal_nocase(tok, word, (size_t)len);
}

/* Case-sensitive, as libpam finds modules (pam_handlers.c) and as
 * _pam_parse_control and pam_succeed_if read their words. */
static bool token_is_exactly(const char *tok, int len, const char *word)
{
	return (size_t)len == strlen(word) && memcmp(tok, word, (size_t)len) == 0;
}

static void copy_token(char *out, size_t outlen, const char *tok, int len)
{
	snprintf(out, outlen, "%.*s", len, tok);
}

/* ----------------------------------------------------------- controls */

static void set_simple_control(signed char *actions, int failure, int success)
{
	int i;

	for (i = 0; i < RETURN_VALUES; i++)
		actions[i] = (signed char)failure;
	actions[RC_SUCCESS] = actions[RC_NEW_AUTHTOK_REQD] = (signed char)success;
	if (failure != ACT_IGNORE)
		actions[RC_IGNORE] = ACT_IGNORE;
}

/* required, requisite, optional, sufficient: as pam_handlers.c spells them out. */
static bool parse_simple_control(const char *tok, int len, signed char *actions)
{
	if (token_is(tok, len, "required"))
		set_simple_control(actions, ACT_BAD, ACT_OK);
	else if (token_is(tok, len, "requisite"))
		set_simple_control(actions, ACT_DIE, ACT_OK);
	else if (token_is(tok, len, "optional"))
		set_simple_control(actions, ACT_IGNORE, ACT_OK);
	else if (token_is(tok, len, "sufficient"))
		set_simple_control(actions, ACT_IGNORE, ACT_DONE);
	else
		return false;
	return true;
}

static int parse_action(const char *s, size_t len)
{
	static const struct {
		const char *name;
		int action;
	} names[] = {
		{ "ignore", ACT_IGNORE }, { "ok", ACT_OK },   { "done", ACT_DONE },
		{ "bad", ACT_BAD },       { "die", ACT_DIE }, { "reset", ACT_RESET },
	};
	size_t i;
	int jump = 0;

	/* _pam_parse_control: names compared case-sensitively */
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i].name) && memcmp(s, names[i].name, len) == 0)
			return names[i].action;
	for (i = 0; i < len && okta_ascii_is_digit(s[i]) && jump < 100; i++)
		jump = jump * 10 + (s[i] - '0');
	return i == len && len > 0 && jump > 0 && jump < 100 ? jump : ACT_UNDEF;
}

static int value_index(const char *s, size_t len)
{
	int i;

	for (i = 0; i < RETURN_VALUES; i++)
		if (len == strlen(value_names[i]) && memcmp(s, value_names[i], len) == 0)
			return i;
	return -1;
}

static void set_undefined(signed char *actions, int action)
{
	int i;

	for (i = 0; i < RETURN_VALUES; i++)
		if (actions[i] == ACT_UNDEF)
			actions[i] = (signed char)action;
}

/* "[value=action ...]": default= gives its action to the values not named
 * before it (a second default= finds none left), a value named later still
 * takes its own; values never named are "bad" (pam_misc.c,
 * _pam_parse_control and _pam_set_default_control). */
static bool parse_bracket_control(const char *tok, int len, signed char *actions)
{
	const char *p = tok + 1;
	const char *end = tok + len - 1; /* the ']' */
	int i;

	for (i = 0; i < RETURN_VALUES; i++)
		actions[i] = ACT_UNDEF;
	while (p < end) {
		const char *item;
		const char *eq;
		size_t item_len;
		int action;

		while (p < end && okta_ascii_is_space(*p))
			p++;
		item = p;
		while (p < end && !okta_ascii_is_space(*p))
			p++;
		item_len = (size_t)(p - item);
		if (item_len == 0)
			break;
		eq = memchr(item, '=', item_len);
		if (eq == NULL)
			return false;
		action = parse_action(eq + 1, item_len - (size_t)(eq + 1 - item));
		if (action == ACT_UNDEF)
			return false;
		if ((size_t)(eq - item) == 7 && memcmp(item, "default", 7) == 0)
			set_undefined(actions, action);
		else if ((i = value_index(item, (size_t)(eq - item))) >= 0)
			actions[i] = (signed char)action;
		else
			return false;
	}
	set_undefined(actions, ACT_BAD);
	return true;
}

/* ------------------------------------------------------------ modules */

/*
 * The modules the analysis knows. A credential module accepts the user's
 * credential or refuses; only these count as "another credential" on a way
 * past pam_okta_session. Any module not here checks no credential of the
 * user's (pam_succeed_if, pam_localuser, pam_faillock, pam_env, an unknown
 * module...): it is tried with every return code, that is, as letting the
 * user through wherever the stack allows it.
 */
static const struct known_module {
	const char *name;
	const char *credential; /* what it checks; NULL: no credential */
	unsigned results;       /* the codes it can return */
} known_modules[] = {
	{ "pam_unix.so", "password", UNIX_CODES },
	{ "pam_sss.so", "password", CREDENTIAL_CODES },
	{ "pam_ldap.so", "password", CREDENTIAL_CODES },
	{ "pam_krb5.so", "Kerberos password", CREDENTIAL_CODES },
	{ "pam_winbind.so", "password", CREDENTIAL_CODES },
	{ "pam_radius_auth.so", "RADIUS credential", CREDENTIAL_CODES },
	{ "pam_pkcs11.so", "smart card", CREDENTIAL_CODES },
	{ "pam_u2f.so", "security key", CREDENTIAL_CODES },
	{ "pam_yubico.so", "YubiKey", CREDENTIAL_CODES },
	{ "pam_google_authenticator.so", "one-time code", CREDENTIAL_CODES },
	{ "pam_oath.so", "one-time code", CREDENTIAL_CODES },
	{ "pam_duo.so", "Duo approval", CREDENTIAL_CODES },
	{ "pam_permit.so", NULL, BIT(RC_SUCCESS) },
	{ "pam_deny.so", NULL, BIT(RC_AUTH_ERR) },
	/* pam_faildelay.c: PAM_IGNORE whatever happens */
	{ "pam_faildelay.so", NULL, BIT(RC_IGNORE) },
};

static const struct known_module *known_module(const char *base, int base_len)
{
	size_t i;

	for (i = 0; i < sizeof(known_modules) / sizeof(known_modules[0]); i++)
		if (token_is_exactly(base, base_len, known_modules[i].name))
			return &known_modules[i];
	return NULL;
}

/* The unknown named `name` of that kind, added if new; -1 when full. */
static int intern(struct analysis *a, enum unknown_kind kind, const char *name,
		  const char *credential, unsigned results)
{
	struct unknown *u;
	int i;

	for (i = 0; i < a->unknown_count; i++)
		if (a->unknowns[i].kind == kind && strcmp(a->unknowns[i].name, name) == 0)
			return i;
	if (a->unknown_count == MAX_UNKNOWNS || (kind == U_GROUP && a->group_count == MAX_GROUPS)) {
		fail(a, "more than %d groups or %d modules and groups: too many to analyse",
		     MAX_GROUPS, MAX_UNKNOWNS);
		return -1;
	}
	u = &a->unknowns[a->unknown_count];
	u->kind = kind;
	snprintf(u->name, sizeof(u->name), "%s", name);
	u->credential = credential;
	u->results = results;
	if (kind == U_GROUP)
		u->group = a->group_count++;
	return a->unknown_count++;
}

static bool is_succeed_if_option(const char *tok, int len)
{
	return token_is_exactly(tok, len, "quiet") || token_is_exactly(tok, len, "quiet_fail") ||
	       token_is_exactly(tok, len, "quiet_success") || token_is_exactly(tok, len, "audit") ||
	       token_is_exactly(tok, len, "debug");
}

/* pam_succeed_if.so with exactly one condition "user ingroup G" (or
 * notingroup): a group test. Any other condition is an unknown module. */
static bool parse_group_test(struct analysis *a, const char *args, struct stack_line *line)
{
	const char *words[3];
	int lens[3];
	int n = 0;
	const char *tok;
	int len;
	char group[MAX_NAME];

	while ((len = next_token(&args, &tok)) > 0) {
		if (is_succeed_if_option(tok, len))
			continue;
		if (n == 3)
			return false;
		words[n] = tok;
		lens[n++] = len;
	}
	if (len < 0 || n != 3 || !token_is_exactly(words[0], lens[0], "user") ||
	    lens[2] >= MAX_NAME)
		return false;
	if (token_is_exactly(words[1], lens[1], "notingroup"))
		line->negate = true;
	else if (!token_is_exactly(words[1], lens[1], "ingroup"))
		return false;
	copy_token(group, sizeof(group), words[2], lens[2]);
	line->arg = intern(a, U_GROUP, group, NULL, 0);
	return true;
}

/* "base arg arg": the module as one line of a message, and its key. */
static void module_line(char *out, size_t outlen, const char *base, int base_len, const char *args)
{
	const char *tok;
	int len;
	size_t used;

	copy_token(out, outlen, base, base_len);
	while ((len = next_token(&args, &tok)) > 0) {
		used = strlen(out);
		snprintf(out + used, outlen - used, " %.*s", len, tok);
	}
}

/* What the line's result depends on; args is the rest of the line. */
static void classify_module(struct analysis *a, const char *path, int path_len, const char *args,
			    struct stack_line *line)
{
	const struct known_module *known;
	const char *base = path;
	int base_len;
	char key[MAX_NAME];
	const char *p;
	unsigned results;

	for (p = path; p < path + path_len; p++)
		if (*p == '/')
			base = p + 1;
	base_len = (int)(path + path_len - base);
	if (token_is_exactly(base, base_len, "pam_okta_session.so")) {
		/* one unknown per line: each call asks for a token again and
		 * meets Okta again, so two lines may return different codes */
		snprintf(key, sizeof(key), "pam_okta_session.so (call %d)", a->okta_lines++);
		line->arg = intern(a, U_OKTA, key, NULL, OKTA_CODES);
		a->has_okta = true;
		return;
	}
	if (token_is_exactly(base, base_len, "pam_succeed_if.so") &&
	    parse_group_test(a, args, line))
		return;
	known = known_module(base, base_len);
	if (known != NULL && known->credential != NULL) {
		/* the user's credential: one for every line of that module */
		copy_token(key, sizeof(key), base, base_len);
		line->arg = intern(a, U_CREDENTIAL, key, known->credential, known->results);
		return;
	}
	/* The same arguments, the same result: pam_succeed_if's conditions
	 * and pam_faillock's preauth/authfail/authsucc differ line by line. A
	 * path of the administrator's may name no file (another distribution's
	 * directory): libpam then returns PAM_MODULE_UNKNOWN, not pam_deny's
	 * PAM_AUTH_ERR, and that path is a module of its own. */
	results = known != NULL ? known->results : ALL_CODES;
	if (base != path) {
		results |= BIT(RC_MODULE_UNKNOWN);
		module_line(key, sizeof(key), path, path_len, args);
	} else
		module_line(key, sizeof(key), base, base_len, args);
	line->arg = intern(a, U_OTHER, key, NULL, results);
}

/* ------------------------------------------------------------- parsing */

static int parse_text(struct analysis *a, int stack, const char *text, const char *file, int depth);

static struct stack_line *add_line(struct analysis *a, int stack, const char *file, unsigned lineno)
{
	struct stack *st = &a->stacks[stack];

	if (st->count == MAX_STACK_LINES) {
		fail(a, "%s line %u: more than %d auth lines in one stack", file, lineno,
		     MAX_STACK_LINES);
		return NULL;
	}
	memset(&st->lines[st->count], 0, sizeof(st->lines[0]));
	return &st->lines[st->count++];
}

/* Parse the file `name` (through the reader) into `stack`. */
static int include_file(struct analysis *a, int stack, const char *name, const char *from,
			unsigned lineno, int depth)
{
	char why[200] = "";
	char *text;
	int rc;

	if (depth >= OKTA_PAMSTACK_MAX_DEPTH) {
		fail(a, "%s line %u: includes nested deeper than %d (a loop?)", from, lineno,
		     OKTA_PAMSTACK_MAX_DEPTH);
		return -1;
	}
	if (++a->includes > MAX_INCLUDES) {
		fail(a, "%s line %u: more than %d included files", from, lineno, MAX_INCLUDES);
		return -1;
	}
	text = a->reader != NULL ? a->reader(a->reader_ctx, name, why, sizeof(why)) : NULL;
	if (text == NULL) {
		fail(a, "%s line %u: cannot include '%s'%s%s", from, lineno, name,
		     why[0] != '\0' ? ": " : "", why);
		return -1;
	}
	rc = parse_text(a, stack, text, name, depth + 1);
	free(text);
	return rc;
}

/* A "substack" line: the file's auth lines become a stack of their own,
 * which counts as one line of the parent's. */
static int add_substack(struct analysis *a, int stack, const char *name, const char *file,
			unsigned lineno, int depth)
{
	struct stack_line *line;
	int child;

	if (a->stack_count == MAX_STACKS) {
		fail(a, "%s line %u: more than %d substacks", file, lineno, MAX_STACKS);
		return -1;
	}
	child = a->stack_count++;
	a->stacks[child].count = 0;
	if (include_file(a, child, name, file, lineno, depth) != 0)
		return -1;
	line = add_line(a, stack, file, lineno);
	if (line == NULL)
		return -1;
	line->substack = true;
	line->arg = child;
	return 0;
}

/* One logical line (comment and continuations removed). */
static int parse_line(struct analysis *a, int stack, const char *p, const char *file,
		      unsigned lineno, int depth)
{
	struct stack_line *line;
	const char *tok;
	const char *control;
	const char *module;
	char name[256];
	int len;
	int control_len;
	int module_len;

	len = next_token(&p, &tok);
	if (len == 0)
		return 0;
	if (token_is(tok, len, "@include")) {
		len = next_token(&p, &tok);
		if (len <= 0 || len >= (int)sizeof(name)) {
			fail(a, "%s line %u: @include without a file name", file, lineno);
			return -1;
		}
		copy_token(name, sizeof(name), tok, len);
		return include_file(a, stack, name, file, lineno, depth);
	}
	if (*tok == '-') { /* "-auth": no complaint if the module is missing */
		tok++;
		len--;
	}
	if (token_is(tok, len, "account") || token_is(tok, len, "password") ||
	    token_is(tok, len, "session"))
		return 0; /* not what we judge */
	if (!token_is(tok, len, "auth")) {
		/* pam_handlers.c makes it an auth line that always fails, and
		 * it counts for the jumps of the lines around it */
		fail(a,
		     "%s line %u: type '%.*s' not understood (libpam makes it a failing auth line)",
		     file, lineno, len, tok);
		return -1;
	}
	control_len = next_token(&p, &control);
	module_len = next_token(&p, &module);
	if (control_len <= 0 || module_len <= 0) {
		fail(a, "%s line %u: auth line without a control and a module", file, lineno);
		return -1;
	}
	if (token_is(control, control_len, "include") ||
	    token_is(control, control_len, "substack")) {
		if (module_len >= (int)sizeof(name)) {
			fail(a, "%s line %u: file name too long", file, lineno);
			return -1;
		}
		copy_token(name, sizeof(name), module, module_len);
		if (token_is(control, control_len, "include"))
			return include_file(a, stack, name, file, lineno, depth);
		return add_substack(a, stack, name, file, lineno, depth);
	}
	line = add_line(a, stack, file, lineno);
	if (line == NULL)
		return -1;
	if (!(*control == '[' ? parse_bracket_control(control, control_len, line->actions)
			      : parse_simple_control(control, control_len, line->actions))) {
		fail(a, "%s line %u: control '%.*s' not understood", file, lineno, control_len,
		     control);
		return -1;
	}
	classify_module(a, module, module_len, p, line);
	return a->error[0] != '\0' ? -1 : 0;
}

/* libpam before 1.6 (Debian 12, RHEL 8 and 9) assembles a line with
 * fgets() in 1024 bytes: a longer line is cut and its rest read as a line of
 * its own (also the rest of a long comment), and a continued line skips
 * blank and comment lines, where pam_line.c ends it. Either would let the
 * file say one thing to the analysis and another to sshd: the reason, or
 * NULL. bytes counts what the logical line has taken so far. */
#define OLD_LIBPAM_LINE 1023
static const char *old_libpam_disagrees(const char *p, const char *end, bool continued,
					size_t *bytes)
{
	const char *s = p + strspn(p, " \t");

	*bytes += (size_t)(end - p) + 1;
	if (*bytes > OLD_LIBPAM_LINE)
		return "longer than 1022 characters (libpam before 1.6 cuts it in two)";
	if (continued && (s == end || *s == '#'))
		return "a blank or comment line inside a continued line (libpam before 1.6 "
		       "goes on past it)";
	return NULL;
}

/*
 * Reads the file as pam_line.c does: a physical line whose last character
 * other than blanks is a backslash continues on the next one (the backslash
 * becomes a space), unless the line holds a '#': a comment runs from '#' to
 * the end of its physical line and ends the logical line there. A file that
 * ends inside a continued line is refused (libpam: an incomplete read).
 * Only space, tab and newline separate words (a CR is part of a word).
 * What libpam before 1.6 reads otherwise is refused (see below).
 */
static int parse_text(struct analysis *a, int stack, const char *text, const char *file, int depth)
{
	size_t size = strlen(text);
	char *buf;
	char *out;
	const char *p;
	const char *next;
	const char *why;
	unsigned lineno = 1;
	unsigned first = 1;
	bool more = false;
	size_t bytes = 0;
	int rc = 0;

	if (size > MAX_FILE_TEXT) {
		fail(a, "%s: larger than %d bytes", file, MAX_FILE_TEXT);
		return -1;
	}
	buf = malloc(size + 2);
	if (buf == NULL) {
		fail(a, "out of memory");
		return -1;
	}
	out = buf;
	for (p = text; *p != '\0' && rc == 0; p = next, lineno++) {
		const char *end = strchr(p, '\n');
		const char *last;
		const char *hash;

		if (end == NULL)
			end = p + strlen(p);
		next = *end == '\n' ? end + 1 : end;
		if ((why = old_libpam_disagrees(p, end, more, &bytes)) != NULL) {
			fail(a, "%s line %u: %s", file, lineno, why);
			rc = -1;
			break;
		}
		for (last = end; last > p && (last[-1] == ' ' || last[-1] == '\t'); last--)
			;
		hash = memchr(p, '#', (size_t)(end - p));
		more = hash == NULL && last > p && last[-1] == '\\';
		if (hash != NULL)
			end = hash;
		else if (more)
			end = last - 1;
		for (; p < end; p++)
			*out++ = *p == '\t' ? ' ' : *p;
		if (more) {
			*out++ = ' ';
			continue;
		}
		*out = '\0';
		rc = parse_line(a, stack, buf, file, first, depth);
		out = buf;
		bytes = 0;
		first = lineno + 1;
	}
	if (rc == 0 && more) {
		fail(a, "%s line %u: the file ends inside a continued line", file, first);
		rc = -1;
	}
	free(buf);
	return rc;
}

/* ---------------------------------------------------------- evaluation */

/* How a run of a (sub)stack ended. */
enum run_end {
	RUN_ON,       /* its last line passed: the parent goes on */
	RUN_DECIDED,  /* done, die or a bad jump: this (sub)stack is over */
	RUN_BLOCKED,  /* a line needs an unknown the scenario has no value for */
	RUN_RETURNED, /* PAM_INCOMPLETE: libpam returns it to the application */
};

struct run {
	const struct analysis *a;
	const struct scenario *sc;
	int need; /* RUN_BLOCKED: the unknown */
};

/* The return code of the line's module in the scenario, or -1 (need set). */
static int module_result(struct run *r, const struct stack_line *line)
{
	const struct unknown *u = &r->a->unknowns[line->arg];
	int v = r->sc->value[line->arg];

	if (v == UNSET) {
		r->need = line->arg;
		return -1;
	}
	if (u->kind == U_GROUP)
		return (v != 0) != line->negate ? RC_SUCCESS : RC_AUTH_ERR;
	return v;
}

/* pam_dispatch.c's decision for one module's return code. Returns true
 * when the stack's decision is made (done, die). */
static bool apply_action(int action, int retval, struct dispatch_state *state,
			 const struct dispatch_state *at_start)
{
	switch (action) {
	case ACT_RESET:
		*state = *at_start;
		return false;
	case ACT_OK:
	case ACT_DONE:
		if (state->impression == IMP_UNDEF ||
		    (state->impression == IMP_POSITIVE && state->status == RC_SUCCESS)) {
			state->impression = IMP_POSITIVE;
			state->status = retval;
		}
		return state->impression == IMP_POSITIVE && action == ACT_DONE;
	case ACT_BAD:
	case ACT_DIE:
		if (state->impression != IMP_NEGATIVE) {
			state->impression = IMP_NEGATIVE;
			/* libpam never fails a stack with PAM_IGNORE */
			state->status = retval == RC_IGNORE ? RC_PERM_DENIED : retval;
		}
		return action == ACT_DIE;
	default: /* ignore; jumps are handled by the caller */
		return false;
	}
}

/* Runs the lines of stack s on state. A substack shares the state of its
 * parent, but its done and die end only the substack, its reset goes back
 * to the state the substack began with, and it counts as one line for the
 * parent's jumps (the Linux-PAM manual, pam.conf(5)). */
static enum run_end run_stack(struct run *r, int s, struct dispatch_state *state,
			      const struct dispatch_state *at_start)
{
	const struct stack *st = &r->a->stacks[s];
	int i;

	for (i = 0; i < st->count; i++) {
		const struct stack_line *line = &st->lines[i];
		int retval;
		int action;

		if (line->substack) {
			struct dispatch_state start = *state;
			enum run_end end = run_stack(r, line->arg, state, &start);

			if (end == RUN_BLOCKED || end == RUN_RETURNED)
				return end;
			continue;
		}
		retval = module_result(r, line);
		if (retval < 0)
			return RUN_BLOCKED;
		if (retval == RC_INCOMPLETE) /* the next call resumes at this module */
			return RUN_RETURNED;
		action = line->actions[retval];
		if (action > 0) {
			if (i + action >= st->count) { /* "bad jump in stack" */
				state->impression = IMP_NEGATIVE;
				state->status = RC_PERM_DENIED;
				return RUN_DECIDED;
			}
			i += action;
			continue;
		}
		if (apply_action(action, retval, state, at_start))
			return RUN_DECIDED;
	}
	return RUN_ON;
}

/* Codes v and w of unknown u take the same way: the same action on each of
 * its lines, both or neither PAM_SUCCESS, both or neither PAM_INCOMPLETE
 * (any other code leaves the same state: not a success). */
static bool same_way(const struct analysis *a, int u, int v, int w)
{
	int s;
	int i;

	if ((v == RC_SUCCESS) != (w == RC_SUCCESS) || (v == RC_INCOMPLETE) != (w == RC_INCOMPLETE))
		return false;
	for (s = 0; s < a->stack_count; s++)
		for (i = 0; i < a->stacks[s].count; i++) {
			const struct stack_line *line = &a->stacks[s].lines[i];

			if (!line->substack && line->arg == u &&
			    line->actions[v] != line->actions[w])
				return false;
		}
	return true;
}

/* One code (the lowest) of each set of u's codes that take the same way. */
static void distinct_codes(struct analysis *a, int u)
{
	unsigned kept = 0;
	int v;
	int w;

	for (v = 0; v < RETURN_VALUES; v++) {
		if ((a->unknowns[u].results & BIT(v)) == 0)
			continue;
		for (w = 0; w < v; w++)
			if ((kept & BIT(w)) != 0 && same_way(a, u, v, w))
				break;
		if (w == v)
			kept |= BIT(v);
	}
	a->unknowns[u].results = kept;
}

enum outcome {
	OUT_REFUSED,
	OUT_LOGIN,
	OUT_BLOCKED
};

static enum outcome run(const struct analysis *a, const struct scenario *sc, int *need)
{
	const struct dispatch_state initial = { IMP_UNDEF, RC_PERM_DENIED };
	struct dispatch_state state = initial;
	struct run r = { a, sc, UNSET };

	switch (run_stack(&r, 0, &state, &initial)) {
	case RUN_BLOCKED:
		*need = r.need;
		return OUT_BLOCKED;
	case RUN_RETURNED:
		return OUT_REFUSED;
	default:
		return state.status == RC_SUCCESS && state.impression == IMP_POSITIVE ? OUT_LOGIN
										      : OUT_REFUSED;
	}
}

/* The module never ran on the way in: every code of its lets in. */
#define NEVER RETURN_VALUES

/* The logins found for one code of the module and one set of groups. */
struct way_in {
	bool seen;
	unsigned credentials; /* the fewest found: bit per credential unknown */
	unsigned others;      /* with them: the other modules that said yes */
};

struct tally {
	struct way_in in[NEVER + 1][1u << MAX_GROUPS];
	long runs;
};

static int bits(unsigned mask)
{
	int n = 0;

	for (; mask != 0; mask &= mask - 1)
		n++;
	return n;
}

/* The code a login is filed under when the module ran on several lines: a
 * good token on one of them is a good token; otherwise the first code other
 * than PAM_AUTHINFO_UNAVAIL, so that "fail open on authinfo_unavail" means
 * that no other code took part. */
static int okta_code(int so_far, int v)
{
	if (so_far == RC_SUCCESS || v == RC_SUCCESS)
		return RC_SUCCESS;
	if (so_far == NEVER || so_far == RC_AUTHINFO_UNAVAIL)
		return v;
	return so_far;
}

static void note_login(const struct analysis *a, const struct scenario *sc, struct tally *t)
{
	int okta = NEVER;
	unsigned members = 0;
	unsigned credentials = 0;
	unsigned others = 0;
	struct way_in *w;
	int i;

	for (i = 0; i < a->unknown_count; i++) {
		const struct unknown *u = &a->unknowns[i];
		int v = sc->value[i];

		if (v == UNSET)
			continue;
		if (u->kind == U_OKTA)
			okta = okta_code(okta, v);
		else if (u->kind == U_GROUP && v != 0)
			members |= 1u << u->group;
		else if (u->kind == U_CREDENTIAL && v == RC_SUCCESS)
			credentials |= 1u << i;
		else if (u->kind == U_OTHER && v == RC_SUCCESS)
			others |= 1u << i;
	}
	w = &t->in[okta][members];
	if (!w->seen || bits(credentials) < bits(w->credentials)) {
		w->seen = true;
		w->credentials = credentials;
		w->others = others;
	}
}

/* Runs the stack on every combination of the unknowns its lines meet:
 * a run that meets one without a value is run again once per value. */
static int explore(const struct analysis *a, struct scenario *sc, struct tally *t)
{
	const struct unknown *u;
	int need = UNSET;
	int v;

	if (++t->runs > MAX_RUNS)
		return -1;
	switch (run(a, sc, &need)) {
	case OUT_LOGIN:
		note_login(a, sc, t);
		return 0;
	case OUT_REFUSED:
		return 0;
	case OUT_BLOCKED:
		break;
	}
	u = &a->unknowns[need];
	for (v = 0; v < RETURN_VALUES; v++) {
		if (u->kind == U_GROUP ? v > 1 : (u->results & BIT(v)) == 0)
			continue;
		sc->value[need] = (signed char)v;
		if (explore(a, sc, t) != 0)
			return -1;
	}
	sc->value[need] = UNSET;
	return 0;
}

static void append(char *out, size_t outlen, const char *sep, const char *text)
{
	size_t used = strlen(out);

	if (used < outlen)
		snprintf(out + used, outlen - used, "%s%s", used > 0 ? sep : "", text);
}

/* "PAM_CONV_ERR" */
static void append_code(char *out, size_t outlen, int code)
{
	char name[40] = "PAM_";
	size_t i;

	for (i = 0; value_names[code][i] != '\0' && i + 5 < sizeof(name); i++) {
		char c = value_names[code][i];

		name[i + 4] = (char)(c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c);
	}
	name[i + 4] = '\0';
	append(out, outlen, ", ", name);
}

/* The unknowns (bit per unknown) of the groups in members (bit per group). */
static unsigned group_unknowns(const struct analysis *a, unsigned members)
{
	unsigned mask = 0;
	int i;

	for (i = 0; i < a->unknown_count; i++)
		if (a->unknowns[i].kind == U_GROUP && ((members >> a->unknowns[i].group) & 1u))
			mask |= 1u << i;
	return mask;
}

/* The names of the unknowns in mask, sep between them; a credential as
 * "pam_unix.so's password". */
static void append_names(const struct analysis *a, unsigned mask, const char *sep, char *out,
			 size_t outlen)
{
	char item[MAX_NAME + 40];
	int i;

	for (i = 0; i < a->unknown_count; i++) {
		const struct unknown *u = &a->unknowns[i];

		if (((mask >> i) & 1u) == 0)
			continue;
		if (u->kind == U_CREDENTIAL)
			snprintf(item, sizeof(item), "%s's %s", u->name, u->credential);
		else
			snprintf(item, sizeof(item), "%s", u->name);
		append(out, outlen, sep, item);
	}
}

/* A way in, before it is put in words: codes that share whom and how. */
struct pending_way {
	unsigned codes; /* BIT(code) of the module's; 0: the module never ran */
	unsigned members;
	unsigned credentials;
	unsigned others;
};

/* A report line cut to fit: a stack with very many modules or groups names
 * the first of them (snprintf itself, whose cut GCC warns about at -O1). */
static void __attribute__((format(printf, 3, 4)))
format_cut(char *out, size_t outlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(out, outlen, fmt, ap);
	va_end(ap);
}

/* "with pam_unix.so's password", "with no credential at all (said yes: ...)" */
static void describe_credentials(const struct analysis *a, const struct pending_way *p, char *out,
				 size_t outlen)
{
	char names[400] = "";

	if (p->credentials != 0) {
		append_names(a, p->credentials, " and ", names, sizeof(names));
		format_cut(out, outlen, "with %s", names);
		return;
	}
	append_names(a, p->others, ", ", names, sizeof(names));
	if (names[0] != '\0')
		format_cut(out, outlen, "with no credential at all (said yes: %s)", names);
	else
		snprintf(out, outlen, "with no credential at all");
}

static void describe_way(const struct analysis *a, const struct pending_way *p,
			 struct okta_pamstack_way *way)
{
	char whom[300] = "";
	char codes[300] = "";
	char with[400];
	int code;

	if (p->members != 0) {
		char groups[260] = "";

		append_names(a, group_unknowns(a, p->members), " and of ", groups, sizeof(groups));
		snprintf(whom, sizeof(whom), "members of %s", groups);
	} else
		snprintf(whom, sizeof(whom), "the user");
	describe_credentials(a, p, with, sizeof(with));
	if (p->codes == 0) {
		format_cut(way->text, sizeof(way->text),
			   "the stack lets %s in without running pam_okta_session.so, %s", whom,
			   with);
		return;
	}
	for (code = 0; code < RETURN_VALUES; code++)
		if (p->codes & BIT(code))
			append_code(codes, sizeof(codes), code);
	format_cut(way->text, sizeof(way->text), "%s from pam_okta_session.so let%s %s in %s",
		   codes, bits(p->codes) == 1 ? "s" : "", whom, with);
}

/* The ways in other than a good token for everybody, codes with the same
 * whom and how in one (but PAM_AUTHINFO_UNAVAIL, the documented one, alone). */
static void list_ways(const struct analysis *a, const struct tally *t,
		      struct okta_pamstack_report *report)
{
	struct pending_way pending[OKTA_PAMSTACK_MAX_WAYS];
	int count = 0;
	bool more = false;
	int k;
	unsigned m;
	int i;

	for (k = 0; k <= NEVER; k++)
		for (m = 0; m < (1u << MAX_GROUPS); m++) {
			const int code = k == 0 ? NEVER : k - 1; /* the module skipped first */
			const struct way_in *w = &t->in[code][m];

			if (!w->seen || code == RC_SUCCESS)
				continue;
			for (i = 0; i < count; i++)
				if (pending[i].members == m && pending[i].codes != 0 &&
				    code != NEVER && code != RC_AUTHINFO_UNAVAIL &&
				    pending[i].codes != BIT(RC_AUTHINFO_UNAVAIL) &&
				    pending[i].credentials == w->credentials &&
				    pending[i].others == w->others)
					break;
			if (i == count && count == OKTA_PAMSTACK_MAX_WAYS) {
				more = true;
				continue;
			}
			if (i == count) {
				pending[count].codes = 0;
				pending[count].members = m;
				pending[count].credentials = w->credentials;
				pending[count].others = w->others;
				count++;
			}
			if (code != NEVER)
				pending[i].codes |= BIT(code);
		}
	for (i = 0; i < count; i++) {
		struct okta_pamstack_way *way = &report->ways[i];

		describe_way(a, &pending[i], way);
		way->accepted =
			pending[i].credentials != 0 &&
			(pending[i].members != 0 || pending[i].codes == BIT(RC_AUTHINFO_UNAVAIL));
	}
	if (more)
		append(report->ways[count - 1].text, sizeof(report->ways[count - 1].text), "",
		       "; and more ways in, not shown");
	report->way_count = count;
}

static void judge(const struct analysis *a, struct okta_pamstack_report *report)
{
	struct tally *t;
	struct scenario sc;
	bool login = false;
	bool alone = false;
	bool open_all = false;
	bool open_errors = false;
	bool open_unavail = false;
	unsigned glass_members = 0;
	int code;
	unsigned m;

	if (!a->has_okta) {
		report->verdict = OKTA_PAMSTACK_NOT_IN_AUTH;
		return;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL) {
		snprintf(report->error, sizeof(report->error), "out of memory");
		return;
	}
	memset(sc.value, UNSET, sizeof(sc.value));
	if (explore(a, &sc, t) != 0) {
		snprintf(report->error, sizeof(report->error),
			 "more than %d combinations of return codes: too many to analyse",
			 MAX_RUNS);
		free(t);
		return;
	}
	for (code = 0; code <= NEVER; code++)
		for (m = 0; m < (1u << MAX_GROUPS); m++) {
			const struct way_in *w = &t->in[code][m];

			if (!w->seen)
				continue;
			if (code == RC_SUCCESS) {
				login = login || m == 0;
				alone = alone || (m == 0 && w->credentials == 0);
				continue;
			}
			if (w->credentials == 0)
				report->bypass_without_credential = true;
			if (m != 0)
				glass_members |= m;
			else if (code == NEVER || code == RC_AUTH_ERR)
				open_all = true;
			else if (code == RC_AUTHINFO_UNAVAIL)
				open_unavail = true;
			else {
				open_errors = true;
				append_code(report->codes, sizeof(report->codes), code);
			}
		}
	append_names(a, group_unknowns(a, glass_members), ", ", report->groups,
		     sizeof(report->groups));
	list_ways(a, t, report);
	free(t);
	report->okta_needs_more = login && !alone;
	if (open_all)
		report->verdict = OKTA_PAMSTACK_FAIL_OPEN_ALL;
	else if (open_errors)
		report->verdict = OKTA_PAMSTACK_FAIL_OPEN_ERRORS;
	else if (open_unavail)
		report->verdict = OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL;
	else if (glass_members != 0)
		report->verdict = OKTA_PAMSTACK_BREAK_GLASS;
	else if (!login)
		report->verdict = OKTA_PAMSTACK_NO_LOGIN;
	else
		report->verdict = OKTA_PAMSTACK_FAIL_CLOSED;
}

enum okta_pamstack_verdict okta_pamstack_analyse(const char *text, okta_pamstack_reader reader,
						 void *reader_ctx,
						 struct okta_pamstack_report *report)
{
	struct analysis *a;

	memset(report, 0, sizeof(*report));
	report->verdict = OKTA_PAMSTACK_ERROR;
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		snprintf(report->error, sizeof(report->error), "out of memory");
		return report->verdict;
	}
	a->reader = reader;
	a->reader_ctx = reader_ctx;
	a->error = report->error;
	a->errlen = sizeof(report->error);
	a->stack_count = 1;
	if (text == NULL)
		fail(a, "no text");
	else if (parse_text(a, 0, text, "service file", 0) == 0) {
		int u;

		/* pam_okta_session's codes are each reported: all tried */
		for (u = 0; u < a->unknown_count; u++)
			if (a->unknowns[u].kind == U_CREDENTIAL || a->unknowns[u].kind == U_OTHER)
				distinct_codes(a, u);
		judge(a, report);
	}
	free(a);
	return report->verdict;
}

void okta_pamstack_describe(const struct okta_pamstack_report *r, char *out, size_t outlen)
{
	const char *extra =
		r->bypass_without_credential
			? " (DANGEROUS: no other module asks for a credential on that path)"
			: "";

	switch (r->verdict) {
	case OKTA_PAMSTACK_ERROR:
		snprintf(out, outlen, "cannot analyse: %s", r->error);
		break;
	case OKTA_PAMSTACK_NOT_IN_AUTH:
		snprintf(out, outlen,
			 "module not in auth stack: no auth line runs pam_okta_session.so");
		break;
	case OKTA_PAMSTACK_NO_LOGIN:
		snprintf(out, outlen,
			 "no login succeeds: not even a good Okta session token gets past "
			 "the auth stack");
		break;
	case OKTA_PAMSTACK_FAIL_CLOSED:
		snprintf(out, outlen,
			 "fail closed: only a good token logs in; while Okta is unreachable, "
			 "and whatever else pam_okta_session.so returns, nobody does%s",
			 r->okta_needs_more ? "; a good token needs another credential too" : "");
		break;
	case OKTA_PAMSTACK_BREAK_GLASS:
		snprintf(out, outlen,
			 "break-glass group %s: members skip Okta, everybody else is "
			 "refused while Okta is unreachable%s",
			 r->groups, extra);
		break;
	case OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL:
		snprintf(out, outlen,
			 "fail open on authinfo_unavail: while Okta is unreachable (or "
			 "answers 5xx/429, or refuses the API token) the rest of the stack "
			 "decides; a refused token (PAM_AUTH_ERR) is still refused%s%s%s",
			 r->groups[0] != '\0' ? "; break-glass group " : "", r->groups, extra);
		break;
	case OKTA_PAMSTACK_FAIL_OPEN_ERRORS:
		snprintf(out, outlen,
			 "fail open on %s (DANGEROUS): return codes that mean neither a good "
			 "token nor an unreachable Okta (a refused configuration, a failed "
			 "conversation, ...) let a user in%s",
			 r->codes, extra);
		break;
	case OKTA_PAMSTACK_FAIL_OPEN_ALL:
		snprintf(out, outlen,
			 "fail open on everything (DANGEROUS): a refused Okta token "
			 "(PAM_AUTH_ERR) does not stop a login%s",
			 extra);
		break;
	}
}
