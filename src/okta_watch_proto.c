/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_watch_proto.h"
#include "okta_text.h"
#include "okta_validate.h"

#include <stdio.h>
#include <string.h>

static const char *const op_names[] = {
	[OKTA_WATCH_REGISTER] = "register",
	[OKTA_WATCH_DEREGISTER] = "deregister",
	[OKTA_WATCH_LIST] = "list",
};

#define OP_COUNT (sizeof(op_names) / sizeof(op_names[0]))

/* Visible ASCII of 1..max bytes: names from PAM items (service, tty, rhost). */
static bool is_visible_upto(const char *s, size_t max)
{
	size_t n = strlen(s);

	return n > 0 && n <= max && okta_text_is_visible(s);
}

static bool is_service(const char *s)
{
	return is_visible_upto(s, OKTA_WATCH_SERVICE_MAX);
}

static bool is_rhost(const char *s)
{
	return is_visible_upto(s, OKTA_WATCH_RHOST_MAX);
}

static bool is_tty(const char *s)
{
	return is_visible_upto(s, OKTA_WATCH_TTY_MAX);
}

/* logind's session ids ("3", "c1"): the daemon passes one to loginctl as
 * an argument, so nothing that could read as an option or a path. */
static bool is_logind_session(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!okta_ascii_is_alnum(s[i]))
			return false;
	}
	return i > 0 && i <= OKTA_WATCH_LOGIND_MAX;
}

/* The text fields, in the order they are written. */
struct text_field {
	const char *key;
	size_t offset;
	size_t size;
	bool (*valid)(const char *value);
	bool required; /* for register */
};

#define FIELD(name) \
	offsetof(struct okta_watch_reg, name), sizeof(((struct okta_watch_reg *)0)->name)

static const struct text_field text_fields[] = {
	{ "session_id", FIELD(session_id), okta_session_id_is_valid, true },
	{ "user_id", FIELD(user_id), okta_user_id_is_valid, true },
	{ "expires_at", FIELD(expires_at), okta_timestamp_is_valid, true },
	{ "user", FIELD(user), okta_pam_user_is_valid, true },
	{ "invoking_user", FIELD(invoking_user), okta_pam_user_is_valid, false },
	{ "service", FIELD(service), is_service, true },
	{ "rhost", FIELD(rhost), is_rhost, false },
	{ "tty", FIELD(tty), is_tty, false },
	{ "logind_session", FIELD(logind_session), is_logind_session, false },
};

#define TEXT_FIELD_COUNT (sizeof(text_fields) / sizeof(text_fields[0]))
/* Keys besides the text fields: op, pid, start_time. */
#define KEY_COUNT (TEXT_FIELD_COUNT + 3)
#define KEY_OP TEXT_FIELD_COUNT
#define KEY_PID (TEXT_FIELD_COUNT + 1)
#define KEY_START (TEXT_FIELD_COUNT + 2)
#define SESSION_ID_KEY 0

static char *field_of(struct okta_watch_reg *reg, const struct text_field *f)
{
	return (char *)reg + f->offset;
}

static const char *field_value(const struct okta_watch_reg *reg, const struct text_field *f)
{
	return (const char *)reg + f->offset;
}

/* Decimal digits only, at most 20 of them, no overflow past max. */
static bool parse_number(const char *s, unsigned long long max, unsigned long long *out)
{
	unsigned long long n = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (!okta_ascii_is_digit(s[i]) || i >= 20)
			return false;
		if (n > (max - (unsigned long long)(s[i] - '0')) / 10)
			return false;
		n = n * 10 + (unsigned long long)(s[i] - '0');
	}
	if (i == 0)
		return false;
	*out = n;
	return true;
}

/* Which keys an operation requires (and allows). */
static bool op_needs(enum okta_watch_op op, size_t key)
{
	if (op == OKTA_WATCH_LIST)
		return false;
	if (op == OKTA_WATCH_DEREGISTER)
		return key == SESSION_ID_KEY || key == KEY_PID;
	return key == KEY_PID || key == KEY_START ||
	       (key < TEXT_FIELD_COUNT && text_fields[key].required);
}

static bool op_allows(enum okta_watch_op op, size_t key)
{
	if (op == OKTA_WATCH_REGISTER)
		return true;
	return key == KEY_OP || op_needs(op, key);
}

static bool reg_is_valid(const struct okta_watch_reg *reg, bool present[KEY_COUNT])
{
	size_t i;

	if (reg->op <= OKTA_WATCH_NONE || (size_t)reg->op >= OP_COUNT)
		return false;
	for (i = 0; i < TEXT_FIELD_COUNT; i++) {
		const char *v = field_value(reg, &text_fields[i]);

		present[i] = v[0] != '\0';
		if (present[i] && !text_fields[i].valid(v))
			return false;
	}
	present[KEY_OP] = true;
	present[KEY_PID] = reg->pid != 0;
	present[KEY_START] = reg->op == OKTA_WATCH_REGISTER;
	if (present[KEY_PID] && (reg->pid < 1 || reg->pid > OKTA_WATCH_PID_MAX))
		return false;
	for (i = 0; i < KEY_COUNT; i++) {
		if (present[i] ? !op_allows(reg->op, i) : op_needs(reg->op, i))
			return false;
	}
	return true;
}

static bool append(char *out, size_t outlen, size_t *used, const char *key, const char *value)
{
	int n = snprintf(out + *used, outlen - *used, "%s=%s\n", key, value);

	if (n < 0 || (size_t)n >= outlen - *used)
		return false;
	*used += (size_t)n;
	return true;
}

size_t okta_watch_encode(const struct okta_watch_reg *reg, char *out, size_t outlen)
{
	bool present[KEY_COUNT];
	char number[24];
	size_t used = 0;
	bool ok;
	size_t i;

	if (outlen == 0)
		return 0;
	out[0] = '\0';
	if (!reg_is_valid(reg, present))
		return 0;
	ok = append(out, outlen, &used, "okta-watch 1\nop", op_names[reg->op]);
	for (i = 0; ok && i < TEXT_FIELD_COUNT; i++) {
		if (present[i])
			ok = append(out, outlen, &used, text_fields[i].key,
				    field_value(reg, &text_fields[i]));
	}
	if (ok && present[KEY_PID]) {
		snprintf(number, sizeof(number), "%lld", reg->pid);
		ok = append(out, outlen, &used, "pid", number);
	}
	if (ok && present[KEY_START]) {
		snprintf(number, sizeof(number), "%llu", reg->start_time);
		ok = append(out, outlen, &used, "start_time", number);
	}
	if (!ok || used > OKTA_WATCH_MSG_MAX) {
		explicit_bzero(out, outlen);
		return 0;
	}
	return used;
}

/* The index of key among all keys (text fields, op, pid, start_time), or -1. */
static int key_index(const char *key)
{
	size_t i;

	for (i = 0; i < TEXT_FIELD_COUNT; i++) {
		if (strcmp(key, text_fields[i].key) == 0)
			return (int)i;
	}
	if (strcmp(key, "op") == 0)
		return (int)KEY_OP;
	if (strcmp(key, "pid") == 0)
		return (int)KEY_PID;
	if (strcmp(key, "start_time") == 0)
		return (int)KEY_START;
	return -1;
}

static const char *apply_key(struct okta_watch_reg *reg, size_t key, const char *value)
{
	unsigned long long n;
	size_t i;

	if (key < TEXT_FIELD_COUNT) {
		const struct text_field *f = &text_fields[key];

		if (strlen(value) >= f->size || !f->valid(value))
			return "bad value";
		memcpy(field_of(reg, f), value, strlen(value) + 1);
		return NULL;
	}
	if (key == KEY_OP) {
		for (i = 1; i < OP_COUNT; i++) {
			if (strcmp(value, op_names[i]) == 0) {
				reg->op = (enum okta_watch_op)i;
				return NULL;
			}
		}
		return "unknown op";
	}
	if (key == KEY_PID) {
		if (!parse_number(value, (unsigned long long)OKTA_WATCH_PID_MAX, &n) || n == 0)
			return "bad pid";
		reg->pid = (long long)n;
		return NULL;
	}
	if (!parse_number(value, ~0ULL, &n))
		return "bad start_time";
	reg->start_time = n;
	return NULL;
}

/* One "key=value" line (NUL-terminated, without its '\n'). */
static const char *parse_line(struct okta_watch_reg *reg, char *line, bool seen[KEY_COUNT])
{
	char *eq = strchr(line, '=');
	int key;

	if (eq == NULL)
		return "line without '='";
	*eq = '\0';
	key = key_index(line);
	if (key < 0)
		return "unknown key";
	if (seen[key])
		return "key given twice";
	seen[key] = true;
	if (eq[1] == '\0')
		return "empty value";
	return apply_key(reg, (size_t)key, eq + 1);
}

static const char *parse_lines(char *text, struct okta_watch_reg *reg)
{
	bool seen[KEY_COUNT] = { false };
	bool present[KEY_COUNT];
	const char *why = NULL;
	char *line = text;
	char *end;
	size_t i;

	while (why == NULL && *line != '\0') {
		end = strchr(line, '\n');
		if (end == NULL)
			return "truncated";
		*end = '\0';
		why = parse_line(reg, line, seen);
		line = end + 1;
	}
	if (why != NULL)
		return why;
	if (!seen[KEY_OP])
		return "no op";
	if (!reg_is_valid(reg, present))
		return "fields do not fit the op";
	for (i = 0; i < KEY_COUNT; i++) {
		if (seen[i] != present[i] && i != KEY_START)
			return "fields do not fit the op";
	}
	if (seen[KEY_START] != (reg->op == OKTA_WATCH_REGISTER))
		return "fields do not fit the op";
	return NULL;
}

int okta_watch_parse(const char *msg, size_t len, struct okta_watch_reg *reg, const char **why)
{
	static const char magic[] = OKTA_WATCH_MAGIC "\n";
	char text[OKTA_WATCH_MSG_MAX + 1];
	const char *problem = NULL;

	memset(reg, 0, sizeof(*reg));
	if (len > OKTA_WATCH_MSG_MAX)
		problem = "too long";
	else if (memchr(msg, '\0', len) != NULL)
		problem = "NUL byte";
	else if (len < sizeof(magic) - 1 || memcmp(msg, magic, sizeof(magic) - 1) != 0)
		problem = "not an okta-watch 1 message";
	if (problem == NULL) {
		memcpy(text, msg, len);
		text[len] = '\0';
		problem = parse_lines(text + sizeof(magic) - 1, reg);
		explicit_bzero(text, len);
	}
	if (problem != NULL) {
		explicit_bzero(reg, sizeof(*reg));
		*why = problem;
		return -1;
	}
	*why = NULL;
	return 0;
}

/* A whole number of up to 18 digits starting at *p (optionally '-'),
 * followed by a space or the end; advances *p past the space. */
static int next_number(const char **p, const char *end, long long *out)
{
	unsigned long long n = 0;
	bool negative = false;
	size_t digits = 0;

	if (*p < end && **p == '-') {
		negative = true;
		(*p)++;
	}
	while (*p < end && okta_ascii_is_digit(**p)) {
		if (++digits > 18)
			return -1;
		n = n * 10 + (unsigned long long)(**p - '0');
		(*p)++;
	}
	if (digits == 0 || (*p < end && **p != ' ' && **p != '\n'))
		return -1;
	if (*p < end)
		(*p)++;
	*out = negative ? -(long long)n : (long long)n;
	return 0;
}

/* Skip one field that is not a number we need (the state letter). */
static int skip_field(const char **p, const char *end)
{
	const char *start = *p;

	while (*p < end && **p != ' ')
		(*p)++;
	if (*p == start || *p == end)
		return -1;
	(*p)++;
	return 0;
}

int okta_proc_stat_parse(const char *text, size_t len, struct okta_proc_stat *out)
{
	/* After comm: state(3) ppid(4) pgrp(5) session(6) tty_nr(7) ...
	 * starttime(22). Fields 3..22 are 20 fields. */
	const char *end = text + len;
	const char *p = NULL;
	long long v[23];
	size_t i;

	for (i = len; i > 0; i--) {
		if (text[i - 1] == ')') {
			p = text + i;
			break;
		}
	}
	if (p == NULL || p >= end || *p != ' ')
		return -1;
	p++;
	out->state = p < end ? *p : '\0';
	if (skip_field(&p, end) != 0)
		return -1;
	for (i = 4; i <= 22; i++) {
		if (next_number(&p, end, &v[i]) != 0)
			return -1;
	}
	if (v[4] < 0 || v[6] < 0 || v[22] < 0)
		return -1;
	out->ppid = v[4];
	out->sid = v[6];
	out->tty_nr = v[7];
	out->start_time = (unsigned long long)v[22];
	return 0;
}
