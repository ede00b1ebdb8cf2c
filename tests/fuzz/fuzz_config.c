/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_config_parse() on arbitrary bytes (a configuration
 * file's contents). Beyond the sanitizers' checks: the error message is
 * NUL-terminated, a successful parse leaves a timeout within bounds, and
 * okta_config_clear() frees everything.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct okta_config cfg;
	char err[256];
	int rc;

	memset(err, 'X', sizeof(err));
	okta_config_init(&cfg);
	rc = okta_config_parse((const char *)data, size, &cfg, err, sizeof(err));
	if (rc != 0 && memchr(err, '\0', sizeof(err)) == NULL)
		abort();
	if (rc == 0 && (cfg.timeout < OKTA_TIMEOUT_MIN || cfg.timeout > OKTA_TIMEOUT_MAX))
		abort();
	okta_config_clear(&cfg);
	return 0;
}
