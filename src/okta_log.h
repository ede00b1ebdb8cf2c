/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Logging sink shared by the Okta client, the workflow and the configuration
 * loader. The PAM glue points it at pam_syslog; the admin check tool at
 * stderr; unit tests at a capture buffer. Nothing passed to it may contain a
 * secret (API token, session token, session id): callers redact first.
 */
#ifndef OKTA_LOG_H
#define OKTA_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <syslog.h>

typedef void (*okta_log_fn)(void *ctx, int priority, const char *fmt, va_list ap);

struct okta_logger {
	okta_log_fn fn;
	void *ctx;
	bool debug; /* LOG_DEBUG lines are dropped unless set */
};

void okta_log(const struct okta_logger *logger, int priority, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Overwrite every occurrence of secret in text with '*' (in place). */
void okta_log_redact(char *text, const char *secret);

#endif
