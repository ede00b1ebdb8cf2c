#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
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
prefix=${PAM_OKTA_PREFIX:?}

tmp=$(mktemp -d /tmp/okta-install-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
dest=$tmp/root
conf=$dest$sysconfdir/security/pam_okta_session.conf
. "${PAM_OKTA_SRCDIR:?}"/tests/lib/tap.sh

mode_of() { stat -c %a "$1" 2>/dev/null; }

# Our make runs inside `make check`: do not join its jobserver.
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make_cmd -C "$builddir" "$@" DESTDIR="$dest" \
		>"$tmp/make.log" 2>&1
}

run_make install
tap_ok $? "make install DESTDIR=..." "$(tail -n 20 "$tmp/make.log")"

[ -f "$dest$pammoddir/pam_okta_session.so" ] && [ "$(mode_of "$dest$pammoddir/pam_okta_session.so")" = 755 ]
tap_ok $? "module in $pammoddir, mode 755" "$(ls -l "$dest$pammoddir" 2>&1)"

[ "$(ls "$dest$pammoddir")" = pam_okta_session.so ]
tap_ok $? "nothing but the module in $pammoddir (no .la)" "$(ls -l "$dest$pammoddir" 2>&1)"

[ -x "$dest$sbindir/pam_okta_session_check" ] && [ "$(mode_of "$dest$sbindir/pam_okta_session_check")" = 755 ]
tap_ok $? "check tool in $sbindir, mode 755" "$(ls -l "$dest$sbindir" 2>&1)"

out=$("$dest$sbindir/pam_okta_session_check" --version 2>&1)
tap_ok $? "installed check tool runs" "$out"

[ -x "$dest$sbindir/pam_okta_sessiond" ] && [ "$(mode_of "$dest$sbindir/pam_okta_sessiond")" = 755 ]
tap_ok $? "watch daemon in $sbindir, mode 755" "$(ls -l "$dest$sbindir" 2>&1)"

out=$("$dest$sbindir/pam_okta_sessiond" --help 2>&1)
tap_ok $? "installed watch daemon runs" "$out"

unit=$dest$prefix/lib/systemd/system/pam_okta_sessiond.service
[ -f "$unit" ] && [ "$(mode_of "$unit")" = 644 ] &&
	grep -q "^ExecStart=$sbindir/pam_okta_sessiond " "$unit"
tap_ok $? "systemd unit in $prefix/lib/systemd/system, mode 644, ExecStart in $sbindir" \
	"$(ls -lR "$dest$prefix/lib" 2>&1; grep ExecStart "$unit" 2>&1)"

for page in man8/pam_okta_session.8 man5/pam_okta_session.conf.5 man8/pam_okta_session_check.8 \
	man8/pam_okta_sessiond.8; do
	[ -f "$dest$mandir/$page" ] && [ "$(mode_of "$dest$mandir/$page")" = 644 ]
	tap_ok $? "man page $page, mode 644" "$(ls -lR "$dest$mandir" 2>&1)"
done

[ -f "$conf" ] && [ "$(mode_of "$conf")" = 600 ]
tap_ok $? "example configuration in $sysconfdir/security, mode 600" "$(ls -l "$conf" 2>&1)"

grep -q '^org_url = ' "$conf" 2>/dev/null
tap_ok $? "installed configuration is the example"

echo "org_url = https://mine.okta.com" >"$conf"
chmod 0600 "$conf"
run_make install
tap_ok $? "second make install" "$(tail -n 20 "$tmp/make.log")"

[ "$(cat "$conf")" = "org_url = https://mine.okta.com" ]
tap_ok $? "second install keeps the administrator's configuration" "$(cat "$conf")"

run_make uninstall
tap_ok $? "make uninstall" "$(tail -n 20 "$tmp/make.log")"

left=$(cd "$dest" && find . -type f | sort)
[ "$left" = ".$sysconfdir/security/pam_okta_session.conf" ]
tap_ok $? "uninstall removes everything but the modified configuration" "$left"

rm -rf "$dest"
run_make install && run_make uninstall
left=$(cd "$dest" && find . -type f | sort)
[ -z "$left" ]
tap_ok $? "install then uninstall leaves no file (unmodified example removed)" "$left"

tap_finish
