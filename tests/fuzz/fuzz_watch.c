/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_watch_parse() on arbitrary bytes, as a peer of
 * pam_okta_sessiond's socket (or a state file) hands them over, and
 * okta_proc_stat_parse() on the same bytes. Beyond the sanitizers' checks:
 * an accepted message encodes again, and that encoding parses to the very
 * same registration (nothing the parser accepts is lost or changed on the
 * way to a state file and back).
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_watch_proto.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct okta_watch_reg reg, again;
	struct okta_proc_stat st;
	char out[OKTA_WATCH_MSG_MAX];
	const char *why;
	size_t n;

	(void)okta_proc_stat_parse((const char *)data, size, &st);
	if (okta_watch_parse((const char *)data, size, &reg, &why) != 0) {
		if (why == NULL || reg.session_id[0] != '\0')
			abort();
		return 0;
	}
	n = okta_watch_encode(&reg, out, sizeof(out));
	if (n == 0 || okta_watch_parse(out, n, &again, &why) != 0)
		abort();
	if (memcmp(&reg, &again, sizeof(reg)) != 0)
		abort();
	return 0;
}
