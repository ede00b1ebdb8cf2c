#!/bin/sh
# The man pages render without warnings (groff -ww, man -l, mandoc -Tlint)
# and document what the code has: every configuration key of
# src/okta_config.c, every module argument of src/pam_okta_session.c and
# every option of src/pam_okta_session_check.c. TAP output.

srcdir=${PAM_OKTA_SRCDIR:?}
man=$srcdir/man
tmp=$(mktemp -d /tmp/okta-man-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0
failed=0

ok() { # ok RESULT DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

clean_run() { # clean_run CMD...: succeeds, prints nothing on stderr
	"$@" >"$tmp/out" 2>"$tmp/err" && [ ! -s "$tmp/err" ]
}

for page in pam_okta_session.8 pam_okta_session.conf.5 pam_okta_session_check.8; do
	clean_run groff -man -Tutf8 -ww -z "$man/$page"
	ok $? "$page: groff -man -ww without warnings" "$(cat "$tmp/err")"

	LC_ALL=C.UTF-8 MANWIDTH=80 clean_run man --warnings -E UTF-8 -l "$man/$page"
	ok $? "$page: man -l renders without warnings" "$(cat "$tmp/err")"
	grep -q '^NAME' "$tmp/out" && grep -q '^SEE ALSO' "$tmp/out"
	ok $? "$page: rendered page has NAME and SEE ALSO" "$(head -n 5 "$tmp/out")"

	if command -v mandoc >/dev/null 2>&1; then
		clean_run mandoc -Tlint -W warning "$man/$page"
		ok $? "$page: mandoc -Tlint finds no warning" "$(cat "$tmp/out" "$tmp/err")"
	elif [ "${CI:-}" = true ]; then
		ok 1 "$page: mandoc -Tlint" "mandoc is missing (bash .ci/deps installs it)"
	else
		n=$((n + 1)); echo "ok $n - $page: mandoc -Tlint # SKIP mandoc not installed"
	fi
done

# Rendered text, hyphenation off, so that names are whole words.
render() { printf '.nh\n.ad l\n' | cat - "$man/$1" | groff -man -Tascii -P-cbou 2>/dev/null; }

keys=$(sed -n '/key_names\[KEY_COUNT\] = {/,/};/p' "$srcdir/src/okta_config.c" |
	grep -o '"[a-z_]*"' | tr -d '"')
[ "$(echo "$keys" | wc -w)" -ge 9 ]
ok $? "found the configuration keys in src/okta_config.c" "$keys"
render pam_okta_session.conf.5 >"$tmp/conf5"
for key in $keys; do
	grep -Eq "^ +$key( |$)" "$tmp/conf5"
	ok $? "pam_okta_session.conf(5) documents key $key"
done

args=$(grep -o 'strn\?cmp(argv\[i\], "[a-z_=]*"' "$srcdir/src/pam_okta_session.c" |
	sed 's/.*"\(.*\)"/\1/')
[ "$(echo "$args" | wc -w)" -ge 4 ]
ok $? "found the module arguments in src/pam_okta_session.c" "$args"
render pam_okta_session.8 >"$tmp/mod8"
for arg in $args; do
	grep -q -- "$arg" "$tmp/mod8"
	ok $? "pam_okta_session(8) documents argument $arg"
done

opts=$(grep -o '{ "[a-z-]*", [a-z_]*_argument' "$srcdir/src/pam_okta_session_check.c" |
	sed 's/{ "\([a-z-]*\)".*/\1/')
[ "$(echo "$opts" | wc -w)" -ge 7 ]
ok $? "found the check tool's options in src/pam_okta_session_check.c" "$opts"
render pam_okta_session_check.8 >"$tmp/check8"
for opt in $opts; do
	grep -Eq "^ +--$opt( |$)" "$tmp/check8"
	ok $? "pam_okta_session_check(8) documents --$opt"
done
for code in 0 1 2 3; do
	grep -q "^#define EXIT_[A-Z_]* $code" "$srcdir/src/pam_okta_session_check.c" &&
		grep -Eq "^ +$code  " "$tmp/check8"
	ok $? "exit status $code is in the code and in pam_okta_session_check(8)"
done

echo "1..$n"
[ "$failed" -eq 0 ]
