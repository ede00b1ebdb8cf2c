#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The house style: every C file of the tree is as clang-format (the
# .clang-format at the top) writes it. To fix a file:
#   clang-format -i FILE
# The check is shown to fail on a file that is not formatted, so that a
# clang-format that accepts everything cannot pass it. TAP output.

srcdir=${PAM_OKTA_SRCDIR:?}
tmp=$(mktemp -d /tmp/okta-format-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$srcdir"/tests/lib/tap.sh

command -v clang-format >/dev/null 2>&1 ||
	tap_bail "clang-format is not installed (apt-get install clang-format; .ci/deps lists it)"
[ -f "$srcdir/.clang-format" ] || tap_bail "no .clang-format in $srcdir"

# Every C file in the source tree that is ours (a build or a distcheck may
# share the tree, distcheck builds in _build/sub: their directories and
# generated files are not).
c_files() {
	cd "$srcdir" && find . \( -name .git -o -name autom4te.cache -o -name build-aux \
		-o -name .deps -o -name .libs -o -name fuzz-build -o -name '_build*' -o -name _inst \
		-o \( -name 'pam_okta_session-*' -type d \) -o -path ./tests/fuzz/corpus \) -prune \
		-o -type f \( -name '*.c' -o -name '*.h' \) -print | sed 's@^\./@@' |
		grep -vx 'config.h' | sort
}

c_files >"$tmp/files"
: >"$tmp/unformatted"
while read -r f; do
	(cd "$srcdir" && clang-format --dry-run --Werror "$f") >"$tmp/out" 2>&1 ||
		{ echo "$f" >>"$tmp/unformatted"; head -n 6 "$tmp/out" >>"$tmp/detail"; }
done <"$tmp/files"
[ ! -s "$tmp/unformatted" ]
tap_ok $? "every C file ($(wc -l <"$tmp/files") of them) is formatted by .clang-format" \
	"not formatted (clang-format -i FILE to fix):
$(cat "$tmp/unformatted")
$(cat "$tmp/detail" 2>/dev/null)"

for kind in src/pam_okta_session.c src/okta_text.h tests/unit/test_text.c tests/fuzz/fuzz_link.c \
	tests/pam_driver.c; do
	grep -qx "$kind" "$tmp/files" || echo "$kind" >>"$tmp/unseen"
done
[ ! -s "$tmp/unseen" ]
tap_ok $? "the walk sees the C files of src/, tests/, tests/unit and tests/fuzz" \
	"not seen: $(cat "$tmp/unseen" 2>/dev/null)"

# A copy of a formatted file with one line indented by spaces, and one with
# two spaces after an operator: the same check refuses both.
cp "$srcdir/.clang-format" "$tmp/"
sed 's/^\treturn /        return /' "$srcdir/src/okta_text.c" >"$tmp/spaces.c"
sed '0,/ && /s// \&\&  /' "$srcdir/src/okta_text.c" >"$tmp/operator.c"
! cmp -s "$srcdir/src/okta_text.c" "$tmp/spaces.c" &&
	! cmp -s "$srcdir/src/okta_text.c" "$tmp/operator.c"
tap_ok $? "the mis-formatted copies differ from the original"
for bad in spaces operator; do
	! (cd "$tmp" && clang-format --dry-run --Werror "$bad.c") >/dev/null 2>&1
	tap_ok $? "a mis-formatted file ($bad) fails the check"
done

tap_finish
