/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * An allocator that wipes on free: what libcurl is given with
 * curl_global_init_mem() (its request buffers, the URL, header lists,
 * connection state hold the API token, session tokens, session ids and the
 * password), and what the module's own growing buffers (response bodies)
 * use. A block is wiped over its whole usable size before it goes back to
 * the C library, and realloc() moves a block by copy-and-wipe, so that no
 * freed chunk keeps a secret after pam_end (SECURITY.md, T7). glibc's
 * malloc_usable_size() gives the size. No libcurl, no libpam.
 */
#ifndef OKTA_WIPE_H
#define OKTA_WIPE_H

#include <stdbool.h>
#include <stddef.h>

void *okta_wipe_malloc(size_t size);
void *okta_wipe_calloc(size_t count, size_t size);
/* Like realloc(), but the old block is wiped when the data moves. */
void *okta_wipe_realloc(void *ptr, size_t size);
char *okta_wipe_strdup(const char *text);
/* Wipe the whole block, then free it; NULL is allowed. */
void okta_wipe_free(void *ptr);
/* How many blocks these functions have handed out so far: whether libcurl
 * allocates through them (okta_client.c asks once, after its global
 * initialisation; a host that initialised libcurl first keeps its own). */
unsigned long okta_wipe_allocations(void);

/*
 * Ask OpenSSL (3.0 or newer) to wipe the decrypted TLS records once they
 * have been read and when the connection is freed (SSL_OP_CLEANSE_PLAINTEXT
 * on an SSL_CTX): Okta's answers, with session ids and tokens, otherwise
 * stay in OpenSSL's freed read buffer. The module does not link libssl: it
 * calls OpenSSL only when libcurl's TLS library (curl_ssl_version, as
 * curl_version_info() gives it) is OpenSSL 3 and the OpenSSL the process has
 * loaded is that one too. Returns true when the option was set.
 */
bool okta_wipe_tls_plaintext(void *ssl_ctx, const char *curl_ssl_version);

#endif
