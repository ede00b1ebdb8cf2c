/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target: okta_pamstack_analyse() on an arbitrary PAM service
 * file, whose every @include / include / substack names the same bytes
 * again (so nesting, the depth limit and the include budget are reached).
 * Beyond the sanitizers' checks: a verdict is always one of the enum's,
 * an error always says why, and the description and every way-in line are
 * terminated strings.
 */
#include "config.h"

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "okta_pamstack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct input {
	const uint8_t *data;
	size_t size;
};

static char *as_text(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);

	if (text != NULL) {
		memcpy(text, data, size);
		text[size] = '\0';
	}
	return text;
}

static char *read_same(void *ctx, const char *name, char *err, size_t errlen)
{
	const struct input *in = ctx;

	(void)name;
	(void)err;
	(void)errlen;
	return as_text(in->data, in->size);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	struct okta_pamstack_report report;
	char said[1024];
	char *text = as_text(data, size);
	int i;

	if (text == NULL)
		return 0;
	okta_pamstack_analyse(text, read_same, &in, &report);
	free(text);
	if (report.verdict < OKTA_PAMSTACK_ERROR || report.verdict > OKTA_PAMSTACK_FAIL_OPEN_ALL)
		abort();
	if (report.verdict == OKTA_PAMSTACK_ERROR && report.error[0] == '\0')
		abort();
	okta_pamstack_describe(&report, said, sizeof(said));
	if (memchr(said, '\0', sizeof(said)) == NULL)
		abort();
	if (report.way_count < 0 || report.way_count > OKTA_PAMSTACK_MAX_WAYS)
		abort();
	for (i = 0; i < report.way_count; i++)
		if (memchr(report.ways[i].text, '\0', sizeof(report.ways[i].text)) == NULL ||
		    report.ways[i].text[0] == '\0')
			abort();
	return 0;
}
