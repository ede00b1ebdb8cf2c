#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Checks the built module carries the hardening configure asked for:
# full RELRO, non-executable stack, stack protector and _FORTIFY_SOURCE,
# and that it links only libpam, libcurl, json-c and libc (glibc's libpthread
# too, which holds pthread_once before glibc 2.34); and that the watch
# daemon is a hardened PIE that touches libpam nowhere. TAP output.
module=${PAM_OKTA_MODULE:-.libs/pam_okta_session.so}
daemon=${PAM_OKTA_SESSIOND:-pam_okta_sessiond}
[ -f "$daemon" ] || daemon=.libs/pam_okta_sessiond
# libtool may leave a wrapper script in front of the real program
[ -f "$(dirname "$daemon")/.libs/$(basename "$daemon")" ] &&
	daemon=$(dirname "$daemon")/.libs/$(basename "$daemon")
n=0
failed=0
check() { # check "description" command...
	desc=$1
	shift
	n=$((n + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $n - $desc"
	else
		echo "not ok $n - $desc"
		failed=1
	fi
}
dyn=$(readelf -dW "$module")
seg=$(readelf -lW "$module")
syms=$(nm -D "$module")
ddyn=$(readelf -dW "$daemon")
dhdr=$(readelf -hW "$daemon")
echo "1..10"
check "RELRO segment" sh -c 'printf "%s\n" "$0" | grep -q GNU_RELRO' "$seg"
check "BIND_NOW (full RELRO)" sh -c 'printf "%s\n" "$0" | grep -q BIND_NOW' "$dyn"
check "stack is not executable" sh -c 'printf "%s\n" "$0" | grep GNU_STACK | grep -vq RWE' "$seg"
check "stack protector" sh -c 'printf "%s\n" "$0" | grep -q __stack_chk_fail' "$syms"
check "_FORTIFY_SOURCE checked functions" sh -c 'printf "%s\n" "$0" | grep -q "__[a-z_]*_chk@"' "$syms"
check "links only libpam, libcurl, json-c, libc" sh -c \
	'printf "%s\n" "$0" | sed -n "s/.*NEEDED.*\[\(.*\)\]/\1/p" | grep -Ev "^(libpam\.so|libcurl\.so|libjson-c\.so|libc\.so|libpthread\.so)" | grep -q . && exit 1 || exit 0' "$dyn"
check "daemon: BIND_NOW (full RELRO)" sh -c 'printf "%s\n" "$0" | grep -q BIND_NOW' "$ddyn"
check "daemon: position-independent executable" sh -c 'printf "%s\n" "$0" | grep -q "DYN"' "$dhdr"
check "daemon: stack protector" sh -c 'nm -D "$0" | grep -q __stack_chk_fail' "$daemon"
check "daemon: no libpam" sh -c 'printf "%s\n" "$0" | grep NEEDED | grep -q libpam && exit 1 || exit 0' "$ddyn"
exit $failed
