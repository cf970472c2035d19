#!/bin/sh
# SPDX-License-Identifier: MIT
#
# Description: check the man pages.
#  1. every function declared GMEM_API in include/gmem/gmem.h has a page,
#     or a .so link to one, in man/ (the missing names are printed);
#  2. every page is listed in man/meson.build;
#  3. every page renders with `man --warnings` and no warning at all
#     (a warning is an error).
# Exit status: 0 all well, 1 a check failed, 77 (skip) man or groff is not
# installed (checks 1 and 2 still run first, and fail with 1).
#
# Usage: man/check-man.sh   (from anywhere; paths are relative to the script)

set -u

here=$(cd "$(dirname "$0")" && pwd)
header="$here/../include/gmem/gmem.h"
status=0

fail() {
	echo "check-man: $*" >&2
	status=1
}

# 1. API coverage. The name of a GMEM_API function is the identifier just
# before the first '(' of its declaration line.
if [ ! -r "$header" ]; then
	echo "check-man: cannot read $header" >&2
	exit 1
fi
functions=$(sed -n 's/^GMEM_API[^(]*[^A-Za-z0-9_]\([A-Za-z_][A-Za-z0-9_]*\)(.*/\1/p' "$header")
if [ -z "$functions" ]; then
	echo "check-man: no GMEM_API function found in $header" >&2
	exit 1
fi
for fn in $functions; do
	[ -f "$here/$fn.3" ] || fail "no page or .so link for $fn: expected man/$fn.3"
done

# 2. Installation: every page is in meson.build.
for page in "$here"/*.[37]; do
	name=$(basename "$page")
	grep -q "'$name'" "$here/meson.build" ||
		fail "$name is not listed in man/meson.build"
done

[ "$status" -eq 0 ] || exit 1

# 3. Rendering.
if ! command -v man >/dev/null 2>&1 || ! command -v groff >/dev/null 2>&1; then
	echo "check-man: SKIP: man (man-db) or groff is not installed"
	exit 77
fi

# A .so link names its target as man3/<page>.3, relative to the root of a
# man hierarchy: render from a scratch hierarchy of links to the pages.
tree=$(mktemp -d "${TMPDIR:-/tmp}/check-man.XXXXXX") || exit 1
trap 'rm -rf "$tree"' EXIT INT TERM
mkdir "$tree/man3" "$tree/man7" || exit 1
for page in "$here"/*.[37]; do
	name=$(basename "$page")
	ln -s "$page" "$tree/man${name##*.}/$name" || exit 1
done

locale=C
if locale -a 2>/dev/null | grep -qix 'C.utf-\{0,1\}8'; then
	locale=C.UTF-8
fi

pages=0
for link in "$tree"/man3/* "$tree"/man7/*; do
	rel=${link#"$tree"/}
	warnings=$(cd "$tree" &&
		LC_ALL=$locale MANWIDTH=80 MANPAGER=cat PAGER=cat \
			man --warnings -l "$rel" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -ne 0 ] || [ -n "$warnings" ]; then
		fail "$(basename "$rel") does not render cleanly (man exit $rc):"
		printf '%s\n' "$warnings" | sed 's/^/    /' >&2
	fi
	pages=$((pages + 1))
done

if [ "$status" -eq 0 ]; then
	echo "check-man: $pages pages render without warnings;" \
		"$(echo "$functions" | wc -w) API functions documented"
fi
exit "$status"
