/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What older libcurl releases need for the module's guarantees to hold (see
 * okta_curl_compat.c). Used once, by okta_client.c's global initialisation.
 */
#ifndef OKTA_CURL_COMPAT_H
#define OKTA_CURL_COMPAT_H

/*
 * Have the TLS library load its configuration now, in the caller's
 * environment (the init-time variables hidden), instead of at the first
 * connection. Call once, after curl_global_init(). Returns 0, or -1 when
 * that could not be done (fail closed).
 */
int okta_curl_load_tls_config(void);

#endif
