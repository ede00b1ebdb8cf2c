#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# pam_okta_sessiond.service: systemd-analyze verify finds nothing wrong
# (with ExecStart pointed at the daemon just built, since the configured
# path is not installed yet), and the sandbox the README promises is there.
# TAP output.

builddir=${PAM_OKTA_BUILDDIR:?}
unit=$builddir/conf/pam_okta_sessiond.service
tmp=$(mktemp -d /tmp/okta-unit-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "${PAM_OKTA_SRCDIR:?}"/tests/lib/tap.sh

[ -f "$unit" ]
tap_ok $? "the unit is built from conf/pam_okta_sessiond.service.in" "$unit"

if command -v systemd-analyze >/dev/null 2>&1; then
	sed "s|^ExecStart=[^ ]*|ExecStart=$builddir/pam_okta_sessiond|" "$unit" \
		>"$tmp/pam_okta_sessiond.service"
	systemd-analyze verify --man=no "$tmp/pam_okta_sessiond.service" >"$tmp/out" 2>&1 &&
		[ ! -s "$tmp/out" ]
	tap_ok $? "systemd-analyze verify: no warning" "$(cat "$tmp/out")"
elif [ "${CI:-}" = true ]; then
	tap_ok 1 "systemd-analyze verify" "systemd-analyze is missing"
else
	tap_skip "systemd-analyze verify" "systemd-analyze not installed"
fi

for line in "ProtectSystem=strict" "NoNewPrivileges=yes" "CapabilityBoundingSet=CAP_KILL" \
	"ReadWritePaths=/run/pam_okta_session" "RuntimeDirectoryPreserve=yes" "ProtectHome=yes" \
	"RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6"; do
	grep -qx "$line" "$unit"
	tap_ok $? "sandbox: $line" "$(grep -v '^#' "$unit")"
done

grep -q '^WantedBy=' "$unit" && ! grep -q '^Alias=' "$unit"
tap_ok $? "installable (WantedBy=multi-user.target), no alias"

tap_finish
