#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# `make bench-quick`, second part: the session watch's load benchmark in
# its quick mode (bench/watch_load.py --quick: 100 watched logins at
# watch_interval = 5 against the simulator for one minute, so that the
# rate-limit pacing binds as in the full run). It runs the benchmark's own
# code and prints its figures as comments; it fails only on what must hold
# whatever the machine's speed (every login watched to the end, the daemon
# alive, each request a 200 GET of a watched session, no rate-limit window
# over the pacing rule) or when the run errs, never on CPU time or RSS.
# .ci/test runs it, so that bench/watch_load.py cannot stop working
# unnoticed. Needs root; about 65 s.
#
# Env (from Makefile.am): PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR.
. "${PAM_OKTA_SRCDIR:?}"/tests/lib/tap.sh

[ "$(id -u)" -eq 0 ] || tap_bail "needs root (the daemon wants a root-owned configuration and socket)"
[ -x "${PAM_OKTA_SESSIOND:-${PAM_OKTA_BUILDDIR:?}/pam_okta_sessiond}" ] || tap_bail "pam_okta_sessiond not built"

out=$(PAM_OKTA_BUILDDIR=$PAM_OKTA_BUILDDIR python3 "$PAM_OKTA_SRCDIR/bench/watch_load.py" --quick 2>&1)
rc=$?
tap_ok $rc "bench/watch_load.py --quick: every login watched, within the pacing rule" "$out"
[ $rc -ne 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
tap_finish
