/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_config.h"
#include "okta_text.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* A number macro as a string literal, for messages. */
#define STRINGIFY_(x) #x
#define STRINGIFY(x) STRINGIFY_(x)

#define HTTPS_SCHEME "https://"
#define DNS_NAME_MAX 253 /* characters of a host name (RFC 1035) */
#define PORT_MAX 65535
/* Digits read before a port is refused as too long: one more than 65535's,
 * so that leading zeros cannot wrap the number. */
#define PORT_DIGITS_MAX 5

/* How much of an unknown key an error message shows. */
#define KEY_SHOWN_MAX 32

static void set_error(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_error(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* "<path>: <what>: <reason>". strerror() may share one buffer between
 * threads, and a PAM host may log users in from several threads: the GNU
 * strerror_r (config.h defines _GNU_SOURCE) returns a thread-safe text. */
static void set_errno_error(char *err, size_t errlen, const char *path, const char *what,
			    int errnum)
{
	char reason[128];

	set_error(err, errlen, "%s: %s: %s", path, what,
		  strerror_r(errnum, reason, sizeof(reason)));
}

static void free_secret(char *secret)
{
	if (secret == NULL)
		return;
	explicit_bzero(secret, strlen(secret));
	free(secret);
}

void okta_config_init(struct okta_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->timeout = OKTA_TIMEOUT_DEFAULT;
	cfg->refresh_on_open = true;
	cfg->revoke_on_close = false;
	cfg->sign_in = OKTA_SIGN_IN_SESSION_TOKEN;
	cfg->mfa = OKTA_MFA_PROMPT;
	cfg->mfa_timeout = OKTA_MFA_TIMEOUT_DEFAULT;
	cfg->forward_client_ip = true;
	cfg->watch = false;
	cfg->watch_interval = OKTA_WATCH_INTERVAL_DEFAULT;
	cfg->keep_alive = OKTA_KEEP_ALIVE_ACTIVE;
	cfg->on_end = OKTA_ON_END_TERMINATE;
}

void okta_config_clear(struct okta_config *cfg)
{
	free(cfg->org_url);
	free_secret(cfg->api_token);
	free(cfg->api_token_file);
	free(cfg->ca_file);
	free(cfg->ca_pem);
	free(cfg->ca_dir);
	free(cfg->login_suffix);
	free(cfg->proxy);
	free(cfg->watch_socket);
	okta_strings_free(cfg->require_groups, cfg->require_group_count);
	okta_config_init(cfg);
}

bool okta_org_url_is_valid(const char *url)
{
	const char *host;
	const char *p;
	size_t host_len = 0;

	if (strncmp(url, HTTPS_SCHEME, strlen(HTTPS_SCHEME)) != 0)
		return false;
	host = url + strlen(HTTPS_SCHEME);
	/* Host name or IPv4 address; an IPv6 literal in brackets. No user
	 * info, path, query or fragment: org_url is an origin. */
	if (*host == '[') {
		for (p = host + 1; okta_ascii_is_xdigit(*p) || *p == ':' || *p == '.'; p++)
			;
		if (*p != ']' || p == host + 1)
			return false;
		p++;
	} else {
		for (p = host; okta_ascii_is_alnum(*p) || *p == '.' || *p == '-'; p++)
			host_len++;
		if (host_len == 0 || host_len > DNS_NAME_MAX || *host == '.' || *host == '-')
			return false;
	}
	if (*p == ':') {
		long port = 0;
		const char *digits = ++p;

		while (okta_ascii_is_digit(*p) && p - digits <= PORT_DIGITS_MAX)
			port = port * 10 + (*p++ - '0');
		if (p == digits || port < 1 || port > PORT_MAX)
			return false;
	}
	if (*p == '/')
		p++;
	return *p == '\0';
}

static bool is_absolute_path(const char *value)
{
	return value[0] == '/' && strlen(value) < PATH_MAX;
}

static bool is_proxy_url(const char *value)
{
	static const char *const schemes[] = { "http://",    "https://",  "socks4://",
					       "socks4a://", "socks5://", "socks5h://" };
	size_t i;

	for (i = 0; i < sizeof(schemes) / sizeof(schemes[0]); i++) {
		size_t n = strlen(schemes[i]);

		if (strncmp(value, schemes[i], n) == 0 && value[n] != '\0')
			return true;
	}
	return false;
}

/* What a parser answers when strdup or calloc failed: the message is then
 * "out of memory", without the line. */
static const char out_of_memory[] = "out of memory";

/*
 * One configuration key: its name, the parser of its value and where the
 * value goes (an offset into struct okta_config). A parser returns NULL, or
 * what is wrong with the value, completing "line N: <key> ..."; numbers add
 * their bounds (min, max), enums their choices.
 */
struct setting;
typedef const char *(*value_parser)(const struct setting *setting, const char *value, void *dest);

struct setting {
	const char *key;
	value_parser parse;
	size_t offset;
	long min, max;              /* parse_seconds: the bounds */
	const char *const *choices; /* an enum's names, by value, then NULL */
};

static const char *store_string(char **slot, const char *value)
{
	*slot = strdup(value);
	return *slot == NULL ? out_of_memory : NULL;
}

static const char *parse_yes_no(const struct setting *setting, const char *value, void *dest)
{
	bool *out = dest;

	(void)setting;
	if (strcmp(value, "yes") != 0 && strcmp(value, "no") != 0)
		return "must be yes or no";
	*out = value[0] == 'y';
	return NULL;
}

/* Whole decimal number from min to max; no sign, no spaces. */
static int parse_bounded_number(const char *value, long min, long max, long *out)
{
	long n = 0;
	const char *p;

	for (p = value; *p != '\0'; p++) {
		if (!okta_ascii_is_digit(*p) || n > max)
			return -1;
		n = n * 10 + (*p - '0');
	}
	if (p == value || n < min || n > max)
		return -1;
	*out = n;
	return 0;
}

static const char *parse_seconds(const struct setting *setting, const char *value, void *dest)
{
	if (parse_bounded_number(value, setting->min, setting->max, dest) != 0)
		return "must be whole seconds"; /* the caller adds the bounds */
	return NULL;
}

static const char *parse_org_url(const struct setting *setting, const char *value, void *dest)
{
	char **org_url = dest;
	size_t len;

	(void)setting;
	if (!okta_org_url_is_valid(value))
		return "must be an https:// origin such as https://example.okta.com";
	if (store_string(org_url, value) != NULL)
		return out_of_memory;
	/* Drop the optional trailing slash: paths are appended. */
	len = strlen(*org_url);
	if ((*org_url)[len - 1] == '/')
		(*org_url)[len - 1] = '\0';
	return NULL;
}

static const char *parse_api_token(const struct setting *setting, const char *value, void *dest)
{
	(void)setting;
	if (strlen(value) > OKTA_API_TOKEN_MAX || !okta_text_is_visible(value))
		return "is not a plausible API token";
	return store_string(dest, value);
}

static const char *parse_path(const struct setting *setting, const char *value, void *dest)
{
	(void)setting;
	if (!is_absolute_path(value))
		return "must be an absolute path";
	return store_string(dest, value);
}

/* A Unix socket's path must fit sockaddr_un's sun_path with its NUL. */
#define SOCKET_PATH_MAX 107

static const char *parse_socket_path(const struct setting *setting, const char *value, void *dest)
{
	(void)setting;
	if (value[0] != '/' || strlen(value) > SOCKET_PATH_MAX || !okta_text_is_visible(value))
		return "must be an absolute path of at most " STRINGIFY(SOCKET_PATH_MAX) " bytes";
	return store_string(dest, value);
}

static const char *parse_login_suffix(const struct setting *setting, const char *value, void *dest)
{
	(void)setting;
	if (strlen(value) > OKTA_LOGIN_SUFFIX_MAX || !okta_text_is_visible(value))
		return "must be printable ASCII without spaces";
	return store_string(dest, value);
}

static const char *parse_proxy(const struct setting *setting, const char *value, void *dest)
{
	(void)setting;
	if (!okta_text_is_visible(value) || !is_proxy_url(value))
		return "must be a URL such as http://proxy.example:3128";
	return store_string(dest, value);
}

/* The index of value in setting->choices, or -1. */
static int choice_index(const struct setting *setting, const char *value)
{
	int i;

	for (i = 0; setting->choices[i] != NULL; i++) {
		if (strcmp(value, setting->choices[i]) == 0)
			return i;
	}
	return -1;
}

/*
 * One of setting->choices, stored as its index: each enum of the
 * configuration (sign_in, mfa, keep_alive, on_end) numbers its values from
 * 0 in the order of its names and has the size of an int (asserted below),
 * so the index's bytes are the enum's value.
 */
static const char *parse_choice(const struct setting *setting, const char *value, void *dest)
{
	int i = choice_index(setting, value);

	if (i < 0)
		return "must be";
	memcpy(dest, &i, sizeof(i));
	return NULL;
}

_Static_assert(sizeof(enum okta_sign_in) == sizeof(int), "parse_choice stores an int");
_Static_assert(sizeof(enum okta_mfa_mode) == sizeof(int), "parse_choice stores an int");
_Static_assert(sizeof(enum okta_keep_alive) == sizeof(int), "parse_choice stores an int");
_Static_assert(sizeof(enum okta_on_end) == sizeof(int), "parse_choice stores an int");

/* ------------------------------------------------------------ access policy */

/* Bytes a group name may hold: anything but control characters (names
 * may be UTF-8 and hold spaces). */
static bool is_group_name_text(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		if ((unsigned char)s[i] < ' ' || s[i] == '\x7f')
			return false;
	}
	return true;
}

bool okta_group_entry_is_id(const char *entry)
{
	size_t i;

	if (strncmp(entry, OKTA_GROUP_ID_PREFIX, strlen(OKTA_GROUP_ID_PREFIX)) != 0)
		return false;
	for (i = strlen(OKTA_GROUP_ID_PREFIX); entry[i] != '\0'; i++) {
		if (!okta_ascii_is_alnum(entry[i]))
			return false;
	}
	return i == OKTA_GROUP_ID_LENGTH;
}

static const char *const group_types[] = { "OKTA_GROUP", "APP_GROUP", "BUILT_IN" };

struct okta_group_entry okta_group_entry_parse(const char *entry)
{
	struct okta_group_entry parsed = { group_types[0], entry };
	size_t i;
	size_t len;

	if (okta_group_entry_is_id(entry)) {
		parsed.type = NULL;
		return parsed;
	}
	for (i = 0; i < sizeof(group_types) / sizeof(group_types[0]); i++) {
		len = strlen(group_types[i]);
		if (strncmp(entry, group_types[i], len) == 0 && entry[len] == ':') {
			parsed.type = group_types[i];
			parsed.value = entry + len + 1;
		}
	}
	return parsed;
}

/* What is wrong with a require_group value that breaks a limit. */
#define GROUPS_MAX_TEXT STRINGIFY(OKTA_REQUIRE_GROUP_MAX)
#define NAME_MAX_TEXT STRINGIFY(OKTA_GROUP_NAME_MAX)
static const char too_many_groups[] = "has more than " GROUPS_MAX_TEXT " groups";
static const char bad_group_name[] =
	"has an empty name, a name over " NAME_MAX_TEXT " bytes or a control character";

/*
 * Take one require_group entry from *cursor: a double-quoted name (taken
 * verbatim, commas and spaces included; no escapes) or a bare name (spaces
 * around it trimmed, no '"' inside). Advances *cursor past the following
 * comma. Returns a heap copy, or NULL with a reason in *problem.
 */
static char *next_group_entry(const char **cursor, const char **problem)
{
	const char *p = *cursor;
	const char *start;
	const char *end;
	char *entry;

	while (okta_ascii_is_blank(*p))
		p++;
	if (*p == '"') {
		start = ++p;
		end = strchr(start, '"');
		if (end == NULL) {
			*problem = "has an unterminated \"";
			return NULL;
		}
		p = end + 1;
		while (okta_ascii_is_blank(*p))
			p++;
		if (*p != ',' && *p != '\0') {
			*problem = "has text after a closing \"";
			return NULL;
		}
	} else {
		start = p;
		p += strcspn(p, ",");
		end = p;
		while (end > start && okta_ascii_is_blank(end[-1]))
			end--;
		if (memchr(start, '"', (size_t)(end - start)) != NULL) {
			*problem = "has a \" inside a name (quote the whole name)";
			return NULL;
		}
	}
	if (end == start || (size_t)(end - start) > OKTA_GROUP_NAME_MAX ||
	    !is_group_name_text(start, (size_t)(end - start))) {
		*problem = bad_group_name;
		return NULL;
	}
	*cursor = *p == ',' ? p + 1 : p;
	entry = strndup(start, (size_t)(end - start));
	if (entry == NULL)
		*problem = "out of memory";
	return entry;
}

/* "NAME[, NAME...]" into cfg->require_groups (dest) and
 * cfg->require_group_count (just after it). */
static const char *parse_group_list(const struct setting *setting, const char *value, void *dest)
{
	struct okta_config *cfg = (struct okta_config *)((char *)dest - setting->offset);
	char **groups = calloc(OKTA_REQUIRE_GROUP_MAX, sizeof(*groups));
	const char *cursor = value;
	const char *problem = NULL;
	size_t count = 0;

	if (groups == NULL)
		return out_of_memory;
	while (problem == NULL) {
		if (count == OKTA_REQUIRE_GROUP_MAX) {
			problem = too_many_groups;
			break;
		}
		groups[count] = next_group_entry(&cursor, &problem);
		if (groups[count] == NULL)
			break;
		count++;
		/* "APP_GROUP:" alone would match no group: refuse it rather
		 * than quietly lock everyone out. */
		if (okta_group_entry_parse(groups[count - 1]).value[0] == '\0') {
			problem = "has a TYPE: prefix without a group name after it";
			break;
		}
		if (*cursor == '\0' && cursor[-1] != ',')
			break;
	}
	if (problem != NULL) {
		okta_strings_free(groups, count);
		return problem;
	}
	cfg->require_groups = groups;
	cfg->require_group_count = count;
	return NULL;
}

#define AT(field) offsetof(struct okta_config, field)

/* The names of enum okta_sign_in and enum okta_mfa_mode, by value. */
static const char *const sign_in_names[] = { "session_token", "password", NULL };
static const char *const mfa_names[] = { "prompt", "push", NULL };
/* enum okta_keep_alive and enum okta_on_end, by value. */
static const char *const keep_alive_names[] = { "active", "always", "no", NULL };
static const char *const on_end_names[] = { "terminate", "log", NULL };

/* Every key the configuration file knows. */
static const struct setting settings[] = {
	{ .key = "org_url", .parse = parse_org_url, .offset = AT(org_url) },
	{ .key = "api_token", .parse = parse_api_token, .offset = AT(api_token) },
	{ .key = "api_token_file", .parse = parse_path, .offset = AT(api_token_file) },
	{ .key = "ca_file", .parse = parse_path, .offset = AT(ca_file) },
	{ .key = "ca_dir", .parse = parse_path, .offset = AT(ca_dir) },
	{ .key = "login_suffix", .parse = parse_login_suffix, .offset = AT(login_suffix) },
	{ .key = "timeout",
	  .parse = parse_seconds,
	  .offset = AT(timeout),
	  .min = OKTA_TIMEOUT_MIN,
	  .max = OKTA_TIMEOUT_MAX },
	{ .key = "proxy", .parse = parse_proxy, .offset = AT(proxy) },
	{ .key = "refresh_on_open", .parse = parse_yes_no, .offset = AT(refresh_on_open) },
	{ .key = "revoke_on_close", .parse = parse_yes_no, .offset = AT(revoke_on_close) },
	{ .key = "require_group", .parse = parse_group_list, .offset = AT(require_groups) },
	{ .key = "require_mfa", .parse = parse_yes_no, .offset = AT(require_mfa) },
	{ .key = "max_auth_age",
	  .parse = parse_seconds,
	  .offset = AT(max_auth_age),
	  .min = OKTA_AUTH_AGE_MIN,
	  .max = OKTA_AUTH_AGE_MAX },
	{ .key = "sign_in",
	  .parse = parse_choice,
	  .offset = AT(sign_in),
	  .choices = sign_in_names },
	{ .key = "mfa", .parse = parse_choice, .offset = AT(mfa), .choices = mfa_names },
	{ .key = "mfa_timeout",
	  .parse = parse_seconds,
	  .offset = AT(mfa_timeout),
	  .min = OKTA_MFA_TIMEOUT_MIN,
	  .max = OKTA_MFA_TIMEOUT_MAX },
	{ .key = "forward_client_ip", .parse = parse_yes_no, .offset = AT(forward_client_ip) },
	{ .key = "watch", .parse = parse_yes_no, .offset = AT(watch) },
	{ .key = "watch_socket", .parse = parse_socket_path, .offset = AT(watch_socket) },
	{ .key = "watch_interval",
	  .parse = parse_seconds,
	  .offset = AT(watch_interval),
	  .min = OKTA_WATCH_INTERVAL_MIN,
	  .max = OKTA_WATCH_INTERVAL_MAX },
	{ .key = "keep_alive",
	  .parse = parse_choice,
	  .offset = AT(keep_alive),
	  .choices = keep_alive_names },
	{ .key = "on_end", .parse = parse_choice, .offset = AT(on_end), .choices = on_end_names },
};

#define SETTING_COUNT (sizeof(settings) / sizeof(settings[0]))

static const struct setting *lookup_key(const char *key)
{
	size_t i;

	for (i = 0; i < SETTING_COUNT; i++) {
		if (strcmp(key, settings[i].key) == 0)
			return &settings[i];
	}
	return NULL;
}

/* Apply one "key = value" pair. Messages name the key, never the value:
 * the value may be the API token. */
static int apply_setting(struct okta_config *cfg, const struct setting *setting, const char *value,
			 unsigned line, bool seen[SETTING_COUNT], char *err, size_t errlen)
{
	const char *problem;
	size_t index = (size_t)(setting - settings);

	/* A key given twice is an error: the administrator cannot know which
	 * of the two would win. */
	if (seen[index]) {
		set_error(err, errlen, "line %u: '%s' is set more than once", line, setting->key);
		return -1;
	}
	seen[index] = true;
	problem = setting->parse(setting, value, (char *)cfg + setting->offset);
	if (problem == NULL)
		return 0;
	if (problem == out_of_memory)
		set_error(err, errlen, "%s", out_of_memory);
	else if (setting->choices != NULL && setting->choices[2] != NULL)
		set_error(err, errlen, "line %u: %s must be %s, %s or %s", line, setting->key,
			  setting->choices[0], setting->choices[1], setting->choices[2]);
	else if (setting->choices != NULL)
		set_error(err, errlen, "line %u: %s must be %s or %s", line, setting->key,
			  setting->choices[0], setting->choices[1]);
	else if (setting->parse == parse_seconds)
		set_error(err, errlen, "line %u: %s %s from %ld to %ld", line, setting->key,
			  problem, setting->min, setting->max);
	else
		set_error(err, errlen, "line %u: %s %s", line, setting->key, problem);
	return -1;
}

static char *trim(char *s)
{
	char *end;

	while (okta_ascii_is_blank(*s))
		s++;
	end = s + strlen(s);
	while (end > s && (okta_ascii_is_blank(end[-1]) || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* Copy the key for an error message: printable and short, whatever it was. */
static void describe_key(const char *key, char out[KEY_SHOWN_MAX + 1])
{
	size_t i;

	for (i = 0; i < KEY_SHOWN_MAX && key[i] != '\0'; i++)
		out[i] = okta_ascii_is_visible(key[i]) ? key[i] : '?';
	out[i] = '\0';
}

static int parse_line(struct okta_config *cfg, char *line, unsigned lineno,
		      bool seen[SETTING_COUNT], char *err, size_t errlen)
{
	const struct setting *setting;
	char *eq;
	char *key;
	char *value;
	char shown[KEY_SHOWN_MAX + 1];

	line = trim(line);
	if (*line == '\0' || *line == '#')
		return 0;
	eq = strchr(line, '=');
	if (eq == NULL) {
		set_error(err, errlen, "line %u: expected 'key = value'", lineno);
		return -1;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	setting = lookup_key(key);
	if (setting == NULL) {
		describe_key(key, shown);
		set_error(err, errlen, "line %u: unknown key '%s'", lineno, shown);
		return -1;
	}
	if (*value == '\0') {
		set_error(err, errlen, "line %u: '%s' has no value", lineno, setting->key);
		return -1;
	}
	return apply_setting(cfg, setting, value, lineno, seen, err, errlen);
}

int okta_config_parse(const char *text, size_t len, struct okta_config *cfg, char *err,
		      size_t errlen)
{
	bool seen[SETTING_COUNT] = { false };
	char *copy;
	char *line;
	char *next;
	unsigned lineno = 1;
	int rc = 0;

	if (len > OKTA_CONFIG_MAX_BYTES) {
		set_error(err, errlen, "larger than %d bytes", OKTA_CONFIG_MAX_BYTES);
		return -1;
	}
	if (memchr(text, '\0', len) != NULL) {
		set_error(err, errlen, "contains a NUL byte");
		return -1;
	}
	copy = malloc(len + 1);
	if (copy == NULL) {
		set_error(err, errlen, "out of memory");
		return -1;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';

	for (line = copy; line != NULL && rc == 0; line = next, lineno++) {
		next = strchr(line, '\n');
		if (next != NULL)
			*next++ = '\0';
		rc = parse_line(cfg, line, lineno, seen, err, errlen);
	}
	/* The copy holds the API token when it is inline. */
	explicit_bzero(copy, len);
	free(copy);
	return rc;
}

/* ------------------------------------------------------------ checked files */

/*
 * Who may control a directory above one of our files. Whoever can write a
 * directory can rename or replace the entries in it, hence the file we read.
 * The sticky bit (as on /tmp) stops others from replacing entries they do
 * not own, so a writable sticky directory is safe for a root-owned file in
 * it. required_owner is accepted next to root for the tests' sake: a
 * directory owned by the user who must own the file gives that user nothing
 * they did not already have; the module passes 0, so there it means root.
 */
static const char *directory_problem(const struct stat *st, uid_t required_owner)
{
	if (!S_ISDIR(st->st_mode))
		return "is not a directory";
	if (st->st_uid != 0 && st->st_uid != required_owner)
		return "is not owned by root";
	if ((st->st_mode & (S_IWGRP | S_IWOTH)) != 0 && (st->st_mode & S_ISVTX) == 0)
		return "is group- or world-writable without the sticky bit";
	return NULL;
}

static int check_directory(int fd, const char *path, const char *dir, uid_t required_owner,
			   char *err, size_t errlen)
{
	struct stat st;
	const char *problem;

	if (fstat(fd, &st) != 0) {
		set_errno_error(err, errlen, path, "cannot stat a directory above it", errno);
		return -1;
	}
	problem = directory_problem(&st, required_owner);
	if (problem == NULL)
		return 0;
	set_error(err, errlen,
		  "%s: directory %s %s (owner uid %lu, mode %04o): others could replace the file",
		  path, dir, problem, (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777));
	return -1;
}

/*
 * Open the directory that holds path, one component at a time from "/",
 * never following a symbolic link and checking every directory on the way
 * (directory_problem). Returns its descriptor and points *name at the last
 * component, or -1 with the reason in err. Opening component by component
 * (not stat-then-open by path) means the directories checked are the ones
 * the file is opened in.
 */
static int open_checked_parent(const char *path, char *buf, size_t bufsize, uid_t required_owner,
			       const char **name, char *err, size_t errlen)
{
	char *component;
	char *slash;
	int fd;

	if (path[0] != '/' || strlen(path) >= bufsize) {
		set_error(err, errlen, "%s: not an absolute path", path);
		return -1;
	}
	strcpy(buf, path);
	fd = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || check_directory(fd, path, "/", required_owner, err, errlen) != 0) {
		if (fd < 0)
			set_errno_error(err, errlen, path, "cannot open /", errno);
		else
			close(fd);
		return -1;
	}
	for (component = buf + 1; (slash = strchr(component, '/')) != NULL; component = slash + 1) {
		int next;

		if (slash == component)
			continue; /* "//" */
		*slash = '\0';
		if (strcmp(component, ".") == 0 || strcmp(component, "..") == 0) {
			set_error(err, errlen, "%s: \".\" and \"..\" are not allowed in the path",
				  path);
			close(fd);
			return -1;
		}
		next = openat(fd, component, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0) {
			int saved = errno;
			struct stat st;

			if (fstatat(fd, component, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(st.st_mode))
				set_error(
					err, errlen,
					"%s: directory %s is a symbolic link (not followed: give the real path)",
					path, buf);
			else
				set_errno_error(err, errlen, path,
						"cannot open a directory above it", saved);
			close(fd);
			return -1;
		}
		close(fd);
		fd = next;
		if (check_directory(fd, path, buf, required_owner, err, errlen) != 0) {
			close(fd);
			return -1;
		}
		*slash = '/';
	}
	if (*component == '\0' || strcmp(component, ".") == 0 || strcmp(component, "..") == 0) {
		set_error(err, errlen, "%s: not a file name", path);
		close(fd);
		return -1;
	}
	*name = component;
	return fd;
}

int okta_check_trusted_dir(const char *path, uid_t required_owner, char *err, size_t errlen)
{
	char components[PATH_MAX];
	const char *name = NULL;
	struct stat st;
	int parent;
	int fd;
	int saved;
	int rc = -1;

	parent = open_checked_parent(path, components, sizeof(components), required_owner, &name,
				     err, errlen);
	if (parent < 0)
		return -1;
	fd = openat(parent, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	saved = errno;
	if (fd < 0 && fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
		set_error(err, errlen, "%s: is a symbolic link (not followed: give the real path)",
			  path);
	else if (fd < 0)
		set_errno_error(err, errlen, path, "cannot open the directory", saved);
	close(parent);
	if (fd < 0)
		return -1;
	/* The sticky bit protects only entries owned by others: whoever may
	 * write the CA directory itself could add a CA. */
	if (fstat(fd, &st) != 0)
		set_errno_error(err, errlen, path, "cannot stat", errno);
	else if (st.st_uid != 0 && st.st_uid != required_owner)
		set_error(err, errlen, "%s: owned by uid %lu, must be owned by root", path,
			  (unsigned long)st.st_uid);
	else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0)
		set_error(
			err, errlen,
			"%s: mode %04o lets group or others add a CA, must not be group- or world-writable",
			path, (unsigned)(st.st_mode & 07777));
	else
		rc = 0;
	close(fd);
	return rc;
}

/* What a checked file may be: its owner, and the mode bits it must not have. */
struct file_rules {
	uid_t owner;
	mode_t forbidden;
	const char *advice; /* ends the message about a forbidden mode */
};

static int check_file(int fd, const char *path, const struct file_rules *rules, size_t max_bytes,
		      char *err, size_t errlen)
{
	struct stat st;

	if (fstat(fd, &st) != 0) {
		set_errno_error(err, errlen, path, "cannot stat", errno);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		set_error(err, errlen, "%s: not a regular file", path);
		return -1;
	}
	if (st.st_uid != rules->owner) {
		set_error(err, errlen, "%s: owned by uid %lu, must be owned by uid %lu", path,
			  (unsigned long)st.st_uid, (unsigned long)rules->owner);
		return -1;
	}
	if ((st.st_mode & rules->forbidden) != 0) {
		set_error(err, errlen, "%s: mode %04o %s", path, (unsigned)(st.st_mode & 07777),
			  rules->advice);
		return -1;
	}
	if ((size_t)st.st_size > max_bytes) {
		set_error(err, errlen, "%s: larger than %zu bytes", path, max_bytes);
		return -1;
	}
	return 0;
}

/* Open path with O_NOFOLLOW in its checked directory (open_checked_parent).
 * Returns the descriptor, or -1 (err set). */
static int open_checked_file(const char *path, const struct file_rules *rules, char *err,
			     size_t errlen)
{
	char components[PATH_MAX];
	const char *name = NULL;
	int dirfd;
	int fd;

	dirfd = open_checked_parent(path, components, sizeof(components), rules->owner, &name, err,
				    errlen);
	if (dirfd < 0)
		return -1;
	/* O_NONBLOCK: a FIFO planted at the path must not hang the login. */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK | O_NOFOLLOW);
	if (fd < 0 && errno == ELOOP)
		set_error(err, errlen, "%s: is a symbolic link (not followed: give the real path)",
			  path);
	else if (fd < 0)
		set_errno_error(err, errlen, path, "cannot open", errno);
	close(dirfd);
	return fd;
}

/* fd's content up to its end in a NUL-terminated heap buffer, or NULL (err
 * set) on a read error or more than max_bytes (the file may have grown
 * since it was checked). */
static char *read_all(int fd, const char *path, size_t max_bytes, size_t *len_out, char *err,
		      size_t errlen)
{
	char *buf = malloc(max_bytes + 1);
	size_t used = 0;
	ssize_t n;

	if (buf == NULL) {
		set_error(err, errlen, "out of memory");
		return NULL;
	}
	do {
		n = read(fd, buf + used, max_bytes + 1 - used);
		if (n > 0)
			used += (size_t)n;
	} while ((n > 0 && used <= max_bytes) || (n < 0 && errno == EINTR));
	if (n == 0) {
		buf[used] = '\0';
		*len_out = used;
		return buf;
	}
	if (n < 0)
		set_errno_error(err, errlen, path, "read error", errno);
	else
		set_error(err, errlen, "%s: larger than %zu bytes", path, max_bytes);
	explicit_bzero(buf, used);
	free(buf);
	return NULL;
}

/*
 * Open path (open_checked_file), check the file through that descriptor
 * (check_file) and read it whole through the same descriptor: what was
 * checked is what is read. Returns a NUL-terminated heap buffer (wiped and
 * freed by the caller), or NULL with the reason in err.
 */
static char *read_checked_file(const char *path, const struct file_rules *rules, size_t max_bytes,
			       size_t *len_out, char *err, size_t errlen)
{
	char *buf = NULL;
	int fd = open_checked_file(path, rules, err, errlen);

	if (fd < 0)
		return NULL;
	if (check_file(fd, path, rules, max_bytes, err, errlen) == 0)
		buf = read_all(fd, path, max_bytes, len_out, err, errlen);
	close(fd);
	return buf;
}

char *okta_read_secure_file(const char *path, uid_t required_owner, size_t max_bytes,
			    size_t *len_out, char *err, size_t errlen)
{
	const struct file_rules secret = {
		required_owner, S_IRWXG | S_IRWXO,
		"gives group or others access, must be 0600 or stricter"
	};

	return read_checked_file(path, &secret, max_bytes, len_out, err, errlen);
}

char *okta_read_trusted_file(const char *path, uid_t required_owner, size_t max_bytes,
			     size_t *len_out, char *err, size_t errlen)
{
	const struct file_rules trusted = {
		required_owner, S_IWGRP | S_IWOTH,
		"lets group or others write it, must not be group- or world-writable"
	};

	return read_checked_file(path, &trusted, max_bytes, len_out, err, errlen);
}

/* The API token file holds the token alone; one trailing newline is allowed
 * because every editor adds one. */
static int load_api_token_file(struct okta_config *cfg, uid_t required_owner, char *err,
			       size_t errlen)
{
	size_t len = 0;
	char *token = okta_read_secure_file(cfg->api_token_file, required_owner,
					    OKTA_API_TOKEN_MAX + 2, &len, err, errlen);

	if (token == NULL)
		return -1;
	if (len > 0 && token[len - 1] == '\n')
		token[--len] = '\0';
	if (len > 0 && token[len - 1] == '\r')
		token[--len] = '\0';
	if (len == 0 || len > OKTA_API_TOKEN_MAX || !okta_text_is_visible(token)) {
		set_error(err, errlen, "%s: does not hold a plausible API token",
			  cfg->api_token_file);
		explicit_bzero(token, len);
		free(token);
		return -1;
	}
	cfg->api_token = token;
	return 0;
}

/* ca_file: read once, here, through the checked descriptor; libcurl gets
 * the bytes (CURLOPT_CAINFO_BLOB) and never opens the path itself. */
static int load_ca_file(struct okta_config *cfg, uid_t required_owner, char *err, size_t errlen)
{
	if (cfg->ca_file == NULL)
		return 0;
	cfg->ca_pem = okta_read_trusted_file(cfg->ca_file, required_owner, OKTA_CA_FILE_MAX_BYTES,
					     &cfg->ca_pem_len, err, errlen);
	return cfg->ca_pem != NULL ? 0 : -1;
}

/* Without ca_file: ca_dir, or the system's hashed directory (the first of
 * OKTA_SYSTEM_CA_DIRS present). OpenSSL then loads, by subject hash, only
 * the CA certificates the server's chain needs (not the whole bundle for
 * every connection), and only root can change what it finds there. */
static int choose_ca_dir(struct okta_config *cfg, uid_t required_owner, char *err, size_t errlen)
{
	static const char *const system_dirs[] = { OKTA_SYSTEM_CA_DIRS };
	struct stat st;
	size_t i;

	if (cfg->ca_file != NULL && cfg->ca_dir != NULL) {
		set_error(err, errlen, "set ca_file or ca_dir, not both");
		return -1;
	}
	if (cfg->ca_file != NULL)
		return 0;
	for (i = 0; cfg->ca_dir == NULL && i < sizeof(system_dirs) / sizeof(system_dirs[0]); i++) {
		if (lstat(system_dirs[i], &st) == 0 && S_ISDIR(st.st_mode) &&
		    (cfg->ca_dir = strdup(system_dirs[i])) == NULL) {
			set_error(err, errlen, "out of memory");
			return -1;
		}
	}
	if (cfg->ca_dir == NULL) {
		set_error(err, errlen, "no system CA directory (%s or %s): set ca_file or ca_dir",
			  system_dirs[0], system_dirs[1]);
		return -1;
	}
	if (okta_check_trusted_dir(cfg->ca_dir, required_owner, err, errlen) != 0)
		return -1;
	return 0;
}

int okta_config_load(const char *path, uid_t required_owner, struct okta_config *cfg, char *err,
		     size_t errlen)
{
	size_t len = 0;
	char *text;
	int rc;
	char inner[768];

	text = okta_read_secure_file(path, required_owner, OKTA_CONFIG_MAX_BYTES, &len, err,
				     errlen);
	if (text == NULL)
		return -1;
	rc = okta_config_parse(text, len, cfg, inner, sizeof(inner));
	explicit_bzero(text, len);
	free(text);
	if (rc != 0) {
		set_error(err, errlen, "%s: %s", path, inner);
		return -1;
	}
	if (cfg->api_token != NULL && cfg->api_token_file != NULL) {
		set_error(err, errlen, "%s: set api_token or api_token_file, not both", path);
		return -1;
	}
	if (cfg->api_token == NULL && cfg->api_token_file == NULL) {
		set_error(err, errlen, "%s: api_token or api_token_file is required", path);
		return -1;
	}
	if (cfg->api_token_file != NULL &&
	    load_api_token_file(cfg, required_owner, err, errlen) != 0)
		return -1;
	if (cfg->org_url == NULL) {
		set_error(err, errlen, "%s: org_url is required", path);
		return -1;
	}
	/* A login is handed to the watch daemon after open_session's
	 * refresh: without the refresh, watch = yes would watch nothing. */
	if (cfg->watch && !cfg->refresh_on_open) {
		set_error(err, errlen, "%s: watch = yes needs refresh_on_open = yes", path);
		return -1;
	}
	if (load_ca_file(cfg, required_owner, inner, sizeof(inner)) != 0) {
		set_error(err, errlen, "%s: ca_file %s", path, inner);
		return -1;
	}
	if (choose_ca_dir(cfg, required_owner, inner, sizeof(inner)) != 0) {
		set_error(err, errlen, "%s: ca_dir %s", path, inner);
		return -1;
	}
	if (cfg->login_suffix == NULL && (cfg->login_suffix = strdup("")) == NULL) {
		set_error(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}
