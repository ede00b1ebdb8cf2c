/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * LD_PRELOAD shim for tests/integration/test_leftovers.py: a host
 * application that initialises libcurl itself before any PAM module is
 * loaded, so that libcurl keeps the C library's allocator and the module's
 * wiping one is never installed (SECURITY.md, T7).
 */
#include <curl/curl.h>

__attribute__((constructor)) static void init_libcurl_first(void)
{
	(void)curl_global_init(CURL_GLOBAL_DEFAULT);
}
