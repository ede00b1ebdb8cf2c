/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_authn_json.h"
#include "okta_json.h"
#include "okta_text.h"

#include <json-c/json.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* What a state needs of the answer besides its status, state token and
 * cancel link (read in every state, so that any transaction can be
 * cancelled). The rest is not read: a field that only another state uses
 * must not make an answer unreadable (MFA_ENROLL lists the factors one may
 * set up, which have no id; MFA_ENROLL_ACTIVATE carries activation data). */
enum {
	NEED_SESSION_TOKEN = 1 << 0, /* sessionToken */
	NEED_FACTORS = 1 << 1,       /* _embedded.factors, each with an id */
	NEED_CHALLENGE = 1 << 2,     /* factorResult, correctAnswer, _links.next */
	NEED_SKIP = 1 << 3,          /* _links.skip */
};

static const struct {
	const char *name;
	enum okta_authn_state state;
	unsigned needs;
} state_names[] = {
	{ "SUCCESS", OKTA_AUTHN_SUCCESS, NEED_SESSION_TOKEN },
	{ "MFA_REQUIRED", OKTA_AUTHN_MFA_REQUIRED, NEED_FACTORS },
	/* not NEED_FACTORS: a challenge names the one factor being verified
	 * (the reference's push examples as "factors", an object) */
	{ "MFA_CHALLENGE", OKTA_AUTHN_MFA_CHALLENGE, NEED_CHALLENGE },
	{ "PASSWORD_WARN", OKTA_AUTHN_PASSWORD_WARN, NEED_SKIP },
	{ "PASSWORD_EXPIRED", OKTA_AUTHN_PASSWORD_EXPIRED, 0 },
	{ "LOCKED_OUT", OKTA_AUTHN_LOCKED_OUT, 0 },
	{ "MFA_ENROLL", OKTA_AUTHN_MFA_ENROLL, 0 },
	{ "MFA_ENROLL_ACTIVATE", OKTA_AUTHN_MFA_ENROLL_ACTIVATE, 0 },
};

static const struct {
	const char *name;
	enum okta_factor_result result;
} result_names[] = {
	{ "WAITING", OKTA_FACTOR_RESULT_WAITING },
	{ "REJECTED", OKTA_FACTOR_RESULT_REJECTED },
	{ "TIMEOUT", OKTA_FACTOR_RESULT_TIMEOUT },
	/* the rest of the reference's Factor result table that is the user's
	 * doing, not Okta's (ERROR stays "another factorResult": an outage) */
	{ "CANCELLED", OKTA_FACTOR_RESULT_CANCELLED },
	{ "PASSCODE_REPLAYED", OKTA_FACTOR_RESULT_PASSCODE_REPLAYED },
	{ "TIME_WINDOW_EXCEEDED", OKTA_FACTOR_RESULT_TIME_WINDOW_EXCEEDED },
};

void okta_secret_free(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

static void free_factors(struct okta_authn_factor *factors, size_t count)
{
	size_t i;

	for (i = 0; factors != NULL && i < count; i++) {
		free(factors[i].id);
		free(factors[i].type);
		free(factors[i].provider);
		free(factors[i].verify_href);
	}
	free(factors);
}

void okta_authn_clear(struct okta_authn *authn)
{
	okta_secret_free(authn->state_token);
	okta_secret_free(authn->session_token);
	free(authn->next_href);
	free(authn->skip_href);
	free(authn->cancel_href);
	free_factors(authn->factors, authn->factor_count);
	memset(authn, 0, sizeof(*authn));
	authn->correct_answer = -1;
}

/* The member at a path of object keys (NULL-terminated), or NULL when a
 * step is missing or not an object. */
static json_object *member(json_object *obj, const char *const *path)
{
	for (; *path != NULL; path++) {
		if (obj == NULL || !json_object_is_type(obj, json_type_object) ||
		    !json_object_object_get_ex(obj, *path, &obj))
			return NULL;
	}
	return obj;
}

/* okta_json_copy_string with a length limit: 0 copied or absent; -1 wrong
 * shape or too long (nothing kept). */
static int copy_bounded(json_object *obj, const char *key, size_t max, char **out)
{
	if (okta_json_copy_string(obj, key, 0, out) != 0)
		return -1;
	if (*out != NULL && (strlen(*out) == 0 || strlen(*out) > max)) {
		okta_secret_free(*out);
		*out = NULL;
		return -1;
	}
	return 0;
}

/* _links.<name>.href; 0 copied or absent, -1 wrong shape. */
static int copy_link(json_object *root, const char *name, char **out)
{
	const char *path[] = { "_links", name, NULL };
	json_object *link = member(root, path);

	if (link == NULL || json_object_is_type(link, json_type_null))
		return 0;
	if (!json_object_is_type(link, json_type_object))
		return -1;
	return copy_bounded(link, "href", OKTA_AUTHN_URL_MAX, out);
}

/* The status, and in *needs what that state needs read. */
static int read_status(json_object *root, struct okta_authn *out, unsigned *needs)
{
	char *status = NULL;
	size_t i;

	if (okta_json_copy_string(root, "status", 1, &status) != 0)
		return -1;
	if (strlen(status) == 0 || strlen(status) >= sizeof(out->status) ||
	    !okta_text_is_printable(status)) {
		free(status);
		return -1;
	}
	memcpy(out->status, status, strlen(status) + 1);
	free(status);
	out->state = OKTA_AUTHN_OTHER;
	*needs = 0;
	for (i = 0; i < sizeof(state_names) / sizeof(state_names[0]); i++) {
		if (strcmp(out->status, state_names[i].name) == 0) {
			out->state = state_names[i].state;
			*needs = state_names[i].needs;
		}
	}
	return 0;
}

static int read_factor_result(json_object *root, struct okta_authn *out)
{
	char *text = NULL;
	size_t i;

	if (copy_bounded(root, "factorResult", OKTA_AUTHN_TEXT_MAX, &text) != 0)
		return -1;
	if (text == NULL)
		return 0;
	out->factor_result = OKTA_FACTOR_RESULT_OTHER;
	for (i = 0; i < sizeof(result_names) / sizeof(result_names[0]); i++) {
		if (strcmp(text, result_names[i].name) == 0)
			out->factor_result = result_names[i].result;
	}
	free(text);
	return 0;
}

/* The number a number-matching push challenge asks the user to tap: in
 * _embedded.factor, or in _embedded.factors where the reference's push
 * examples put the challenged factor (an object there, not a list). */
static int read_correct_answer(json_object *root, struct okta_authn *out)
{
	const char *path[] = { "_embedded", "factor",        "_embedded",
			       "challenge", "correctAnswer", NULL };
	const char *documented[] = { "_embedded", "factors",       "_embedded",
				     "challenge", "correctAnswer", NULL };
	json_object *answer = member(root, path);
	int64_t n;

	if (answer == NULL)
		answer = member(root, documented);

	out->correct_answer = -1;
	if (answer == NULL || json_object_is_type(answer, json_type_null))
		return 0;
	if (!json_object_is_type(answer, json_type_int))
		return -1;
	n = json_object_get_int64(answer);
	if (n < 0 || n > OKTA_AUTHN_ANSWER_MAX)
		return -1;
	out->correct_answer = (long)n;
	return 0;
}

static int read_factor(json_object *item, struct okta_authn_factor *out)
{
	const char *verify_path[] = { "_links", "verify", NULL };
	json_object *verify;

	memset(out, 0, sizeof(*out));
	if (!json_object_is_type(item, json_type_object) ||
	    okta_json_copy_string(item, "id", 1, &out->id) != 0 || strlen(out->id) == 0 ||
	    strlen(out->id) > OKTA_AUTHN_ID_MAX ||
	    copy_bounded(item, "factorType", OKTA_AUTHN_TEXT_MAX, &out->type) != 0 ||
	    copy_bounded(item, "provider", OKTA_AUTHN_TEXT_MAX, &out->provider) != 0)
		return -1;
	verify = member(item, verify_path);
	if (verify == NULL || json_object_is_type(verify, json_type_null))
		return 0;
	if (!json_object_is_type(verify, json_type_object))
		return -1;
	return copy_bounded(verify, "href", OKTA_AUTHN_URL_MAX, &out->verify_href);
}

static int read_factors(json_object *root, struct okta_authn *out)
{
	const char *path[] = { "_embedded", "factors", NULL };
	json_object *list = member(root, path);
	size_t count = 0;
	size_t i;
	int rc = okta_json_array_length(list, OKTA_AUTHN_FACTORS_MAX, &count);

	if (rc <= 0 || count == 0)
		return rc;
	out->factors = calloc(count, sizeof(*out->factors));
	if (out->factors == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		out->factor_count = i + 1; /* so that clear frees a partial one */
		if (read_factor(json_object_array_get_idx(list, i), &out->factors[i]) != 0)
			return -1;
	}
	return 0;
}

/* _embedded and _links must be objects when present: anything else means
 * we are not reading what we think we are. */
static bool containers_are_objects(json_object *root)
{
	static const char *const names[] = { "_embedded", "_links" };
	json_object *field;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (json_object_object_get_ex(root, names[i], &field) &&
		    !json_object_is_type(field, json_type_null) &&
		    !json_object_is_type(field, json_type_object))
			return false;
	}
	return true;
}

/* What the state needs (see state_names), and nothing else. */
static int read_needed(json_object *root, unsigned needs, struct okta_authn *out)
{
	if ((needs & NEED_SESSION_TOKEN) != 0 &&
	    copy_bounded(root, "sessionToken", OKTA_AUTHN_TOKEN_MAX, &out->session_token) != 0)
		return -1;
	if ((needs & NEED_FACTORS) != 0 && read_factors(root, out) != 0)
		return -1;
	if ((needs & NEED_CHALLENGE) != 0 &&
	    (copy_link(root, "next", &out->next_href) != 0 || read_factor_result(root, out) != 0 ||
	     read_correct_answer(root, out) != 0))
		return -1;
	if ((needs & NEED_SKIP) != 0 && copy_link(root, "skip", &out->skip_href) != 0)
		return -1;
	return 0;
}

static int read_transaction(json_object *root, struct okta_authn *out)
{
	unsigned needs = 0;

	if (!containers_are_objects(root) || read_status(root, out, &needs) != 0 ||
	    copy_bounded(root, "stateToken", OKTA_AUTHN_TOKEN_MAX, &out->state_token) != 0 ||
	    copy_link(root, "cancel", &out->cancel_href) != 0 || read_needed(root, needs, out) != 0)
		return -1;
	return 0;
}

enum okta_parse_result okta_parse_authn(const char *body, size_t len, struct okta_authn *out)
{
	json_object *root = NULL;
	enum okta_parse_result result = OKTA_PARSE_OK;

	memset(out, 0, sizeof(*out));
	out->correct_answer = -1;
	if (body == NULL)
		return OKTA_PARSE_NOT_JSON;
	/* {"status":"MFA_REQUIRED",...,"status":"SUCCESS"}, or correctAnswer
	 * twice: json-c keeps one, another reader the other; the parser takes
	 * neither (OKTA_PARSE_DUPLICATE_KEY). */
	result = okta_json_parse(body, len, &root);
	if (result != OKTA_PARSE_OK)
		return result;
	if (!json_object_is_type(root, json_type_object))
		result = OKTA_PARSE_NOT_OBJECT;
	else if (read_transaction(root, out) != 0)
		result = OKTA_PARSE_BAD_FIELD;
	/* Every string, not only stateToken and sessionToken: an answer may
	 * carry other secrets (an enrollment's activation data). */
	okta_json_free(root);
	if (result != OKTA_PARSE_OK)
		okta_authn_clear(out);
	return result;
}

/* Whole strings equal, ASCII case-insensitively. */
static bool equal_nocase(const char *a, const char *b)
{
	size_t len = strlen(a);

	return strlen(b) == len && okta_ascii_equal_nocase(a, b, len);
}

const struct okta_authn_factor *okta_authn_find_factor(const struct okta_authn *authn,
						       const char *type, const char *provider)
{
	size_t i;

	for (i = 0; i < authn->factor_count; i++) {
		const struct okta_authn_factor *f = &authn->factors[i];

		if (f->type == NULL || f->verify_href == NULL || strcmp(f->type, type) != 0)
			continue;
		if (provider == NULL ||
		    (f->provider != NULL && equal_nocase(f->provider, provider)))
			return f;
	}
	return NULL;
}

/* ------------------------------------------------------------ request bodies */

static int add_string(json_object *obj, const char *key, const char *value)
{
	json_object *str = json_object_new_string(value);

	if (str == NULL || json_object_object_add(obj, key, str) != 0) {
		json_object_put(str);
		return -1;
	}
	return 0;
}

static int add_bool(json_object *obj, const char *key, bool value)
{
	json_object *b = json_object_new_boolean(value);

	if (b == NULL || json_object_object_add(obj, key, b) != 0) {
		json_object_put(b);
		return -1;
	}
	return 0;
}

char *okta_authn_primary_body(const char *username, const char *password, size_t *len_out)
{
	static const char *const secrets[] = { "password", NULL };
	json_object *root = json_object_new_object();
	json_object *options = json_object_new_object();

	if (root == NULL || options == NULL || add_string(root, "username", username) != 0 ||
	    add_string(root, "password", password) != 0 ||
	    add_bool(options, "warnBeforePasswordExpired", true) != 0 ||
	    add_bool(options, "multiOptionalFactorEnroll", false) != 0 ||
	    json_object_object_add(root, "options", options) != 0) {
		if (root != NULL)
			okta_json_wipe_string(root, "password");
		json_object_put(options);
		json_object_put(root);
		return NULL;
	}
	return okta_json_finish_body(root, secrets, len_out);
}

char *okta_authn_state_body(const char *state_token, const char *passcode, size_t *len_out)
{
	static const char *const secrets[] = { "stateToken", "passCode", NULL };
	json_object *root = json_object_new_object();

	if (root == NULL || add_string(root, "stateToken", state_token) != 0 ||
	    (passcode != NULL && add_string(root, "passCode", passcode) != 0)) {
		if (root != NULL) {
			okta_json_wipe_string(root, "stateToken");
			okta_json_wipe_string(root, "passCode");
		}
		json_object_put(root);
		return NULL;
	}
	return okta_json_finish_body(root, secrets, len_out);
}
