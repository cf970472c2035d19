#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds the libFuzzer targets (gmem_diff, gmem_kernel, gmem_huge) with clang,
# AddressSanitizer and UndefinedBehaviorSanitizer, compiling the library's
# sources directly (with coverage) rather than linking the gcc-built
# library.
#
#   fuzz/build.sh [out-dir]        (default: build-fuzz)
#
# Rebuilds only what changed (clang's dependency files). Exits 77 when
# clang or its libFuzzer runtime is missing, so that a test can skip.
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$src/build-fuzz}" && cd "${1:-$src/build-fuzz}" && pwd)
cc=${FUZZ_CC:-clang}
targets=(gmem_diff gmem_kernel gmem_huge)

if ! command -v "$cc" >/dev/null; then
	echo "skipped: no $cc (apt-get install clang libclang-rt-14-dev)"
	exit 77
fi
probe=$out/probe.c
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)
{ (void)d; (void)n; return 0; }' >"$probe"
if ! "$cc" -fsanitize=fuzzer,address,undefined "$probe" -o "$out/probe" \
	2>"$out/probe.log"; then
	echo "skipped: $cc cannot link libFuzzer (see $out/probe.log)"
	exit 77
fi

common=(-std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing -g -O1
	-fno-omit-frame-pointer -fsanitize=address,undefined
	-fno-sanitize-recover=all -Wall -Wextra -Werror
	-I"$src/include" -I"$src/src" -I"$src/tools" -I"$src/tests/lib")

# Whether obj must be rebuilt: missing, or older than a file it depends on.
stale() {
	local obj=$1 dep=${1%.o}.d f
	[ -f "$obj" ] && [ -f "$dep" ] || return 0
	for f in $(sed -e 's/^[^:]*://' -e 's/\\$//' "$dep"); do
		[ "$f" -nt "$obj" ] && return 0
	done
	return 1
}

compile() { # source, object, extra flags...
	local c=$1 obj=$2
	shift 2
	if stale "$obj"; then
		mkdir -p "$(dirname "$obj")"
		"$cc" "${common[@]}" "$@" -MMD -MF "${obj%.o}.d" -c "$c" -o "$obj"
	fi
}

objs=()
pids=()
for c in "$src"/src/*.c "$src"/src/backend/*.c "$src"/src/platform/*.c; do
	rel=${c#"$src"/}
	obj=$out/obj/${rel%.c}.o
	objs+=("$obj")
	compile "$c" "$obj" -fsanitize=fuzzer-no-link -fvisibility=hidden &
	pids+=($!)
	# Two at a time is what CI machines here have.
	if ((${#pids[@]} >= 2)); then
		wait "${pids[0]}"
		pids=("${pids[@]:1}")
	fi
done
for p in "${pids[@]}"; do
	wait "$p"
done
compile "$src/fuzz/model.c" "$out/obj/fuzz/model.o" -fsanitize=fuzzer-no-link
compile "$src/tools/host_probe.c" "$out/obj/tools/host_probe.o"
compile "$src/fuzz/kernel_tape.c" "$out/obj/fuzz/kernel_tape.o"
compile "$src/tests/lib/answers.c" "$out/obj/tests/lib/answers.o"
# gmem_diff's white-box checks (the library's validators).
compile "$src/fuzz/validate.c" "$out/obj/fuzz/validate.o" \
	-fsanitize=fuzzer-no-link

for t in "${targets[@]}"; do
	compile "$src/fuzz/$t.c" "$out/obj/fuzz/$t.o" -fsanitize=fuzzer-no-link
	"$cc" "${common[@]}" -fsanitize=fuzzer "$out/obj/fuzz/$t.o" \
		"$out/obj/fuzz/model.o" "$out/obj/fuzz/validate.o" \
		"$out/obj/tools/host_probe.o" "$out/obj/fuzz/kernel_tape.o" \
		"$out/obj/tests/lib/answers.o" "${objs[@]}" -lcrypto -lpthread \
		-o "$out/$t"
done
echo "built: ${targets[*]/#/$out/}"
