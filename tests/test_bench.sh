#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# `make bench-quick`: the benchmark in its quick mode (bench/run --quick: two
# logins of every variant, no WAN delay, a few logins in one process). It
# checks what the full benchmark checks on every login (each PAM step's
# result, the requests Okta saw in their order, all answered 200, the
# connections) and fails only when one of them is wrong or a run errs,
# never on a time: the figures are printed as comments. .ci/test runs it,
# so that `make bench` cannot stop working unnoticed. Needs root.
#
# Env (from Makefile.am): PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR.
. "${PAM_OKTA_SRCDIR:?}"/tests/lib/tap.sh

[ "$(id -u)" -eq 0 ] || tap_bail "needs root (the module wants root-owned 0600 files)"
[ -x "${PAM_OKTA_BUILDDIR:?}/bench/run_measured" ] ||
	tap_bail "bench/run_measured not built: run make bench-quick, not make check"

out=$(PAM_OKTA_BUILDDIR=$PAM_OKTA_BUILDDIR bash "$PAM_OKTA_SRCDIR/bench/run" --quick 2>&1)
rc=$?
tap_ok $rc "bench/run --quick: every variant logs in with the requests it should" "$out"
[ $rc -ne 0 ] || printf '%s\n' "$out" | sed 's/^/# /'
tap_finish
