#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# The licence: LICENSE is the BSD 3-Clause text, the packaging says so, and
# every source file names it in an SPDX line, the first line (the second
# after a #! line). Generated files (autotools, libtool), build-aux (the
# automake helpers, under their own licence) and the fuzz seeds are not
# ours to mark. TAP output.

srcdir=${PAM_OKTA_SRCDIR:?}
tag='SPDX-License-Identifier: BSD-3-Clause'
tmp=$(mktemp -d /tmp/okta-spdx-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
. "$srcdir"/tests/lib/tap.sh

# Every file in the source tree (a build or a distcheck may share it) that
# is ours: sources by name, scripts by place. make distcheck builds in
# _build/sub and installs in _inst inside the unpacked tree: not ours.
source_files() {
	cd "$srcdir" && find . \( -name .git -o -name autom4te.cache -o -name build-aux \
		-o -name .deps -o -name .libs -o -name __pycache__ -o -name fuzz-build \
		-o -name '_build*' -o -name _inst -o \( -name 'pam_okta_session-*' -type d \) \
		-o -path ./tests/fuzz/corpus -o -path ./tests/secrets-capture \) -prune \
		-o -type f -print | sed 's@^\./@@' | while read -r f; do
		case $f in
		aclocal.m4 | m4/libtool.m4 | m4/lt*.m4 | config.h | config.h.in) ;;
		*.c | *.h | *.py | *.sh | *.m4 | *.am | *.ac | *.spec.in) echo "$f" ;;
		selinux/*.te | selinux/*.if | selinux/*.fc | src/*.map | *.supp | *.toml) echo "$f" ;;
		man/*.[1-8] | .ci/* | bench/run | debian/rules | debian/*.postinst | debian/*.prerm) echo "$f" ;;
		esac
	done | sort
}

has_tag() { # the first line, or the second after a #! line, names the licence
	line=$(sed -n 1p "$srcdir/$1")
	case $line in
	'#!'*) line=$(sed -n 2p "$srcdir/$1") ;;
	esac
	case $line in
	*"$tag"*) return 0 ;;
	esac
	return 1
}

source_files >"$tmp/files"
: >"$tmp/missing"
while read -r f; do
	has_tag "$f" || echo "$f" >>"$tmp/missing"
done <"$tmp/files"
[ ! -s "$tmp/missing" ]
tap_ok $? "every source file ($(wc -l <"$tmp/files") of them) starts with '$tag'" \
	"missing in:
$(cat "$tmp/missing")"

# The walk found what the tree has (a broken find would pass the test above).
for kind in 'src/okta_link.c' 'src/okta_link.h' 'tests/lib/taprunner.py' 'tests/test_spdx.sh' \
	'configure.ac' 'Makefile.am' 'rpm/pam_okta_session.spec.in' 'selinux/pam_okta_session.te' \
	'.ci/test' 'debian/rules' 'man/pam_okta_session.8'; do
	grep -qx "$kind" "$tmp/files" || echo "$kind" >>"$tmp/unseen"
done
[ ! -s "$tmp/unseen" ]
tap_ok $? "the walk sees sources of every kind" "not seen: $(cat "$tmp/unseen" 2>/dev/null)"

head -n 1 "$srcdir/LICENSE" | grep -qx 'BSD 3-Clause License' &&
	grep -q '^3\. Neither the name of the copyright holder' "$srcdir/LICENSE" &&
	grep -q '^Copyright (c) 2026, The pam_okta_session authors$' "$srcdir/LICENSE"
tap_ok $? "LICENSE: the BSD 3-Clause licence of the pam_okta_session authors"

grep -qx 'License:        BSD-3-Clause' "$srcdir/rpm/pam_okta_session.spec.in"
tap_ok $? "the RPM spec's License is BSD-3-Clause" \
	"$(grep '^License:' "$srcdir/rpm/pam_okta_session.spec.in")"

# debian/copyright (DEP-5): our files are BSD-3-Clause, with its text.
sed -n '/^Files: \*$/,/^$/p' "$srcdir/debian/copyright" | grep -qx 'License: BSD-3-Clause' &&
	grep -qx 'License: BSD-3-Clause' "$srcdir/debian/copyright" &&
	grep -q '^ 3\. Neither the name of the copyright holder' "$srcdir/debian/copyright"
tap_ok $? "debian/copyright: Files: * under BSD-3-Clause, with the licence text" \
	"$(cat "$srcdir/debian/copyright")"

tap_finish
