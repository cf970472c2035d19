#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem and runs every test four ways: the normal build; the same
# tests built with AddressSanitizer and UndefinedBehaviorSanitizer; the unit
# tests under valgrind (leaks and memory errors); the unit tests built with
# ThreadSanitizer. The normal build's tests run twice more, as on other
# hosts: with the library's "auto" backend forced to memfd, and as on a
# host without KVM (a private /dev without kvm; scripts/without-kvm.sh);
# the Debian package build (suite 'package') is the same there, and runs once.
# Starts with `gmemctl host`, so every log says which host it ran on; ends
# with the line "N passed, N failed, N skipped" over all of it.
set -uo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh || exit 1

# A sanitizer report is a failure, not a line in a log.
export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export TSAN_OPTIONS=halt_on_error=1

build() { # directory, meson setup arguments...
	local dir=$1
	shift
	[ -d "$dir" ] || meson setup "$dir" "$@" >/dev/null || return 1
	ninja -C "$dir" >/dev/null || { ninja -C "$dir"; return 1; }
}

run() { # directory, log name, meson test arguments...
	local dir=$1 log=$2
	shift 2
	meson test -C "$dir" --no-rebuild --print-errorlogs --num-processes 2 \
		--logbase "$log" "$@"
}

valgrind_wrap='valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=1 -q'

# The plain build's tests as on a host without KVM; where the machine
# permits no private mount namespace, one line says so.
run_without_kvm() {
	bash scripts/without-kvm.sh sh -c \
		'build-test/tools/gmemctl host | head -n 1 && "$@"' sh \
		meson test -C build-test --no-rebuild --print-errorlogs \
		--num-processes 2 --logbase no-kvm --no-suite fuzz --no-suite package
	local rc=$?
	[ $rc -eq 77 ] && return 0
	return $rc
}

status=0
rm -f build-*/meson-logs/*.json
build build-test || status=1
build-test/tools/gmemctl host
run build-test plain --no-suite fuzz || status=1
GMEM_BACKEND=memfd run build-test memfd --no-suite fuzz --no-suite package || status=1
run_without_kvm || status=1
build build-asan -Db_sanitize=address,undefined -Db_lundef=false &&
	run build-asan asan --no-suite fuzz || status=1
run build-test valgrind --suite unit --wrap "$valgrind_wrap" || status=1
build build-tsan -Db_sanitize=thread -Db_lundef=false &&
	run build-tsan tsan --suite unit --suite threads || status=1
# ---- begin: reliability (fuzz/, tests/reliability/, docs/FUZZING.md) ----
# The reliability suite (bad-input sweep, thread stress with guest access,
# corpus replay) under ThreadSanitizer too; then one minute of libFuzzer,
# engine against the reference model (clang; skipped without it).
run build-tsan tsan-reliability --suite reliability || status=1
run build-test fuzz --suite fuzz || status=1
# ---- end: reliability ----
python3 scripts/summary.py build-*/meson-logs/*.json || status=1
exit $status
