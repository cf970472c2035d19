#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Description: the Debian source package (debian/) builds .deb files with
# the standard tools, and what they hold works.
#  1. copy the source tree (its files, not its build directories) to a
#     scratch directory and run `dpkg-buildpackage -us -uc -b` there, so the
#     tree is left as it was; the build's log holds no compiler warning;
#  2. libgmem0, libgmem-dev, libgmem-preload and gmem-tools are built and
#     hold their parts (`dpkg-deb -c`): the library; the headers, gmem.pc,
#     the libgmem.so link and gmem(7); the preload and gmem-preload(7);
#     gmemctl, gmem-vm and the bash completion. Every man page of man/ is
#     in one of them. The package version is the library's, and the
#     dependencies follow from the symbols file;
#  3. the packages unpacked into a scratch root (`dpkg-deb -x`: the
#     machine's package database is not touched): hello-gmem.c builds
#     against it with `pkg-config --cflags --libs gmem` and runs with its
#     library; its gmemctl converts and its gmem-vm runs a guest (where
#     the host has KVM) with that library; its preload loads under a
#     program.
# Exit: 0 built and working, 1 not, 77 no dpkg-buildpackage, debhelper or
# another build dependency of debian/control.
#
# Usage: test-deb.sh SOURCEDIR CC
set -u

src=$1
cc=$2
here=$(cd "$(dirname "$0")" && pwd)

skip() {
	echo "test-deb: SKIP: $*"
	exit 77
}
fail() {
	echo "test-deb: $*"
	exit 1
}
command -v dpkg-buildpackage >/dev/null 2>&1 ||
	skip "dpkg-buildpackage is not installed (dpkg-dev)"
command -v dh >/dev/null 2>&1 || skip "dh is not installed (debhelper)"
unmet=$(dpkg-checkbuilddeps "$src/debian/control" 2>&1) || skip "$unmet"

work=$(mktemp -d "${TMPDIR:-/tmp}/gmem-deb.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT INT TERM
mkdir "$work/gmem" "$work/root"

# What dpkg-buildpackage leaves in the tree it builds.
artefacts() {
	for f in debian/.debhelper debian/tmp debian/files debian/debhelper-build-stamp \
		debian/libgmem0 debian/libgmem-dev debian/libgmem-preload \
		debian/gmem-tools obj-*; do
		[ -e "$src/$f" ] && echo "$f"
	done
}
before=$(artefacts)

# The tree's files: in a git checkout, those git knows or would add (not
# the ignored build directories), as they are on disk; else all but the
# build directories and the version control's.
copy_tree() {
	if git -C "$src" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
		# A file deleted but not yet committed is listed and not read.
		(cd "$src" && git ls-files -z -co --exclude-standard |
			tar --null -T - --ignore-failed-read -cf - 2>/dev/null)
	else
		(cd "$src" && tar --exclude='./build*' --exclude='./obj-*' \
			--exclude=./.git -cf - .)
	fi | tar -C "$work/gmem" -xf -
}
copy_tree || fail "could not copy the source tree"
[ -f "$work/gmem/debian/control" ] || fail "the copy has no debian/control"

log=$work/build.log
(cd "$work/gmem" && DEB_BUILD_OPTIONS="parallel=2 ${DEB_BUILD_OPTIONS:-}" \
	dpkg-buildpackage -us -uc -b) >"$log" 2>&1 || {
	tail -n 40 "$log"
	fail "dpkg-buildpackage -us -uc -b failed"
}
echo "test-deb: dpkg-buildpackage -us -uc -b: built"
[ "$(artefacts)" = "$before" ] ||
	fail "the source tree gained build files: $(artefacts)"
if grep -n 'warning:' "$log"; then
	fail "the package build warns (above)"
fi

status=0
version=$(cd "$work/gmem" && dpkg-parsechangelog -S Version) || exit 1
arch=$(dpkg-architecture -qDEB_HOST_ARCH) || exit 1
deb() { # package: its .deb
	echo "$work/${1}_${version}_$arch.deb"
}
for p in libgmem0 libgmem-dev libgmem-preload gmem-tools; do
	if [ -f "$(deb "$p")" ]; then
		echo "test-deb: $(basename "$(deb "$p")"): $(wc -c <"$(deb "$p")") bytes"
	else
		echo "test-deb: missing: $(basename "$(deb "$p")")"
		status=1
	fi
done
[ "$status" -eq 0 ] || exit 1

contents() { # package: its file list
	dpkg-deb -c "$(deb "$1")" | awk '{ $1 = $2 = $3 = $4 = $5 = ""; print }'
}
holds() { # package, description, extended regular expression
	if contents "$1" | grep -Eq "$3"; then
		echo "test-deb: $1 holds $2"
	else
		echo "test-deb: $1 lacks $2 ($3)"
		status=1
	fi
}
holds libgmem0 "the library" '/usr/lib/[^/]+/libgmem\.so\.0\.[0-9.]+$'
holds libgmem0 "its SONAME link" '/libgmem\.so\.0 -> libgmem\.so\.0\.[0-9.]+$'
holds libgmem-dev "gmem.h" '/usr/include/gmem/gmem\.h$'
holds libgmem-dev "uapi.h" '/usr/include/gmem/uapi\.h$'
holds libgmem-dev "gmem.pc" '/usr/lib/[^/]+/pkgconfig/gmem\.pc$'
holds libgmem-dev "the link to link with" '/libgmem\.so -> libgmem\.so\.0$'
holds libgmem-dev "gmem(7)" '/man7/gmem\.7\.gz$'
holds libgmem-dev "gmem_ioctl(3)" '/man3/gmem_ioctl\.3\.gz$'
holds libgmem-preload "the preload" '/usr/lib/[^/]+/libgmem-preload\.so$'
holds libgmem-preload "gmem-preload(7)" '/man7/gmem-preload\.7\.gz$'
holds gmem-tools "gmemctl" '/usr/bin/gmemctl$'
holds gmem-tools "gmem-vm" '/usr/bin/gmem-vm$'
holds gmem-tools "gmemctl(1)" '/man1/gmemctl\.1\.gz$'
holds gmem-tools "gmemctl's completion" '/bash-completion/completions/gmemctl$'

# Every page of the tree's man/ is installed by one package.
pages=$(for p in libgmem0 libgmem-dev libgmem-preload gmem-tools; do
	contents "$p"; done)
for page in "$src"/man/*.[1-9]; do
	name=$(basename "$page")
	echo "$pages" | grep -q "/man${name##*.}/$name\.gz\( \|$\)" || {
		echo "test-deb: no package holds $name"
		status=1
	}
done

field() { # package, field
	dpkg-deb -f "$(deb "$1")" "$2"
}
depends() { # package, description, extended regular expression
	if field "$1" Depends | grep -Eq "$3"; then
		echo "test-deb: $1 depends on $2: $(field "$1" Depends)"
	else
		echo "test-deb: $1 does not depend on $2 ($3): $(field "$1" Depends)"
		status=1
	fi
}
depends libgmem0 "libc and libcrypto" 'libc6.*libssl|libssl.*libc6'
depends libgmem-dev "this very library" "libgmem0 \\(= $version\\)"
depends gmem-tools "the library, by its symbols" 'libgmem0 \(>= [0-9]'
[ "$status" -eq 0 ] || exit 1

for p in libgmem0 libgmem-dev libgmem-preload gmem-tools; do
	dpkg-deb -x "$(deb "$p")" "$work/root" || exit 1
done
root=$work/root
libdir=$(dirname "$(find "$root" -name libgmem.so.0 | head -n 1)")
pcdir=$libdir/pkgconfig

# The version of the package is the version of what it holds.
gmemctl_version=$(LD_LIBRARY_PATH="$libdir" "$root/usr/bin/gmemctl" --version) ||
	fail "the packaged gmemctl does not run"
case "$gmemctl_version" in
*" $version") echo "test-deb: $gmemctl_version, package $version" ;;
*) fail "package version $version, but $gmemctl_version" ;;
esac

flags=$(PKG_CONFIG_PATH="$pcdir" PKG_CONFIG_SYSROOT_DIR="$root" \
	pkg-config --cflags --libs gmem) || exit 1
echo "test-deb: pkg-config --cflags --libs gmem: $flags"
# shellcheck disable=SC2086 # the flags are words
"$cc" -o "$work/hello-gmem" "$here/hello-gmem.c" $flags || exit 1
LD_LIBRARY_PATH="$libdir" "$work/hello-gmem" || exit 1

uses_packaged_library() { # program
	LD_LIBRARY_PATH="$libdir" ldd "$1" | grep -q "$libdir/libgmem.so.0" || {
		echo "test-deb: $1 did not use the packaged libgmem"
		status=1
	}
}
uses_packaged_library "$work/hello-gmem"
uses_packaged_library "$root/usr/bin/gmemctl"
uses_packaged_library "$root/usr/bin/gmem-vm"

LD_LIBRARY_PATH="$libdir" "$root/usr/bin/gmemctl" \
	write 0 16K 0x41 convert 8K 8K private preserve convert 8K 8K shared preserve \
	read 8K || fail "the packaged gmemctl failed to convert"
LD_LIBRARY_PATH="$libdir" "$root/usr/bin/gmem-vm" -q hello
rc=$?
case $rc in
0) ;;
77) echo "test-deb: the packaged gmem-vm skipped its guest: the host lacks KVM" ;;
*) fail "the packaged gmem-vm failed (exit $rc)" ;;
esac

# The preload comes in ahead of libc and passes a program's own calls
# through.
preload=$libdir/libgmem-preload.so
LD_PRELOAD=$preload LD_TRACE_LOADED_OBJECTS=1 /bin/sh | grep -q "$preload" ||
	fail "the packaged preload is not loaded"
out=$(LD_PRELOAD=$preload /bin/sh -c 'cat /dev/null && echo preloaded' 2>&1)
[ "$out" = preloaded ] ||
	fail "a program under the packaged preload: $out"
echo "test-deb: the packaged preload runs a program: $out"
exit $status
