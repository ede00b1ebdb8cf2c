/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_json.h"
#include "okta_session.h"
#include "okta_text.h"

#include <json-c/json.h>
#include <json-c/printbuf.h> /* the tokener's buffer: presize_tokener_buffer() */
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* json-c hands out const pointers into its own buffers; wiping a secret there
 * is the one place we must write through them. */
static void wipe_const(const char *text, size_t len)
{
	if (text != NULL)
		explicit_bzero((char *)(uintptr_t)text, len);
}

/*
 * json-c's tokener collects each string of the answer in one buffer (tok->pb)
 * before copying it into the tree, and grows it with realloc(), which would
 * leave freed copies of a session id or token behind (T7). Sized once for
 * the whole answer, it never grows (no string is longer than the answer),
 * and it is wiped before json_tokener_free(). The struct is public in every
 * json-c the module builds with (0.13 to 0.18), though marked internal.
 */
static int presize_tokener_buffer(struct json_tokener *tok, size_t len)
{
	if (printbuf_memset(tok->pb, 0, 0, (int)len + 1) < 0)
		return -1;
	printbuf_reset(tok->pb);
	return 0;
}

static void wipe_tokener_buffer(struct json_tokener *tok)
{
	if (tok->pb != NULL && tok->pb->buf != NULL)
		explicit_bzero(tok->pb->buf, (size_t)tok->pb->size);
}

/*
 * json-c 0.14 added json_tokener_get_parse_end and JSON_TOKENER_VALIDATE_UTF8;
 * before, the parse end is the tokener's char_offset (the same number, read
 * directly), and only okta_utf8_is_valid() below checks the encoding.
 */
#if JSON_C_VERSION_NUM >= ((0 << 16) | (14 << 8))
#define JSON_TOKENER_FLAGS (JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8)
static size_t tokener_parse_end(struct json_tokener *tok)
{
	return json_tokener_get_parse_end(tok);
}
#else
#define JSON_TOKENER_FLAGS JSON_TOKENER_STRICT
static size_t tokener_parse_end(struct json_tokener *tok)
{
	return tok->char_offset < 0 ? 0 : (size_t)tok->char_offset;
}
#endif

/* Returns 0 and the value in *out (NULL for a JSON null), or -1. */
static int tokenize(const char *text, size_t len, json_object **out)
{
	struct json_tokener *tok;
	json_object *root;
	size_t end;
	int rc = 0;

	tok = json_tokener_new_ex(OKTA_JSON_MAX_DEPTH);
	if (tok == NULL)
		return -1;
	if (presize_tokener_buffer(tok, len) != 0) {
		json_tokener_free(tok);
		return -1;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_FLAGS);
	root = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success)
		rc = -1;
	/* Only white space may follow the value: "{...}garbage" is not JSON
	 * (nor is "{...}\0...": json-c stops at a NUL byte as at the end). */
	for (end = tokener_parse_end(tok); rc == 0 && end < len; end++) {
		if (text[end] != ' ' && text[end] != '\t' && text[end] != '\r' && text[end] != '\n')
			rc = -1;
	}
	wipe_tokener_buffer(tok);
	json_tokener_free(tok);
	if (rc != 0)
		okta_json_free(root);
	else
		*out = root;
	return rc;
}

/* Calls visit on value and on every value inside it, depth first (at most
 * OKTA_JSON_MAX_DEPTH deep: json-c refuses deeper bodies). */
static void visit_tree(json_object *value, void (*visit)(json_object *, void *), void *arg)
{
	size_t i;

	visit(value, arg);
	if (json_object_is_type(value, json_type_array)) {
		for (i = 0; i < json_object_array_length(value); i++)
			visit_tree(json_object_array_get_idx(value, i), visit, arg);
	} else if (json_object_is_type(value, json_type_object)) {
		json_object_object_foreach(value, key, member)
		{
			(void)key;
			visit_tree(member, visit, arg);
		}
	}
}

static void wipe_if_string(json_object *value, void *unused)
{
	(void)unused;
	if (json_object_is_type(value, json_type_string))
		wipe_const(json_object_get_string(value),
			   (size_t)json_object_get_string_len(value));
}

/* Wipe every string value in the tree (json_object_put frees without). */
static void wipe_strings(json_object *value)
{
	visit_tree(value, wipe_if_string, NULL);
}

void okta_json_free(json_object *root)
{
	if (root == NULL)
		return;
	wipe_strings(root);
	json_object_put(root);
}

/* The code point of the valid UTF-8 sequence at p, n bytes long. */
static unsigned long utf8_code_point(const unsigned char *p, size_t n)
{
	unsigned long cp = n == 2 ? p[0] & 0x1Fu : n == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;
	size_t i;

	for (i = 1; i < n; i++)
		cp = (cp << 6) | (p[i] & 0x3Fu);
	return cp;
}

/*
 * json-c up to 0.18 reads the surrogate pair of a character above U+FFFF
 * whose low 16 bits fall in 0xD800-0xDFFF (U+1D800-U+1DFFF, U+2D800-
 * U+2DFFF, ... in every plane) as U+FFFD: its surrogate test masks the
 * decoded value with 0xFC00 only (json-c commit 7974657, after 0.18). No
 * escape of such a character means the same to json-c 0.18, so the
 * escaper refuses it: "a\U0002D800" and "a\U0002D801" must not become
 * the same login.
 */
static bool json_c_misreads_escape(unsigned long cp)
{
	return cp > 0xFFFF && (cp & 0xF800) == 0xD800;
}

/* cp as \uXXXX (two of them, a surrogate pair, above U+FFFF) into out;
 * returns what it wrote. */
static size_t escape_code_point(unsigned long cp, char *out, size_t room)
{
	if (cp < 0x10000)
		return (size_t)snprintf(out, room, "\\u%04lx", cp);
	cp -= 0x10000;
	return (size_t)snprintf(out, room, "\\u%04lx\\u%04lx", 0xD800 + (cp >> 10),
				0xDC00 + (cp & 0x3FF));
}

char *okta_json_ascii_escaped(const char *body, size_t len, size_t *out_len)
{
	const unsigned char *p = (const unsigned char *)body;
	/* At most 12 bytes ("\\uD83D\\uDE00") for a 4-byte sequence. */
	char *out = len <= (SIZE_MAX - 1) / 3 ? malloc(3 * len + 1) : NULL;
	bool in_string = false, escaped = false;
	size_t i = 0, o = 0, n;

	if (out == NULL)
		return NULL;
	while (i < len) {
		if (p[i] < 0x80) {
			if (in_string && escaped)
				escaped = false;
			else if (in_string && p[i] == '\\')
				escaped = true;
			else if (p[i] == '"')
				in_string = !in_string;
			out[o++] = (char)p[i++];
			continue;
		}
		/* Outside a string, or right after a backslash, a non-ASCII
		 * character is not JSON: keep it so, never turn it into an
		 * escape that would mean something. */
		n = p[i] >= 0xF0 ? 4 : p[i] >= 0xE0 ? 3 : 2;
		if (!in_string || escaped || n > len - i ||
		    json_c_misreads_escape(utf8_code_point(p + i, n))) {
			explicit_bzero(out, o);
			free(out);
			return NULL;
		}
		o += escape_code_point(utf8_code_point(p + i, n), out + o, 3 * len + 1 - o);
		i += n;
	}
	out[o] = '\0';
	*out_len = o;
	return out;
}

/*
 * json-c 0.18 in strict mode refuses every string holding a byte above
 * 0x7F: its new check against control characters compares a signed char
 * with 0x1f (fixed after 0.18). Such a json-c is recognised by what it does,
 * once, and gets the body with its non-ASCII characters written as \u
 * escapes, which mean the same to every JSON reader.
 */
static bool strict_refuses_non_ascii(void)
{
	/* 0 not yet known, 1 no, 2 yes; recomputing it in a race is harmless. */
	static _Atomic int known;
	json_object *probe = NULL;

	if (known == 0) {
		known = tokenize("\"\xc3\xa9\"", 4, &probe) == 0 ? 1 : 2;
		json_object_put(probe);
	}
	return known == 2;
}

static bool has_non_ascii(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)body[i] >= 0x80)
			return true;
	}
	return false;
}

/* Index of the quote that closes the string opening at body[open] (with
 * '"' or '\''), or len. */
static size_t end_of_string(const char *body, size_t len, size_t open)
{
	size_t i;

	for (i = open + 1; i < len; i++) {
		if (body[i] == '\\')
			i++; /* skip the escaped character ('\"' included) */
		else if (body[i] == body[open])
			return i;
	}
	return len;
}

/*
 * json-c takes an object key in single quotes ({'login':"x"}) even with
 * JSON_TOKENER_STRICT, although JSON has no such thing and no other reader
 * of Okta's answer takes it; and the ASCII escaper above (used with json-c
 * 0.18) knows only double-quoted strings, so such a key holding a non-ASCII
 * character was refused there and taken by json-c 0.16 (F7). Outside a
 * double-quoted string a single quote is never JSON: such a body is
 * refused on every release, before json-c sees it.
 */
static bool has_quote_outside_string(const char *body, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if (body[i] == '"')
			i = end_of_string(body, len, i);
		else if (body[i] == '\'')
			return true;
	}
	return false;
}

/* The value of the \uXXXX escape whose backslash is body[at], or -1. */
static long unicode_escape_at(const char *body, size_t len, size_t at)
{
	long value = 0;
	size_t i;

	if (at > len || len - at < 6 || body[at] != '\\' || body[at + 1] != 'u')
		return -1;
	for (i = at + 2; i < at + 6; i++) {
		if (!okta_ascii_is_xdigit(body[i]))
			return -1;
		value = value * 16 + (okta_ascii_is_digit(body[i]) ? body[i] - '0'
								   : (body[i] | 0x20) - 'a' + 10);
	}
	return value;
}

/*
 * json-c up to 0.18 reads the escaped surrogate pair of a character
 * json_c_misreads_escape() names as U+FFFD, whatever the body's json-c
 * release (F1): "a\\ud876\\udc00@x" and "a\\ud877\\udc00@x" read as one
 * login, and a key spelled once raw and once escaped is two keys to json-c
 * 0.13-0.17, so the key count behind the duplicate-key check did not see
 * the repeat (F9). Every release reads a lone surrogate as U+FFFD too:
 * "a\\ud876@x", "a\\ud877@x" and "a\\ufffd@x" would be one login (F10).
 * Okta writes non-ASCII characters raw; a surrogate escape other than the
 * pair of a character json-c reads right is refused on every release. A
 * backslash outside a string is not JSON.
 */
static bool has_misread_escape(const char *body, size_t len)
{
	long high, low;
	size_t i;

	for (i = 0; i < len; i++) {
		if (body[i] != '\\')
			continue;
		high = unicode_escape_at(body, len, i);
		if (high >= 0xD800 && high <= 0xDFFF) {
			low = unicode_escape_at(body, len, i + 6);
			if (high > 0xDBFF || low < 0xDC00 || low > 0xDFFF ||
			    json_c_misreads_escape(0x10000 +
						   ((unsigned long)(high - 0xD800) << 10) +
						   (unsigned long)(low - 0xDC00)))
				return true;
			i += 6; /* the low half, read with the high one */
		}
		i++; /* the escaped character: "\\\\ud876" holds no escape */
	}
	return false;
}

/* Returns 0 and the value in *out (NULL for a JSON null), or -1. Every
 * body must be well-formed UTF-8 (okta_utf8_is_valid: stricter than
 * json-c's own check, and the same on every json-c release). */
static int read_json(const char *body, size_t len, json_object **out)
{
	char *escaped;
	size_t escaped_len = 0;
	int rc;

	*out = NULL;
	if (len == 0 || len > INT32_MAX - 1 || !okta_utf8_is_valid(body, len) ||
	    has_quote_outside_string(body, len) || has_misread_escape(body, len))
		return -1;
	if (!has_non_ascii(body, len) || !strict_refuses_non_ascii())
		return tokenize(body, len, out);
	escaped = okta_json_ascii_escaped(body, len, &escaped_len);
	if (escaped == NULL)
		return -1;
	rc = escaped_len < INT32_MAX ? tokenize(escaped, escaped_len, out) : -1;
	explicit_bzero(escaped, escaped_len);
	free(escaped);
	return rc;
}

/* After a key's closing quote, json-c skips these (isspace() before 0.14). */
static bool is_json_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

size_t okta_json_key_count(const char *body, size_t len)
{
	size_t keys = 0;
	size_t i, next;

	for (i = 0; i < len; i++) {
		if (body[i] != '"' && body[i] != '\'')
			continue;
		i = end_of_string(body, len, i);
		for (next = i + 1; next < len && is_json_blank(body[next]); next++)
			;
		if (next < len && body[next] == ':')
			keys++;
	}
	return keys;
}

static void add_key_count(json_object *value, void *total)
{
	if (json_object_is_type(value, json_type_object))
		*(size_t *)total += (size_t)json_object_object_length(value);
}

/*
 * json-c keeps the last of two equal keys in an object without saying so,
 * so {"login":"bob@x","login":"alice@x"} would read as alice's session
 * while another JSON reader (a proxy, an audit tool) sees bob's; the same
 * holds deeper down (a group's profile.name, an Authn answer's
 * correctAnswer or _links). A body that names a key twice in any object is
 * refused. Rather than a second JSON parser that compares keys (escapes
 * make "log\u0069n" equal to "login"), we count the keys in the text and
 * compare with the distinct keys json-c kept in all its objects: json-c
 * only ever merges keys, so any difference is a repeat, however it was
 * spelled.
 */
static enum okta_parse_result parse_json(const char *body, size_t len, json_object **out)
{
	size_t kept = 0;

	if (read_json(body, len, out) != 0)
		return OKTA_PARSE_NOT_JSON;
	visit_tree(*out, add_key_count, &kept);
	if (okta_json_key_count(body, len) != kept) {
		okta_json_free(*out);
		*out = NULL;
		return OKTA_PARSE_DUPLICATE_KEY;
	}
	return OKTA_PARSE_OK;
}

/* 0: copied (or absent and optional); -1: wrong type, or absent and required. */
static int copy_string_field(json_object *obj, const char *key, int required, char **out)
{
	json_object *field;

	if (!json_object_object_get_ex(obj, key, &field) ||
	    json_object_is_type(field, json_type_null))
		return required ? -1 : 0;
	if (!json_object_is_type(field, json_type_string))
		return -1;
	/* "\u0000" inside a string would cut "alice@example.com\u0000.evil"
	 * short and make it match: refuse strings holding a NUL. */
	if (strlen(json_object_get_string(field)) != (size_t)json_object_get_string_len(field))
		return -1;
	*out = strndup(json_object_get_string(field), (size_t)json_object_get_string_len(field));
	return *out == NULL ? -1 : 0;
}

static void wipe_string_field(json_object *obj, const char *key)
{
	json_object *field;

	if (json_object_object_get_ex(obj, key, &field) &&
	    json_object_is_type(field, json_type_string))
		wipe_const(json_object_get_string(field),
			   (size_t)json_object_get_string_len(field));
}

int okta_json_array_length(json_object *value, size_t max, size_t *count)
{
	if (value == NULL || json_object_is_type(value, json_type_null))
		return 0;
	if (!json_object_is_type(value, json_type_array) || json_object_array_length(value) > max)
		return -1;
	*count = json_object_array_length(value);
	return 1;
}

/* amr: an array of short strings. 0: copied or absent; -1: another shape
 * (*out stays empty). */
static int copy_amr(json_object *obj, char ***out, size_t *count_out)
{
	json_object *field = NULL;
	char **items;
	size_t count = 0;
	size_t i;
	int rc;

	if (!json_object_object_get_ex(obj, "amr", &field))
		field = NULL;
	rc = okta_json_array_length(field, OKTA_AMR_MAX, &count);
	if (rc <= 0)
		return rc;
	items = calloc(count + 1, sizeof(*items));
	if (items == NULL)
		return -1;
	for (i = 0; i < count; i++) {
		json_object *item = json_object_array_get_idx(field, i);
		const char *text = json_object_get_string(item);

		if (!json_object_is_type(item, json_type_string) ||
		    strlen(text) != (size_t)json_object_get_string_len(item) ||
		    strlen(text) > OKTA_AMR_VALUE_MAX || (items[i] = strdup(text)) == NULL) {
			okta_strings_free(items, i);
			return -1;
		}
	}
	*out = items;
	*count_out = count;
	return 0;
}

/* The optional fields only the access policy reads: a wrong shape is
 * recorded, not fatal (see OKTA_FIELD_*). */
static void copy_policy_fields(json_object *root, struct okta_session *out)
{
	if (copy_amr(root, &out->amr, &out->amr_count) != 0)
		out->malformed |= OKTA_FIELD_AMR;
	if (copy_string_field(root, "lastPasswordVerification", 0,
			      &out->last_password_verification) != 0)
		out->malformed |= OKTA_FIELD_LAST_PASSWORD;
	if (copy_string_field(root, "lastFactorVerification", 0, &out->last_factor_verification) !=
	    0)
		out->malformed |= OKTA_FIELD_LAST_FACTOR;
}

enum okta_parse_result okta_json_parse(const char *body, size_t len, json_object **out)
{
	return parse_json(body, len, out);
}

int okta_json_copy_string(json_object *obj, const char *key, int required, char **out)
{
	return copy_string_field(obj, key, required, out);
}

void okta_json_wipe_string(json_object *obj, const char *key)
{
	wipe_string_field(obj, key);
}

enum okta_parse_result okta_parse_session(const char *body, size_t len, struct okta_session *out)
{
	json_object *root;
	enum okta_parse_result result = OKTA_PARSE_OK;

	memset(out, 0, sizeof(*out));
	result = parse_json(body, len, &root);
	if (result != OKTA_PARSE_OK)
		return result;
	if (!json_object_is_type(root, json_type_object)) {
		okta_json_free(root);
		return OKTA_PARSE_NOT_OBJECT;
	}
	if (copy_string_field(root, "id", 1, &out->id) != 0 ||
	    copy_string_field(root, "userId", 1, &out->user_id) != 0 ||
	    copy_string_field(root, "login", 1, &out->login) != 0 ||
	    copy_string_field(root, "status", 1, &out->status) != 0 ||
	    copy_string_field(root, "expiresAt", 0, &out->expires_at) != 0) {
		result = OKTA_PARSE_BAD_FIELD;
		okta_session_clear(out);
	} else {
		copy_policy_fields(root, out);
	}
	okta_json_free(root);
	return result;
}

const char *okta_parse_result_str(enum okta_parse_result result)
{
	switch (result) {
	case OKTA_PARSE_OK:
		return "ok";
	case OKTA_PARSE_NOT_JSON:
		return "body is not valid JSON";
	case OKTA_PARSE_NOT_OBJECT:
		return "body is not a JSON object";
	case OKTA_PARSE_NOT_ARRAY:
		return "body is not a JSON array";
	case OKTA_PARSE_BAD_FIELD:
		return "a required field is missing or not a string";
	case OKTA_PARSE_DUPLICATE_KEY:
		return "body names a key twice";
	case OKTA_PARSE_NO_MEMORY:
		return "out of memory";
	}
	return "unknown parse result";
}

static void copy_printable(json_object *obj, const char *key, char *out, size_t outlen)
{
	json_object *field;

	out[0] = '\0';
	if (!json_object_object_get_ex(obj, key, &field) ||
	    !json_object_is_type(field, json_type_string))
		return;
	okta_text_printable(json_object_get_string(field), out, outlen);
}

void okta_parse_error(const char *body, size_t len, struct okta_error *out)
{
	json_object *root;

	memset(out, 0, sizeof(*out));
	if (parse_json(body, len, &root) != OKTA_PARSE_OK)
		return;
	if (json_object_is_type(root, json_type_object)) {
		copy_printable(root, "errorCode", out->code, sizeof(out->code));
		copy_printable(root, "errorSummary", out->summary, sizeof(out->summary));
		copy_printable(root, "errorId", out->id, sizeof(out->id));
	}
	okta_json_free(root); /* a 404's errorSummary quotes the session id */
}

const char *okta_error_describe(const struct okta_error *err, char *out, size_t outlen)
{
	char code[OKTA_TEXT_QUOTED_SIZE(sizeof(err->code))];
	char summary[OKTA_TEXT_QUOTED_SIZE(sizeof(err->summary))];
	char id[OKTA_TEXT_QUOTED_SIZE(sizeof(err->id))];

	okta_text_quote(err->code, sizeof(err->code), code, sizeof(code));
	okta_text_quote(err->summary, sizeof(err->summary), summary, sizeof(summary));
	okta_text_quote(err->id, sizeof(err->id), id, sizeof(id));
	snprintf(out, outlen, "errorCode=%s, errorSummary=%s, errorId=%s", code, summary, id);
	return out;
}

/* Put n bytes at out + pos (when out is not NULL: the sizing pass has
 * none); returns the new position. */
static size_t put(char *out, size_t pos, const char *bytes, size_t n)
{
	if (out != NULL)
		memcpy(out + pos, bytes, n);
	return pos + n;
}

/* A JSON string, escaped as json-c does (no "\/"). */
static size_t put_string(char *out, size_t pos, const char *text, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t i;

	pos = put(out, pos, "\"", 1);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)text[i];
		const char *two = c == '"'    ? "\\\""
				  : c == '\\' ? "\\\\"
				  : c == '\b' ? "\\b"
				  : c == '\f' ? "\\f"
				  : c == '\n' ? "\\n"
				  : c == '\r' ? "\\r"
				  : c == '\t' ? "\\t"
					      : NULL;

		if (two != NULL) {
			pos = put(out, pos, two, 2);
		} else if (c < 0x20) {
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			pos = put(out, pos, esc, sizeof(esc));
		} else {
			pos = put(out, pos, (const char *)&c, 1);
		}
	}
	return put(out, pos, "\"", 1);
}

/* The request bodies' values: objects, strings and booleans. Returns the
 * new position, or (size_t)-1 for another type. */
static size_t put_value(char *out, size_t pos, json_object *value)
{
	bool first = true;

	switch (json_object_get_type(value)) {
	case json_type_string:
		return put_string(out, pos, json_object_get_string(value),
				  (size_t)json_object_get_string_len(value));
	case json_type_boolean:
		return json_object_get_boolean(value) ? put(out, pos, "true", 4)
						      : put(out, pos, "false", 5);
	case json_type_object:
		break;
	default:
		return (size_t)-1;
	}
	pos = put(out, pos, "{", 1);
	json_object_object_foreach(value, key, member)
	{
		if (!first)
			pos = put(out, pos, ",", 1);
		first = false;
		pos = put_string(out, pos, key, strlen(key));
		pos = put(out, pos, ":", 1);
		pos = put_value(out, pos, member);
		if (pos == (size_t)-1)
			return pos;
	}
	return put(out, pos, "}", 1);
}

/*
 * Serialised here, not by json_object_to_json_string(): json-c grows its
 * text buffer with realloc() as it writes, and every block it leaves behind
 * would keep a prefix of the body, the password or token included (T7).
 * One sizing pass, then one write into a block of exactly that size.
 */
char *okta_json_finish_body(json_object *root, const char *const *secret_keys, size_t *len_out)
{
	size_t len = put_value(NULL, 0, root);
	char *copy = NULL;

	(void)secret_keys; /* every string is wiped below */
	if (len != (size_t)-1 && (copy = malloc(len + 1)) != NULL) {
		put_value(copy, 0, root);
		copy[len] = '\0';
		*len_out = len;
	}
	okta_json_free(root);
	return copy;
}

char *okta_build_create_body(const char *session_token, size_t *len_out)
{
	static const char *const secrets[] = { "sessionToken", NULL };
	json_object *root;
	json_object *token;

	root = json_object_new_object();
	if (root == NULL)
		return NULL;
	token = json_object_new_string(session_token);
	if (token == NULL || json_object_object_add(root, "sessionToken", token) != 0) {
		json_object_put(token);
		json_object_put(root);
		return NULL;
	}
	return okta_json_finish_body(root, secrets, len_out);
}

/* One Group object: string id, optional type and profile.name (a group
 * without them matches only by id: see okta_policy.c). */
static int read_group_fields(json_object *item, struct okta_group *out)
{
	json_object *profile;

	if (!json_object_is_type(item, json_type_object) ||
	    copy_string_field(item, "id", 1, &out->id) != 0 ||
	    copy_string_field(item, "type", 0, &out->type) != 0)
		return -1;
	if (!json_object_object_get_ex(item, "profile", &profile) ||
	    json_object_is_type(profile, json_type_null))
		return 0;
	if (!json_object_is_type(profile, json_type_object))
		return -1;
	return copy_string_field(profile, "name", 0, &out->name);
}

static int read_group(json_object *item, struct okta_group *out)
{
	memset(out, 0, sizeof(*out));
	if (read_group_fields(item, out) == 0)
		return 0;
	okta_groups_free(out, 1);
	memset(out, 0, sizeof(*out));
	return -1;
}

static int reserve_groups(struct okta_group_list *list, size_t needed)
{
	struct okta_group *grown;
	size_t capacity = list->capacity > 0 ? list->capacity : 16;

	if (needed <= list->capacity)
		return 0;
	while (capacity < needed)
		capacity *= 2;
	grown = realloc(list->items, capacity * sizeof(*grown));
	if (grown == NULL)
		return -1;
	list->items = grown;
	list->capacity = capacity;
	return 0;
}

enum okta_parse_result okta_parse_groups(const char *body, size_t len, size_t max_groups,
					 struct okta_group_list *list)
{
	json_object *root;
	enum okta_parse_result result = OKTA_PARSE_OK;
	size_t count;
	size_t i;

	result = parse_json(body, len, &root);
	if (result != OKTA_PARSE_OK)
		return result;
	if (!json_object_is_type(root, json_type_array)) {
		okta_json_free(root);
		return OKTA_PARSE_NOT_ARRAY;
	}
	count = json_object_array_length(root);
	if (list->count > max_groups || count > max_groups - list->count)
		result = OKTA_PARSE_BAD_FIELD;
	else if (reserve_groups(list, list->count + count) != 0)
		result = OKTA_PARSE_NO_MEMORY;
	for (i = 0; result == OKTA_PARSE_OK && i < count; i++) {
		if (read_group(json_object_array_get_idx(root, i), &list->items[list->count + i]) !=
		    0) {
			okta_groups_free(list->items + list->count, i);
			result = OKTA_PARSE_BAD_FIELD;
		}
	}
	if (result == OKTA_PARSE_OK)
		list->count += count;
	okta_json_free(root);
	return result;
}
