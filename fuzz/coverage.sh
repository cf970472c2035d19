#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Line coverage of src/ reached by a fuzz corpus: builds gmem_diff with gcc
# --coverage (library sources compiled in, as fuzz/build.sh does with
# clang), replays the corpus through it, and prints gcov's per-file
# summary and the total.
#
#   fuzz/coverage.sh [out-dir] [corpus-dir...]
#       (defaults: build-fuzz-cov, fuzz/corpus/gmem_diff)
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
out=$(mkdir -p "${1:-$src/build-fuzz-cov}" && cd "${1:-$src/build-fuzz-cov}" && pwd)
shift $(($# ? 1 : 0))
corpora=("$@")
((${#corpora[@]})) || corpora=("$src/fuzz/corpus/gmem_diff")

rm -rf "$out/obj"
mkdir -p "$out/obj"
objs=()
for c in "$src"/src/*.c "$src"/src/backend/*.c "$src"/src/platform/*.c \
	"$src"/fuzz/gmem_diff.c "$src"/fuzz/model.c "$src"/fuzz/replay.c \
	"$src"/fuzz/validate.c; do
	rel=${c#"$src"/}
	obj=$out/obj/${rel%.c}.o
	mkdir -p "$(dirname "$obj")"
	gcc -std=gnu11 -D_GNU_SOURCE -fno-strict-aliasing -O0 -g --coverage \
		-I"$src/include" -I"$src/src" -c "$c" -o "$obj"
	objs+=("$obj")
done
gcc --coverage "${objs[@]}" -lcrypto -lpthread -o "$out/gmem_diff_cov"
"$out/gmem_diff_cov" "${corpora[@]}"

cd "$out/obj"
total=0
hit=0
for c in "$src"/src/*.c "$src"/src/backend/*.c "$src"/src/platform/*.c; do
	rel=${c#"$src"/}
	line=$(cd "$(dirname "$rel")" && gcov -n -o . "$(basename "$rel" .c).o" \
		2>/dev/null | grep -A1 "File '.*$(basename "$rel")'" |
		sed -n 's/Lines executed:\([0-9.]*\)% of \([0-9]*\)/\1 \2/p' ||
		true)
	[ -n "$line" ] || continue
	set -- $line
	printf '%-28s %6s%% of %5s lines\n' "$rel" "$1" "$2"
	total=$((total + $2))
	hit=$(python3 -c "print(round($1 * $2 / 100))" | awk -v h=$hit '{print h + $1}')
done
python3 -c "print(f'src/ total: {$hit}/{$total} lines, {100 * $hit / $total:.1f}%')"
