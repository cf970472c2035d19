#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Records this kernel's answers for the checks that compare libgmem with
# the kernel (the conformance suite, the bad-input sweep and the kernel
# fuzzer's seed corpus) into the file
# the tests read where their host's kernel cannot answer:
#
#   scripts/record-kernel-answers.sh [build-dir] [file]
#
# (defaults: build-test, tests/kernel-answers.txt). It needs a kernel whose
# guest_memfd offers GUEST_MEMFD_FLAG_MMAP and INIT_SHARED (`gmemctl host`
# says class (d)); elsewhere it changes nothing and exits 77. The file is
# written whole, with headers naming this kernel: commit it to make its
# answers the reference of every other host.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build-test}
out=${2:-tests/kernel-answers.txt}

[ -d "$build" ] || meson setup "$build" >/dev/null
ninja -C "$build" >/dev/null
class=$("$build/tools/gmemctl" host | head -n 1)
if [[ $class != *"class (d)"* ]]; then
	echo "cannot record here: $class" >&2
	exit 77
fi
flags=$("$build/tools/gmemctl" host | sed -n 's/^ *guest_memfd flags *//p')
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
{
	echo "# Answers of a real kernel for gmem's kernel-agreement checks: the"
	echo "# conformance suite and the bad-input sweep compare libgmem with"
	echo "# them where the host's kernel cannot answer itself (format and use:"
	echo "# tests/lib/answers.h)."
	echo "# kernel: Linux $(uname -r) ($(uname -m), guest_memfd flags $flags)"
	echo "# made: recorded on $(date -u +%Y-%m-%d) by scripts/record-kernel-answers.sh"
} >"$tmp"
"$build/tests/conformance/conformance" --record "$tmp" >/dev/null
# A row where the library differs fails the sweep (exit 1) but is
# recorded all the same: the kernel's answer is what is wanted.
"$build/tests/reliability/test_bad_input" --record "$tmp" >/dev/null || [ $? -eq 1 ]
# Every seed of the kernel fuzzer, its kernel answers call by call; a seed
# where the library differs is recorded up to the difference.
GMEM_KERNEL_RECORD="$tmp" GMEM_FUZZ_KEEP_GOING=1 \
	"$build/fuzz/fuzz_kernel_replay" fuzz/corpus/gmem_kernel >/dev/null 2>&1 ||
	true
mv "$tmp" "$out"
trap - EXIT
echo "recorded $(grep -vc '^#' "$out") answers of Linux $(uname -r) in $out"
