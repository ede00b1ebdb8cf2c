#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The man pages render without warnings (groff -ww, man -l, mandoc -Tlint).
# That they document what the code has (every configuration key, module
# argument, check-tool option and exit code) is tests/test_docs.py's.
# TAP output.

srcdir=${PAM_OKTA_SRCDIR:?}
man=$srcdir/man
tmp=$(mktemp -d /tmp/okta-man-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$srcdir"/tests/lib/tap.sh

clean_run() { # clean_run CMD...: succeeds, prints nothing on stderr
	"$@" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ]
}

for page in pam_okta_session.8 pam_okta_session.conf.5 pam_okta_session_check.8 pam_okta_sessiond.8; do
	clean_run groff -man -Tutf8 -ww -z "$man/$page"
	tap_ok $? "$page: groff -man -ww without warnings" "$(cat "$tmp/err")"

	LC_ALL=C.UTF-8 MANWIDTH=80 clean_run man --warnings -E UTF-8 -l "$man/$page"
	tap_ok $? "$page: man -l renders without warnings" "$(cat "$tmp/err")"
	grep -q '^NAME' "$tmp/out" && grep -q '^SEE ALSO' "$tmp/out"
	tap_ok $? "$page: rendered page has NAME and SEE ALSO" "$(head -n 5 "$tmp/out")"

	if command -v mandoc >/dev/null 2>&1; then
		clean_run mandoc -Tlint -W warning "$man/$page"
		tap_ok $? "$page: mandoc -Tlint finds no warning" "$(cat "$tmp/out" "$tmp/err")"
	elif [ "${CI:-}" = true ]; then
		tap_ok 1 "$page: mandoc -Tlint" "mandoc is missing (bash .ci/deps installs it)"
	else
		tap_skip "$page: mandoc -Tlint" "mandoc not installed"
	fi
done

tap_finish
