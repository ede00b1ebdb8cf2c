/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_client.h"
#include "okta_config.h"
#include "okta_curl_compat.h"
#include "okta_fd.h"
#include "okta_http.h"
#include "okta_json.h"
#include "okta_link.h"
#include "okta_log.h"
#include "okta_memfd.h"
#include "okta_session.h"
#include "okta_text.h"
#include "okta_validate.h"
#include "okta_wipe.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SESSIONS_PATH "/api/v1/sessions"
#define AUTHN_PATH "/api/v1/authn"
/* Okta's headers are well under 2 KiB; a server that sends more than this
 * is hostile or broken, and is cut off at once instead of at the deadline. */
#define RESPONSE_HEADERS_MAX (64 * 1024)
/* Wait before retrying a 502/503/504 or a failed connection. */
#define RETRY_BACKOFF_MS 250
/* A retry is only worth making with at least this much time left after
 * waiting for it. */
#define RETRY_MIN_TIME_MS 100

/* The request being made, for log lines and error classification. */
enum okta_step {
	STEP_CREATE,
	STEP_REFRESH,
	STEP_GET,
	STEP_REVOKE,
	STEP_GROUPS,
	/* enum okta_authn_call, in its order */
	STEP_AUTHN_PRIMARY,
	STEP_AUTHN_VERIFY,
	STEP_AUTHN_POLL,
	STEP_AUTHN_SKIP,
	STEP_AUTHN_CANCEL,
};

static const char *const step_names[] = {
	[STEP_CREATE] = "createSession",
	[STEP_REFRESH] = "refreshSession",
	[STEP_GET] = "getSession",
	[STEP_REVOKE] = "revokeSession",
	[STEP_GROUPS] = "listUserGroups",
	[STEP_AUTHN_PRIMARY] = "primaryAuthentication",
	[STEP_AUTHN_VERIFY] = "verifyFactor",
	[STEP_AUTHN_POLL] = "pollFactor",
	[STEP_AUTHN_SKIP] = "skipPasswordWarning",
	[STEP_AUTHN_CANCEL] = "cancelTransaction",
};

struct okta_client {
	CURL *curl;
	struct curl_slist *headers; /* holds the API token: wiped on free */
	char *org_url;
	char *url; /* scratch for the request URL (holds a session id) */
	size_t url_size;
	struct okta_logger logger;
	/* One PAM call's HTTP budget (okta_client_begin): every exchange is
	 * charged the time it took, so that the user's typing and the push
	 * wait between requests are not (T9). */
	long long budget_ms;
	long long spent_ms;
	long own_budget_ms;    /* > 0: the next exchange has this of its own */
	long long deadline_ms; /* of the exchange under way, CLOCK_MONOTONIC */
	struct okta_call_result last;
	char curl_error[CURL_ERROR_SIZE];
	bool fds_checked; /* libcurl's own descriptors made close-on-exec */
	int ca_fd;        /* libcurl < 7.77: ca_file's sealed copy, or -1 */
};

struct http_response {
	long status;
	char *body;
	size_t len;
	bool too_large;
	char *links; /* every Link header value, joined with ", " */
	size_t links_len;
	bool links_too_large;
	size_t header_bytes;
	bool headers_too_large;
	long long rate_limit_reset;     /* X-Rate-Limit-Reset (epoch seconds), 0 if none */
	long long rate_limit_limit;     /* X-Rate-Limit-Limit, -1 if none */
	long long rate_limit_remaining; /* X-Rate-Limit-Remaining, -1 if none */
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static CURLcode global_result = CURLE_FAILED_INIT;

/*
 * Variables that libcurl and OpenSSL read once, during curl_global_init(),
 * and that would change what they do for the rest of the process. libcurl
 * reads them with plain getenv() even in a setuid su or sudo, where they are
 * the invoking user's (OpenSSL uses secure_getenv(), but a host that is not
 * setuid gets no such help). See README "Environment variables".
 */
static const char *const init_time_variables[] = {
	"SSLKEYLOGFILE",        /* libcurl: append TLS secrets to this file */
	"CURL_SSL_BACKEND",     /* libcurl: pick another TLS library */
	"OPENSSL_CONF",         /* OpenSSL: configuration file (providers, engines) */
	"OPENSSL_CONF_INCLUDE", /* OpenSSL: where that file's includes come from */
	"OPENSSL_MODULES",      /* OpenSSL: where providers are loaded from */
	"OPENSSL_ENGINES",      /* OpenSSL: where engines are loaded from */
};

#define INIT_TIME_VARIABLES (sizeof(init_time_variables) / sizeof(init_time_variables[0]))

/* The values hidden by hide_init_time_variables(), NULL for those unset. */
struct hidden_env {
	char *value[INIT_TIME_VARIABLES];
};

/*
 * Hide the init-time variables from getenv() for the length of
 * curl_global_init(), and put them back afterwards: the host's environment
 * (which the user's shell or sudo's command inherits) ends with the same
 * variables and values (the entries' order may change). Only getenv(),
 * unsetenv() and setenv() are used, never environ directly: sudo interposes
 * these functions and answers getenv() from the environment it prepares for
 * the command (env_keep), so that is the environment to edit. Not safe
 * against another thread changing the environment at the same moment (no
 * setenv() is); this runs once per process, under pthread_once. Returns -1
 * (all restored) when a value cannot be saved.
 */
static int hide_init_time_variables(struct hidden_env *hidden)
{
	size_t i;

	memset(hidden, 0, sizeof(*hidden));
	for (i = 0; i < INIT_TIME_VARIABLES; i++) {
		const char *value = getenv(init_time_variables[i]);

		if (value == NULL)
			continue;
		hidden->value[i] = strdup(value);
		if (hidden->value[i] == NULL || unsetenv(init_time_variables[i]) != 0)
			return -1;
	}
	return 0;
}

static void restore_init_time_variables(struct hidden_env *hidden)
{
	size_t i;

	for (i = 0; i < INIT_TIME_VARIABLES; i++) {
		if (hidden->value[i] == NULL)
			continue;
		if (getenv(init_time_variables[i]) == NULL)
			setenv(init_time_variables[i], hidden->value[i], 0);
		free(hidden->value[i]);
		hidden->value[i] = NULL;
	}
}

/* Does libcurl allocate through okta_wipe.c? Not when the host
 * application initialised libcurl before the module (global_init_once). */
static bool libcurl_wipes;
static bool libcurl_wipes_told;

/* One slist node through libcurl: counted by okta_wipe.c only when libcurl
 * took our allocator. */
static bool libcurl_uses_wipe_allocator(void)
{
	unsigned long before = okta_wipe_allocations();

	curl_slist_free_all(curl_slist_append(NULL, "probe"));
	return okta_wipe_allocations() != before;
}

static void global_init_once(void)
{
	struct hidden_env hidden;

	if (hide_init_time_variables(&hidden) == 0) {
		/* Never paired with curl_global_cleanup(): the host process
		 * (sshd, sudo) may use libcurl itself. libcurl's memory is
		 * wiped when freed (okta_wipe.c, T7); the module stays loaded
		 * (-z nodelete), so these functions outlive every pam_end.
		 * When the host initialised libcurl first, libcurl keeps its
		 * allocator and this changes nothing (SECURITY.md, T7). */
		global_result =
			curl_global_init_mem(CURL_GLOBAL_DEFAULT, okta_wipe_malloc, okta_wipe_free,
					     okta_wipe_realloc, okta_wipe_strdup, okta_wipe_calloc);
		if (global_result == CURLE_OK && okta_curl_load_tls_config() != 0)
			global_result = CURLE_FAILED_INIT;
	}
	/* otherwise global_result stays CURLE_FAILED_INIT: fail closed */
	restore_init_time_variables(&hidden);
	if (global_result == CURLE_OK)
		libcurl_wipes = libcurl_uses_wipe_allocator();
}

/* libcurl's global initialisation, once per process, thread-safe.
 * Returns 0 on success. */
static int global_init(void)
{
	if (pthread_once(&global_once, global_init_once) != 0)
		return -1;
	return global_result == CURLE_OK ? 0 : -1;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* How much of a refused link a log line shows (quoted, okta_text_quote). */
#define OKTA_LINK_SHOWN_MAX 150

/* Format a failure line, blank out the secret it might echo (Okta's 404
 * summary quotes the session id), and log it. */
static void log_redacted(const struct okta_client *client, int priority, const char *secret,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void log_redacted(const struct okta_client *client, int priority, const char *secret,
			 const char *fmt, ...)
{
	char line[OKTA_ERROR_DESCRIBED_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	okta_log_redact(line, secret);
	okta_log(&client->logger, priority, "%s", line);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_response *resp = userdata;
	size_t n = size * nmemb;
	char *grown;

	if (n > OKTA_RESPONSE_MAX - resp->len) {
		resp->too_large = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	grown = okta_wipe_realloc(resp->body, resp->len + n + 1);
	if (grown == NULL)
		return 0;
	resp->body = grown;
	memcpy(resp->body + resp->len, data, n);
	resp->len += n;
	resp->body[resp->len] = '\0';
	return n;
}

/* Collect Link headers (listUserGroups paging), joined with ", ". Bounded
 * like bodies, but smaller: Okta sends two short links. */
#define LINKS_MAX (16 * 1024)

static void collect_link(struct http_response *resp, const char *value, size_t n)
{
	char *grown;

	while (n > 0 && (value[n - 1] == '\r' || value[n - 1] == '\n'))
		n--;
	if (resp->links_len + n + 2 > LINKS_MAX) {
		resp->links_too_large = true;
		return;
	}
	grown = okta_wipe_realloc(resp->links, resp->links_len + n + 3);
	if (grown == NULL) {
		resp->links_too_large = true;
		return;
	}
	resp->links = grown;
	if (resp->links_len > 0) {
		memcpy(resp->links + resp->links_len, ", ", 2);
		resp->links_len += 2;
	}
	memcpy(resp->links + resp->links_len, value, n);
	resp->links_len += n;
	resp->links[resp->links_len] = '\0';
}

/* Called once per header line, the status line included: caps the size of
 * the headers, keeps X-Rate-Limit-Reset and the Link headers. */
static size_t on_header(char *data, size_t size, size_t nmemb, void *userdata)
{
	struct http_response *resp = userdata;
	size_t n = size * nmemb;
	long long reset;

	if (n > RESPONSE_HEADERS_MAX - resp->header_bytes) {
		resp->headers_too_large = true;
		return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
	}
	resp->header_bytes += n;
	if (n >= 5 && strncmp(data, "HTTP/", 5) == 0) {
		/* A new response (after a 1xx or a proxy's CONNECT answer):
		 * only the final response's headers count. */
		free(resp->links);
		resp->links = NULL;
		resp->links_len = 0;
		resp->rate_limit_reset = 0;
		resp->rate_limit_limit = resp->rate_limit_remaining = -1;
	} else if (okta_http_parse_rate_limit_reset(data, n, &reset)) {
		resp->rate_limit_reset = reset;
	} else if (okta_http_parse_number_header(data, n, OKTA_HTTP_RATE_LIMIT_LIMIT, &reset)) {
		resp->rate_limit_limit = reset;
	} else if (okta_http_parse_number_header(data, n, OKTA_HTTP_RATE_LIMIT_REMAINING, &reset)) {
		resp->rate_limit_remaining = reset;
	} else if (n >= 5 && okta_ascii_equal_nocase(data, "link:", 5)) {
		collect_link(resp, data + 5, n - 5);
	}
	return n;
}

/* Bodies may hold a session id: wipe before freeing. */
static void response_clear(struct http_response *resp)
{
	free(resp->links);
	if (resp->body != NULL)
		explicit_bzero(resp->body, resp->len);
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

/*
 * ca_file's bytes, as okta_config_load() read them through the checked
 * descriptor, as the only CAs (no bundle path, no directory). libcurl 7.77
 * and newer take the bytes (CURLOPT_CAINFO_BLOB). Older ones take only a
 * file name, opened again for each connection: they get a sealed anonymous
 * copy (okta_memfd.c) by its /proc/thread-self/fd path (libcurl opens it
 * in the thread that calls curl_easy_perform), which no user can replace
 * or write, never ca_file's own path.
 */
#if LIBCURL_VERSION_NUM >= 0x074d00
static int set_ca_file_content(struct okta_client *client, const struct okta_config *cfg)
{
	struct curl_blob blob = { cfg->ca_pem, cfg->ca_pem_len, CURL_BLOB_COPY };
	CURL *c = client->curl;

	if (curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CAINFO, NULL) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CAPATH, NULL) != CURLE_OK)
		return -1;
	return 0;
}
#else
static int set_ca_file_content(struct okta_client *client, const struct okta_config *cfg)
{
	char path[OKTA_MEMFD_PATH_MAX];
	CURL *c = client->curl;

	client->ca_fd =
		okta_memfd_sealed_copy("pam_okta_session-ca_file", cfg->ca_pem, cfg->ca_pem_len);
	if (client->ca_fd < 0)
		return -1;
	okta_memfd_path(client->ca_fd, path, sizeof(path));
	if (curl_easy_setopt(c, CURLOPT_CAINFO, path) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CAPATH, NULL) != CURLE_OK)
		return -1;
	return 0;
}
#endif

/*
 * Which CAs verify Okta's certificate, always given explicitly so that
 * OpenSSL's default locations (which SSL_CERT_FILE and SSL_CERT_DIR move)
 * are never consulted:
 *  - ca_file: its content as read by okta_config_load() (checked descriptor,
 *    never re-opened by path), and nothing else: libcurl's built-in CA
 *    directory and bundle are switched off too, so the system store cannot
 *    add CAs.
 *  - otherwise ca_dir, a hashed directory (set by okta_config_load() to the
 *    system's when the configuration names none, checked root-only there)
 *    and no bundle: OpenSSL opens, by subject hash, only the CA files the
 *    server's chain needs, instead of parsing the system's whole bundle
 *    (144 certificates, ~30 ms CPU) for every connection. See README
 *    "The system trust store".
 */
static int setup_trust(struct okta_client *client, const struct okta_config *cfg)
{
	CURL *c = client->curl;

	if (cfg->ca_pem != NULL) {
		if (set_ca_file_content(client, cfg) != 0) {
			okta_log(&client->logger, LOG_ERR, "libcurl refused ca_file's content");
			return -1;
		}
		return 0;
	}
	if (cfg->ca_dir == NULL) {
		okta_log(&client->logger, LOG_ERR, "no CA: set ca_file or ca_dir");
		return -1;
	}
	/* The hashed directory alone: no bundle (CAINFO NULL) to parse whole. */
	if (curl_easy_setopt(c, CURLOPT_CAINFO, NULL) != CURLE_OK ||
	    curl_easy_setopt(c, CURLOPT_CAPATH, cfg->ca_dir) != CURLE_OK) {
		okta_log(&client->logger, LOG_ERR, "libcurl refused ca_dir %s", cfg->ca_dir);
		return -1;
	}
	return 0;
}

/* The connection to Okta (or the proxy) is close-on-exec from the start: a
 * host that forks and execs after a PAM call must not hand it on (T5). */
static curl_socket_t open_socket_cloexec(void *clientp, curlsocktype purpose,
					 struct curl_sockaddr *address)
{
	(void)clientp;
	(void)purpose;
	return socket(address->family, address->socktype | SOCK_CLOEXEC, address->protocol);
}

/* Each new TLS connection's context, before the handshake: OpenSSL wipes
 * the answers it decrypted (okta_wipe.c, T7). Best effort: with another
 * TLS library, or OpenSSL 1.1, the last record stays (SECURITY.md, T7). */
static CURLcode on_ssl_ctx(CURL *curl, void *ssl_ctx, void *userptr)
{
	(void)curl;
	(void)userptr;
	okta_wipe_tls_plaintext(ssl_ctx, curl_version_info(CURLVERSION_NOW)->ssl_version);
	return CURLE_OK;
}

/* Options that hold for every request of this client. */
static int setup_handle(struct okta_client *client, const struct okta_config *cfg)
{
	CURL *c = client->curl;
	CURLcode rc = CURLE_OK;

#define SET(opt, val)                                       \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(c, opt, val); \
	} while (0)
#if LIBCURL_VERSION_NUM >= 0x075500
	SET(CURLOPT_PROTOCOLS_STR, "https");
	SET(CURLOPT_REDIR_PROTOCOLS_STR, "https");
#else
	SET(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	SET(CURLOPT_REDIR_PROTOCOLS, (long)CURLPROTO_HTTPS);
#endif
	SET(CURLOPT_FOLLOWLOCATION, 0L);
	SET(CURLOPT_SSL_VERIFYPEER, 1L);
	SET(CURLOPT_SSL_VERIFYHOST, 2L);
	SET(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)OKTA_RESPONSE_MAX);
	SET(CURLOPT_USERAGENT, PACKAGE_NAME "/" PACKAGE_VERSION);
	SET(CURLOPT_HTTPHEADER, client->headers);
	SET(CURLOPT_ERRORBUFFER, client->curl_error);
	SET(CURLOPT_WRITEFUNCTION, on_body);
	SET(CURLOPT_HEADERFUNCTION, on_header);
	SET(CURLOPT_OPENSOCKETFUNCTION, open_socket_cloexec);
	/* HTTP/1.1, never h2 through ALPN: libcurl before 8.12 gives nghttp2
	 * the C library's allocator, not ours, and its freed frame buffers
	 * kept the API token after pam_end (T7); HTTP/1.1 is also all the
	 * tests, the simulator and the benchmark speak. */
	SET(CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_1_1);
	/* No CURLOPT_ACCEPT_ENCODING: Okta's answers are small, so we offer no
	 * compression and libcurl decodes none. A gzip "bomb" stays the few
	 * compressed bytes it is on the wire and fails to parse as JSON. */
	/* "" turns proxies off even when http_proxy and friends are set:
	 * only the administrator's configuration may route our traffic. */
	SET(CURLOPT_PROXY, cfg->proxy != NULL ? cfg->proxy : "");
	/* libcurl reads no_proxy/NO_PROXY whenever this is unset, even with
	 * CURLOPT_PROXY given: "" means no host bypasses the proxy. */
	SET(CURLOPT_NOPROXY, "");
	/* Basic only: the default SOCKS5 method list includes GSSAPI, which
	 * would bring in Kerberos and its KRB5* variables. */
	SET(CURLOPT_SOCKS5_AUTH, (long)CURLAUTH_BASIC);
	SET(CURLOPT_PROXYAUTH, (long)CURLAUTH_BASIC);
	SET(CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
	SET(CURLOPT_NETRC, (long)CURL_NETRC_IGNORED); /* no ~/.netrc via $HOME */
#undef SET
	/* Refused (CURLE_NOT_BUILT_IN) by TLS backends without an SSL_CTX. */
	(void)curl_easy_setopt(c, CURLOPT_SSL_CTX_FUNCTION, on_ssl_ctx);
	return rc == CURLE_OK ? setup_trust(client, cfg) : -1;
}

static struct curl_slist *build_headers(const char *api_token)
{
	static const char *const fixed[] = {
		"Accept: application/json", "Content-Type: application/json",
		"Expect:", /* no 100-continue round trip */
	};
	struct curl_slist *list = NULL;
	struct curl_slist *grown;
	char *auth;
	size_t auth_len = strlen("Authorization: SSWS ") + strlen(api_token) + 1;
	size_t i;

	auth = malloc(auth_len);
	if (auth == NULL)
		return NULL;
	snprintf(auth, auth_len, "Authorization: SSWS %s", api_token);
	list = curl_slist_append(NULL, auth);
	explicit_bzero(auth, auth_len);
	free(auth);
	for (i = 0; list != NULL && i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		grown = curl_slist_append(list, fixed[i]);
		if (grown == NULL) {
			curl_slist_free_all(list);
			return NULL;
		}
		list = grown;
	}
	return list;
}

static void free_headers(struct curl_slist *list)
{
	struct curl_slist *item;

	for (item = list; item != NULL; item = item->next)
		explicit_bzero(item->data, strlen(item->data));
	curl_slist_free_all(list);
}

struct okta_client *okta_client_new(const struct okta_config *cfg, const struct okta_logger *logger)
{
	struct okta_client *client;

	if (global_init() != 0) {
		okta_log(logger, LOG_ERR, "libcurl global initialisation failed");
		return NULL;
	}
	/* Once per process: the administrator learns that T7's exception
	 * applies here (SECURITY.md, "Secrets"). */
	if (!libcurl_wipes && !__atomic_exchange_n(&libcurl_wipes_told, true, __ATOMIC_RELAXED))
		okta_log(logger, LOG_NOTICE,
			 "the application initialised libcurl before this module: libcurl's "
			 "buffers (API token, session ids) are not wiped when freed");
	client = calloc(1, sizeof(*client));
	if (client == NULL)
		return NULL;
	client->logger = *logger;
	client->ca_fd = -1;
	/* Room for the longest session URL or a listUserGroups next link. */
	client->url_size = strlen(cfg->org_url) + sizeof(SESSIONS_PATH "/") + OKTA_SESSION_ID_MAX +
			   sizeof("/lifecycle/refresh") + OKTA_LINK_URL_MAX;
	client->url = malloc(client->url_size);
	client->org_url = strdup(cfg->org_url);
	client->headers = build_headers(cfg->api_token);
	client->curl = curl_easy_init();
	if (client->url == NULL || client->org_url == NULL || client->headers == NULL ||
	    client->curl == NULL || setup_handle(client, cfg) != 0) {
		okta_log(logger, LOG_ERR, "cannot set up the HTTP client");
		okta_client_free(client);
		return NULL;
	}
	return client;
}

void okta_client_free(struct okta_client *client)
{
	if (client == NULL)
		return;
	if (client->curl != NULL)
		curl_easy_cleanup(client->curl);
	if (client->ca_fd >= 0)
		close(client->ca_fd);
	free_headers(client->headers);
	if (client->url != NULL)
		explicit_bzero(client->url, client->url_size);
	free(client->url);
	free(client->org_url);
	free(client);
}

void okta_client_begin(struct okta_client *client, const struct okta_logger *logger,
		       long timeout_seconds)
{
	client->logger = *logger;
	client->budget_ms = (long long)timeout_seconds * 1000;
	client->spent_ms = 0;
}

void okta_client_extend_deadline(struct okta_client *client, long budget_ms)
{
	if (client->budget_ms - client->spent_ms < budget_ms)
		client->budget_ms = client->spent_ms + budget_ms;
}

const struct okta_logger *okta_client_logger(const struct okta_client *client)
{
	return &client->logger;
}

const struct okta_call_result *okta_client_last_result(const struct okta_client *client)
{
	return &client->last;
}

/* Build org_url + path (+ "/" id + suffix) into the scratch URL. */
static void build_url(struct okta_client *client, const char *session_id, const char *suffix)
{
	if (session_id == NULL)
		snprintf(client->url, client->url_size, "%s" SESSIONS_PATH, client->org_url);
	else
		snprintf(client->url, client->url_size, "%s" SESSIONS_PATH "/%s%s", client->org_url,
			 session_id, suffix);
}

/*
 * curl_easy_perform, and after the client's first: close-on-exec for the
 * descriptors libcurl made for itself meanwhile (its multi handle's wakeup
 * socketpair or pipe, created at the first perform and kept until
 * curl_easy_cleanup; libcurl offers no hook for it). Only AF_UNIX sockets
 * and pipes new since just before are touched: the connection itself comes
 * from open_socket_cloexec.
 */
static CURLcode perform(struct okta_client *client)
{
	struct okta_fd_snapshot before;
	CURLcode rc;

	if (client->fds_checked)
		return curl_easy_perform(client->curl);
	okta_fd_snapshot_take(&before);
	rc = curl_easy_perform(client->curl);
	okta_fd_cloexec_new_pipes_and_unix_sockets(&before);
	okta_fd_snapshot_clear(&before);
	client->fds_checked = true;
	return rc;
}

/* One HTTP request and its answer, bounded by the remaining deadline. The
 * caller checks that some time remains. */
static CURLcode http_attempt(struct okta_client *client, enum okta_step step, const char *method,
			     const char *body, size_t body_len, struct http_response *resp)
{
	CURL *c = client->curl;
	long remaining = (long)(client->deadline_ms - now_ms());
	long new_connections = 0;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	resp->rate_limit_limit = resp->rate_limit_remaining = -1;
	client->curl_error[0] = '\0';
	curl_easy_setopt(c, CURLOPT_URL, client->url);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, remaining > 0 ? remaining : 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, remaining > 0 ? remaining : 1L);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, resp);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, resp);
	if (strcmp(method, "POST") == 0) {
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, NULL);
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	} else {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST,
				 strcmp(method, "GET") == 0 ? NULL : method);
	}

	rc = perform(client);
	/* POSTFIELDS is not copied: drop our pointer to the caller's buffer. */
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, NULL);
	if (curl_easy_getinfo(c, CURLINFO_NUM_CONNECTS, &new_connections) != CURLE_OK)
		new_connections = 0;
	client->last.http_status = 0;
	if (rc == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		client->last.http_status = resp->status;
		client->last.rate_limit_limit = resp->rate_limit_limit;
		client->last.rate_limit_remaining = resp->rate_limit_remaining;
		client->last.rate_limit_reset = resp->rate_limit_reset;
		okta_log(&client->logger, LOG_DEBUG,
			 "%s: HTTP %ld, %zu bytes, %ld new connection(s)", step_names[step],
			 resp->status, resp->len, new_connections);
	}
	return rc;
}

/* Why a request failed without an HTTP status, for log lines. */
static void describe_transport_failure(const struct okta_client *client, CURLcode rc,
				       const struct http_response *resp, char *out, size_t outlen)
{
	if (resp->headers_too_large)
		snprintf(out, outlen, "response headers larger than %d bytes",
			 RESPONSE_HEADERS_MAX);
	else if (resp->too_large)
		snprintf(out, outlen, "response body larger than %d bytes", OKTA_RESPONSE_MAX);
	else {
		/* libcurl's words, but they may quote the server's (a
		 * certificate's subject name): no control byte reaches the log */
		char shown[CURL_ERROR_SIZE];

		okta_text_printable(client->curl_error[0] != '\0' ? client->curl_error
								  : curl_easy_strerror(rc),
				    shown, sizeof(shown));
		snprintf(out, outlen, "request failed: %s (curl error %d)", shown, (int)rc);
	}
}

/* No TCP connection was made, so the server cannot have seen the request. */
static bool never_connected(CURLcode rc)
{
	return rc == CURLE_COULDNT_CONNECT || rc == CURLE_COULDNT_RESOLVE_HOST ||
	       rc == CURLE_COULDNT_RESOLVE_PROXY;
}

/* The connection broke after the request may have been sent. */
static bool connection_broke(CURLcode rc)
{
	return rc == CURLE_GOT_NOTHING || rc == CURLE_SEND_ERROR || rc == CURLE_RECV_ERROR ||
	       rc == CURLE_PARTIAL_FILE;
}

static long long epoch_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * The retry policy, all of it: how long to wait before trying a failed
 * request once more, or -1 not to retry.
 *  - 429: wait until X-Rate-Limit-Reset (UTC epoch seconds); without that
 *    header we do not know when the limit lifts, so no retry.
 *  - 503, and no connection at all: the request surely was not processed, so
 *    even createSession (which spends the one-time token) is retried.
 *  - 502, 504 and a connection that broke: the request may have been
 *    processed; only the calls that are safe to repeat (refresh, get,
 *    revoke, groups, an authn poll or cancel) are retried.
 *  - anything else (4xx, 500, TLS failures, timeouts, oversized answers):
 *    retrying cannot help.
 * The wait never runs past the deadline: when it would, fail at once.
 */
static long long retry_delay_ms(enum okta_step step, CURLcode rc, const struct http_response *resp,
				long long remaining_ms)
{
	long long delay;
	/* Not repeated when Okta may have acted on them: createSession spends
	 * the one-time token, primary authentication and a passcode count as
	 * attempts (towards a lock-out), a verify sends another push, and a
	 * skip moves the transaction on. */
	bool repeatable = step != STEP_CREATE && step != STEP_AUTHN_PRIMARY &&
			  step != STEP_AUTHN_VERIFY && step != STEP_AUTHN_SKIP;

	if (rc != CURLE_OK) {
		if (never_connected(rc) || (repeatable && connection_broke(rc)))
			delay = RETRY_BACKOFF_MS;
		else
			return -1;
	} else if (resp->status == 429) {
		if (resp->rate_limit_reset <= 0)
			return -1;
		delay = resp->rate_limit_reset * 1000 - epoch_ms();
		if (delay < 0)
			delay = 0; /* already reset (or our clock is behind) */
	} else if (resp->status == 503 ||
		   (repeatable && (resp->status == 502 || resp->status == 504))) {
		delay = RETRY_BACKOFF_MS;
	} else {
		return -1;
	}
	return delay + RETRY_MIN_TIME_MS <= remaining_ms ? delay : -1;
}

static void sleep_ms(long long ms)
{
	struct timespec until;

	clock_gettime(CLOCK_MONOTONIC, &until);
	until.tv_sec += (time_t)(ms / 1000);
	until.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (until.tv_nsec >= 1000000000L) {
		until.tv_sec++;
		until.tv_nsec -= 1000000000L;
	}
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, NULL) == EINTR)
		;
}

/* One line saying why a request is tried again, or why a 429 is not. */
static void log_retry(struct okta_client *client, enum okta_step step, CURLcode rc,
		      const struct http_response *resp, const char *secret, long long delay)
{
	char reason[CURL_ERROR_SIZE + 64];

	if (rc != CURLE_OK)
		describe_transport_failure(client, rc, resp, reason, sizeof(reason));
	else
		snprintf(reason, sizeof(reason), "HTTP %ld%s", resp->status,
			 resp->status == 429 ? " (rate limited)" : "");
	if (delay >= 0)
		log_redacted(client, LOG_WARNING, secret, "%s: %s; retrying once in %lld ms",
			     step_names[step], reason, delay);
	else if (rc == CURLE_OK && resp->status == 429)
		/* debug: the failure itself gets its one line from report_failure() */
		okta_log(&client->logger, LOG_DEBUG,
			 "%s: rate limited; X-Rate-Limit-Reset %s, not retrying", step_names[step],
			 resp->rate_limit_reset > 0 ? "is beyond the timeout"
						    : "missing or malformed");
}

/*
 * One HTTP exchange under the deadline, retried at most once as
 * retry_delay_ms() allows. Returns 0 when an HTTP status was received (resp
 * filled), -1 on transport failure (logged here).
 */
static int exchange_by_deadline(struct okta_client *client, enum okta_step step, const char *method,
				const char *body, size_t body_len, const char *secret,
				struct http_response *resp)
{
	char reason[CURL_ERROR_SIZE + 64];
	long long delay;
	CURLcode rc;

	memset(resp, 0, sizeof(*resp));
	memset(&client->last, 0, sizeof(client->last));
	client->last.rate_limit_limit = client->last.rate_limit_remaining = -1;
	if (client->deadline_ms - now_ms() <= 0) {
		okta_log(&client->logger, LOG_ERR, "%s: not sent, the timeout has already passed",
			 step_names[step]);
		return -1;
	}
	rc = http_attempt(client, step, method, body, body_len, resp);
	delay = retry_delay_ms(step, rc, resp, client->deadline_ms - now_ms());
	log_retry(client, step, rc, resp, secret, delay);
	if (delay >= 0) {
		response_clear(resp);
		sleep_ms(delay);
		rc = http_attempt(client, step, method, body, body_len, resp);
	}
	if (rc != CURLE_OK) {
		describe_transport_failure(client, rc, resp, reason, sizeof(reason));
		log_redacted(client, LOG_ERR, secret, "%s: %s", step_names[step], reason);
		response_clear(resp);
		return -1;
	}
	return 0;
}

/*
 * exchange_by_deadline() with the deadline set from the budget: what is left
 * of the PAM call's, charged with the time the exchange takes (retries and
 * their waits included), or the budget of its own the caller gave.
 */
static int http_exchange(struct okta_client *client, enum okta_step step, const char *method,
			 const char *body, size_t body_len, const char *secret,
			 struct http_response *resp)
{
	long long start = now_ms();
	int rc;

	if (client->own_budget_ms > 0)
		client->deadline_ms = start + client->own_budget_ms;
	else
		client->deadline_ms = start + (client->budget_ms - client->spent_ms);
	rc = exchange_by_deadline(client, step, method, body, body_len, secret, resp);
	if (client->own_budget_ms <= 0)
		client->spent_ms += now_ms() - start;
	return rc;
}

/* Which failures are the user's (a bad session token) and which mean Okta
 * cannot be used right now. */
static enum okta_status classify_failure(enum okta_step step, long status,
					 const struct okta_error *err)
{
	if (step == STEP_CREATE) {
		if (status == 400 || status == 404)
			return OKTA_STATUS_REJECTED;
		if (status == 401 && strcmp(err->code, "E0000004") == 0)
			return OKTA_STATUS_REJECTED;
		if (status == 403 && strcmp(err->code, "E0000005") == 0)
			return OKTA_STATUS_REJECTED;
		return OKTA_STATUS_UNAVAILABLE;
	}
	if (status == 404)
		return OKTA_STATUS_NOT_FOUND;
	return OKTA_STATUS_UNAVAILABLE;
}

static enum okta_status report_failure(struct okta_client *client, enum okta_step step,
				       const char *secret, const struct http_response *resp)
{
	struct okta_error err;
	enum okta_status status;
	/* Okta's texts quoted: a summary such as 'x" pam_okta_session(sshd:auth):
	 * audit: ...' must not read as a record of the module's */
	char described[OKTA_ERROR_DESCRIBED_MAX];

	okta_parse_error(resp->body, resp->len, &err);
	okta_error_describe(&err, described, sizeof(described));
	snprintf(client->last.error_code, sizeof(client->last.error_code), "%s", err.code);
	snprintf(client->last.error_id, sizeof(client->last.error_id), "%s", err.id);
	status = classify_failure(step, resp->status, &err);
	log_redacted(client, status == OKTA_STATUS_UNAVAILABLE ? LOG_ERR : LOG_NOTICE, secret,
		     "%s: HTTP %ld%s, %s", step_names[step], resp->status,
		     (resp->status >= 300 && resp->status < 400) ? " (redirects are not followed)"
								 : "",
		     described);
	return status;
}

/* A 200 must carry a session we can use safely: its id goes into a URL
 * path and the PAM environment, its userId into the environment. */
static enum okta_status read_session(struct okta_client *client, enum okta_step step,
				     const char *expected_id, const struct http_response *resp,
				     struct okta_session *out)
{
	enum okta_parse_result parsed = okta_parse_session(resp->body, resp->len, out);
	const char *problem = NULL;

	if (parsed != OKTA_PARSE_OK)
		problem = okta_parse_result_str(parsed);
	else if (!okta_session_id_is_valid(out->id))
		problem = "session id is not 1-128 characters of [A-Za-z0-9_-]";
	else if (expected_id != NULL && strcmp(out->id, expected_id) != 0)
		problem = "session id differs from the one requested";
	else if (!okta_user_id_is_valid(out->user_id))
		problem = "userId is not 1-64 characters of [A-Za-z0-9_-]";
	else if (out->expires_at != NULL && !okta_timestamp_is_valid(out->expires_at))
		problem = "expiresAt is not a timestamp";
	else if (step == STEP_REFRESH && out->expires_at == NULL)
		problem = "expiresAt is missing";
	if (problem == NULL)
		return OKTA_STATUS_OK;
	okta_log(&client->logger, LOG_ERR, "%s: HTTP 200 but unusable response: %s",
		 step_names[step], problem);
	okta_session_clear(out);
	return OKTA_STATUS_UNAVAILABLE;
}

/* Shared by create, refresh and get: all three answer 200 with a Session. */
static enum okta_status session_call(struct okta_client *client, enum okta_step step,
				     const char *method, const char *body, size_t body_len,
				     const char *session_id, struct okta_session *out)
{
	struct http_response resp;
	enum okta_status status;

	memset(out, 0, sizeof(*out));
	if (http_exchange(client, step, method, body, body_len, session_id, &resp) != 0)
		return OKTA_STATUS_UNAVAILABLE;
	if (resp.status == 200)
		status = read_session(client, step, session_id, &resp, out);
	else
		status = report_failure(client, step, session_id, &resp);
	response_clear(&resp);
	return status;
}

static bool checked_session_id(struct okta_client *client, enum okta_step step,
			       const char *session_id)
{
	if (okta_session_id_is_valid(session_id))
		return true;
	okta_log(&client->logger, LOG_ERR, "%s: refusing a malformed session id", step_names[step]);
	return false;
}

enum okta_status okta_create_session(struct okta_client *client, const char *session_token,
				     struct okta_session *out)
{
	enum okta_status status;
	size_t body_len = 0;
	char *body = okta_build_create_body(session_token, &body_len);

	memset(out, 0, sizeof(*out));
	if (body == NULL) {
		okta_log(&client->logger, LOG_ERR, "createSession: out of memory");
		return OKTA_STATUS_UNAVAILABLE;
	}
	build_url(client, NULL, NULL);
	status = session_call(client, STEP_CREATE, "POST", body, body_len, NULL, out);
	explicit_bzero(body, body_len);
	free(body);
	return status;
}

enum okta_status okta_refresh_session(struct okta_client *client, const char *session_id,
				      struct okta_session *out)
{
	memset(out, 0, sizeof(*out));
	if (!checked_session_id(client, STEP_REFRESH, session_id))
		return OKTA_STATUS_REJECTED;
	build_url(client, session_id, "/lifecycle/refresh");
	return session_call(client, STEP_REFRESH, "POST", "", 0, session_id, out);
}

enum okta_status okta_get_session(struct okta_client *client, const char *session_id,
				  struct okta_session *out)
{
	memset(out, 0, sizeof(*out));
	if (!checked_session_id(client, STEP_GET, session_id))
		return OKTA_STATUS_REJECTED;
	build_url(client, session_id, "");
	return session_call(client, STEP_GET, "GET", NULL, 0, session_id, out);
}

enum okta_status okta_revoke_session(struct okta_client *client, const char *session_id)
{
	struct http_response resp;
	enum okta_status status;

	if (!checked_session_id(client, STEP_REVOKE, session_id))
		return OKTA_STATUS_REJECTED;
	build_url(client, session_id, "");
	if (http_exchange(client, STEP_REVOKE, "DELETE", NULL, 0, session_id, &resp) != 0)
		return OKTA_STATUS_UNAVAILABLE;
	status = resp.status == 204 ? OKTA_STATUS_OK
				    : report_failure(client, STEP_REVOKE, session_id, &resp);
	response_clear(&resp);
	return status;
}

/* ------------------------------------------------------------ listUserGroups */

/* Where the next page is: 1 and a checked URL in client->url, 0 when this
 * was the last page, -1 (logged) when the links are unusable. */
static int next_page_url(struct okta_client *client, const char *user_id, unsigned page,
			 const struct http_response *resp)
{
	char next[OKTA_LINK_URL_MAX + 1];
	char shown[OKTA_TEXT_QUOTED_SIZE(OKTA_LINK_SHOWN_MAX)];
	int found = 0;

	if (resp->links_too_large)
		found = -1;
	else if (resp->links != NULL)
		found = okta_link_find_next(resp->links, next, sizeof(next));
	if (found < 0) {
		okta_log(&client->logger, LOG_ERR,
			 "listUserGroups: page %u: malformed, oversized or ambiguous Link header",
			 page);
		return -1;
	}
	if (found == 0)
		return 0;
	if (!okta_groups_link_is_allowed(client->org_url, user_id, next)) {
		okta_text_quote(next, OKTA_LINK_SHOWN_MAX, shown, sizeof(shown));
		okta_log(
			&client->logger, LOG_ERR,
			"listUserGroups: page %u: next link %s leaves %s/api/v1/users/%s/groups; not followed",
			page, shown, client->org_url, user_id);
		return -1;
	}
	snprintf(client->url, client->url_size, "%s", next);
	return 1;
}

/* One page: its groups appended to list, *more set when another follows. */
static enum okta_status groups_page(struct okta_client *client, const char *user_id, unsigned page,
				    struct okta_group_list *list, bool *more)
{
	struct http_response resp;
	enum okta_parse_result parsed;
	enum okta_status status = OKTA_STATUS_OK;
	int next;

	*more = false;
	if (http_exchange(client, STEP_GROUPS, "GET", NULL, 0, NULL, &resp) != 0)
		return OKTA_STATUS_UNAVAILABLE;
	if (resp.status != 200) {
		status = report_failure(client, STEP_GROUPS, NULL, &resp);
		response_clear(&resp);
		return status;
	}
	parsed = okta_parse_groups(resp.body, resp.len,
				   (size_t)OKTA_GROUPS_PAGES_MAX * OKTA_GROUPS_PAGE_LIMIT, list);
	if (parsed != OKTA_PARSE_OK) {
		okta_log(&client->logger, LOG_ERR,
			 "listUserGroups: page %u: HTTP 200 but unusable response: %s", page,
			 okta_parse_result_str(parsed));
		status = OKTA_STATUS_UNAVAILABLE;
	} else {
		next = next_page_url(client, user_id, page, &resp);
		if (next < 0)
			status = OKTA_STATUS_UNAVAILABLE;
		*more = next == 1;
	}
	response_clear(&resp);
	return status;
}

enum okta_status okta_list_user_groups(struct okta_client *client, const char *user_id,
				       struct okta_group_list *out)
{
	enum okta_status status = OKTA_STATUS_OK;
	bool more = true;
	unsigned page;

	memset(out, 0, sizeof(*out));
	if (!okta_user_id_is_valid(user_id)) {
		okta_log(&client->logger, LOG_ERR, "listUserGroups: refusing a malformed user id");
		return OKTA_STATUS_UNAVAILABLE;
	}
	snprintf(client->url, client->url_size, "%s/api/v1/users/%s/groups?limit=%d",
		 client->org_url, user_id, OKTA_GROUPS_PAGE_LIMIT);
	for (page = 1; status == OKTA_STATUS_OK && more; page++) {
		if (page > OKTA_GROUPS_PAGES_MAX) {
			okta_log(&client->logger, LOG_ERR,
				 "listUserGroups: more than %d pages of groups; giving up",
				 OKTA_GROUPS_PAGES_MAX);
			status = OKTA_STATUS_UNAVAILABLE;
			break;
		}
		status = groups_page(client, user_id, page, out, &more);
	}
	if (status != OKTA_STATUS_OK) {
		okta_group_list_clear(out);
		return status;
	}
	okta_log(&client->logger, LOG_DEBUG, "listUserGroups: %zu groups in %u page(s)", out->count,
		 page - 1);
	return OKTA_STATUS_OK;
}

/* ------------------------------------------------------------ authn */

const char *okta_authn_call_name(enum okta_authn_call call)
{
	return step_names[STEP_AUTHN_PRIMARY + (int)call];
}

void okta_authn_reply_clear(struct okta_authn_reply *reply)
{
	if (reply->body != NULL)
		explicit_bzero(reply->body, reply->len);
	free(reply->body);
	memset(reply, 0, sizeof(*reply));
}

/* Hex digits, '.' and ':' only: an address's text cannot carry a header
 * break or anything else into the request. */
static bool is_address_text(const char *text)
{
	size_t i;

	for (i = 0; text[i] != '\0'; i++) {
		if (!(okta_ascii_is_xdigit(text[i]) || text[i] == '.' || text[i] == ':'))
			return false;
	}
	return i > 0 && i < 64;
}

/* The client's headers plus X-Forwarded-For, or NULL (out of memory). The
 * copy holds the API token: free it with free_headers(). */
static struct curl_slist *headers_with_forwarded(const struct okta_client *client,
						 const char *forwarded_for)
{
	char line[96];
	struct curl_slist *list = NULL;
	struct curl_slist *grown;
	const struct curl_slist *item;

	snprintf(line, sizeof(line), "X-Forwarded-For: %s", forwarded_for);
	for (item = client->headers; item != NULL; item = item->next) {
		grown = curl_slist_append(list, item->data);
		if (grown == NULL) {
			free_headers(list);
			return NULL;
		}
		list = grown;
	}
	grown = curl_slist_append(list, line);
	if (grown == NULL)
		free_headers(list);
	return grown;
}

/* The URL to post to, checked, into client->url; false (logged) when the
 * link is not ours to follow. */
static bool set_authn_url(struct okta_client *client, enum okta_step step, const char *url)
{
	char shown[OKTA_TEXT_QUOTED_SIZE(OKTA_LINK_SHOWN_MAX)];

	if (url == NULL) {
		snprintf(client->url, client->url_size, "%s" AUTHN_PATH, client->org_url);
		return true;
	}
	if (okta_authn_link_is_allowed(client->org_url, url) && strlen(url) < client->url_size) {
		snprintf(client->url, client->url_size, "%s", url);
		return true;
	}
	okta_text_quote(url, OKTA_LINK_SHOWN_MAX, shown, sizeof(shown));
	okta_log(&client->logger, LOG_ERR,
		 "%s: link %s is not under %s" AUTHN_PATH "; not followed", step_names[step], shown,
		 client->org_url);
	return false;
}

enum okta_status okta_authn_post(struct okta_client *client, enum okta_authn_call call,
				 const char *url, const char *body, size_t body_len,
				 const char *forwarded_for, long timeout_ms,
				 struct okta_authn_reply *reply)
{
	enum okta_step step = (enum okta_step)(STEP_AUTHN_PRIMARY + (int)call);
	struct curl_slist *extra = NULL;
	struct http_response resp;
	int rc;

	memset(reply, 0, sizeof(*reply));
	if (!set_authn_url(client, step, url))
		return OKTA_STATUS_UNAVAILABLE;
	if (forwarded_for != NULL) {
		if (!is_address_text(forwarded_for)) {
			okta_log(&client->logger, LOG_ERR,
				 "%s: X-Forwarded-For value is not an address", step_names[step]);
			return OKTA_STATUS_UNAVAILABLE;
		}
		extra = headers_with_forwarded(client, forwarded_for);
		if (extra == NULL) {
			okta_log(&client->logger, LOG_ERR, "%s: out of memory", step_names[step]);
			return OKTA_STATUS_UNAVAILABLE;
		}
		curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, extra);
	}
	client->own_budget_ms = timeout_ms > 0 ? timeout_ms : 0;
	rc = http_exchange(client, step, "POST", body, body_len, NULL, &resp);
	client->own_budget_ms = 0;
	if (extra != NULL) {
		curl_easy_setopt(client->curl, CURLOPT_HTTPHEADER, client->headers);
		free_headers(extra);
	}
	if (rc != 0)
		return OKTA_STATUS_UNAVAILABLE;
	reply->http_status = resp.status;
	reply->rate_limit_reset = resp.rate_limit_reset;
	if (resp.status != 200) {
		okta_parse_error(resp.body, resp.len, &reply->error);
		snprintf(client->last.error_code, sizeof(client->last.error_code), "%s",
			 reply->error.code);
		snprintf(client->last.error_id, sizeof(client->last.error_id), "%s",
			 reply->error.id);
	}
	/* Hand the body over; response_clear() must not wipe it. */
	reply->body = resp.body;
	reply->len = resp.len;
	resp.body = NULL;
	resp.len = 0;
	response_clear(&resp);
	return OKTA_STATUS_OK;
}
