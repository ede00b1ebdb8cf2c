#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds the Debian package from a temporary copy of the source tree, installs
# it with dpkg -i, checks where everything lands and that it works, then
# purges it. TAP output.
#
# This test changes the system (it installs and removes a package), so it is
# not part of `make check`: .ci/test runs it after make check, as root.
# The package build skips the package's own `make check` (nocheck): CI has
# just run it on the same tree.
#
# Usage: sh tests/package/test_deb.sh   (from anywhere; root)

set -u
srcdir=$(cd "$(dirname "$0")/../.." && pwd)
pkg=libpam-okta-session
. "$srcdir/tests/lib/tap.sh"

[ "$(id -u)" -eq 0 ] || tap_bail "needs root (dpkg -i / dpkg --purge)"
for tool in dpkg-buildpackage dh git pam-auth-update; do
	command -v "$tool" >/dev/null 2>&1 || tap_bail "$tool is missing (bash .ci/deps installs it)"
done
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
	tap_bail "$pkg is already installed here; not touching an administrator's package"
fi

tmp=$(mktemp -d /tmp/okta-deb-XXXXXX) || exit 1
cleanup() {
	# Never leave the package behind, whatever failed.
	if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q installed; then
		dpkg --purge "$pkg" >/dev/null 2>&1
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The working tree's files (tracked, and new ones not ignored), without build
# products: the source tree itself is never written to.
mkdir "$tmp/src"
(cd "$srcdir" && git ls-files -z --cached --others --exclude-standard |
	xargs -0 sh -c 'for f; do [ -e "$f" ] && printf "%s\0" "$f"; done' sh |
	tar --null -T - -cf -) | tar -xf - -C "$tmp/src"
[ -f "$tmp/src/debian/control" ] && [ -f "$tmp/src/configure.ac" ] && [ ! -e "$tmp/src/Makefile" ]
tap_ok $? "source copied to a temporary tree without build products"

(cd "$tmp/src" && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) \
	>"$tmp/build.log" 2>&1
tap_ok $? "dpkg-buildpackage -us -uc -b" "$(cat "$tmp/build.log")"

deb=$(ls "$tmp"/${pkg}_*.deb 2>/dev/null | head -n 1)
[ -n "$deb" ] || { tap_ok 1 "a $pkg .deb was built" "$(ls -l "$tmp")"; tap_finish; }
tap_ok 0 "a $pkg .deb was built: $(basename "$deb")"

multiarch=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
module=/lib/$multiarch/security/pam_okta_session.so
contents=$(dpkg-deb -c "$deb")
missing=""
for path in ".$module" ./usr/sbin/pam_okta_session_check ./usr/sbin/pam_okta_sessiond \
	./usr/lib/systemd/system/pam_okta_sessiond.service ./usr/share/man/man8/pam_okta_sessiond.8.gz \
	./usr/share/man/man8/pam_okta_session.8.gz ./usr/share/man/man5/pam_okta_session.conf.5.gz \
	./usr/share/man/man8/pam_okta_session_check.8.gz ./usr/share/pam-configs/okta-session \
	./usr/share/doc/$pkg/examples/pam_okta_session.conf ./usr/share/doc/$pkg/README.md.gz; do
	echo "$contents" | grep -q " $path\$" || missing="$missing $path"
done
[ -z "$missing" ]
tap_ok $? "package contents" "missing:$missing
$contents"

echo "$contents" | grep -Eq '\.la$|/etc/'
[ $? -ne 0 ]
tap_ok $? "no .la file and nothing in /etc (the configuration is the administrator's)" "$contents"

cat /etc/pam.d/common-session /etc/pam.d/common-auth >"$tmp/common.before"
DEBIAN_FRONTEND=noninteractive dpkg -i "$deb" >"$tmp/install.log" 2>&1
tap_ok $? "dpkg -i" "$(cat "$tmp/install.log")"

[ -f "$module" ] && [ "$(stat -c %a "$module")" = 644 ]
tap_ok $? "module installed in the multiarch security directory $(dirname "$module")" \
	"$(ls -l "$(dirname "$module")" 2>&1 | grep okta)"

loaded=$(python3 - "$module" 2>&1 <<'EOF'
import ctypes, os, sys
lib = ctypes.CDLL(sys.argv[1], mode=os.RTLD_NOW)
for hook in ("pam_sm_authenticate", "pam_sm_open_session", "pam_sm_close_session",
             "pam_sm_setcred", "pam_sm_acct_mgmt"):
    getattr(lib, hook)
print("loaded")
EOF
)
[ "$loaded" = loaded ]
tap_ok $? "installed module loads (dlopen, RTLD_NOW) and has the pam_sm_* hooks" "$loaded"

out=$(/usr/sbin/pam_okta_session_check --help 2>&1)
[ $? -eq 0 ] && echo "$out" | grep -q -- --session-token-stdin
tap_ok $? "/usr/sbin/pam_okta_session_check --help" "$out"

out=$(/usr/sbin/pam_okta_session_check --conf /nonexistent/pam_okta_session.conf 2>&1)
[ $? -eq 2 ] && echo "$out" | grep -q '^FAIL config: '
tap_ok $? "installed tool reports a missing configuration with exit 2" "$out"

for page in pam_okta_session pam_okta_session.conf pam_okta_session_check; do
	out=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings "$page" 2>&1 >/dev/null)
	[ $? -eq 0 ] && [ -z "$out" ]
	tap_ok $? "man $page renders from the installed package" "$out"
done

common_unchanged() {
	cat /etc/pam.d/common-session /etc/pam.d/common-auth >"$tmp/common.now"
	diff "$tmp/common.before" "$tmp/common.now"
}
out=$(common_unchanged) && ! grep -q pam_okta_session /etc/pam.d/common-session
tap_ok $? "pam-auth-update profile is disabled by default: common-* unchanged" "$out"

# Enabling the profile, in a private mount namespace over copies of
# /etc/pam.d and /var/lib/pam: the machine's PAM configuration is untouched.
mkdir -p "$tmp/pam.d" "$tmp/varlibpam"
cp -a /etc/pam.d/. "$tmp/pam.d/"
cp -a /var/lib/pam/. "$tmp/varlibpam/"
enabled=$(unshare -m sh -c '
	mount --bind "$1/pam.d" /etc/pam.d && mount --bind "$1/varlibpam" /var/lib/pam &&
	DEBIAN_FRONTEND=noninteractive pam-auth-update --enable okta-session &&
	cat /etc/pam.d/common-session' sh "$tmp" 2>&1)
echo "$enabled" | grep -Eq '^session[[:space:]]+required[[:space:]]+pam_okta_session\.so' &&
	! grep -q pam_okta_session /etc/pam.d/common-session
tap_ok $? "pam-auth-update --enable okta-session adds the session hook (in a namespace)" "$enabled"

DEBIAN_FRONTEND=noninteractive dpkg --purge "$pkg" >"$tmp/purge.log" 2>&1
tap_ok $? "dpkg --purge" "$(cat "$tmp/purge.log")"

[ ! -e "$module" ] && [ ! -e /usr/sbin/pam_okta_session_check ] &&
	[ ! -e /usr/share/pam-configs/okta-session ] && out=$(common_unchanged)
tap_ok $? "purge removes the module, the tool and the profile; common-* unchanged" "${out:-}"

tap_finish
