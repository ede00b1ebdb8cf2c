/* SPDX-License-Identifier: BSD-3-Clause */
#include "config.h"

#include "okta_wipe.h"

#include <malloc.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/*
 * OpenSSL, reached without linking it (the module links only libpam,
 * libcurl, json-c and libc): weak references, NULL unless the process has
 * libssl and libcrypto loaded (libcurl's OpenSSL backend brings them). As
 * in <openssl/ssl.h> and <openssl/crypto.h> of OpenSSL 3.
 */
extern uint64_t SSL_CTX_set_options(void *ctx, uint64_t options) __attribute__((weak));
extern unsigned long OpenSSL_version_num(void) __attribute__((weak));
#define OKTA_SSL_OP_CLEANSE_PLAINTEXT ((uint64_t)1 << 1)

/* Blocks handed out: okta_wipe_allocations(). */
static unsigned long allocations;

static void *counted(void *block)
{
	if (block != NULL)
		__atomic_fetch_add(&allocations, 1, __ATOMIC_RELAXED);
	return block;
}

unsigned long okta_wipe_allocations(void)
{
	return __atomic_load_n(&allocations, __ATOMIC_RELAXED);
}

void *okta_wipe_malloc(size_t size)
{
	return counted(malloc(size));
}

void *okta_wipe_calloc(size_t count, size_t size)
{
	return counted(calloc(count, size));
}

void okta_wipe_free(void *ptr)
{
	if (ptr == NULL)
		return;
	explicit_bzero(ptr, malloc_usable_size(ptr));
	free(ptr);
}

void *okta_wipe_realloc(void *ptr, size_t size)
{
	size_t old;
	void *moved;

	if (ptr == NULL)
		return okta_wipe_malloc(size);
	if (size == 0) {
		okta_wipe_free(ptr);
		return NULL;
	}
	old = malloc_usable_size(ptr);
	if (size <= old)
		return ptr; /* fits: nothing is copied, nothing left behind */
	moved = okta_wipe_malloc(size);
	if (moved == NULL)
		return NULL; /* like realloc: the old block stays the caller's */
	memcpy(moved, ptr, old);
	okta_wipe_free(ptr);
	return moved;
}

char *okta_wipe_strdup(const char *text)
{
	size_t size = strlen(text) + 1;
	char *copy = okta_wipe_malloc(size);

	if (copy != NULL)
		memcpy(copy, text, size);
	return copy;
}

bool okta_wipe_tls_plaintext(void *ssl_ctx, const char *curl_ssl_version)
{
	/* Both checks: libcurl's backend is OpenSSL 3 (an SSL_CTX of another
	 * library, or OpenSSL 1.1's, where the bit means something else, must
	 * never get here), and the OpenSSL the weak references found is 3 as
	 * well (not another one a host application brought). */
	if (ssl_ctx == NULL || curl_ssl_version == NULL ||
	    strncmp(curl_ssl_version, "OpenSSL/3.", 10) != 0 || SSL_CTX_set_options == NULL ||
	    OpenSSL_version_num == NULL || (OpenSSL_version_num() >> 28) != 3)
		return false;
	SSL_CTX_set_options(ssl_ctx, OKTA_SSL_OP_CLEANSE_PLAINTEXT);
	return true;
}
