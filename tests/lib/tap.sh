# SPDX-License-Identifier: BSD-3-Clause
# TAP helpers for the shell tests (POSIX sh; source it).
#   tap_ok RESULT DESCRIPTION [DETAIL]   one test line; RESULT is an exit status,
#                                        DETAIL (last 40 lines) is shown on failure
#   tap_skip DESCRIPTION REASON          a skipped test (say why)
#   tap_bail REASON                      a missing precondition: skips the whole
#                                        script, or fails it under CI=true
#   tap_finish                           the plan; exits 1 when a test failed
tap_n=0
tap_failed=0

tap_ok() {
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		[ -z "${3:-}" ] || printf '%s\n' "$3" | tail -n 40 | sed 's/^/# /'
		tap_failed=$((tap_failed + 1))
	fi
}

tap_finish() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
	exit
}

tap_skip() { # tap_skip DESCRIPTION REASON
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

tap_bail() { # a precondition is missing: in CI that is a failure, not a skip
	if [ "${CI:-}" = true ]; then
		tap_ok 1 "preconditions" "$1"
		tap_finish
	fi
	echo "1..0 # SKIP $1"
	exit 0
}
