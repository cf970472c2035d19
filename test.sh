#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem and runs every test: the normal build, then the same tests
# built with AddressSanitizer and UndefinedBehaviorSanitizer. Ends with the
# line "N passed, N failed, N skipped".
set -uo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh || exit 1

run_suite() { # name, meson setup arguments...
	local dir=build-$1
	shift
	[ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null || return 1
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
	meson test -C "$dir" --print-errorlogs --num-processes 2
}

# A sanitizer report is a failure, not a line in a log.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export TSAN_OPTIONS=halt_on_error=1

status=0
rm -f build-*/meson-logs/testlog.json
run_suite test || status=1
run_suite asan -Db_sanitize=address,undefined -Db_lundef=false || status=1
logs=(build-*/meson-logs/testlog.json)
python3 scripts/summary.py "${logs[@]}" || status=1
exit $status
