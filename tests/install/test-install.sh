#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Description: `meson install` gives a user what they expect, and an
# out-of-tree program builds against the installed copy alone.
#  1. install the build into a scratch DESTDIR;
#  2. the library, libgmem-preload.so, the headers, gmem.pc, the man pages
#     (gmem(7), gmem-preload(7), one per function) and gmemctl are there;
#  3. hello-gmem.c builds with `pkg-config --cflags --libs gmem` against
#     that copy (the source tree's headers nowhere on the command line)
#     and runs with it.
# Exit: 0 all there and working, 1 not, 77 no pkg-config or C compiler.
#
# Usage: test-install.sh BUILDDIR CC
set -u

build=$1
cc=$2
here=$(cd "$(dirname "$0")" && pwd)

command -v pkg-config >/dev/null 2>&1 || {
	echo "test-install: SKIP: pkg-config is not installed"
	exit 77
}
dest=$(mktemp -d "${TMPDIR:-/tmp}/gmem-install.XXXXXX") || exit 1
trap 'rm -rf "$dest"' EXIT INT TERM

meson install -C "$build" --no-rebuild --quiet --destdir "$dest" || exit 1

status=0
need() { # description, find pattern
	found=$(find "$dest" -path "$2" | head -n 1)
	if [ -z "$found" ]; then
		echo "test-install: missing: $1 ($2)"
		status=1
	else
		echo "test-install: $1: ${found#"$dest"}"
	fi
}
need "the library" "*/libgmem.so"
need "the preload" "*/libgmem-preload.so"
need "gmem.h" "*/include/gmem/gmem.h"
need "uapi.h" "*/include/gmem/uapi.h"
need "gmem.pc" "*/pkgconfig/gmem.pc"
need "gmem(7)" "*/man7/gmem.7"
need "gmem-preload(7)" "*/man7/gmem-preload.7"
need "gmem_ioctl(3)" "*/man3/gmem_ioctl.3"
need "gmemctl" "*/bin/gmemctl"
[ "$status" -eq 0 ] || exit 1

pcdir=$(dirname "$(find "$dest" -name gmem.pc | head -n 1)")
libdir=$(dirname "$(find "$dest" -name libgmem.so | head -n 1)")
flags=$(PKG_CONFIG_PATH="$pcdir" \
	PKG_CONFIG_SYSROOT_DIR="$dest" pkg-config --cflags --libs gmem) || exit 1
echo "test-install: pkg-config --cflags --libs gmem: $flags"
# shellcheck disable=SC2086 # the flags are words
"$cc" -o "$dest/hello-gmem" "$here/hello-gmem.c" $flags || exit 1
LD_LIBRARY_PATH="$libdir" "$dest/hello-gmem" || exit 1
# It ran against the installed library, not the build's.
LD_LIBRARY_PATH="$libdir" ldd "$dest/hello-gmem" | grep -q "$libdir/libgmem.so" ||
	{ echo "test-install: hello-gmem did not use the installed libgmem"; exit 1; }
