/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Configuration file: "key = value" lines, '#' comments. Parsing is split from
 * loading so that the parser can be unit-tested and fuzzed on plain bytes,
 * while the loader adds the file-system checks (owner, mode, regular file).
 */
#ifndef OKTA_CONFIG_H
#define OKTA_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define OKTA_CONFIG_DEFAULT_PATH "/etc/security/pam_okta_session.conf"
#define OKTA_CONFIG_MAX_BYTES (64 * 1024)
#define OKTA_TIMEOUT_DEFAULT 10
#define OKTA_TIMEOUT_MIN 1
#define OKTA_TIMEOUT_MAX 60
#define OKTA_API_TOKEN_MAX 1024
#define OKTA_LOGIN_SUFFIX_MAX 255
/* Debian's whole system bundle is about 200 KiB. */
#define OKTA_CA_FILE_MAX_BYTES (4 * 1024 * 1024)

/* Access policy limits (see README "Access policy"). */
#define OKTA_REQUIRE_GROUP_MAX 32 /* entries in require_group */
#define OKTA_GROUP_NAME_MAX 255   /* bytes per entry: Okta's limit on group names */
#define OKTA_AUTH_AGE_MIN 1
#define OKTA_AUTH_AGE_MAX 31536000 /* one year, in seconds */

/* sign_in = password (see README "Sign-in with password and MFA"). */
#define OKTA_MFA_TIMEOUT_DEFAULT 60
#define OKTA_MFA_TIMEOUT_MIN 10
#define OKTA_MFA_TIMEOUT_MAX 300

/* The session watch (pam_okta_sessiond; see okta_watch_proto.h). */
#define OKTA_WATCH_INTERVAL_DEFAULT 60
#define OKTA_WATCH_INTERVAL_MIN 5
#define OKTA_WATCH_INTERVAL_MAX 3600

enum okta_keep_alive {
	OKTA_KEEP_ALIVE_ACTIVE = 0, /* default: refresh while the login is in use */
	OKTA_KEEP_ALIVE_ALWAYS,     /* refresh while the login lasts */
	OKTA_KEEP_ALIVE_NO,         /* never refresh: Okta's idle timeout ends it */
};

enum okta_on_end {
	OKTA_ON_END_TERMINATE = 0, /* default: end the host login */
	OKTA_ON_END_LOG,           /* only log it */
};

enum okta_sign_in {
	OKTA_SIGN_IN_SESSION_TOKEN = 0, /* default: the user brings a session token */
	OKTA_SIGN_IN_PASSWORD,          /* Okta password and MFA through /api/v1/authn */
};

enum okta_mfa_mode {
	OKTA_MFA_PROMPT = 0, /* default: ask push or passcode */
	OKTA_MFA_PUSH,       /* send a push without asking */
};

/* Okta's group ids: "00g" and 17 letters or digits. */
#define OKTA_GROUP_ID_PREFIX "00g"
#define OKTA_GROUP_ID_LENGTH 20

/*
 * A require_group entry as it is matched. Okta keeps group names unique
 * only among OKTA_GROUP groups: a group imported from AD, LDAP or another
 * app (APP_GROUP) may carry any name, so a bare name matches only an
 * OKTA_GROUP; "TYPE:name" names a group of that type; an id matches the
 * one group, whatever its type.
 */
struct okta_group_entry {
	const char *type;  /* "OKTA_GROUP", "APP_GROUP", "BUILT_IN"; NULL for an id */
	const char *value; /* the name (never empty in a loaded configuration) or the id */
};

/* Is this require_group entry an Okta group id (OKTA_GROUP_ID_*), matched
 * against the group id instead of profile.name? */
bool okta_group_entry_is_id(const char *entry);

/* The type and name (or id) of a require_group entry; both point into it. */
struct okta_group_entry okta_group_entry_parse(const char *entry);

struct okta_config {
	char *org_url;        /* "https://host[:port]", no trailing slash */
	char *api_token;      /* secret: wiped by okta_config_clear() */
	char *api_token_file; /* where api_token came from, if it came from a file */
	char *ca_file;        /* NULL: ca_dir decides */
	char *ca_pem;         /* ca_file's content, read once by okta_config_load() */
	size_t ca_pem_len;
	char *ca_dir;       /* hashed CA directory; without ca_file and ca_dir,
	                       * okta_config_load() sets the system's (OKTA_SYSTEM_CA_DIRS) */
	char *login_suffix; /* "" when not set */
	char *proxy;        /* NULL: no proxy, whatever the environment says */
	long timeout;       /* seconds for all HTTP work of one PAM call */
	bool refresh_on_open;
	bool revoke_on_close;
	/* Access policy; all off by default (see okta_policy.h). */
	char **require_groups; /* group names or ids (00g...), NULL when not set */
	size_t require_group_count;
	bool require_mfa;
	long max_auth_age; /* seconds; 0 when not set */
	/* Sign-in mode (sign_in = password: see okta_signin.h). */
	enum okta_sign_in sign_in;
	enum okta_mfa_mode mfa;
	long mfa_timeout;       /* seconds a push may wait for approval */
	bool forward_client_ip; /* X-Forwarded-For: PAM_RHOST on authn requests */
	/* The session watch: all read by the module and the daemon. */
	bool watch;
	char *watch_socket; /* NULL: OKTA_WATCH_SOCKET_DEFAULT */
	long watch_interval;
	enum okta_keep_alive keep_alive;
	enum okta_on_end on_end;
};

/* Set every field to its default. */
void okta_config_init(struct okta_config *cfg);

/* Wipe the API token and free everything; the struct can be reused after. */
void okta_config_clear(struct okta_config *cfg);

/*
 * Parse configuration text (not NUL-terminated; may contain NULs, which are
 * refused). Checks syntax and values but not files. On error returns -1 and
 * writes a message (never containing a value that could be a secret) to err.
 * api_token_file is recorded but not read.
 */
int okta_config_parse(const char *text, size_t len, struct okta_config *cfg, char *err,
		      size_t errlen);

/*
 * Files the module trusts are read with the same checks: the path is
 * absolute, opened one component at a time from "/" without following any
 * symbolic link (the file itself is opened with O_NOFOLLOW), every directory
 * on the way is owned by root (or required_owner) and not group- or
 * world-writable unless it has the sticky bit (/tmp), and the file is a
 * regular file owned by required_owner, checked and read through one
 * descriptor. Each refusal names the path and the reason in err. On success
 * they return a NUL-terminated heap buffer (wipe it after use) and its length.
 *
 * okta_read_secure_file: a file holding secrets (configuration, API token):
 * not group- or world-readable or -writable.
 * okta_read_trusted_file: a file others may read but not change (ca_file):
 * not group- or world-writable.
 */
char *okta_read_secure_file(const char *path, uid_t required_owner, size_t max_bytes,
			    size_t *len_out, char *err, size_t errlen);
char *okta_read_trusted_file(const char *path, uid_t required_owner, size_t max_bytes,
			     size_t *len_out, char *err, size_t errlen);

/*
 * okta_check_trusted_dir: path is a directory (not a symbolic link) that
 * only root can change: it and every directory above it owned by root (or
 * required_owner) and not group- or world-writable (sticky excepted above
 * it, never for path itself). Returns 0, or -1 with the reason in err.
 */
int okta_check_trusted_dir(const char *path, uid_t required_owner, char *err, size_t errlen);

/* The system's hashed CA directories (OpenSSL's c_rehash layout; the list
 * for an array initialiser), RHEL's first because RHEL's /etc/ssl/certs is a
 * symbolic link to a directory with no hash links; okta_config_load() takes
 * the first that exists. */
#define OKTA_SYSTEM_CA_DIR_RHEL "/etc/pki/ca-trust/extracted/pem/directory-hash"
#define OKTA_SYSTEM_CA_DIR_DEBIAN "/etc/ssl/certs"
#define OKTA_SYSTEM_CA_DIRS OKTA_SYSTEM_CA_DIR_RHEL, OKTA_SYSTEM_CA_DIR_DEBIAN

/*
 * Load the configuration file at path: secure-file checks, parse, then load
 * api_token_file (same checks) and ca_file (trusted-file checks, content into
 * ca_pem) or ca_dir (okta_check_trusted_dir; the system's directory when
 * neither is set), and the final consistency checks. The module
 * passes required_owner = 0 (root); tests may pass their own uid.
 */
int okta_config_load(const char *path, uid_t required_owner, struct okta_config *cfg, char *err,
		     size_t errlen);

/* Exposed for unit tests: strict https origin check used for org_url. */
bool okta_org_url_is_valid(const char *url);

#endif
