#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Build and run the libFuzzer targets (what `make fuzz` runs).
#
#   fuzz.sh SRCDIR OUTDIR SECONDS TARGET...
#
# Each TARGET is SRCDIR/tests/fuzz/TARGET.c compiled together with the
# library sources FUZZ_LIB_SOURCES (relative to SRCDIR; headers are skipped)
# by FUZZ_CC with FUZZ_CFLAGS (libFuzzer + ASan + UBSan), FUZZ_CPPFLAGS and
# FUZZ_LIBS, into OUTDIR/TARGET. It then runs for SECONDS on a copy of its
# seeds SRCDIR/tests/fuzz/corpus/TARGET (the tree stays read-only); a crash,
# leak, sanitizer report or timeout fails it and leaves the input in
# OUTDIR/TARGET-crash-* (its first 4 KiB printed in base64 too). One line
# per target, "PASS: ..." or "FAIL: ...",
# with executions and their rate, then automake's "# PASS: n" and
# "# FAIL: n" summary, which .ci/test counts.
set -u

srcdir=$1 outdir=$2 seconds=$3
shift 3
mkdir -p "$outdir" || exit 1
lib_sources=
for source in $FUZZ_LIB_SOURCES; do
	case $source in *.c) lib_sources="$lib_sources $srcdir/$source" ;; esac
done
# UBSan must stop at its first report too (the code is built with
# -fno-sanitize-recover=all; this covers a compiler that ignores it).
UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export UBSAN_OPTIONS

passed=0 failed=0
for target in "$@"; do
	bin=$outdir/$target
	log=$outdir/$target.log
	work=$outdir/$target-corpus
	# shellcheck disable=SC2086 # word splitting of the flag lists is wanted
	if ! $FUZZ_CC $FUZZ_CFLAGS $FUZZ_CPPFLAGS -o "$bin" "$srcdir/tests/fuzz/$target.c" \
		$lib_sources $FUZZ_LIBS >"$log" 2>&1; then
		cat "$log"
		echo "FAIL: $target (does not build)"
		failed=$((failed + 1))
		continue
	fi
	rm -rf "$work" "$outdir/$target"-crash-*
	mkdir -p "$work" && cp "$srcdir/tests/fuzz/corpus/$target/"* "$work/"
	"$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$outdir/$target-crash-" \
		"$work" >"$log" 2>&1
	rc=$?
	execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
	rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log")
	corpus=$(find "$work" -type f | wc -l)
	summary="$target: ${execs:-?} executions in ${seconds} s (${rate:-?}/s), corpus $corpus inputs"
	if [ "$rc" -eq 0 ] && [ -n "$execs" ]; then
		echo "PASS: $summary"
		passed=$((passed + 1))
	else
		grep -E -A40 'ERROR: |runtime error|==ERROR|deadly signal|timeout' "$log" | head -n 80
		# CI keeps only what is printed: the input itself, to replay it
		# with "base64 -d > x; OUTDIR/TARGET x".
		for input in "$outdir/$target"-crash-*; do
			[ -f "$input" ] || continue
			echo "# input $input ($(wc -c <"$input") bytes), base64:"
			head -c 4096 "$input" | base64
		done
		echo "FAIL: $summary, exit status $rc (log $log)"
		failed=$((failed + 1))
	fi
done
echo "# PASS: $passed"
echo "# FAIL: $failed"
[ "$failed" -eq 0 ]
