/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_session.h"
#include "okta_text.h"

#include <stdlib.h>
#include <string.h>

void okta_session_clear(struct okta_session *session)
{
	if (session->id != NULL)
		explicit_bzero(session->id, strlen(session->id));
	free(session->id);
	free(session->user_id);
	free(session->login);
	free(session->status);
	free(session->expires_at);
	okta_strings_free(session->amr, session->amr_count);
	free(session->last_password_verification);
	free(session->last_factor_verification);
	memset(session, 0, sizeof(*session));
}

void okta_groups_free(struct okta_group *groups, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++) {
		free(groups[i].id);
		free(groups[i].name);
		free(groups[i].type);
	}
}

void okta_group_list_clear(struct okta_group_list *list)
{
	okta_groups_free(list->items, list->count);
	free(list->items);
	memset(list, 0, sizeof(*list));
}
