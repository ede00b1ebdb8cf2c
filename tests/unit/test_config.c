/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

/*
 * Unit tests for okta_config.h: the parser on plain text, and the loader on
 * real files in a private temporary directory (owned by the test's uid).
 */

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "okta_config.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* What a test must never find in an error message. */
#define SECRET "00SeCrEtToKeN-x9_Zq"

/* ------------------------------------------------------------ helpers */

/*
 * Any field of the configuration as text, so that one table row can name
 * the field it checks: strings as they are ("(null)" for NULL), timeout in
 * decimal, the booleans as yes/no.
 */
static const char *render_field(const struct okta_config *cfg, const char *field, char *buf,
				size_t size)
{
	static const struct {
		const char *name;
		size_t offset;
	} strings[] = {
		{ "org_url", offsetof(struct okta_config, org_url) },
		{ "api_token", offsetof(struct okta_config, api_token) },
		{ "api_token_file", offsetof(struct okta_config, api_token_file) },
		{ "ca_file", offsetof(struct okta_config, ca_file) },
		{ "login_suffix", offsetof(struct okta_config, login_suffix) },
		{ "proxy", offsetof(struct okta_config, proxy) },
	};
	size_t i;

	for (i = 0; i < ARRAY_LEN(strings); i++) {
		if (strcmp(field, strings[i].name) == 0) {
			const char *value;

			memcpy(&value, (const char *)cfg + strings[i].offset, sizeof(value));
			snprintf(buf, size, "%s", value != NULL ? value : "(null)");
			return buf;
		}
	}
	if (strcmp(field, "timeout") == 0)
		snprintf(buf, size, "%ld", cfg->timeout);
	else if (strcmp(field, "refresh_on_open") == 0)
		snprintf(buf, size, "%s", cfg->refresh_on_open ? "yes" : "no");
	else if (strcmp(field, "revoke_on_close") == 0)
		snprintf(buf, size, "%s", cfg->revoke_on_close ? "yes" : "no");
	else
		fail_msg("no field named %s", field);
	return buf;
}

struct field_expect {
	const char *field;
	const char *value;
};

static const struct field_expect defaults[] = {
	{ "org_url", "(null)" }, { "api_token", "(null)" },    { "api_token_file", "(null)" },
	{ "ca_file", "(null)" }, { "login_suffix", "(null)" }, { "proxy", "(null)" },
	{ "timeout", "10" },     { "refresh_on_open", "yes" }, { "revoke_on_close", "no" },
};

static void check_fields(const struct okta_config *cfg, const struct field_expect *e, size_t n,
			 const char *label)
{
	size_t i;

	for (i = 0; i < n; i++) {
		char buf[512];

		render_field(cfg, e[i].field, buf, sizeof(buf));
		if (strcmp(buf, e[i].value) != 0)
			fail_msg("%s: %s is \"%s\", expected \"%s\"", label, e[i].field, buf,
				 e[i].value);
	}
}

/* Parse text into a freshly initialised cfg; returns the parser's result. */
static int parse(const char *text, size_t len, struct okta_config *cfg, char *err, size_t errlen)
{
	okta_config_init(cfg);
	err[0] = '\0';
	return okta_config_parse(text, len, cfg, err, errlen);
}

/* An error result whose message holds every fragment (NULL ends the list)
 * and never the secret. */
static void check_error_message(const char *label, int rc, const char *err, const char *secret,
				const char *const *fragments)
{
	if (rc != -1)
		fail_msg("%s: expected an error, got %d", label, rc);
	if (err[0] == '\0')
		fail_msg("%s: empty error message", label);
	for (; *fragments != NULL; fragments++) {
		if (strstr(err, *fragments) == NULL)
			fail_msg("%s: message \"%s\" lacks \"%s\"", label, err, *fragments);
	}
	if (secret != NULL && strstr(err, secret) != NULL)
		fail_msg("%s: message \"%s\" reveals the secret", label, err);
}

/* ------------------------------------------------------------ parser */

struct good_case {
	const char *text;
	const char *field;
	const char *value;
};

static void test_parse_good_values(void **state)
{
	static const struct good_case cases[] = {
		{ "org_url = https://example.okta.com", "org_url", "https://example.okta.com" },
		{ "org_url = https://example.okta.com/", "org_url", "https://example.okta.com" },
		{ "org_url = https://example.okta.com:8443", "org_url",
		  "https://example.okta.com:8443" },
		{ "org_url = https://example.okta.com:443/", "org_url",
		  "https://example.okta.com:443" },
		{ "org_url = https://[2001:db8::1]:8443/", "org_url",
		  "https://[2001:db8::1]:8443" },
		{ "org_url = https://[::1]", "org_url", "https://[::1]" },
		{ "org_url = https://127.0.0.1:9443", "org_url", "https://127.0.0.1:9443" },
		{ "api_token = " SECRET, "api_token", SECRET },
		{ "api_token = a=b==", "api_token", "a=b==" },
		{ "api_token_file = /etc/security/okta.token", "api_token_file",
		  "/etc/security/okta.token" },
		{ "ca_file = /etc/ssl/certs/okta-ca.pem", "ca_file", "/etc/ssl/certs/okta-ca.pem" },
		{ "login_suffix = @example.com", "login_suffix", "@example.com" },
		{ "timeout = 1", "timeout", "1" },
		{ "timeout = 60", "timeout", "60" },
		{ "timeout = 30", "timeout", "30" },
		{ "proxy = http://proxy.example:3128", "proxy", "http://proxy.example:3128" },
		{ "proxy = socks5h://127.0.0.1:1080", "proxy", "socks5h://127.0.0.1:1080" },
		{ "proxy = http://[::1]:3128", "proxy", "http://[::1]:3128" },
		{ "refresh_on_open = no", "refresh_on_open", "no" },
		{ "refresh_on_open = yes", "refresh_on_open", "yes" },
		{ "revoke_on_close = yes", "revoke_on_close", "yes" },
		{ "revoke_on_close = no", "revoke_on_close", "no" },
		/* layout: white space, comments, blank lines, CRLF */
		{ "timeout=7", "timeout", "7" },
		{ "  \ttimeout \t=\t 7 \t ", "timeout", "7" },
		{ "timeout = 7\n", "timeout", "7" },
		{ "timeout = 7\r\n", "timeout", "7" },
		{ "# timeout = 99\n\n   # indented comment\n\t\ntimeout = 8\n# end", "timeout",
		  "8" },
		{ "# comment\r\n\r\nproxy = http://p:1\r\nrevoke_on_close = yes\r\n", "proxy",
		  "http://p:1" },
		{ "# comment\r\n\r\nproxy = http://p:1\r\nrevoke_on_close = yes\r\n",
		  "revoke_on_close", "yes" },
		{ "#org_url = http://not-checked\ntimeout = 9", "org_url", "(null)" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		struct okta_config cfg;
		char err[256];
		struct field_expect e = { cases[i].field, cases[i].value };

		if (parse(cases[i].text, strlen(cases[i].text), &cfg, err, sizeof(err)) != 0)
			fail_msg("\"%s\": refused: %s", cases[i].text, err);
		check_fields(&cfg, &e, 1, cases[i].text);
		okta_config_clear(&cfg);
	}
}

static void test_parse_full_file(void **state)
{
	static const char text[] = "# /etc/security/pam_okta_session.conf\n"
				   "org_url = https://example.okta.com/\n"
				   "api_token = " SECRET "\n"
				   "ca_file = /etc/ssl/certs/ca.pem\n"
				   "login_suffix = @example.com\n"
				   "timeout = 15\n"
				   "proxy = http://proxy.example:3128\n"
				   "refresh_on_open = no\n"
				   "revoke_on_close = yes\n";
	static const struct field_expect expect[] = {
		{ "org_url", "https://example.okta.com" },
		{ "api_token", SECRET },
		{ "api_token_file", "(null)" },
		{ "ca_file", "/etc/ssl/certs/ca.pem" },
		{ "login_suffix", "@example.com" },
		{ "proxy", "http://proxy.example:3128" },
		{ "timeout", "15" },
		{ "refresh_on_open", "no" },
		{ "revoke_on_close", "yes" },
	};
	struct okta_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(text, sizeof(text) - 1, &cfg, err, sizeof(err)), 0);
	check_fields(&cfg, expect, ARRAY_LEN(expect), "full file");
	okta_config_clear(&cfg);
}

/* The session watch's keys: defaults, then every value. */
static void test_parse_watch_keys(void **state)
{
	static const char text[] = "watch = yes\nwatch_socket = /run/x/w.sock\n"
				   "watch_interval = 5\nkeep_alive = always\non_end = log\n";
	struct okta_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse("", 0, &cfg, err, sizeof(err)), 0);
	assert_false(cfg.watch);
	assert_null(cfg.watch_socket);
	assert_int_equal(cfg.watch_interval, 60);
	assert_int_equal(cfg.keep_alive, OKTA_KEEP_ALIVE_ACTIVE);
	assert_int_equal(cfg.on_end, OKTA_ON_END_TERMINATE);
	okta_config_clear(&cfg);
	assert_int_equal(parse(text, strlen(text), &cfg, err, sizeof(err)), 0);
	assert_true(cfg.watch);
	assert_string_equal(cfg.watch_socket, "/run/x/w.sock");
	assert_int_equal(cfg.watch_interval, 5);
	assert_int_equal(cfg.keep_alive, OKTA_KEEP_ALIVE_ALWAYS);
	assert_int_equal(cfg.on_end, OKTA_ON_END_LOG);
	okta_config_clear(&cfg);
	assert_int_equal(parse("keep_alive = no\n", 16, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.keep_alive, OKTA_KEEP_ALIVE_NO);
	okta_config_clear(&cfg);
}

static void test_parse_defaults(void **state)
{
	static const char *const texts[] = { "", "\n", "# only a comment\n", "\r\n \t\n#x\r\n" };
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(texts); i++) {
		struct okta_config cfg;
		char err[256];

		assert_int_equal(parse(texts[i], strlen(texts[i]), &cfg, err, sizeof(err)), 0);
		check_fields(&cfg, defaults, ARRAY_LEN(defaults), "defaults");
		okta_config_clear(&cfg);
	}
}

struct bad_case {
	const char *text;
	const char *fragment; /* must appear in the message */
};

static void run_bad_cases(const struct bad_case *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct okta_config cfg;
		char err[256];
		const char *fragments[] = { cases[i].fragment, NULL };
		int rc = parse(cases[i].text, strlen(cases[i].text), &cfg, err, sizeof(err));

		check_error_message(cases[i].text, rc, err, SECRET, fragments);
		okta_config_clear(&cfg);
	}
}

static void test_parse_syntax_errors(void **state)
{
	static const struct bad_case cases[] = {
		{ "bogus = 1", "unknown key 'bogus'" },
		{ "Timeout = 5", "unknown key" },
		{ "timeout = 5\ntimeout = 6", "line 2: 'timeout' is set more than once" },
		{ "proxy = http://a:1\r\n\r\nproxy = http://a:1\r\n", "line 3" },
		{ "timeout 5", "line 1: expected 'key = value'" },
		{ "# ok\ntimeout\n", "line 2" },
		{ "timeout =", "'timeout' has no value" },
		{ "timeout =  \t ", "no value" },
		{ "org_url = \r\n", "no value" },
		{ "= 5", "unknown key" },
		{ "bo\x01gus\x1b[2J = 1", "unknown key 'bo?gus?[2J'" },
		{ "abcdefghijklmnopqrstuvwxyz0123456789 = 1",
		  "unknown key 'abcdefghijklmnopqrstuvwxyz012345'" },
		{ "timeout = 5 # five", "timeout" },
	};

	(void)state;
	run_bad_cases(cases, ARRAY_LEN(cases));
}

static void test_parse_bad_values(void **state)
{
	static const struct bad_case cases[] = {
		{ "org_url = http://example.okta.com", "org_url" },
		{ "org_url = https://example.okta.com/api/v1", "org_url" },
		{ "org_url = https://example.okta.com?x=1", "org_url" },
		{ "org_url = https://user@example.okta.com", "org_url" },
		{ "org_url = https://user:pw@example.okta.com", "org_url" },
		{ "org_url = https://", "org_url" },
		{ "org_url = https://:443", "org_url" },
		{ "org_url = https://example.okta.com:0", "org_url" },
		{ "org_url = https://example.okta.com:70000", "org_url" },
		{ "org_url = example.okta.com", "org_url" },
		{ "timeout = 0", "timeout" },
		{ "timeout = 61", "timeout" },
		{ "timeout = abc", "timeout" },
		{ "timeout = -1", "timeout" },
		{ "timeout =  5x", "timeout" },
		{ "timeout = 5 x", "timeout" },
		{ "timeout = +5", "timeout" },
		{ "timeout = 1.5", "timeout" },
		{ "timeout = 99999999999999999999999", "timeout" },
		{ "refresh_on_open = true", "refresh_on_open must be yes or no" },
		{ "refresh_on_open = YES", "refresh_on_open" },
		{ "revoke_on_close = false", "revoke_on_close must be yes or no" },
		{ "revoke_on_close = 1", "revoke_on_close" },
		{ "watch = on", "watch must be yes or no" },
		{ "watch_interval = 4", "watch_interval must be whole seconds from 5 to 3600" },
		{ "watch_interval = 3601", "watch_interval" },
		{ "keep_alive = sometimes", "keep_alive must be active, always or no" },
		{ "on_end = kill", "on_end must be terminate or log" },
		{ "watch_socket = run/watch.sock", "watch_socket must be an absolute path" },
		{ "watch_socket = /run/"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
		  "aaaaaaaaaaaaaaaaaaaaaaaaaaa",
		  "at most 107 bytes" },
		{ "ca_file = certs/ca.pem", "ca_file must be an absolute path" },
		{ "ca_file = ./ca.pem", "ca_file" },
		{ "api_token_file = okta.token", "api_token_file must be an absolute path" },
		{ "api_token_file = ~/okta.token", "api_token_file" },
		{ "proxy = ftp://proxy.example", "proxy" },
		{ "proxy = http://", "proxy" },
		{ "proxy = proxy.example:3128", "proxy" },
		{ "proxy = http://pro xy:1", "proxy" },
		{ "login_suffix = @exa mple.com", "login_suffix" },
		{ "login_suffix = @ex\x01"
		  "ample.com",
		  "login_suffix" },
	};

	(void)state;
	run_bad_cases(cases, ARRAY_LEN(cases));
}

/* Bad API tokens, and lines that hold the token in the wrong place: the
 * message must name the problem but never show the token. */
static void test_parse_token_never_in_message(void **state)
{
	static const struct bad_case cases[] = {
		{ "api_token = " SECRET " x", "api_token" },
		{ "api_token = x " SECRET, "api_token" },
		{ "api_token = " SECRET "\x01", "api_token" },
		{ "api_token = " SECRET "\x7f", "api_token" },
		{ "api_token = " SECRET "\tx", "api_token" },
		{ "api_token = " SECRET "\xc3\xa9", "api_token" },
		{ "api_tokn = " SECRET, "unknown key 'api_tokn'" },
		{ "apitoken=" SECRET, "unknown key" },
		{ SECRET, "expected 'key = value'" },
		{ "api_token " SECRET, "expected 'key = value'" },
		{ "api_token: " SECRET, "expected 'key = value'" },
		{ "api_token = " SECRET "\napi_token = " SECRET, "more than once" },
		{ "api_token = " SECRET "\ntimeout = x", "timeout" },
		{ "org_url = https://" SECRET "@example.okta.com", "org_url" },
		{ "proxy = http://user:" SECRET "@pr oxy:1", "proxy" },
	};

	(void)state;
	run_bad_cases(cases, ARRAY_LEN(cases));
}

static void test_parse_api_token_length(void **state)
{
	char text[OKTA_API_TOKEN_MAX + 32];
	struct okta_config cfg;
	char err[256];
	int n = snprintf(text, sizeof(text), "api_token = ");

	(void)state;
	memset(text + n, 'T', OKTA_API_TOKEN_MAX);
	text[n + OKTA_API_TOKEN_MAX] = '\0';
	assert_int_equal(parse(text, strlen(text), &cfg, err, sizeof(err)), 0);
	assert_int_equal(strlen(cfg.api_token), OKTA_API_TOKEN_MAX);
	okta_config_clear(&cfg);

	strcat(text, "T");
	assert_int_equal(parse(text, strlen(text), &cfg, err, sizeof(err)), -1);
	assert_null(strstr(err, "TTTT"));
	okta_config_clear(&cfg);
}

static void test_parse_nul_byte(void **state)
{
	static const char text[] = "timeout = 5\n\0\norg_url = https://example.okta.com\n";
	static const char *const fragments[] = { "NUL", NULL };
	struct okta_config cfg;
	char err[256];

	(void)state;
	check_error_message("NUL", parse(text, sizeof(text) - 1, &cfg, err, sizeof(err)), err, NULL,
			    fragments);
	okta_config_clear(&cfg);
	check_error_message("NUL at the end", parse(text, sizeof(text), &cfg, err, sizeof(err)),
			    err, NULL, fragments);
	okta_config_clear(&cfg);
}

/* len bytes of valid configuration: comment lines then one setting. */
static char *big_text(size_t len)
{
	static const char tail[] = "\ntimeout = 42\n";
	char *text = malloc(len);
	size_t i;

	assert_non_null(text);
	for (i = 0; i < len; i++)
		text[i] = (i % 64 == 0) ? '#' : (i % 64 == 63 ? '\n' : 'c');
	memcpy(text + len - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
	return text;
}

static void test_parse_size_limit(void **state)
{
	static const char *const fragments[] = { "larger than", NULL };
	struct okta_config cfg;
	char err[256];
	char *text = big_text(OKTA_CONFIG_MAX_BYTES + 1);

	(void)state;
	check_error_message("64 KiB + 1",
			    parse(text, OKTA_CONFIG_MAX_BYTES + 1, &cfg, err, sizeof(err)), err,
			    NULL, fragments);
	okta_config_clear(&cfg);
	free(text);

	text = big_text(OKTA_CONFIG_MAX_BYTES);
	assert_int_equal(parse(text, OKTA_CONFIG_MAX_BYTES, &cfg, err, sizeof(err)), 0);
	assert_int_equal(cfg.timeout, 42);
	okta_config_clear(&cfg);
	free(text);
}

static void test_parse_small_error_buffer(void **state)
{
	static const char text[] = "bogus_key_with_a_long_name = 1";
	struct okta_config cfg;
	char err[8];

	(void)state;
	memset(err, 'Z', sizeof(err));
	okta_config_init(&cfg);
	assert_int_equal(okta_config_parse(text, sizeof(text) - 1, &cfg, err, sizeof(err)), -1);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	okta_config_clear(&cfg);
	assert_int_equal(okta_config_parse(text, sizeof(text) - 1, &cfg, NULL, 0), -1);
	okta_config_clear(&cfg);
}

struct url_case {
	const char *url;
	bool valid;
};

static void test_org_url_is_valid(void **state)
{
	static const struct url_case cases[] = {
		{ "https://example.okta.com", true },
		{ "https://example.okta.com/", true },
		{ "https://example.oktapreview.com:443", true },
		{ "https://a-b.example.com:1/", true },
		{ "https://example.com:65535", true },
		{ "https://127.0.0.1", true },
		{ "https://[::1]", true },
		{ "https://[::1]:8443/", true },
		{ "https://[2001:db8::1]", true },
		{ "https://localhost", true },
		{ "http://example.okta.com", false },
		{ "ftp://example.okta.com", false },
		{ "example.okta.com", false },
		{ "", false },
		{ "https://", false },
		{ "https:///", false },
		{ "https://:443", false },
		{ "https://example.com/path", false },
		{ "https://example.com//", false },
		{ "https://example.com?x=1", false },
		{ "https://example.com/?x=1", false },
		{ "https://example.com#frag", false },
		{ "https://user@example.com", false },
		{ "https://user:pw@example.com", false },
		{ "https://example.com@evil.example", false },
		{ "https://example.com:0", false },
		{ "https://example.com:65536", false },
		{ "https://example.com:70000", false },
		{ "https://example.com:", false },
		{ "https://example.com:abc", false },
		{ "https://example.com:443:443", false },
		{ "https://example.com:1234567", false },
		{ "https://example.com:-1", false },
		{ "https://[]", false },
		{ "https://[::1", false },
		{ "https://[::g]", false },
		{ "https://.example.com", false },
		{ "https://-example.com", false },
		{ "https://exa mple.com", false },
		{ "https://example.com ", false },
		{ " https://example.com", false },
		{ "https://example.com\n", false },
		{ "https://ex%41mple.com", false },
		{ "https://example.com\\@evil", false },
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_LEN(cases); i++) {
		if (okta_org_url_is_valid(cases[i].url) != cases[i].valid)
			fail_msg("\"%s\" should be %s", cases[i].url,
				 cases[i].valid ? "valid" : "refused");
	}
}

static void test_org_url_host_length(void **state)
{
	char url[8 + 260 + 1];

	(void)state;
	memcpy(url, "https://", 8);
	memset(url + 8, 'h', 253);
	url[8 + 253] = '\0';
	assert_true(okta_org_url_is_valid(url));
	memset(url + 8, 'h', 254);
	url[8 + 254] = '\0';
	assert_false(okta_org_url_is_valid(url));
}

static void test_config_clear_reusable(void **state)
{
	static const char first[] = "org_url = https://a.example\napi_token = " SECRET "\n"
				    "ca_file = /x\nlogin_suffix = @a\nproxy = http://p:1\n"
				    "timeout = 3\nrefresh_on_open = no\nrevoke_on_close = yes\n";
	static const char second[] = "org_url = https://b.example\napi_token_file = /t\n";
	static const struct field_expect after_second[] = {
		{ "org_url", "https://b.example" },
		{ "api_token_file", "/t" },
		{ "api_token", "(null)" },
		{ "proxy", "(null)" },
		{ "timeout", "10" },
		{ "revoke_on_close", "no" },
	};
	struct okta_config cfg;
	char err[256];

	(void)state;
	assert_int_equal(parse(first, sizeof(first) - 1, &cfg, err, sizeof(err)), 0);
	okta_config_clear(&cfg);
	check_fields(&cfg, defaults, ARRAY_LEN(defaults), "after clear");
	/* the cleared struct takes a new configuration without init */
	assert_int_equal(okta_config_parse(second, sizeof(second) - 1, &cfg, err, sizeof(err)), 0);
	check_fields(&cfg, after_second, ARRAY_LEN(after_second), "second parse");
	okta_config_clear(&cfg);
	okta_config_clear(&cfg);
	check_fields(&cfg, defaults, ARRAY_LEN(defaults), "cleared twice");
}

/* ------------------------------------------------------------ loader */

struct fixture {
	char dir[64];
	struct okta_config cfg;
	char err[1024];
};

static int rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)type;
	(void)ftw;
	return remove(path);
}

static int setup_dir(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/test_config.XXXXXX");
	if (mkdtemp(f->dir) == NULL) {
		free(f);
		return -1;
	}
	okta_config_init(&f->cfg);
	*state = f;
	return 0;
}

static int teardown_dir(void **state)
{
	struct fixture *f = *state;
	int rc = nftw(f->dir, rm_entry, 8, FTW_DEPTH | FTW_PHYS);

	okta_config_clear(&f->cfg);
	free(f);
	return rc;
}

/* Path of name inside the fixture's directory. */
static const char *path_in(const struct fixture *f, const char *name, char *buf, size_t size)
{
	int n = snprintf(buf, size, "%s/%s", f->dir, name);

	assert_true(n > 0 && (size_t)n < size);
	return buf;
}

/* Create (or replace) name in the fixture's directory with content and mode. */
static const char *write_file(const struct fixture *f, const char *name, const char *content,
			      size_t len, mode_t mode, char *buf, size_t size)
{
	int fd;

	path_in(f, name, buf, size);
	unlink(buf);
	fd = open(buf, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, content, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	return buf;
}

static const char *write_text(const struct fixture *f, const char *name, const char *content,
			      mode_t mode, char *buf, size_t size)
{
	return write_file(f, name, content, strlen(content), mode, buf, size);
}

/* Load path with a fresh configuration. */
static int load(struct fixture *f, const char *path, uid_t owner)
{
	okta_config_clear(&f->cfg);
	f->err[0] = '\0';
	return okta_config_load(path, owner, &f->cfg, f->err, sizeof(f->err));
}

/* Write a configuration file (mode 0600), load it, expect an error naming
 * the file and holding fragment. */
static void expect_load_error(struct fixture *f, const char *text, const char *fragment)
{
	char path[PATH_MAX];
	const char *fragments[] = { path, fragment, NULL };

	write_text(f, "okta.conf", text, 0600, path, sizeof(path));
	check_error_message(text, load(f, path, getuid()), f->err, SECRET, fragments);
}

#define GOOD_CONF "org_url = https://example.okta.com\napi_token = " SECRET "\n"

static void test_load_good(void **state)
{
	static const struct field_expect expect[] = {
		{ "org_url", "https://example.okta.com" },
		{ "api_token", SECRET },
		{ "api_token_file", "(null)" },
		{ "login_suffix", "" },
		{ "ca_file", "(null)" },
		{ "proxy", "(null)" },
		{ "timeout", "10" },
	};
	static const mode_t modes[] = { 0600, 0400, 0700 };
	struct fixture *f = *state;
	char path[PATH_MAX];
	size_t i;

	for (i = 0; i < ARRAY_LEN(modes); i++) {
		write_text(f, "okta.conf", GOOD_CONF, modes[i], path, sizeof(path));
		if (load(f, path, getuid()) != 0)
			fail_msg("mode %04o refused: %s", (unsigned)modes[i], f->err);
		check_fields(&f->cfg, expect, ARRAY_LEN(expect), "good file");
	}
}

static void test_load_wrong_owner(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	const char *fragments[] = { path, "owned by uid", NULL };

	write_text(f, "okta.conf", GOOD_CONF, 0600, path, sizeof(path));
	check_error_message("owner", load(f, path, getuid() + 1), f->err, SECRET, fragments);
}

static void test_load_insecure_mode(void **state)
{
	static const struct {
		mode_t mode;
		const char *shown;
	} cases[] = {
		{ 0640, "mode 0640" }, { 0604, "mode 0604" }, { 0660, "mode 0660" },
		{ 0602, "mode 0602" }, { 0620, "mode 0620" }, { 0610, "mode 0610" },
		{ 0601, "mode 0601" }, { 0644, "mode 0644" }, { 0666, "mode 0666" },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char path[PATH_MAX];
		const char *fragments[] = { path, cases[i].shown, NULL };

		write_text(f, "okta.conf", GOOD_CONF, cases[i].mode, path, sizeof(path));
		check_error_message(cases[i].shown, load(f, path, getuid()), f->err, SECRET,
				    fragments);
	}
}

static void test_load_not_regular(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	const char *fragments[] = { path, "not a regular file", NULL };

	path_in(f, "dir.conf", path, sizeof(path));
	assert_int_equal(mkdir(path, 0700), 0);
	check_error_message("directory", load(f, path, getuid()), f->err, NULL, fragments);

	/* Nobody writes to this FIFO: opening or reading it must not block.
	 * The alarm turns a hang into a failed run instead of a stuck one. */
	path_in(f, "fifo.conf", path, sizeof(path));
	assert_int_equal(mkfifo(path, 0600), 0);
	alarm(10);
	check_error_message("FIFO", load(f, path, getuid()), f->err, NULL, fragments);
	alarm(0);
}

static void test_load_missing(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	const char *fragments[] = { path, "cannot open", NULL };

	path_in(f, "absent.conf", path, sizeof(path));
	check_error_message("missing", load(f, path, getuid()), f->err, NULL, fragments);
}

static void test_load_consistency(void **state)
{
	struct fixture *f = *state;

	expect_load_error(f, GOOD_CONF "api_token_file = /etc/security/okta.token\n", "not both");
	expect_load_error(f, "org_url = https://example.okta.com\n",
			  "api_token or api_token_file is required");
	expect_load_error(f, "api_token = " SECRET "\n", "org_url is required");
	expect_load_error(f, GOOD_CONF "timeout = 0\n", "line 3");
	expect_load_error(f, GOOD_CONF "bogus = " SECRET "\n", "unknown key");
	expect_load_error(f, "", "required");
	expect_load_error(f, GOOD_CONF "watch = yes\nrefresh_on_open = no\n",
			  "watch = yes needs refresh_on_open = yes");
}

static void test_load_ca_file(void **state)
{
	struct fixture *f = *state;
	char conf[PATH_MAX * 2];
	char ca[PATH_MAX];
	char path[PATH_MAX];

	snprintf(conf, sizeof(conf), GOOD_CONF "ca_file = %s\n",
		 path_in(f, "absent-ca.pem", ca, sizeof(ca)));
	expect_load_error(f, conf, "ca_file");

	snprintf(conf, sizeof(conf), GOOD_CONF "ca_file = %s\n", f->dir);
	expect_load_error(f, conf, "ca_file");

	write_text(f, "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644, ca, sizeof(ca));
	snprintf(conf, sizeof(conf), GOOD_CONF "ca_file = %s\n", ca);
	write_text(f, "okta.conf", conf, 0600, path, sizeof(path));
	if (load(f, path, getuid()) != 0)
		fail_msg("existing ca_file refused: %s", f->err);
	assert_string_equal(f->cfg.ca_file, ca);
}

/* ca_file gets the trusted-file rules: not writable by others (readable is
 * fine), its content read once into ca_pem. */
static void test_load_ca_file_rules(void **state)
{
	static const char pem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
	static const mode_t writable[] = { 0666, 0646, 0664, 0620, 0602 };
	struct fixture *f = *state;
	char conf[PATH_MAX * 2];
	char ca[PATH_MAX];
	char link[PATH_MAX];
	char path[PATH_MAX];
	size_t i;

	write_text(f, "ca.pem", pem, 0444, ca, sizeof(ca));
	snprintf(conf, sizeof(conf), GOOD_CONF "ca_file = %s\n", ca);
	write_text(f, "okta.conf", conf, 0600, path, sizeof(path));
	if (load(f, path, getuid()) != 0)
		fail_msg("read-only ca_file refused: %s", f->err);
	assert_int_equal(f->cfg.ca_pem_len, strlen(pem));
	assert_memory_equal(f->cfg.ca_pem, pem, strlen(pem));

	for (i = 0; i < ARRAY_LEN(writable); i++) {
		char shown[16];
		const char *fragments[] = {
			path, "ca_file", ca, shown, "must not be group- or world-writable", NULL
		};

		snprintf(shown, sizeof(shown), "mode %04o", (unsigned)writable[i]);
		assert_int_equal(chmod(ca, writable[i]), 0);
		check_error_message(shown, load(f, path, getuid()), f->err, SECRET, fragments);
	}
	assert_int_equal(chmod(ca, 0644), 0);
	if (geteuid() == 0) {
		const char *fragments[] = { path, "ca_file", ca, "owned by uid 65534", NULL };

		assert_int_equal(chown(ca, 65534, (gid_t)-1), 0);
		check_error_message("ca owner", load(f, path, getuid()), f->err, SECRET, fragments);
	} else {
		print_message(
			"not root: ca_file's owner rule is left to tests/integration/test_files.py\n");
	}

	path_in(f, "link.pem", link, sizeof(link));
	assert_int_equal(symlink(ca, link), 0);
	snprintf(conf, sizeof(conf), GOOD_CONF "ca_file = %s\n", link);
	{
		const char *fragments[] = { path, "ca_file", link, "symbolic link", NULL };

		write_text(f, "okta.conf", conf, 0600, path, sizeof(path));
		check_error_message("ca symlink", load(f, path, getuid()), f->err, SECRET,
				    fragments);
	}
}

/* The configuration file itself: a symbolic link is not followed, wherever
 * it points, and ".." is not walked. */
static void test_load_symlink_and_dots(void **state)
{
	struct fixture *f = *state;
	char real[PATH_MAX];
	char link[PATH_MAX];
	char dots[PATH_MAX * 2];

	write_text(f, "okta.conf", GOOD_CONF, 0600, real, sizeof(real));
	if (load(f, real, getuid()) != 0)
		fail_msg("good file refused: %s", f->err);
	path_in(f, "link.conf", link, sizeof(link));
	assert_int_equal(symlink(real, link), 0);
	{
		const char *fragments[] = { link, "symbolic link", NULL };

		check_error_message("symlink", load(f, link, getuid()), f->err, SECRET, fragments);
	}
	snprintf(dots, sizeof(dots), "%s/../%s/okta.conf", f->dir, strrchr(f->dir, '/') + 1);
	{
		const char *fragments[] = { dots, "\"..\"", NULL };

		check_error_message("dots", load(f, dots, getuid()), f->err, SECRET, fragments);
	}
	{
		const char *fragments[] = { "relative.conf", "absolute", NULL };

		check_error_message("relative", load(f, "relative.conf", getuid()), f->err, SECRET,
				    fragments);
	}
}

/* A file in a subdirectory of the fixture's directory made with mode and
 * owner; returns the file's path in buf. */
static const char *conf_in_subdir(struct fixture *f, const char *sub, mode_t mode, uid_t owner,
				  char *buf, size_t size)
{
	char dir[PATH_MAX];
	char name[PATH_MAX];

	path_in(f, sub, dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(name, sizeof(name), "%s/okta.conf", sub);
	write_text(f, name, GOOD_CONF, 0600, buf, size);
	assert_int_equal(chown(dir, owner, (gid_t)-1), 0);
	assert_int_equal(chmod(dir, mode), 0);
	return buf;
}

/* Whoever can write a directory above the file can replace the file. */
static void test_load_directory_rules(void **state)
{
	static const struct {
		const char *sub;
		mode_t mode;
		const char *reason; /* NULL: accepted */
	} cases[] = {
		{ "d0755", 0755, NULL },
		{ "d0777", 0777, "group- or world-writable without the sticky bit" },
		{ "d0775", 0775, "group- or world-writable without the sticky bit" },
		{ "d0757", 0757, "group- or world-writable without the sticky bit" },
		{ "d1777", 01777, NULL }, /* like /tmp */
		{ "d1775", 01775, NULL },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char path[PATH_MAX];

		conf_in_subdir(f, cases[i].sub, cases[i].mode, getuid(), path, sizeof(path));
		if (cases[i].reason == NULL) {
			if (load(f, path, getuid()) != 0)
				fail_msg("%s refused: %s", cases[i].sub, f->err);
		} else {
			const char *fragments[] = { path, "directory", cases[i].sub,
						    cases[i].reason, NULL };

			check_error_message(cases[i].sub, load(f, path, getuid()), f->err, SECRET,
					    fragments);
		}
	}
}

/* A directory owned by someone other than root (or the file's required
 * owner, the tests' seam) is refused. Making one needs root. */
static void test_load_directory_owner(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	const char *fragments[] = { path, "directory", "not owned by root", NULL };

	if (geteuid() != 0) {
		print_message("needs root to chown a directory; run as root (CI does)\n");
		skip();
	}
	conf_in_subdir(f, "other", 0755, 65534, path, sizeof(path));
	check_error_message("owner", load(f, path, 0), f->err, SECRET, fragments);
	/* the same directory is fine when that user must own the file */
	assert_int_equal(chown(path, 65534, (gid_t)-1), 0);
	if (load(f, path, 65534) != 0)
		fail_msg("required owner's directory refused: %s", f->err);
}

/* A configuration that points at a token file holding content. */
static void write_token_setup(struct fixture *f, const char *content, size_t len, mode_t mode,
			      char *conf, size_t conf_size)
{
	char token_path[PATH_MAX];
	char text[PATH_MAX + 128];

	write_file(f, "okta.token", content, len, mode, token_path, sizeof(token_path));
	snprintf(text, sizeof(text), "org_url = https://example.okta.com\napi_token_file = %s\n",
		 token_path);
	write_text(f, "okta.conf", text, 0600, conf, conf_size);
}

static void test_load_api_token_file(void **state)
{
	static const struct {
		const char *content;
		const char *token;
	} cases[] = {
		{ SECRET "\n", SECRET },
		{ SECRET, SECRET },
		{ SECRET "\r\n", SECRET },
		{ "x", "x" },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char conf[PATH_MAX];
		char token_path[PATH_MAX];

		write_token_setup(f, cases[i].content, strlen(cases[i].content), 0600, conf,
				  sizeof(conf));
		if (load(f, conf, getuid()) != 0)
			fail_msg("token file case %zu refused: %s", i, f->err);
		assert_string_equal(f->cfg.api_token, cases[i].token);
		assert_string_equal(f->cfg.api_token_file,
				    path_in(f, "okta.token", token_path, sizeof(token_path)));
		assert_string_equal(f->cfg.login_suffix, "");
	}
}

static void test_load_api_token_file_bad(void **state)
{
	static const struct {
		const char *content;
		mode_t mode;
		const char *fragment;
	} cases[] = {
		{ SECRET "\n", 0640, "mode 0640" },
		{ SECRET "\n", 0604, "mode 0604" },
		{ "", 0600, "does not hold a plausible API token" },
		{ "\n", 0600, "does not hold a plausible API token" },
		{ "\r\n", 0600, "does not hold a plausible API token" },
		{ SECRET "\n\n", 0600, "does not hold a plausible API token" },
		{ SECRET " trailing", 0600, "does not hold a plausible API token" },
		{ "api_token = " SECRET "\n", 0600, "does not hold a plausible API token" },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < ARRAY_LEN(cases); i++) {
		char conf[PATH_MAX];
		char token_path[PATH_MAX];
		const char *fragments[] = { token_path, cases[i].fragment, NULL };

		path_in(f, "okta.token", token_path, sizeof(token_path));
		write_token_setup(f, cases[i].content, strlen(cases[i].content), cases[i].mode,
				  conf, sizeof(conf));
		check_error_message(cases[i].fragment, load(f, conf, getuid()), f->err, SECRET,
				    fragments);
	}
}

static void test_load_api_token_file_missing_or_big(void **state)
{
	struct fixture *f = *state;
	char conf[PATH_MAX];
	char token_path[PATH_MAX];
	const char *missing[] = { token_path, "cannot open", NULL };
	const char *too_big[] = { token_path, "larger than", NULL };
	const char *too_long[] = { token_path, "does not hold a plausible API token", NULL };
	char *big = malloc(OKTA_API_TOKEN_MAX + 3);

	assert_non_null(big);
	path_in(f, "okta.token", token_path, sizeof(token_path));
	memset(big, 'T', OKTA_API_TOKEN_MAX + 3);

	/* OKTA_API_TOKEN_MAX characters plus CRLF: the longest good file */
	big[OKTA_API_TOKEN_MAX] = '\r';
	big[OKTA_API_TOKEN_MAX + 1] = '\n';
	write_token_setup(f, big, OKTA_API_TOKEN_MAX + 2, 0600, conf, sizeof(conf));
	assert_int_equal(load(f, conf, getuid()), 0);
	assert_int_equal(strlen(f->cfg.api_token), OKTA_API_TOKEN_MAX);

	write_token_setup(f, big, OKTA_API_TOKEN_MAX + 3, 0600, conf, sizeof(conf));
	check_error_message("too big", load(f, conf, getuid()), f->err, "TTTT", too_big);

	/* one character too many, no newline */
	memset(big, 'T', OKTA_API_TOKEN_MAX + 1);
	write_token_setup(f, big, OKTA_API_TOKEN_MAX + 1, 0600, conf, sizeof(conf));
	check_error_message("1025 bytes", load(f, conf, getuid()), f->err, "TTTT", too_long);
	free(big);

	assert_int_equal(unlink(token_path), 0);
	check_error_message("missing", load(f, conf, getuid()), f->err, NULL, missing);
}

/* ca_dir: a directory only root (here: the test's user) can change, never a
 * symbolic link, not writable by others even with the sticky bit. */
static void test_check_trusted_dir(void **state)
{
	static const mode_t writable[] = { 0775, 0757, 01777, 0770 };
	struct fixture *f = *state;
	char dir[PATH_MAX];
	char link[PATH_MAX];
	char file[PATH_MAX];
	char err[512];
	size_t i;

	path_in(f, "certs", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	if (okta_check_trusted_dir(dir, getuid(), err, sizeof(err)) != 0)
		fail_msg("good directory refused: %s", err);
	for (i = 0; i < ARRAY_LEN(writable); i++) {
		const char *fragments[] = { dir, "group or others add a CA", NULL };

		assert_int_equal(chmod(dir, writable[i]), 0);
		check_error_message("writable ca_dir",
				    okta_check_trusted_dir(dir, getuid(), err, sizeof(err)), err,
				    NULL, fragments);
	}
	assert_int_equal(chmod(dir, 0755), 0);
	{
		const char *fragments[] = { dir, "must be owned by root", NULL };

		/* as root (CI): another user's directory; otherwise ours, checked
		 * for a user we are not */
		uid_t other = geteuid() == 0 ? 65534 : getuid() + 1;

		if (geteuid() == 0)
			assert_int_equal(chown(dir, 65534, (gid_t)-1), 0);
		check_error_message(
			"owner",
			okta_check_trusted_dir(dir, geteuid() == 0 ? 0 : other, err, sizeof(err)),
			err, NULL, fragments);
		if (geteuid() == 0)
			assert_int_equal(chown(dir, 0, (gid_t)-1), 0);
	}
	path_in(f, "certs-link", link, sizeof(link));
	assert_int_equal(symlink(dir, link), 0);
	{
		const char *fragments[] = { link, "symbolic link", NULL };

		check_error_message("symlink",
				    okta_check_trusted_dir(link, getuid(), err, sizeof(err)), err,
				    NULL, fragments);
	}
	write_text(f, "plain", "x", 0644, file, sizeof(file));
	{
		const char *fragments[] = { file, "cannot open the directory", NULL };

		check_error_message("file",
				    okta_check_trusted_dir(file, getuid(), err, sizeof(err)), err,
				    NULL, fragments);
	}
}

/* ca_dir is loaded and checked with the configuration; with ca_file it is
 * an error; without either, the system's hashed directory is chosen. */
static void test_load_ca_dir(void **state)
{
	static const char *const system_dirs[] = { OKTA_SYSTEM_CA_DIRS };
	struct fixture *f = *state;
	char conf[PATH_MAX * 3];
	char dir[PATH_MAX];
	char ca[PATH_MAX];
	char path[PATH_MAX];
	struct stat st;
	size_t i;

	path_in(f, "certs", dir, sizeof(dir));
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(conf, sizeof(conf), GOOD_CONF "ca_dir = %s\n", dir);
	write_text(f, "okta.conf", conf, 0600, path, sizeof(path));
	if (load(f, path, getuid()) != 0)
		fail_msg("ca_dir refused: %s", f->err);
	assert_string_equal(f->cfg.ca_dir, dir);
	assert_null(f->cfg.ca_file);

	assert_int_equal(chmod(dir, 0777), 0);
	expect_load_error(f, conf, "ca_dir");
	assert_int_equal(chmod(dir, 0755), 0);

	snprintf(conf, sizeof(conf), GOOD_CONF "ca_dir = relative/certs\n");
	expect_load_error(f, conf, "absolute path");

	write_text(f, "ca.pem", "-----BEGIN CERTIFICATE-----\n", 0644, ca, sizeof(ca));
	snprintf(conf, sizeof(conf), GOOD_CONF "ca_dir = %s\nca_file = %s\n", dir, ca);
	expect_load_error(f, conf, "not both");

	snprintf(conf, sizeof(conf), GOOD_CONF "ca_file = %s\n", ca);
	write_text(f, "okta.conf", conf, 0600, path, sizeof(path));
	assert_int_equal(load(f, path, getuid()), 0);
	assert_null(f->cfg.ca_dir);

	/* Neither: the first system directory present (this host's). */
	write_text(f, "okta.conf", GOOD_CONF, 0600, path, sizeof(path));
	if (load(f, path, 0) != 0)
		fail_msg("system CA directory refused: %s", f->err);
	for (i = 0; i < ARRAY_LEN(system_dirs); i++) {
		if (lstat(system_dirs[i], &st) == 0 && S_ISDIR(st.st_mode))
			break;
	}
	assert_true(i < ARRAY_LEN(system_dirs));
	assert_string_equal(f->cfg.ca_dir, system_dirs[i]);
}

static void test_read_secure_file(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX];
	char err[512];
	const char *fragments[] = { path, "larger than", NULL };
	size_t len = 0;
	char *buf;

	write_text(f, "secret", "0123456789", 0600, path, sizeof(path));
	buf = okta_read_secure_file(path, getuid(), 10, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(len, 10);
	assert_string_equal(buf, "0123456789");
	free(buf);

	buf = okta_read_secure_file(path, getuid(), 9, &len, err, sizeof(err));
	assert_null(buf);
	check_error_message("cap", -1, err, "0123", fragments);

	write_text(f, "secret", "", 0600, path, sizeof(path));
	len = 99;
	buf = okta_read_secure_file(path, getuid(), 10, &len, err, sizeof(err));
	assert_non_null(buf);
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good_values),
		cmocka_unit_test(test_parse_full_file),
		cmocka_unit_test(test_parse_watch_keys),
		cmocka_unit_test(test_parse_defaults),
		cmocka_unit_test(test_parse_syntax_errors),
		cmocka_unit_test(test_parse_bad_values),
		cmocka_unit_test(test_parse_token_never_in_message),
		cmocka_unit_test(test_parse_api_token_length),
		cmocka_unit_test(test_parse_nul_byte),
		cmocka_unit_test(test_parse_size_limit),
		cmocka_unit_test(test_parse_small_error_buffer),
		cmocka_unit_test(test_org_url_is_valid),
		cmocka_unit_test(test_org_url_host_length),
		cmocka_unit_test(test_config_clear_reusable),
		cmocka_unit_test_setup_teardown(test_load_good, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_wrong_owner, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_insecure_mode, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_not_regular, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_missing, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_consistency, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_ca_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_ca_file_rules, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_symlink_and_dots, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_directory_rules, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_directory_owner, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_api_token_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_api_token_file_bad, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_api_token_file_missing_or_big, setup_dir,
						teardown_dir),
		cmocka_unit_test_setup_teardown(test_read_secure_file, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_check_trusted_dir, setup_dir, teardown_dir),
		cmocka_unit_test_setup_teardown(test_load_ca_dir, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
