/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_parse_session() on arbitrary bytes, as a 200 body
 * from a hostile server or proxy would reach it. Beyond the sanitizers'
 * checks: a successful parse returns every required field as a
 * NUL-terminated string, and the result is freed without leaking.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_json.h"
#include "okta_session.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct okta_session session;
	enum okta_parse_result result = okta_parse_session((const char *)data, size, &session);

	if (result == OKTA_PARSE_OK) {
		if (session.id == NULL || session.user_id == NULL || session.login == NULL ||
		    session.status == NULL)
			abort();
		/* strlen walks each copy: ASan catches a missing terminator. */
		if (strlen(session.id) + strlen(session.user_id) + strlen(session.login) +
			    strlen(session.status) >
		    size)
			abort();
	} else if (session.id != NULL || session.user_id != NULL || session.login != NULL ||
		   session.status != NULL || session.expires_at != NULL) {
		abort(); /* a failed parse must leave the session empty */
	}
	okta_session_clear(&session);
	return 0;
}
