/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_parse_authn() on arbitrary bytes (any 200 answer of
 * /api/v1/authn or one of its links). Beyond the sanitizers' checks, what a
 * successful parse hands out must keep the promises the sign-in flow relies
 * on: a printable status of bounded length, bounded tokens and links,
 * factors with ids, a correctAnswer in range; a failed parse leaves nothing
 * behind.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_authn_json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_bounded(const char *text, size_t max)
{
	if (text != NULL && (strlen(text) == 0 || strlen(text) > max))
		abort();
}

static void check_transaction(const struct okta_authn *tx)
{
	const char *c;
	size_t i;

	if (memchr(tx->status, '\0', sizeof(tx->status)) == NULL || tx->status[0] == '\0')
		abort();
	for (c = tx->status; *c != '\0'; c++) {
		if (*c < ' ' || *c > '~')
			abort();
	}
	check_bounded(tx->state_token, OKTA_AUTHN_TOKEN_MAX);
	check_bounded(tx->session_token, OKTA_AUTHN_TOKEN_MAX);
	check_bounded(tx->next_href, OKTA_AUTHN_URL_MAX);
	check_bounded(tx->skip_href, OKTA_AUTHN_URL_MAX);
	check_bounded(tx->cancel_href, OKTA_AUTHN_URL_MAX);
	if (tx->correct_answer < -1 || tx->correct_answer > OKTA_AUTHN_ANSWER_MAX)
		abort();
	if (tx->factor_count > OKTA_AUTHN_FACTORS_MAX ||
	    (tx->factor_count > 0) != (tx->factors != NULL))
		abort();
	for (i = 0; i < tx->factor_count; i++) {
		if (tx->factors[i].id == NULL)
			abort();
		check_bounded(tx->factors[i].id, OKTA_AUTHN_ID_MAX);
		check_bounded(tx->factors[i].verify_href, OKTA_AUTHN_URL_MAX);
	}
	(void)okta_authn_find_factor(tx, "push", "OKTA");
	(void)okta_authn_find_factor(tx, "token:software:totp", NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct okta_authn tx;

	if (okta_parse_authn((const char *)data, size, &tx) == OKTA_PARSE_OK) {
		check_transaction(&tx);
	} else if (tx.state_token != NULL || tx.session_token != NULL || tx.factors != NULL ||
		   tx.next_href != NULL || tx.cancel_href != NULL) {
		abort();
	}
	okta_authn_clear(&tx);
	return 0;
}
