/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_audit.h"
#include "okta_session.h"
#include "okta_text.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* Where a line is being written; a write that does not fit marks it full. */
struct sink {
	char *buf;
	size_t size;
	size_t len;
	bool full;
};

static void put(struct sink *s, const char *text, size_t n)
{
	if (s->full || s->len + n >= s->size) {
		s->full = true;
		return;
	}
	memcpy(s->buf + s->len, text, n);
	s->len += n;
	s->buf[s->len] = '\0';
}

static void put_str(struct sink *s, const char *text)
{
	put(s, text, strlen(text));
}

/* " key=value": "-" for an unknown (NULL or empty) value, quoted and
 * escaped when it is not a plain word (okta_text_quote). */
static void put_field(struct sink *s, const char *key, const char *value)
{
	char quoted[OKTA_TEXT_QUOTED_SIZE(OKTA_AUDIT_VALUE_MAX)];

	okta_text_quote(value, OKTA_AUDIT_VALUE_MAX, quoted, sizeof(quoted));
	put_str(s, " ");
	put_str(s, key);
	put_str(s, "=");
	put_str(s, quoted);
}

static const char *event_name(enum okta_audit_event event)
{
	switch (event) {
	case OKTA_AUDIT_AUTH:
		return "auth";
	case OKTA_AUDIT_SESSION_OPEN:
		return "session_open";
	case OKTA_AUDIT_SESSION_CLOSE:
		return "session_close";
	case OKTA_AUDIT_WATCH:
		return "watch";
	}
	return "unknown";
}

static const char *outcome_name(enum okta_audit_outcome outcome)
{
	switch (outcome) {
	case OKTA_AUDIT_SUCCESS:
		return "success";
	case OKTA_AUDIT_REFUSED:
		return "refused";
	case OKTA_AUDIT_UNAVAILABLE:
		return "unavailable";
	case OKTA_AUDIT_ERROR:
		return "error";
	case OKTA_AUDIT_REVOKED:
		return "revoked";
	case OKTA_AUDIT_EXPIRED:
		return "expired";
	case OKTA_AUDIT_TERMINATED:
		return "terminated";
	case OKTA_AUDIT_KEPT_ALIVE:
		return "kept_alive";
	case OKTA_AUDIT_UNWATCHED:
		return "unwatched";
	}
	return "error";
}

size_t okta_audit_format(const struct okta_audit_record *rec, char *out, size_t outlen)
{
	static const struct okta_audit_facts none;
	const struct okta_audit_facts *f = rec->facts != NULL ? rec->facts : &none;
	struct sink s = { out, outlen, 0, outlen == 0 };

	if (outlen > 0)
		out[0] = '\0';
	put_str(&s, OKTA_AUDIT_PREFIX "event=");
	put_str(&s, event_name(rec->event));
	put_field(&s, "outcome", outcome_name(rec->outcome));
	put_field(&s, "service", rec->service);
	put_field(&s, "user", rec->user);
	put_field(&s, "rhost", rec->rhost);
	put_field(&s, "okta_login", f->login);
	put_field(&s, "okta_user_id", f->user_id);
	put_field(&s, "reason", f->reason);
	put_field(&s, "okta_error_id", f->error_id);
	put_field(&s, "okta_session_tail", f->session_tail);
	put_field(&s, "invoking_user", rec->invoking_user);
	if (s.full) {
		if (outlen > 0)
			out[0] = '\0';
		return 0;
	}
	return s.len;
}

static void copy_cut(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src != NULL ? src : "");
}

void okta_audit_note_reason(struct okta_audit_facts *facts, const char *reason)
{
	if (facts != NULL && facts->reason[0] == '\0')
		copy_cut(facts->reason, sizeof(facts->reason), reason);
}

void okta_audit_note_error_id(struct okta_audit_facts *facts, const char *error_id)
{
	if (facts != NULL && facts->error_id[0] == '\0')
		copy_cut(facts->error_id, sizeof(facts->error_id), error_id);
}

void okta_audit_note_session_tail(struct okta_audit_facts *facts, const char *session_id)
{
	size_t len, tail;

	if (facts == NULL || session_id == NULL)
		return;
	len = strlen(session_id);
	tail = len / 4 < OKTA_AUDIT_SESSION_TAIL ? len / 4 : OKTA_AUDIT_SESSION_TAIL;
	memcpy(facts->session_tail, session_id + len - tail, tail);
	facts->session_tail[tail] = '\0';
}

void okta_audit_note_session(struct okta_audit_facts *facts, const struct okta_session *session)
{
	if (facts == NULL || session == NULL)
		return;
	copy_cut(facts->login, sizeof(facts->login), session->login);
	copy_cut(facts->user_id, sizeof(facts->user_id), session->user_id);
	okta_audit_note_session_tail(facts, session->id);
}
