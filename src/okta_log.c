/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_log.h"

#include <string.h>

void okta_log(const struct okta_logger *logger, int priority, const char *fmt, ...)
{
	va_list ap;

	if (logger == NULL || logger->fn == NULL)
		return;
	if (priority == LOG_DEBUG && !logger->debug)
		return;
	va_start(ap, fmt);
	logger->fn(logger->ctx, priority, fmt, ap);
	va_end(ap);
}

void okta_log_redact(char *text, const char *secret)
{
	size_t secret_len;
	char *hit;

	if (text == NULL || secret == NULL || (secret_len = strlen(secret)) == 0)
		return;
	/* Search on after each hit: a secret made of '*' would match forever. */
	for (hit = strstr(text, secret); hit != NULL; hit = strstr(hit + secret_len, secret))
		memset(hit, '*', secret_len);
}
