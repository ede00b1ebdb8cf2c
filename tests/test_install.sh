#!/bin/sh
# `make install DESTDIR=...` lays out the module (no .la), the check tool,
# the man pages and the example configuration (mode 0600), never overwrites
# an existing configuration, and `make uninstall` removes what it installed
# but keeps a configuration the administrator changed. TAP output.
#
# Env (from Makefile.am): PAM_OKTA_BUILDDIR, PAM_OKTA_MAKE and the configured
# PAM_OKTA_PAMMODDIR, PAM_OKTA_SBINDIR, PAM_OKTA_MANDIR, PAM_OKTA_SYSCONFDIR.

builddir=${PAM_OKTA_BUILDDIR:?} make_cmd=${PAM_OKTA_MAKE:-make}
pammoddir=${PAM_OKTA_PAMMODDIR:?} sbindir=${PAM_OKTA_SBINDIR:?}
mandir=${PAM_OKTA_MANDIR:?} sysconfdir=${PAM_OKTA_SYSCONFDIR:?}

tmp=$(mktemp -d /tmp/okta-install-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
conf=$dest$sysconfdir/security/pam_okta_session.conf
n=0
failed=0

ok() { # ok CONDITION-RESULT DESCRIPTION [DETAIL]
	n=$((n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $n - $2"
	else
		echo "not ok $n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | sed 's/^/# /'
		failed=$((failed + 1))
	fi
}

mode_of() { stat -c %a "$1" 2>/dev/null; }

# Our make runs inside `make check`: do not join its jobserver.
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make_cmd -C "$builddir" "$@" DESTDIR="$dest" \
		>"$tmp/make.log" 2>&1
}

run_make install
ok $? "make install DESTDIR=..." "$(tail -n 20 "$tmp/make.log")"

[ -f "$dest$pammoddir/pam_okta_session.so" ] && [ "$(mode_of "$dest$pammoddir/pam_okta_session.so")" = 755 ]
ok $? "module in $pammoddir, mode 755" "$(ls -l "$dest$pammoddir" 2>&1)"

[ "$(ls "$dest$pammoddir")" = pam_okta_session.so ]
ok $? "nothing but the module in $pammoddir (no .la)" "$(ls -l "$dest$pammoddir" 2>&1)"

[ -x "$dest$sbindir/pam_okta_session_check" ] && [ "$(mode_of "$dest$sbindir/pam_okta_session_check")" = 755 ]
ok $? "check tool in $sbindir, mode 755" "$(ls -l "$dest$sbindir" 2>&1)"

out=$("$dest$sbindir/pam_okta_session_check" --version 2>&1)
ok $? "installed check tool runs" "$out"

for page in man8/pam_okta_session.8 man5/pam_okta_session.conf.5 man8/pam_okta_session_check.8; do
	[ -f "$dest$mandir/$page" ] && [ "$(mode_of "$dest$mandir/$page")" = 644 ]
	ok $? "man page $page, mode 644" "$(ls -lR "$dest$mandir" 2>&1)"
done

[ -f "$conf" ] && [ "$(mode_of "$conf")" = 600 ]
ok $? "example configuration in $sysconfdir/security, mode 600" "$(ls -l "$conf" 2>&1)"

grep -q '^org_url = ' "$conf" 2>/dev/null
ok $? "installed configuration is the example"

echo "org_url = https://mine.okta.com" >"$conf"
chmod 0600 "$conf"
run_make install
ok $? "second make install" "$(tail -n 20 "$tmp/make.log")"

[ "$(cat "$conf")" = "org_url = https://mine.okta.com" ]
ok $? "second install keeps the administrator's configuration" "$(cat "$conf")"

run_make uninstall
ok $? "make uninstall" "$(tail -n 20 "$tmp/make.log")"

left=$(cd "$dest" && find . -type f | sort)
[ "$left" = ".$sysconfdir/security/pam_okta_session.conf" ]
ok $? "uninstall removes everything but the modified configuration" "$left"

rm -rf "$dest"
run_make install && run_make uninstall
left=$(cd "$dest" && find . -type f | sort)
[ -z "$left" ]
ok $? "install then uninstall leaves no file (unmodified example removed)" "$left"

echo "1..$n"
[ "$failed" -eq 0 ]
