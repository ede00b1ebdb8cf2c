/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * pam_okta_session_check: tells an administrator, before they change
 * /etc/pam.d, whether pam_okta_session will work with a configuration file.
 * A thin command line over the same library the module uses: the loader's
 * file checks, a harmless live probe of the Sessions API and, on request,
 * the whole create-bind-refresh workflow for a session token read from
 * standard input, or (--sign-in) the Okta password and MFA sign-in of
 * sign_in = password asked on the terminal. Prints one line per check on stdout; the library's own
 * log lines go to stderr. Never prints the API token, the session token or
 * a whole session id.
 */
#include "config.h"

#include <errno.h>
#include <dirent.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "okta_authn_json.h"
#include "okta_client.h"
#include "okta_config.h"
#include "okta_log.h"
#include "okta_pamstack.h"
#include "okta_policy.h"
#include "okta_session.h"
#include "okta_signin.h"
#include "okta_text.h"
#include "okta_validate.h"
#include "okta_watch_client.h"
#include "okta_workflow.h"

/* Exit codes (documented in pam_okta_session_check(8) and README.md):
 * EXIT_CHECK_FAILED, a check failed: the module would refuse logins;
 * EXIT_USAGE, bad command line or configuration (PAM_SERVICE_ERR);
 * EXIT_UNAVAILABLE, Okta unreachable, TLS, timeout, 5xx, API token
 * (PAM_AUTHINFO_UNAVAIL). */
#define EXIT_OK 0
#define EXIT_CHECK_FAILED 1
#define EXIT_USAGE 2
#define EXIT_UNAVAILABLE 3

/* Well-formed, so it is sent, but not an id Okta would ever issue. */
#define PROBE_SESSION_ID "pam_okta_session_check-probe-0000000000"
#define SHOWN_ID_PREFIX 4

struct options {
	const char *conf_path;
	const char *user;
	const char *pam_stack;
	bool token_from_stdin;
	bool sign_in;
	bool revoke;
	bool verbose;
	bool watch; /* --watch: list what pam_okta_sessiond watches */
};

/* Library log lines go to stderr, except while "holding": then the last
 * line is kept for the check's own report (the probe expects a 404 that
 * the client logs as a failure). */
struct log_sink {
	bool verbose;
	bool hold;
	char last[512];
};

static const char *priority_name(int priority)
{
	switch (priority) {
	case LOG_DEBUG:
		return "debug";
	case LOG_INFO:
		return "info";
	case LOG_NOTICE:
		return "notice";
	case LOG_WARNING:
		return "warning";
	default:
		return "error";
	}
}

static void stderr_sink(void *ctx, int priority, const char *fmt, va_list ap)
{
	struct log_sink *sink = ctx;

	vsnprintf(sink->last, sizeof(sink->last), fmt, ap);
	if (!sink->hold || sink->verbose)
		fprintf(stderr, "pam_okta_session_check: %s: %s\n", priority_name(priority),
			sink->last);
}

static void report(bool ok, const char *check, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* One line per check on stdout: "ok CHECK: detail" or "FAIL CHECK: detail".
 * The detail may quote a PAM file or a server: anything but printable ASCII
 * is shown as '?', so that no CR or escape sequence in it prints over the
 * verdict or starts a line of its own for a reader that splits at CR. */
static void report(bool ok, const char *check, const char *fmt, ...)
{
	char detail[4096];
	char shown[sizeof(detail)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	okta_text_printable(detail, shown, sizeof(shown));
	printf("%s %s: %s\n", ok ? "ok" : "FAIL", check, shown);
	fflush(stdout);
}

static void usage(FILE *out)
{
	fprintf(out,
		"Usage: pam_okta_session_check [--conf PATH] [--verbose]\n"
		"       pam_okta_session_check [--conf PATH] [--verbose] --session-token-stdin --user USER [--revoke]\n"
		"       pam_okta_session_check [--conf PATH] [--verbose] --sign-in --user USER [--revoke]\n"
		"       pam_okta_session_check [--conf PATH] --watch\n"
		"       pam_okta_session_check --pam-stack FILE\n"
		"\n"
		"Checks a pam_okta_session configuration: the file's owner and mode, org_url,\n"
		"ca_file, proxy, then GET /api/v1/sessions/<an id that cannot exist> (404\n"
		"E0000007 proves TLS, reachability and a valid API token).\n"
		"\n"
		"  --conf PATH             configuration file (default " OKTA_CONFIG_DEFAULT_PATH
		")\n"
		"  --session-token-stdin   also run the login workflow for a session token read\n"
		"                          from standard input (never from the command line)\n"
		"  --sign-in               also sign USER in with the Okta password and MFA\n"
		"                          (sign_in = password), asked on the terminal, then\n"
		"                          run the login workflow on the session token\n"
		"  --user USER             the local user the session must belong to\n"
		"  --revoke                revoke the Okta session afterwards\n"
		"  --verbose               all library log lines on stderr, debug included\n"
		"  --watch                 list the logins pam_okta_sessiond watches (masked\n"
		"                          session id, user, service, last check, outcome)\n"
		"  --pam-stack FILE        only say what the auth stack of /etc/pam.d FILE does\n"
		"                          when Okta is unreachable (fail closed, break-glass\n"
		"                          group, fail open); no configuration or network check\n"
		"  --help, --version\n"
		"\n"
		"Exit status: 0 all checks passed; 1 a check failed; 2 usage or configuration\n"
		"error; 3 Okta unreachable or refused the API token.\n");
}

static int parse_options(int argc, char **argv, struct options *opts)
{
	static const struct option longopts[] = {
		{ "conf", required_argument, NULL, 'c' },
		{ "user", required_argument, NULL, 'u' },
		{ "session-token-stdin", no_argument, NULL, 's' },
		{ "sign-in", no_argument, NULL, 'i' },
		{ "revoke", no_argument, NULL, 'r' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "pam-stack", required_argument, NULL, 'p' },
		{ "watch", no_argument, NULL, 'w' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	memset(opts, 0, sizeof(*opts));
	opts->conf_path = OKTA_CONFIG_DEFAULT_PATH;
	while ((opt = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (opt) {
		case 'c':
			opts->conf_path = optarg;
			break;
		case 'u':
			opts->user = optarg;
			break;
		case 's':
			opts->token_from_stdin = true;
			break;
		case 'i':
			opts->sign_in = true;
			break;
		case 'r':
			opts->revoke = true;
			break;
		case 'v':
			opts->verbose = true;
			break;
		case 'p':
			opts->pam_stack = optarg;
			break;
		case 'w':
			opts->watch = true;
			break;
		case 'h':
			usage(stdout);
			exit(EXIT_OK);
		case 'V':
			printf("pam_okta_session_check %s\n", PACKAGE_VERSION);
			exit(EXIT_OK);
		default:
			usage(stderr);
			return -1;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "pam_okta_session_check: unexpected argument '%s'\n", argv[optind]);
		return -1;
	}
	if ((opts->pam_stack != NULL || opts->watch) &&
	    (opts->token_from_stdin || opts->sign_in || opts->user != NULL)) {
		fprintf(stderr, "pam_okta_session_check: --pam-stack and --watch go alone\n");
		return -1;
	}
	if (opts->pam_stack != NULL && opts->watch) {
		fprintf(stderr, "pam_okta_session_check: --pam-stack goes alone\n");
		return -1;
	}
	if ((opts->token_from_stdin || opts->sign_in) != (opts->user != NULL) ||
	    (opts->token_from_stdin && opts->sign_in) || (opts->revoke && opts->user == NULL)) {
		fprintf(stderr,
			"pam_okta_session_check: --session-token-stdin (or --sign-in) and --user "
			"go together; --revoke needs them\n");
		return -1;
	}
	if (opts->user != NULL && !okta_pam_user_is_valid(opts->user)) {
		fprintf(stderr, "pam_okta_session_check: --user: not a plain account name "
				"(the module refuses it too)\n");
		return -1;
	}
	return 0;
}

/*
 * Read one line from standard input straight into buf, one byte at a time
 * (no stdio buffers holding a secret, and nothing read past the line, so
 * that several answers can follow each other), after showing prompt on a
 * terminal, with echo off unless echo. Returns its length, or -1 when it is
 * too long or cannot be read.
 */
static long read_line(const char *prompt, bool echo, char *buf, size_t size)
{
	struct termios saved;
	struct termios quiet;
	bool restore = false;
	size_t used = 0;
	bool newline = false;

	if (isatty(STDIN_FILENO) && tcgetattr(STDIN_FILENO, &saved) == 0) {
		quiet = saved;
		if (!echo)
			quiet.c_lflag &= ~(tcflag_t)ECHO;
		restore = !echo && tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) == 0;
		/* The prompt only once echo is off (as getpass does): what is
		 * typed as soon as it shows is neither echoed nor flushed. */
		fputs(prompt, stderr);
	}
	while (used < size && !newline) {
		ssize_t n = read(STDIN_FILENO, buf + used, 1);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		newline = buf[used] == '\n';
		used++;
	}
	if (restore) {
		tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
		fputc('\n', stderr);
	}
	if (newline)
		used--;
	else if (used == size)
		return -1;
	if (used > 0 && buf[used - 1] == '\r')
		used--;
	explicit_bzero(buf + used, size - used);
	return (long)used;
}

static long read_token(char *buf, size_t size)
{
	return read_line("Okta session token: ", false, buf, size);
}

/* A URL for display: user info (proxy credentials) replaced by "***". */
static void show_url(const char *url, char *out, size_t outlen)
{
	const char *authority = strstr(url, "://");
	const char *end;
	const char *at;

	authority = authority != NULL ? authority + 3 : url;
	end = authority + strcspn(authority, "/?#");
	at = memchr(authority, '@', (size_t)(end - authority));
	if (at == NULL)
		okta_text_printable(url, out, outlen);
	else {
		char printable[256];

		okta_text_printable(at + 1, printable, sizeof(printable));
		snprintf(out, outlen, "%.*s***@%s", (int)(authority - url), url, printable);
	}
}

static void report_file(const char *check, const char *path)
{
	struct stat st;

	if (stat(path, &st) == 0)
		report(true, check, "%s (regular file, owner uid %lu, mode %04o)", path,
		       (unsigned long)st.st_uid, (unsigned)(st.st_mode & 07777));
	else
		report(true, check, "%s", path);
}

/* Entries named as OpenSSL looks CAs up in a hashed directory: eight hex
 * digits, ".", a digit (c_rehash / openssl rehash / update-ca-certificates). */
static bool is_hash_name(const char *name)
{
	size_t i;

	for (i = 0; i < 8; i++) {
		if (!((name[i] >= '0' && name[i] <= '9') || (name[i] >= 'a' && name[i] <= 'f')))
			return false;
	}
	return name[8] == '.' && name[9] >= '0' && name[9] <= '9';
}

/*
 * One hash-named entry of ca_dir, as OpenSSL will open it: following its
 * links (realpath) to a file that gets ca_file's rules (root-owned, not
 * group- or world-writable, in root-only directories). The module checks
 * only the directory at each login (a walk of every entry would cost what
 * the hashed directory saves); a link root made into a place others can
 * write would let them add a CA, so the tool looks (review finding C1).
 */
/*
 * Every symbolic link on the way from path to its file must live in a
 * directory only root can change (else its owner could repoint it after
 * the check); real ends as the file's resolved path.
 */
static bool link_chain_ok(const char *path, char *real, char *err, size_t errlen)
{
	char cur[PATH_MAX];
	char dir[PATH_MAX];
	char target[PATH_MAX];
	int hops;

	snprintf(cur, sizeof(cur), "%s", path);
	for (hops = 0; hops < 40; hops++) {
		struct stat st;
		char *slash;
		ssize_t n;

		if (lstat(cur, &st) != 0) {
			snprintf(err, errlen, "%.512s: %.200s", cur, strerror(errno));
			return false;
		}
		if (!S_ISLNK(st.st_mode))
			break;
		slash = strrchr(cur, '/');
		*slash = '\0';
		if (realpath(cur[0] != '\0' ? cur : "/", dir) == NULL) {
			snprintf(err, errlen, "%.512s: %.200s", cur, strerror(errno));
			return false;
		}
		*slash = '/';
		if (okta_check_trusted_dir(dir, 0, err, errlen) != 0)
			return false;
		n = readlink(cur, target, sizeof(target) - 1);
		if (n < 0) {
			snprintf(err, errlen, "%.512s: %.200s", cur, strerror(errno));
			return false;
		}
		target[n] = '\0';
		if (target[0] == '/')
			snprintf(cur, sizeof(cur), "%s", target);
		else if ((size_t)snprintf(cur, sizeof(cur), "%s/%s", dir, target) >= sizeof(cur)) {
			snprintf(err, errlen, "%.512s: path too long", target);
			return false;
		}
	}
	if (realpath(cur, real) == NULL) {
		snprintf(err, errlen, "%.512s: %.200s", cur, strerror(errno));
		return false;
	}
	return true;
}

/*
 * One hash-named entry of ca_dir, as OpenSSL will open it: following its
 * links (each in a root-only directory) to a file that gets ca_file's rules
 * (root-owned, not group- or world-writable, in root-only directories). The
 * module checks only the directory at each login (a walk of every entry
 * would cost what the hashed directory saves); a link root made into a
 * place others can write would let them add a CA, so the tool looks
 * (review finding C1).
 */
static bool ca_dir_entry_ok(const char *dir, const char *name)
{
	char path[PATH_MAX];
	char real[PATH_MAX];
	char err[768];
	size_t len = 0;
	char *pem;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		report(false, "ca_dir entry", "%s/%s: path too long", dir, name);
		return false;
	}
	if (!link_chain_ok(path, real, err, sizeof(err))) {
		report(false, "ca_dir entry", "%s -> %s", path, err);
		return false;
	}
	pem = okta_read_trusted_file(real, 0, OKTA_CA_FILE_MAX_BYTES, &len, err, sizeof(err));
	if (pem == NULL) {
		report(false, "ca_dir entry", "%s -> %s", path, err);
		return false;
	}
	free(pem);
	return true;
}

/* ca_dir: the loader has checked the directory root-only
 * (okta_check_trusted_dir); a directory without hash-named entries
 * verifies nothing, and every entry must resolve to a root-only file. */
static int check_ca_dir(const struct okta_config *cfg)
{
	unsigned entries = 0;
	unsigned bad = 0;
	struct dirent *e;
	DIR *d = opendir(cfg->ca_dir);

	if (d == NULL) {
		report(false, "ca_dir", "%s: %s", cfg->ca_dir, strerror(errno));
		return EXIT_CHECK_FAILED;
	}
	while ((e = readdir(d)) != NULL) {
		if (!is_hash_name(e->d_name))
			continue;
		entries++;
		bad += !ca_dir_entry_ok(cfg->ca_dir, e->d_name);
	}
	closedir(d);
	if (entries == 0) {
		report(false, "ca_dir", "%s: no hash-named CA entries (run openssl rehash)",
		       cfg->ca_dir);
		return EXIT_CHECK_FAILED;
	}
	if (bad > 0) {
		report(false, "ca_dir",
		       "%s: %u of %u hashed CA entries lead to a file others could replace (lines above)",
		       cfg->ca_dir, bad, entries);
		return EXIT_CHECK_FAILED;
	}
	report(true, "ca_dir", "%s (%u hashed CA entries)", cfg->ca_dir, entries);
	return EXIT_OK;
}

/* ca_file: the loader has applied the file rules (okta_read_trusted_file:
 * owner, mode, directories, no symbolic link) and read the content, which
 * is what the module hands to libcurl. A bundle without certificates
 * cannot work. */
static int check_ca_file(const struct okta_config *cfg)
{
	static const char marker[] = "-----BEGIN CERTIFICATE-----";
	unsigned certificates = 0;
	const char *p;

	if (cfg->ca_file == NULL)
		return check_ca_dir(cfg);
	for (p = cfg->ca_pem; (p = strstr(p, marker)) != NULL; p += sizeof(marker) - 1)
		certificates++;
	if (certificates == 0) {
		report(false, "ca_file", "%s: no PEM certificate in it", cfg->ca_file);
		return EXIT_CHECK_FAILED;
	}
	report(true, "ca_file", "%s (%u certificate(s))", cfg->ca_file, certificates);
	return EXIT_OK;
}

/* The access policy the workflow will enforce, each rule as the policy
 * module describes it (group names are not secret). */
static void report_policy(const struct okta_config *cfg)
{
	char rules[3 * OKTA_RULE_DESCRIPTION_MAX] = "";
	char value[OKTA_RULE_DESCRIPTION_MAX];
	char shown[OKTA_RULE_DESCRIPTION_MAX];
	size_t used = 0;
	int rule;

	if (!okta_policy_active(cfg)) {
		report(true, "policy", "none (require_group, require_mfa, max_auth_age not set)");
		return;
	}
	for (rule = 0; rule < OKTA_RULE_COUNT && used < sizeof(rules); rule++) {
		okta_policy_describe_rule(cfg, (enum okta_rule)rule, value, sizeof(value));
		okta_text_printable(value, shown, sizeof(shown));
		used += (size_t)snprintf(rules + used, sizeof(rules) - used, "%s%s = %s",
					 rule > 0 ? "; " : "", okta_rule_name((enum okta_rule)rule),
					 shown);
	}
	report(true, "policy", "%s", rules);
}

/* Everything the loader accepted, one line each. */
static const char *const keep_alive_shown[] = { "active", "always", "no" };
static const char *const on_end_shown[] = { "terminate", "log" };

/* watch = yes: is pam_okta_sessiond there to take the logins? */
static int report_watch(const struct okta_config *cfg)
{
	const char *path = okta_watch_socket_path(cfg);
	char why[512];
	int n;

	if (!cfg->watch) {
		report(true, "watch", "no: logins are not watched after they open");
		return EXIT_OK;
	}
	n = okta_watch_list(path, OKTA_WATCH_CLIENT_TIMEOUT_MS, NULL, NULL, why, sizeof(why));
	if (n < 0) {
		report(false, "watch",
		       "yes, but pam_okta_sessiond does not answer on %s (%s): logins open "
		       "unwatched (or fail with watch_required)",
		       path, why);
		return EXIT_CHECK_FAILED;
	}
	report(true, "watch",
	       "yes: pam_okta_sessiond answers on %s, %d login(s) watched; every %ld s, "
	       "keep_alive %s, on_end %s",
	       path, n, cfg->watch_interval, keep_alive_shown[cfg->keep_alive],
	       on_end_shown[cfg->on_end]);
	return EXIT_OK;
}

static void print_watched(void *ctx, const char *line)
{
	(void)ctx;
	printf("watched: %s\n", line);
}

/* --watch: every login the daemon watches, one line each. */
static int list_watched(const struct okta_config *cfg)
{
	char why[512];
	int n = okta_watch_list(okta_watch_socket_path(cfg), OKTA_WATCH_CLIENT_TIMEOUT_MS,
				print_watched, NULL, why, sizeof(why));

	if (n < 0) {
		report(false, "watch", "pam_okta_sessiond: %s", why);
		return EXIT_CHECK_FAILED;
	}
	report(true, "watch", "%d login(s) watched", n);
	return EXIT_OK;
}

static int report_config(const struct options *opts, const struct okta_config *cfg)
{
	char shown[512];
	int rc;

	report_file("config", opts->conf_path);
	if (cfg->api_token_file != NULL)
		report_file("api_token", cfg->api_token_file);
	else
		report(true, "api_token", "inline in the configuration file (%zu characters)",
		       strlen(cfg->api_token));
	report(true, "org_url", "%s", cfg->org_url);
	rc = check_ca_file(cfg);
	if (cfg->proxy != NULL) {
		show_url(cfg->proxy, shown, sizeof(shown));
		report(true, "proxy", "%s (proxy environment variables are ignored)", shown);
	} else
		report(true, "proxy",
		       "none: direct connection (proxy environment variables are ignored)");
	okta_text_printable(cfg->login_suffix, shown, sizeof(shown));
	report(true, "login_suffix", "Okta login must be <user>%s", shown);
	report(true, "timeout", "%ld s for all HTTP work of one PAM call", cfg->timeout);
	report_policy(cfg);
	if (rc == EXIT_OK)
		rc = report_watch(cfg);
	return rc;
}

static double seconds_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Which answer to the probe means what; see the exit codes above. */
static int judge_probe(enum okta_status status, const struct okta_call_result *result,
		       const char *logged, double elapsed)
{
	long http = result->http_status;
	const char *code = result->error_code[0] != '\0' ? result->error_code : "-";

	if (status == OKTA_STATUS_NOT_FOUND && http == 404 && strcmp(code, "E0000007") == 0) {
		report(true, "probe",
		       "HTTP 404 E0000007 in %.2f s: TLS, reachability and the API token work",
		       elapsed);
		return EXIT_OK;
	}
	if (http == 0) {
		report(false, "probe",
		       "Okta unreachable (network, TLS or timeout) after %.2f s: %s", elapsed,
		       logged);
		return EXIT_UNAVAILABLE;
	}
	if (http == 401 && strcmp(code, "E0000011") == 0) {
		report(false, "probe",
		       "HTTP 401 E0000011: Okta refused the API token (api_token / api_token_file)");
		return EXIT_UNAVAILABLE;
	}
	if (http == 403) {
		report(false, "probe", "HTTP 403 %s: the API token may not manage sessions", code);
		return EXIT_UNAVAILABLE;
	}
	if (http == 429 || http >= 500) {
		report(false, "probe", "HTTP %ld %s: Okta is unavailable now", http, code);
		return EXIT_UNAVAILABLE;
	}
	report(false, "probe", "unexpected answer HTTP %ld %s (is org_url an Okta org?): %s", http,
	       code, status == OKTA_STATUS_OK ? "a session that cannot exist was found" : logged);
	return EXIT_CHECK_FAILED;
}

/* GET a session id that cannot exist: harmless, and Okta's 404 tells TLS,
 * reachability and the API token apart from every failure. */
static int probe(struct okta_client *client, const struct okta_config *cfg,
		 const struct okta_logger *logger, struct log_sink *sink)
{
	struct okta_session session;
	struct timespec start;
	enum okta_status status;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &start);
	sink->hold = true;
	sink->last[0] = '\0';
	okta_client_begin(client, logger, cfg->timeout);
	status = okta_get_session(client, PROBE_SESSION_ID, &session);
	okta_session_clear(&session);
	rc = judge_probe(status, okta_client_last_result(client), sink->last,
			 seconds_since(&start));
	sink->hold = false;
	return rc;
}

/* The first characters, then one '*' per hidden character. */
static void mask_session_id(const char *id, char *out, size_t outlen)
{
	size_t len = strlen(id);
	size_t i;

	for (i = 0; i < len && i + 1 < outlen; i++)
		out[i] = i < SHOWN_ID_PREFIX ? id[i] : '*';
	out[i] = '\0';
}

static int revoke_afterwards(struct okta_client *client, const struct okta_config *cfg,
			     const struct okta_logger *logger, const char *session_id)
{
	enum okta_status status;

	okta_client_begin(client, logger, cfg->timeout);
	status = okta_revoke_session(client, session_id);
	if (status == OKTA_STATUS_OK || status == OKTA_STATUS_NOT_FOUND) {
		report(true, "revoke", "the Okta session is revoked");
		return EXIT_OK;
	}
	report(false, "revoke", "could not revoke the Okta session (see the log line above)");
	return EXIT_UNAVAILABLE;
}

/* One line per configured rule of the access policy: which would pass or
 * refuse this session ("not checked" where the workflow stopped earlier). */
static void report_policy_verdicts(const struct okta_rule_verdict verdicts[OKTA_RULE_COUNT])
{
	char what[64];
	int r;

	for (r = 0; r < OKTA_RULE_COUNT; r++) {
		if (verdicts[r].verdict == OKTA_VERDICT_OFF)
			continue;
		snprintf(what, sizeof(what), "policy %s", okta_rule_name(verdicts[r].rule));
		report(verdicts[r].verdict == OKTA_VERDICT_PASS, what, "%s%s%s",
		       okta_verdict_name(verdicts[r].verdict),
		       verdicts[r].reason[0] != '\0' ? ": " : "", verdicts[r].reason);
	}
}

/* What pam_sm_authenticate does, with the outputs printed instead of put in
 * the PAM environment. The caller has begun the client: after a password
 * sign-in the workflow gets what is left of the sign-in's `timeout`, as in
 * the module (T9). */
static int run_workflow(struct okta_client *client, const struct okta_config *cfg,
			const struct okta_logger *logger, const struct options *opts,
			const char *token)
{
	struct okta_rule_verdict verdicts[OKTA_RULE_COUNT];
	struct okta_session session;
	enum okta_status status;
	char shown_id[OKTA_SESSION_ID_MAX + 1];
	char shown_login[OKTA_TEXT_QUOTED_SIZE(127)];
	int rc = EXIT_OK;

	status = okta_workflow_authenticate(client, cfg, opts->user, token, &session, verdicts,
					    NULL);
	report_policy_verdicts(verdicts);
	if (status == OKTA_STATUS_UNAVAILABLE) {
		report(false, "workflow",
		       "Okta unavailable (see the log lines above); "
		       "the module would return PAM_AUTHINFO_UNAVAIL");
		return EXIT_UNAVAILABLE;
	}
	if (status != OKTA_STATUS_OK) {
		report(false, "workflow",
		       "refused for user '%s' (see the log lines above); "
		       "the module would return PAM_AUTH_ERR",
		       opts->user);
		return EXIT_CHECK_FAILED;
	}
	okta_text_quote(session.login, 127, shown_login, sizeof(shown_login));
	mask_session_id(session.id, shown_id, sizeof(shown_id));
	report(true, "workflow",
	       "session created, bound to user '%s' (Okta login '%s') and refreshed", opts->user,
	       shown_login);
	printf("OKTA_SESSION_ID=%s\nOKTA_USER_ID=%s\nOKTA_SESSION_EXPIRES_AT=%s\n", shown_id,
	       session.user_id, session.expires_at);
	fflush(stdout);
	if (opts->revoke)
		rc = revoke_afterwards(client, cfg, logger, session.id);
	okta_session_clear(&session);
	return rc;
}

/* ------------------------------------------------------------ --sign-in */

#define ANSWER_MAX 1024

static int terminal_prompt(void *ctx, bool echo, const char *text, char **answer)
{
	char buf[ANSWER_MAX + 2];
	long len = read_line(text, echo, buf, sizeof(buf));

	(void)ctx;
	*answer = NULL;
	if (len < 0) {
		explicit_bzero(buf, sizeof(buf));
		return -1;
	}
	buf[len] = '\0';
	*answer = strdup(buf);
	explicit_bzero(buf, sizeof(buf));
	return *answer != NULL ? 0 : -1;
}

static void terminal_info(void *ctx, const char *text)
{
	(void)ctx;
	fprintf(stderr, "%s\n", text);
}

/* Each answer of the transaction is one verdict line. */
static void report_step(void *ctx, const char *request, const char *status)
{
	(void)ctx;
	report(true, request, "Okta answered %s", status);
}

/* What pam_sm_authenticate does with sign_in = password: the password
 * (asked here), the MFA, then the workflow on the session token. */
static int run_sign_in(struct okta_client *client, const struct okta_config *cfg,
		       const struct okta_logger *logger, const struct options *opts)
{
	struct okta_signin_io io = { NULL, terminal_prompt, terminal_info, report_step };
	struct okta_signin_request req = { opts->user, NULL, NULL, false };
	struct okta_signin_outcome out;
	char *password = NULL;
	int rc;

	if (cfg->sign_in != OKTA_SIGN_IN_PASSWORD)
		fprintf(stderr, "pam_okta_session_check: note: the configuration has sign_in = "
				"session_token; the module would not run this sign-in\n");
	if (terminal_prompt(NULL, false, "Okta password: ", &password) != 0) {
		report(false, "sign-in", "no password read from standard input");
		return EXIT_USAGE;
	}
	req.password = password;
	okta_client_begin(client, logger, cfg->timeout);
	okta_signin(client, cfg, &req, &io, &out);
	okta_secret_free(password);
	if (out.status != OKTA_STATUS_OK) {
		report(false, "sign-in",
		       "%s%s; the module would return %s and tell the user \"%s\"", out.reason,
		       out.cancel_sent ? " (transaction cancelled)" : "",
		       out.conversation_failed              ? "PAM_CONV_ERR"
		       : out.status == OKTA_STATUS_REJECTED ? "PAM_AUTH_ERR"
							    : "PAM_AUTHINFO_UNAVAIL",
		       out.user_message != NULL ? out.user_message : "");
		rc = out.status == OKTA_STATUS_UNAVAILABLE ? EXIT_UNAVAILABLE : EXIT_CHECK_FAILED;
		okta_signin_outcome_clear(&out);
		return rc;
	}
	report(true, "sign-in", "Okta issued a session token for '%s%s'", opts->user,
	       cfg->login_suffix != NULL ? cfg->login_suffix : "");
	rc = run_workflow(client, cfg, logger, opts, out.session_token);
	okta_signin_outcome_clear(&out);
	return rc;
}

/* The probe, then the workflow when asked; the first failure decides. */
static int run_online_checks(const struct okta_config *cfg, const struct options *opts,
			     struct log_sink *sink, const char *token)
{
	struct okta_logger logger = { stderr_sink, sink, opts->verbose };
	struct okta_client *client = okta_client_new(cfg, &logger);
	int rc;

	if (client == NULL) {
		report(false, "probe", "cannot set up the HTTP client (see the log line above)");
		return EXIT_UNAVAILABLE;
	}
	rc = probe(client, cfg, &logger, sink);
	if (rc == EXIT_OK && token != NULL) {
		okta_client_begin(client, &logger, cfg->timeout);
		rc = run_workflow(client, cfg, &logger, opts, token);
	} else if (rc == EXIT_OK && opts->sign_in)
		rc = run_sign_in(client, cfg, &logger, opts);
	okta_client_free(client);
	return rc;
}

/* ------------------------------------------------------- --pam-stack */

#define STACK_FILE_MAX (1024 * 1024)

/* The whole of a PAM service file, or NULL with the reason in err. */
static char *read_text_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "re");
	char *text;
	size_t used;

	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	text = malloc(STACK_FILE_MAX + 1);
	if (text == NULL) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	used = fread(text, 1, STACK_FILE_MAX + 1, f);
	if (ferror(f) || used > STACK_FILE_MAX || memchr(text, '\0', used) != NULL) {
		snprintf(err, errlen, "%s: unreadable, larger than %d bytes or not text", path,
			 STACK_FILE_MAX);
		fclose(f);
		free(text);
		return NULL;
	}
	fclose(f);
	text[used] = '\0';
	return text;
}

/* Included files: as libpam finds them, a relative name in the directory
 * of the service file (/etc/pam.d), an absolute one as it is. */
static char *read_included(void *ctx, const char *name, char *err, size_t errlen)
{
	const char *dir = ctx;
	char path[PATH_MAX];

	if (name[0] == '/')
		snprintf(path, sizeof(path), "%s", name);
	else if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >= sizeof(path)) {
		snprintf(err, errlen, "path too long");
		return NULL;
	}
	return read_text_file(path, err, errlen);
}

/* --pam-stack FILE: what the auth stack does when Okta is unreachable. */
static int check_pam_stack(const char *path)
{
	struct okta_pamstack_report stack;
	char copy[PATH_MAX];
	char err[300];
	char said[1024];
	char *text;
	bool ok;
	int i;

	snprintf(copy, sizeof(copy), "%s", path);
	text = read_text_file(path, err, sizeof(err));
	if (text == NULL) {
		report(false, "pam-stack", "cannot read %s", err);
		return EXIT_USAGE;
	}
	okta_pamstack_analyse(text, read_included, dirname(copy), &stack);
	free(text);
	okta_pamstack_describe(&stack, said, sizeof(said));
	ok = !stack.bypass_without_credential && (stack.verdict == OKTA_PAMSTACK_FAIL_CLOSED ||
						  stack.verdict == OKTA_PAMSTACK_BREAK_GLASS ||
						  stack.verdict == OKTA_PAMSTACK_FAIL_OPEN_UNAVAIL);
	report(ok, "pam-stack", "%s: %s", path, said);
	/* then each way in besides a good token: who, on which return code, with what */
	for (i = 0; i < stack.way_count; i++)
		report(stack.ways[i].accepted, "pam-stack", "%s: %s", path, stack.ways[i].text);
	if (stack.verdict == OKTA_PAMSTACK_ERROR)
		return EXIT_USAGE;
	return ok ? EXIT_OK : EXIT_CHECK_FAILED;
}

int main(int argc, char **argv)
{
	struct options opts;
	struct okta_config cfg;
	struct log_sink sink = { 0 };
	char token[OKTA_SESSION_TOKEN_MAX + 2];
	char err[512];
	long token_len = 0;
	int rc;

	if (parse_options(argc, argv, &opts) != 0)
		return EXIT_USAGE;
	if (opts.pam_stack != NULL)
		return check_pam_stack(opts.pam_stack);
	sink.verbose = opts.verbose;
	if (opts.token_from_stdin) {
		token_len = read_token(token, sizeof(token));
		if (token_len < 0 || !okta_session_token_is_acceptable(token)) {
			explicit_bzero(token, sizeof(token));
			fprintf(stderr,
				"pam_okta_session_check: the session token on standard input is "
				"empty, over %d bytes or not printable ASCII\n",
				OKTA_SESSION_TOKEN_MAX);
			return EXIT_USAGE;
		}
		token[token_len] = '\0';
	}

	okta_config_init(&cfg);
	if (okta_config_load(opts.conf_path, 0, &cfg, err, sizeof(err)) != 0) {
		report(false, "config", "%s", err);
		rc = EXIT_USAGE;
	} else {
		rc = opts.watch ? list_watched(&cfg) : report_config(&opts, &cfg);
		if (rc == EXIT_OK && !opts.watch)
			rc = run_online_checks(&cfg, &opts, &sink,
					       opts.token_from_stdin ? token : NULL);
	}
	explicit_bzero(token, sizeof(token));
	okta_config_clear(&cfg);
	return rc;
}
