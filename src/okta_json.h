/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Okta JSON: the request body we send and the responses we accept. Pure
 * functions over bytes (no I/O, no globals) so that they can be unit-tested
 * and fuzzed on their own.
 */
#ifndef OKTA_JSON_H
#define OKTA_JSON_H

#include <stddef.h>

#include "okta_session.h"

/* Nesting deeper than this is refused: Okta's sessions are 4 levels deep. */
#define OKTA_JSON_MAX_DEPTH 16

enum okta_parse_result {
	OKTA_PARSE_OK = 0,
	OKTA_PARSE_NOT_JSON,      /* syntax, encoding, depth or trailing bytes */
	OKTA_PARSE_NOT_OBJECT,    /* valid JSON, but not an object */
	OKTA_PARSE_BAD_FIELD,     /* a field this module needs is missing or not a string */
	OKTA_PARSE_DUPLICATE_KEY, /* an object (at any depth) names a key twice */
	OKTA_PARSE_NO_MEMORY,
	OKTA_PARSE_NOT_ARRAY, /* valid JSON, but not an array */
};

/*
 * Parse a Session object. id, userId, login and status are required strings;
 * expiresAt is optional here (the caller decides whether it needs it) but
 * must be a string when present. amr (array of at most OKTA_AMR_MAX strings
 * of at most OKTA_AMR_VALUE_MAX bytes), lastPasswordVerification and
 * lastFactorVerification (strings) are optional; when present in another
 * shape they are left empty and flagged in malformed. On failure *out is
 * left empty.
 */
enum okta_parse_result okta_parse_session(const char *body, size_t len, struct okta_session *out);

/*
 * How many keys the JSON objects of body name, at every depth, counting
 * repeats ("login" twice counts 2): the strings (in either quote) that the
 * next non-blank byte shows to be keys. Meant for bodies json-c has already
 * accepted, but safe on any bytes. Compared with the number of distinct
 * keys json-c kept in all its objects, it tells whether a key was given
 * twice in one object (every parser refuses such a body).
 */
size_t okta_json_key_count(const char *body, size_t len);

/*
 * body (len bytes of valid UTF-8) with every non-ASCII character inside a
 * string written as a \uXXXX escape (a surrogate pair above U+FFFF): the
 * same JSON value in ASCII. A heap string (*out_len bytes; wipe and free
 * it), or NULL when out of memory, when a non-ASCII character stands
 * outside a string or right after a backslash (not JSON either way), or
 * when it holds a character above U+FFFF whose escape json-c up to 0.18
 * reads as U+FFFD (low 16 bits 0xD800-0xDFFF: U+1D800-U+1DFFF,
 * U+2D800-U+2DFFF, ...). What the parser hands json-c 0.18, whose strict
 * mode refuses any non-ASCII byte.
 */
char *okta_json_ascii_escaped(const char *body, size_t len, size_t *out_len);

/* A short English phrase for logs. */
const char *okta_parse_result_str(enum okta_parse_result result);

/*
 * Okta's error body {"errorCode","errorSummary","errorId",...}. Best effort:
 * fields that are missing or not strings are left empty. Values are cut to
 * size and anything but printable ASCII is replaced by '?', so that they are
 * safe to put in a log line.
 */
struct okta_error {
	char code[16];
	char summary[160];
	char id[48];
};

void okta_parse_error(const char *body, size_t len, struct okta_error *out);

/* Room for okta_error_describe(): each field at its longest, quoted. */
#define OKTA_ERROR_DESCRIBED_MAX 1024

/* "errorCode=C, errorSummary=S, errorId=I" for a log line: Okta's texts
 * quoted and escaped as audit values are (okta_text_quote), "-" when
 * absent, so that no summary can pass for the module's own words.
 * Returns out. */
const char *okta_error_describe(const struct okta_error *err, char *out, size_t outlen);

/*
 * Parse one page of listUserGroups (a JSON array of Group objects) and
 * append its groups to list. Every element must be an object with a string
 * id; profile.name is optional but must be a string when present. Fails
 * (list unchanged) when the page or any element is malformed, or when the
 * list would exceed max_groups.
 */
enum okta_parse_result okta_parse_groups(const char *body, size_t len, size_t max_groups,
					 struct okta_group_list *list);

/*
 * {"sessionToken": "<token>"} with JSON escaping done by json-c. Returns a
 * heap copy (the caller wipes and frees it) and its length, or NULL when out
 * of memory. json-c's own copies of the token are wiped before returning.
 */
char *okta_build_create_body(const char *session_token, size_t *len_out);

/*
 * The strict JSON reading the parsers above share, for the other parsers of
 * Okta answers (okta_authn_json.c). json_object is json-c's type.
 * okta_json_parse: OKTA_PARSE_OK and the value in *out (NULL for a JSON
 * null; the caller frees it with okta_json_free), OKTA_PARSE_NOT_JSON on
 * syntax, encoding, depth or trailing bytes, OKTA_PARSE_DUPLICATE_KEY when
 * an object names a key twice (*out NULL on both).
 * okta_json_copy_string: 0 when obj[key] was copied to *out (a heap string),
 * or is absent/null and not required; -1 when it has another type, holds a
 * NUL, or is absent and required.
 * okta_json_wipe_string: overwrite json-c's copy of obj[key] (a secret).
 * okta_json_finish_body: serialise root into a heap copy (its length in
 * *len_out; NULL when out of memory), wipe json-c's text and the strings
 * named by secret_keys (NULL-terminated) inside root, and free root.
 * okta_json_free: wipe every string in the tree, then put it: for every
 * value okta_json_parse() gave (json-c frees without wiping).
 * okta_json_array_length: 1 and the length in *count when value is an array
 * of at most max elements; 0 when it is absent (NULL) or a JSON null; -1
 * for another type or a longer array.
 */
struct json_object;
enum okta_parse_result okta_json_parse(const char *body, size_t len, struct json_object **out);
int okta_json_copy_string(struct json_object *obj, const char *key, int required, char **out);
void okta_json_wipe_string(struct json_object *obj, const char *key);
void okta_json_free(struct json_object *root);
char *okta_json_finish_body(struct json_object *root, const char *const *secret_keys,
			    size_t *len_out);
int okta_json_array_length(struct json_object *value, size_t max, size_t *count);

#endif
