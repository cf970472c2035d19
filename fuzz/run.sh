#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the fuzz targets (fuzz/build.sh) and fuzzes for a while: a
# quarter of the time gmem_kernel (library against the kernel, where
# /dev/kvm can make VMs), a sixth gmem_huge (huge folios against their
# model, as root), the rest gmem_diff (engine against the reference
# model), each starting from its seed corpus in the tree; new inputs go to
# a scratch corpus in the output directory, never into the tree.
#
#   fuzz/run.sh [seconds] [out-dir] [libFuzzer options...]
#
# Exit status: 0 when the time ran out without a divergence or a sanitizer
# report, 1 otherwise (the input is saved as out-dir/artifacts/crash-*;
# replay it with out-dir/gmem_diff FILE, GMEM_FUZZ_TRACE=1 for a trace),
# 77 when clang or libFuzzer is missing (a skipped test). A target that
# exits 77 itself (gmem_kernel where the host has no guest_memfd to
# compare with) is skipped with its reason; the other still counts.
set -uo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-60}
out=${2:-$src/build-fuzz}
shift $(($# < 2 ? $# : 2))

bash "$src/fuzz/build.sh" "$out"
rc=$?
[ $rc -eq 77 ] && exit 77
[ $rc -ne 0 ] && { echo "fuzz build failed"; exit 1; }

mkdir -p "$out/artifacts"
# One target for a share of the time; its log in out-dir/TARGET.log.
fuzz() { # target, seconds, libFuzzer options...
	local t=$1 secs=$2 rc
	shift 2
	mkdir -p "$out/corpus/$t"
	# libFuzzer's own options: stop at the first problem, small inputs.
	# A crash must not exit 77 (libFuzzer's default), which means a
	# target that skipped itself.
	"$out/$t" -max_total_time="$secs" -timeout=20 -rss_limit_mb=2048 \
		-max_len=1024 -print_final_stats=1 -error_exitcode=1 \
		-artifact_prefix="$out/artifacts/$t-" "$@" \
		"$out/corpus/$t" "$src/fuzz/corpus/$t" 2>"$out/$t.log"
	rc=$?
	if [ $rc -eq 77 ]; then
		echo "== $(grep -m1 "$t: skipped:" "$out/$t.log" || echo "$t: skipped")"
		return 0
	fi
	# The log is long; the summary and any report are what one needs.
	echo "== $t, $secs s"
	grep -E '^(#[0-9]+ +(INITED|DONE)|stat::|INFO: Seed)' "$out/$t.log"
	if [ $rc -ne 0 ]; then
		grep -B2 -A30 -E 'DIVERGENCE|ERROR: |SUMMARY' "$out/$t.log" |
			head -80
		ls "$out"/artifacts/
		echo "$t failed (exit $rc); full log: $out/$t.log"
		return 1
	fi
}

kernel_secs=$((secs / 4))
huge_secs=$((secs / 6))
fuzz gmem_diff $((secs - kernel_secs - huge_secs)) "$@" || exit 1
fuzz gmem_kernel "$kernel_secs" "$@" || exit 1
fuzz gmem_huge "$huge_secs" "$@" || exit 1
echo "fuzzed $secs s without a divergence"
