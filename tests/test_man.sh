#!/bin/sh
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

# documents PAGE WHAT MIN NAMES ERE: the code has at least MIN NAMES, and the
# rendered PAGE matches ERE (printf format, %s = the name) for each of them.
documents() {
	tap_ok "$([ "$(echo "$4" | wc -w)" -ge "$3" ]; echo $?)" "found the ${2}s in the code" "$4"
	render "$1" >"$tmp/page"
	for name in $4; do
		grep -Eq -- "$(printf "$5" "$name")" "$tmp/page"
		tap_ok $? "$1 documents $2 $name"
	done
}

documents pam_okta_session.conf.5 key 9 "$(sed -n '/key_names\[KEY_COUNT\] = {/,/};/p' \
	"$srcdir/src/okta_config.c" | grep -o '"[a-z_]*"' | tr -d '"')" '^ +%s( |$)'
documents pam_okta_session.8 argument 4 "$(grep -o 'strn\?cmp(argv\[i\], "[a-z_=]*"' \
	"$srcdir/src/pam_okta_session.c" | sed 's/.*"\(.*\)"/\1/')" '%s'
documents pam_okta_session_check.8 option 7 "$(grep -o '{ "[a-z-]*", [a-z_]*_argument' \
	"$srcdir/src/pam_okta_session_check.c" | sed 's/{ "\([a-z-]*\)".*/\1/')" '^ +--%s( |$)'
for code in 0 1 2 3; do
	grep -q "^#define EXIT_[A-Z_]* $code" "$srcdir/src/pam_okta_session_check.c" &&
		grep -Eq "^ +$code  " "$tmp/page"
	tap_ok $? "exit status $code is in the code and in pam_okta_session_check(8)"
done

tap_finish
