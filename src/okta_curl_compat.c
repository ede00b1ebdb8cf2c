/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_curl_compat.h"

#include <curl/curl.h>

/*
 * libcurl before 7.74 initialises OpenSSL (1.1.0 and newer) without
 * OPENSSL_INIT_LOAD_CONFIG, so OpenSSL loads its configuration by itself,
 * at the first SSL_CTX_new(): at the first connection, long after
 * okta_client.c put OPENSSL_CONF and the other init-time variables back.
 * A configuration named by OPENSSL_CONF (engines, providers, cipher
 * settings) would then apply to the module's TLS. So on those releases one
 * TLS handshake is started at initialisation, while the variables are
 * hidden, over a local socket pair (no network): SSL_CTX_new() runs and
 * OpenSSL loads its default configuration, once per process. The peer
 * answers with a TLS alert, so the handshake fails at once. Found with the
 * integration test test_environment.py's test_openssl_conf against libcurl
 * 7.61.1 (RHEL 8).
 */
#if LIBCURL_VERSION_NUM < 0x074a00

#include <sys/socket.h>
#include <unistd.h>

/* libcurl's socket is our end of the pair; it closes it. */
static curl_socket_t hand_over_socket(void *clientp, curlsocktype purpose,
				      struct curl_sockaddr *address)
{
	int *fd = clientp;
	int handed = *fd;

	(void)purpose;
	(void)address;
	*fd = -1;
	return handed >= 0 ? handed : CURL_SOCKET_BAD;
}

static int already_connected(void *clientp, curl_socket_t fd, curlsocktype purpose)
{
	(void)clientp;
	(void)fd;
	(void)purpose;
	return CURL_SOCKOPT_ALREADY_CONNECTED;
}

static size_t discard(char *data, size_t size, size_t nmemb, void *userdata)
{
	(void)data;
	(void)userdata;
	return size * nmemb;
}

int okta_curl_load_tls_config(void)
{
	/* A TLS fatal alert (handshake_failure): the "server"'s only words. */
	static const unsigned char alert[] = { 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28 };
	CURLcode rc = CURLE_OK;
	CURL *c;
	int pair[2];
	int ours;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair) != 0)
		return -1;
	ours = pair[0];
	c = curl_easy_init();
	if (c == NULL || write(pair[1], alert, sizeof(alert)) != (ssize_t)sizeof(alert))
		rc = CURLE_FAILED_INIT;
#define SET(opt, val)                                       \
	do {                                                \
		if (rc == CURLE_OK)                         \
			rc = curl_easy_setopt(c, opt, val); \
	} while (0)
	SET(CURLOPT_URL, "https://127.0.0.1/");
	SET(CURLOPT_PROTOCOLS, (long)CURLPROTO_HTTPS);
	SET(CURLOPT_PROXY, "");
	SET(CURLOPT_NOPROXY, "");
	SET(CURLOPT_NOSIGNAL, 1L);
	SET(CURLOPT_TIMEOUT_MS, 2000L);
	SET(CURLOPT_CAINFO, NULL); /* nothing to trust: this handshake must fail */
	SET(CURLOPT_CAPATH, NULL);
	SET(CURLOPT_OPENSOCKETFUNCTION, hand_over_socket);
	SET(CURLOPT_OPENSOCKETDATA, &ours);
	SET(CURLOPT_SOCKOPTFUNCTION, already_connected);
	SET(CURLOPT_WRITEFUNCTION, discard);
#undef SET
	if (rc == CURLE_OK)
		(void)curl_easy_perform(c); /* fails: the alert */
	if (c != NULL)
		curl_easy_cleanup(c);
	if (ours >= 0)
		close(ours); /* never handed over */
	close(pair[1]);
	return rc == CURLE_OK ? 0 : -1;
}

#else

/* libcurl 7.74 and newer have OpenSSL load its configuration inside
 * curl_global_init() (OPENSSL_init_ssl with OPENSSL_INIT_LOAD_CONFIG). */
int okta_curl_load_tls_config(void)
{
	return 0;
}

#endif
