#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Builds the RPMs (pam_okta_session and pam_okta_session-selinux) from
# `make dist`'s tarball with `rpmbuild -bb` and the spec the tarball carries,
# runs rpmlint on them, and checks that the main package holds exactly what
# `make install DESTDIR=...` installs from the same configured tree (paths,
# modes, owners), the example configuration as %config(noreplace), and that
# the SELinux subpackage holds a valid policy package its scriptlets load and
# unload. TAP output.
#
# On Debian: rpm's database knows nothing of dpkg's packages, so the spec's
# BuildRequires (pam-devel, pkgconfig(libcurl), selinux-policy-devel...) can
# never be satisfied here: rpmbuild runs with --nodeps, and the Debian
# packages that provide the same files (.ci/deps) stand in for them. Nothing
# is installed: the RPMs are only built and inspected, in a temporary
# _topdir. Slow (a full build), so .ci/test runs it after `make check`, as
# it does tests/package/test_deb.sh.
#
# Env (from Makefile.am): PAM_OKTA_SRCDIR, PAM_OKTA_BUILDDIR, PAM_OKTA_MAKE.

set -u
srcdir=${PAM_OKTA_SRCDIR:?} builddir=${PAM_OKTA_BUILDDIR:?} make_cmd=${PAM_OKTA_MAKE:-make}
name=pam_okta_session
. "$srcdir/tests/lib/tap.sh"

for tool in rpmbuild rpm rpmspec rpmlint rpm2cpio cpio bzip2 semodule_unpackage checkmodule; do
	command -v "$tool" >/dev/null 2>&1 || tap_bail "$tool is missing (bash .ci/deps installs it)"
done
[ -f /usr/share/selinux/devel/Makefile ] || tap_bail "selinux-policy-dev is missing (bash .ci/deps installs it)"

tmp=$(mktemp -d /tmp/okta-rpm-XXXXXX) || exit 1
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# Our make runs inside `make check`: do not join its jobserver.
run_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL $make_cmd "$@" >"$tmp/make.log" 2>&1
}

version=$(sed -n 's/^AC_INIT(\[[^]]*\], *\[\([^]]*\)\].*/\1/p' "$srcdir/configure.ac")
[ -n "$version" ]
tap_ok $? "version from configure.ac's AC_INIT: $version"

# make dist writes the tarball into the build directory; it is moved away
# (copied, if one was there before) so the tree keeps no product of ours.
tarball=$name-$version.tar.gz
had_tarball=no
[ -e "$builddir/$tarball" ] && had_tarball=yes
run_make -C "$builddir" dist
tap_ok $? "make dist" "$(tail -n 20 "$tmp/make.log")"
mkdir -p "$tmp/rpmbuild/SOURCES"
if [ $had_tarball = yes ]; then cp "$builddir/$tarball" "$tmp/rpmbuild/SOURCES/"; else
	mv "$builddir/$tarball" "$tmp/rpmbuild/SOURCES/"; fi

spec=$tmp/$name.spec
tar -xzOf "$tmp/rpmbuild/SOURCES/$tarball" "$name-$version/rpm/$name.spec" >"$spec" 2>"$tmp/tar.log"
tap_ok $? "the tarball carries rpm/$name.spec" "$(cat "$tmp/tar.log")"

spec_version=$(sed -n 's/^Version:[[:space:]]*//p' "$spec")
[ "$spec_version" = "$version" ]
tap_ok $? "spec Version ($spec_version) is configure.ac's ($version)"

# -bb with the tarball's own spec; _smp_ncpus_max: the machine's job limit;
# --noclean keeps BUILD/ for the make install below. Debian's brp-compress
# (rpm's stock post-install step that gzips man pages) needs bash (read -d)
# but runs under /bin/sh, which is dash here and bash on RHEL: it is run
# with bash so that the package is laid out as on RHEL.
topdir=$tmp/rpmbuild
os_install_post=$(rpm --eval '%__os_install_post' | sed '/^[[:space:]]*$/d; s/^[[:space:]]*//' |
	sed 's@^/usr/lib/rpm/brp-compress@bash &@' | paste -sd ';')
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL rpmbuild -bb --nodeps --noclean \
	--define "_topdir $topdir" --define "_smp_ncpus_max 2" \
	--define "__os_install_post $os_install_post" "$spec" >"$tmp/rpmbuild.log" 2>&1
tap_ok $? "rpmbuild -bb --nodeps" "$(cat "$tmp/rpmbuild.log")"

main_rpm=$(ls "$topdir"/RPMS/*/$name-$version-*.rpm 2>/dev/null | grep -v -- -selinux- | head -n 1)
selinux_rpm=$(ls "$topdir"/RPMS/noarch/$name-selinux-$version-*.noarch.rpm 2>/dev/null | head -n 1)
[ -n "$main_rpm" ] && [ -n "$selinux_rpm" ]
tap_ok $? "two packages: $(basename "${main_rpm:-none}") and $(basename "${selinux_rpm:-none}")" \
	"$(find "$topdir/RPMS" -type f)"
[ -n "$main_rpm" ] && [ -n "$selinux_rpm" ] || tap_finish

# ---- rpmlint (Debian's 2.4), with Fedora's gzip for man pages
# (tests/package/rpmlint.toml): clean but for these, each explained.
explained_rpmlint() {
	cat <<'EOF'
no-signature          a test build: packages are signed by the build system that publishes them
no-packager-tag       Packager is set by the build system (%packager), not by the spec
no-group-tag          Group is obsolete (Fedora and RHEL packaging guidelines drop it)
no-buildroot-tag      BuildRoot is ignored since rpm 4.6; the guidelines drop it
invalid-url           Source0 is the make dist tarball: there is no public download location yet
non-readable          /etc/security/pam_okta_session.conf is 0600 on purpose: it names the API token, and the module refuses a group- or world-readable file
unstripped-binary-or-object  Debian's brp-strip only strips debug sections; on RHEL find-debuginfo strips into -debuginfo
no-manual-page-for-binary  rpmlint 2.4 records man page sections, not names (FilesCheck man_basenames); pam_okta_session_check.8 is in the package
no-documentation      the selinux subpackage is policy only; its documentation is README.md in the main package
EOF
}
rpmlint_allowed=$(explained_rpmlint | awk '{print $1}' | paste -sd '|')
rpmlint -c "$srcdir/tests/package/rpmlint.toml" "$spec" "$main_rpm" "$selinux_rpm" \
	>"$tmp/rpmlint.log" 2>&1
unexplained=$(grep -E ': [EW]: ' "$tmp/rpmlint.log" | grep -Ev ": [EW]: ($rpmlint_allowed)( |$)")
[ -z "$unexplained" ] && grep -Eq '2 packages and 1 specfiles checked' "$tmp/rpmlint.log"
tap_ok $? "rpmlint: nothing but the explained findings" "$(cat "$tmp/rpmlint.log")"
grep -E ': [EW]: ' "$tmp/rpmlint.log" | while read -r pkg level check rest; do
	echo "# rpmlint $level $check ${rest:+($rest) }explained: $(explained_rpmlint | sed -n "s/^$check  *//p")"
done

# ---- the main package against `make install` from the same configured tree
# (the one rpmbuild left in BUILD/), into a DESTDIR of our own.
run_make -C "$topdir/BUILD/$name-$version" install DESTDIR="$tmp/root"
tap_ok $? "make install DESTDIR=... in rpmbuild's configured tree" "$(tail -n 20 "$tmp/make.log")"

# mode owner group path, files and symbolic links. rpm's brp-compress
# gzips the man pages: their .gz is dropped before comparing. rpmbuild adds
# /usr/lib/.build-id/ links to the ELF files (_build_id_links compat, as on
# RHEL): rpm's own, left out; so is the %license file (checked below).
licensedir=/usr/share/licenses/$name
(cd "$tmp/root" && find . ! -type d -printf '%M %u %g /%P\n' | sort) >"$tmp/install.list"
rpm -qp --qf '[%{FILEMODES:perms} %{FILEUSERNAME} %{FILEGROUPNAME} %{FILENAMES}\n]' "$main_rpm" |
	grep -v ' /usr/lib/\.build-id\(/\|$\)' >"$tmp/rpm.full" 2>&1
grep -v " $licensedir\(/\|\$\)" "$tmp/rpm.full" >"$tmp/rpm.all"
grep -v '^d' "$tmp/rpm.all" | sed -E 's@^(.* /usr/share/man/man[0-9]/[^ ]+)\.gz$@\1@' | sort >"$tmp/rpm.list"
[ -s "$tmp/install.list" ] && diff -u "$tmp/install.list" "$tmp/rpm.list" >"$tmp/list.diff"
tap_ok $? "the package's files, modes and owners are make install's" \
	"$(cat "$tmp/list.diff" 2>/dev/null)
make install:
$(cat "$tmp/install.list")"

libdir=$(rpm --eval '%{_libdir}')
grep -qx -- "-rwxr-xr-x root root $libdir/security/$name.so" "$tmp/rpm.list" &&
	grep -qx -- "-rwxr-xr-x root root /usr/sbin/${name}_check" "$tmp/rpm.list"
tap_ok $? "module in $libdir/security, check tool in /usr/sbin" "$(cat "$tmp/rpm.list")"

# The only directory the package owns is its documentation directory:
# /etc/security, the security module directory and the man directories
# belong to pam and filesystem.
dirs=$(grep '^d' "$tmp/rpm.all" | awk '{print $4}')
[ "$dirs" = "/usr/share/doc/$name" ]
tap_ok $? "owns no system directory (only /usr/share/doc/$name)" "$dirs"

config=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILEMODES:octal} %{FILENAMES}\n]' "$main_rpm" | grep ' /etc/')
[ "$config" = "cn 100600 /etc/security/$name.conf" ]
tap_ok $? "/etc/security/$name.conf: %config(noreplace), mode 0600, the only file in /etc" "$config"

rpm2cpio "$main_rpm" | (mkdir "$tmp/main" && cd "$tmp/main" && cpio -idm --quiet) &&
	cmp "$tmp/main/etc/security/$name.conf" "$srcdir/conf/$name.conf"
tap_ok $? "the packaged configuration is conf/$name.conf"

# The licence: the spec's License tag and the source's LICENSE, as %license.
license=$(rpm -qp --qf '%{LICENSE}\n' "$main_rpm" "$selinux_rpm" | sort -u)
licensefile=$(rpm -qp --qf '[%{FILEFLAGS:fflags} %{FILENAMES}\n]' "$main_rpm" | grep " $licensedir/")
[ "$license" = "BSD-3-Clause" ] && [ "$licensefile" = "l $licensedir/LICENSE" ] &&
	cmp "$tmp/main$licensedir/LICENSE" "$srcdir/LICENSE"
tap_ok $? "License: BSD-3-Clause, the source's LICENSE in $licensedir" "$license
$licensefile"

info=$(rpm -qp --qf '%{NAME} %{VERSION} %{ARCH}\n' "$main_rpm" "$selinux_rpm")
[ "$info" = "$name $version $(rpm --eval '%{_arch}')
$name-selinux $version noarch" ]
tap_ok $? "names, versions, architectures" "$info"

# rpm's ELF dependency generator (as on RHEL) finds the module's libraries.
requires=$(rpm -qp --requires "$main_rpm")
missing=""
for lib in 'libpam\.so\.0' 'libcurl\.so\.4' 'libjson-c\.so\.[0-9]'; do
	echo "$requires" | grep -q "^$lib" || missing="$missing $lib"
done
[ -z "$missing" ]
tap_ok $? "requires libpam, libcurl and json-c by soname" "missing:$missing
$requires"

recommends=$(rpm -qp --recommends "$main_rpm")
[ "$recommends" = "($name-selinux if selinux-policy-targeted)" ]
tap_ok $? "the main package recommends the policy where the targeted policy is installed" "$recommends"

# Where selinux-policy-devel defines it (RHEL, Fedora), the policy the module
# was built against is the oldest it accepts.
requires=$(rpmspec -q --qf '[%{=NAME} %{REQUIRENEVRS}\n]' \
	--define '_selinux_policy_version 38.1.45-3.el9' "$spec" 2>&1 | grep ' selinux-policy ')
[ "$requires" = "$name-selinux selinux-policy >= 38.1.45-3.el9" ]
tap_ok $? "with %_selinux_policy_version, the subpackage requires that policy or newer" "$requires"

# ---- the SELinux subpackage: a policy package semodule can read, installed
# by %post and removed by %postun (on the last erase only).
pp=/usr/share/selinux/packages/targeted/$name.pp.bz2
files=$(rpm -qlp "$selinux_rpm")
[ "$files" = "/usr/share/selinux/devel/include/distributed/$name.if
$pp" ]
tap_ok $? "selinux subpackage files" "$files"

mkdir "$tmp/selinux" && rpm2cpio "$selinux_rpm" | (cd "$tmp/selinux" && cpio -idm --quiet) &&
	bzip2 -dc "$tmp/selinux$pp" >"$tmp/$name.pp" &&
	semodule_unpackage "$tmp/$name.pp" "$tmp/$name.mod" "$tmp/$name.fc" >"$tmp/unpack.log" 2>&1 &&
	grep -q "^/etc/security/$name\[^/\]\*[[:space:]].*pam_okta_session_conf_t" "$tmp/$name.fc"
tap_ok $? "the packaged .pp is a policy package with the module's file contexts" \
	"$(cat "$tmp/unpack.log" "$tmp/$name.fc" 2>&1)"

scripts=$(rpm -qp --scripts "$selinux_rpm")
echo "$scripts" | sed -n '/^postinstall scriptlet/,/^[a-z]* *scriptlet/p' |
	grep -q "semodule -s targeted -X 200 -i $pp\$" &&
	echo "$scripts" | sed -n '/^postuninstall scriptlet/,$p' | grep -q 'semodule -s targeted -X 200 -r pam_okta_session'
tap_ok $? "%post loads the packaged module (semodule -i), %postun removes it (semodule -r)" "$scripts"


# The releases the spec is for: it evaluates with each one's %rhel,
# %fedora or %amzn, and the module goes to %{_pam_moduledir} where the
# pam package's macros.pam defines it (Fedora 35 and later, RHEL 10) and to
# %{_libdir}/security where it does not (RHEL 8). The value is checked in
# %build's configure line, which is what decides where make install puts it.
pammoddir_of() { # rpmspec arguments...
	rpmspec -P "$@" "$spec" 2>&1 | sed -n 's/.*--with-pammoddir=\([^ ]*\).*/\1/p'
}
bad=
for release in "rhel 8" "rhel 9" "rhel 10" "fedora 42" "amzn 2023"; do
	got=$(pammoddir_of --define "$release")
	[ "$got" = "$libdir/security" ] || bad="$bad
$release, no macros.pam: '$got'"
	got=$(pammoddir_of --define "$release" --define '_pam_moduledir /usr/lib/pam-test')
	[ "$got" = /usr/lib/pam-test ] || bad="$bad
$release, macros.pam: '$got'"
done
[ -z "$bad" ]
tap_ok $? "the module directory per release: %{_pam_moduledir} where defined, else %{_libdir}/security" "$bad"

tap_finish
