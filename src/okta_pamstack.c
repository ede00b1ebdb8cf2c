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
#define RC_SUCCESS 0
#define RC_PERM_DENIED 6 /* libpam's PAM_MUST_FAIL_CODE */
#define RC_AUTH_ERR 7
#define RC_AUTHINFO_UNAVAIL 9
#define RC_NEW_AUTHTOK_REQD 12
#define RC_IGNORE 25

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

enum module_kind {
	MOD_OKTA,
	MOD_GROUP,
	MOD_PERMIT,
	MOD_DENY,
	MOD_OTHER,
	MOD_SUBSTACK
};

#define MAX_STACKS 16
#define MAX_STACK_LINES 64
#define MAX_GROUPS 4
#define MAX_OTHERS 8
#define MAX_NAME 128
#define MAX_FILE_TEXT (1024 * 1024)
/* Included files per analysis: a file that includes another twice, eight
 * levels deep, would otherwise be read 2^8 times. */
#define MAX_INCLUDES 64

struct stack_line {
	signed char actions[RETURN_VALUES];
	enum module_kind kind;
	int arg;     /* group or other-module index; child stack for MOD_SUBSTACK */
	bool negate; /* pam_succeed_if ... notingroup */
};

struct stack {
	struct stack_line lines[MAX_STACK_LINES];
	int count;
};

struct analysis {
	struct stack stacks[MAX_STACKS];
	int stack_count;
	char groups[MAX_GROUPS][MAX_NAME];
	int group_count;
	char others[MAX_OTHERS][MAX_NAME];
	int other_count;
	bool has_okta;
	int includes;
	okta_pamstack_reader reader;
	void *reader_ctx;
	char *error;
	size_t errlen;
};

/* One combination of the unknowns the stack's outcome depends on. */
struct scenario {
	int okta;        /* what pam_okta_session returns */
	unsigned groups; /* bit i: the user is in groups[i] */
	unsigned others; /* bit i: others[i] accepts the user */
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

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (len == strlen(names[i].name) && okta_ascii_equal_nocase(s, names[i].name, len))
			return names[i].action;
	for (i = 0; i < len && okta_ascii_is_digit(s[i]) && jump < 100; i++)
		jump = jump * 10 + (s[i] - '0');
	return i == len && len > 0 && jump > 0 && jump < 100 ? jump : ACT_UNDEF;
}

static int value_index(const char *s, size_t len)
{
	int i;

	for (i = 0; i < RETURN_VALUES; i++)
		if (len == strlen(value_names[i]) &&
		    okta_ascii_equal_nocase(s, value_names[i], len))
			return i;
	return -1;
}

/* "[value=action ...]": values not named take the default action, and
 * without default=, "bad" (pam_handlers.c). */
static bool parse_bracket_control(const char *tok, int len, signed char *actions)
{
	const char *p = tok + 1;
	const char *end = tok + len - 1; /* the ']' */
	int fallback = ACT_BAD;
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
		if ((size_t)(eq - item) == 7 && okta_ascii_equal_nocase(item, "default", 7))
			fallback = action;
		else if ((i = value_index(item, (size_t)(eq - item))) >= 0)
			actions[i] = (signed char)action;
		else
			return false;
	}
	for (i = 0; i < RETURN_VALUES; i++)
		if (actions[i] == ACT_UNDEF)
			actions[i] = (signed char)fallback;
	return true;
}

/* ------------------------------------------------------------ modules */

static int intern(char names[][MAX_NAME], int *count, int max, const char *name)
{
	int i;

	for (i = 0; i < *count; i++)
		if (strcmp(names[i], name) == 0)
			return i;
	if (*count == max)
		return -1;
	snprintf(names[*count], MAX_NAME, "%s", name);
	return (*count)++;
}

static bool is_succeed_if_option(const char *tok, int len)
{
	return token_is(tok, len, "quiet") || token_is(tok, len, "quiet_fail") ||
	       token_is(tok, len, "quiet_success") || token_is(tok, len, "audit") ||
	       token_is(tok, len, "debug");
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
	if (len < 0 || n != 3 || !token_is(words[0], lens[0], "user") || lens[2] >= MAX_NAME)
		return false;
	if (token_is(words[1], lens[1], "notingroup"))
		line->negate = true;
	else if (!token_is(words[1], lens[1], "ingroup"))
		return false;
	copy_token(group, sizeof(group), words[2], lens[2]);
	line->arg = intern(a->groups, &a->group_count, MAX_GROUPS, group);
	if (line->arg < 0) {
		fail(a, "more than %d groups tested with pam_succeed_if: too many to analyse",
		     MAX_GROUPS);
		return true;
	}
	line->kind = MOD_GROUP;
	return true;
}

/* What kind of module the line runs; args is the rest of the line. */
static void classify_module(struct analysis *a, const char *path, int path_len, const char *args,
			    struct stack_line *line)
{
	const char *base = path;
	int base_len;
	char key[MAX_NAME];
	const char *p;

	for (p = path; p < path + path_len; p++)
		if (*p == '/')
			base = p + 1;
	base_len = (int)(path + path_len - base);
	if (token_is(base, base_len, "pam_okta_session.so")) {
		line->kind = MOD_OKTA;
		a->has_okta = true;
		return;
	}
	if (token_is(base, base_len, "pam_permit.so")) {
		line->kind = MOD_PERMIT;
		return;
	}
	if (token_is(base, base_len, "pam_deny.so")) {
		line->kind = MOD_DENY;
		return;
	}
	if (token_is(base, base_len, "pam_succeed_if.so") && parse_group_test(a, args, line))
		return;
	/* Any other module checks something we cannot know (pam_unix: the
	 * password): both outcomes are tried. The same module is one unknown,
	 * except pam_succeed_if, whose conditions differ line by line. */
	if (token_is(base, base_len, "pam_succeed_if.so"))
		snprintf(key, sizeof(key), "%.*s %s", base_len, base, args);
	else
		copy_token(key, sizeof(key), base, base_len);
	line->kind = MOD_OTHER;
	line->arg = intern(a->others, &a->other_count, MAX_OTHERS, key);
	if (line->arg < 0)
		fail(a,
		     "more than %d different modules besides pam_okta_session: too many to analyse",
		     MAX_OTHERS);
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
	line->kind = MOD_SUBSTACK;
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
	if (!token_is(tok, len, "auth"))
		return 0; /* account, password, session: not what we judge */
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

/* Joins backslash-continued lines, drops '#' comments, parses each line. */
static int parse_text(struct analysis *a, int stack, const char *text, const char *file, int depth)
{
	size_t size = strlen(text);
	char *buf;
	char *out;
	const char *p;
	unsigned lineno = 1;
	unsigned first = 1;
	bool comment = false;
	int rc = 0;

	if (size > MAX_FILE_TEXT) {
		fail(a, "%s: larger than %d bytes", file, MAX_FILE_TEXT);
		return -1;
	}
	buf = malloc(size + 1);
	if (buf == NULL) {
		fail(a, "out of memory");
		return -1;
	}
	out = buf;
	for (p = text;; p++) {
		if (*p == '\\' && p[1] == '\n') { /* continuation: one logical line */
			*out++ = ' ';
			p++;
			lineno++;
			continue;
		}
		if (*p == '\n' || *p == '\0') {
			*out = '\0';
			rc = parse_line(a, stack, buf, file, first, depth);
			if (rc != 0 || *p == '\0')
				break;
			out = buf;
			comment = false;
			first = ++lineno;
			continue;
		}
		if (*p == '#')
			comment = true;
		if (!comment)
			*out++ = *p == '\t' || *p == '\r' ? ' ' : *p;
	}
	free(buf);
	return rc;
}

/* ---------------------------------------------------------- evaluation */

static bool run_stack(const struct analysis *a, int s, const struct scenario *sc,
		      struct dispatch_state *state, const struct dispatch_state *at_start);

static int module_result(const struct analysis *a, const struct stack_line *line,
			 const struct scenario *sc)
{
	bool member;

	switch (line->kind) {
	case MOD_OKTA:
		return sc->okta;
	case MOD_GROUP:
		member = (sc->groups >> line->arg) & 1u;
		return member != line->negate ? RC_SUCCESS : RC_AUTH_ERR;
	case MOD_PERMIT:
		return RC_SUCCESS;
	case MOD_DENY:
		return RC_AUTH_ERR;
	case MOD_OTHER:
		return (sc->others >> line->arg) & 1u ? RC_SUCCESS : RC_AUTH_ERR;
	default:
		(void)a;
		return RC_PERM_DENIED;
	}
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
			state->status = retval;
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
static bool run_stack(const struct analysis *a, int s, const struct scenario *sc,
		      struct dispatch_state *state, const struct dispatch_state *at_start)
{
	const struct stack *st = &a->stacks[s];
	int i;

	for (i = 0; i < st->count; i++) {
		const struct stack_line *line = &st->lines[i];
		int retval;
		int action;

		if (line->kind == MOD_SUBSTACK) {
			struct dispatch_state start = *state;

			run_stack(a, line->arg, sc, state, &start);
			continue;
		}
		retval = module_result(a, line, sc);
		action = line->actions[retval];
		if (action > 0) {
			if (i + action >= st->count) { /* "bad jump in stack" */
				state->impression = IMP_NEGATIVE;
				state->status = RC_PERM_DENIED;
				return true;
			}
			i += action;
			continue;
		}
		if (apply_action(action, retval, state, at_start))
			return true;
	}
	return false;
}

static bool logs_in(const struct analysis *a, const struct scenario *sc)
{
	const struct dispatch_state initial = { IMP_UNDEF, RC_PERM_DENIED };
	struct dispatch_state state = initial;

	run_stack(a, 0, sc, &state, &initial);
	return state.status == RC_SUCCESS && state.impression == IMP_POSITIVE;
}

/* Does some scenario with this Okta answer and these groups log in?
 * only_without_credential: only when every other module refuses. */
static bool any_login(const struct analysis *a, int okta, unsigned groups,
		      bool only_without_credential)
{
	unsigned all = 1u << a->other_count;
	struct scenario sc = { okta, groups, 0 };

	for (sc.others = 0; sc.others < (only_without_credential ? 1u : all); sc.others++)
		if (logs_in(a, &sc))
			return true;
	return false;
}

static void add_group(struct okta_pamstack_report *report, const char *group)
{
	size_t used = strlen(report->groups);

	snprintf(report->groups + used, sizeof(report->groups) - used, "%s%s", used > 0 ? ", " : "",
		 group);
}

static void judge(const struct analysis *a, struct okta_pamstack_report *report)
{
	bool glass = false;
	int g;

	if (!a->has_okta) {
		report->verdict = OKTA_PAMSTACK_NOT_IN_AUTH;
		return;
	}
	if (any_login(a, RC_AUTH_ERR, 0, false)) {
		report->verdict = OKTA_PAMSTACK_FAIL_OPEN_ALL;
		report->bypass_without_credential = any_login(a, RC_AUTH_ERR, 0, true);
		return;
	}
	for (g = 0; g < a->group_count; g++) {
		unsigned only_g = 1u << g;

		if (!any_login(a, RC_AUTH_ERR, only_g, false) &&
		    !any_login(a, RC_AUTHINFO_UNAVAIL, only_g, false))
			continue;
		glass = true;
		add_group(report, a->groups[g]);
		if (any_login(a, RC_AUTH_ERR, only_g, true) ||
		    any_login(a, RC_AUTHINFO_UNAVAIL, only_g, true))
			report->bypass_without_credential = true;
	}
	report->okta_needs_more = !any_login(a, RC_SUCCESS, 0, true);
	if (any_login(a, RC_AUTHINFO_UNAVAIL, 0, false)) {
		report->verdict = OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL;
		if (any_login(a, RC_AUTHINFO_UNAVAIL, 0, true))
			report->bypass_without_credential = true;
	} else if (glass)
		report->verdict = OKTA_PAMSTACK_BREAK_GLASS;
	else if (!any_login(a, RC_SUCCESS, 0, false))
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
	else if (parse_text(a, 0, text, "service file", 0) == 0)
		judge(a, report);
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
			 "fail closed: while Okta is unreachable nobody logs in; a refused "
			 "token is refused%s",
			 r->okta_needs_more ? "; a good token needs another module's consent too"
					    : "");
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
	case OKTA_PAMSTACK_FAIL_OPEN_ALL:
		snprintf(out, outlen,
			 "fail open on everything (DANGEROUS): a refused Okta token "
			 "(PAM_AUTH_ERR) does not stop a login%s",
			 extra);
		break;
	}
}
