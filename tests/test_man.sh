#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The man pages render without warnings (groff -ww, man -l, mandoc -Tlint)
# and document what the code has: every configuration key of
# src/okta_config.c, every module argument of src/pam_okta_session.c and
# every option of src/pam_okta_session_check.c. TAP output.

srcdir=${PAM_OKTA_SRCDIR:?}
man=$srcdir/man
tmp=$(mktemp -d /tmp/okta-man-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$srcdir"/tests/lib/tap.sh

clean_run() { # clean_run CMD...: succeeds, prints nothing on stderr
	"$@" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ]
}

for page in pam_okta_session.8 pam_okta_session.conf.5 pam_okta_session_check.8; do
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

# Rendered text, hyphenation off, so that names are whole words.
render() { printf '.nh\n.ad l\n' | cat - "$man/$1" | groff -man -Tascii -P-cbou 2>/dev/null; }

# documents PAGE SECTION WHAT MIN NAMES [PREFIX]: the code has at least MIN
# NAMES, and each is a tagged entry (PREFIX NAME at the start of a line) in
# SECTION of the rendered PAGE.
documents() {
	tap_ok "$([ "$(echo "$5" | wc -w)" -ge "$4" ]; echo $?)" "found the ${3}s in the code" "$5"
	render "$1" | sed -n "/^$2\$/,/^[A-Z]/p" >"$tmp/section"
	for name in $5; do
		grep -Eq -- "^ +${6:-}$name([ =]|\$)" "$tmp/section"
		tap_ok $? "$1 documents $3 $name in $2"
	done
}

documents pam_okta_session.conf.5 KEYS key 9 "$(sed -n '/ settings\[\] = {/,/^};/p' \
	"$srcdir/src/okta_config.c" | grep -o '\.key = "[a-z_]*"' | sed 's/.*"\(.*\)"/\1/')"
documents pam_okta_session.8 OPTIONS argument 4 "$(grep -o 'strn\?cmp(argv\[i\], "[a-z_=]*"' \
	"$srcdir/src/pam_okta_session.c" | sed 's/.*"\(.*\)"/\1/; s/=$//')"
documents pam_okta_session_check.8 OPTIONS option 7 "$(grep -o '{ "[a-z-]*", [a-z_]*_argument' \
	"$srcdir/src/pam_okta_session_check.c" | sed 's/{ "\([a-z-]*\)".*/\1/')" --
render pam_okta_session_check.8 | sed -n '/^EXIT STATUS$/,/^[A-Z]/p' >"$tmp/section"
for code in 0 1 2 3; do
	grep -q "^#define EXIT_[A-Z_]* $code" "$srcdir/src/pam_okta_session_check.c" &&
		grep -Eq "^ +$code  " "$tmp/section"
	tap_ok $? "exit status $code is in the code and in pam_okta_session_check(8)"
done

tap_finish
