#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem with its benchmarks (optimised, assertions off) and runs
# every benchmark: each prints Markdown tables of figure, spread, baseline
# measured in the same run, ratio and goal. Not part of test.sh.
#
#   bash bench.sh [--quick] [--backend kvm|memfd|all]
#
# --quick shrinks the repetitions (about a fifth), not the sizes. The
# output is also written to build-bench/results.md.
set -uo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh || exit 1

for arg in "$@"; do
	case $arg in
	--quick | --backend | kvm | memfd | all) ;;
	*) echo "usage: bash bench.sh [--quick] [--backend kvm|memfd|all]" >&2
	   exit 2 ;;
	esac
done

benches=(bench_zero bench_lookup bench_api bench_convert bench_legacy
	 bench_scaling)
targets=("${benches[@]/#/bench/}")

dir=build-bench
if [ ! -d "$dir" ]; then
	meson setup "$dir" -Dbuildtype=debugoptimized -Db_ndebug=true \
		-Dtests=false >/dev/null || exit 1
fi
ninja -C "$dir" "${targets[@]}" >/dev/null ||
	{ ninja -C "$dir" "${targets[@]}"; exit 1; }

machine() {
	local avail kvm=no
	avail=$(awk '/MemAvailable/ { printf "%.1f GiB", $2 / 1048576 }' \
		/proc/meminfo)
	[ -r /dev/kvm ] && [ -w /dev/kvm ] && kvm=yes
	echo "# gmem benchmarks"
	echo
	echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo "- machine: $(nproc) CPUs," \
	     "$(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo)," \
	     "$avail available, kernel $(uname -r), /dev/kvm: $kvm"
	echo "- command: bash bench.sh $*"
	echo "- build: meson $dir, debugoptimized (-O2 -g), NDEBUG"
}

run_all() {
	local status=0 start=$SECONDS

	machine "$@"
	for b in "${benches[@]}"; do
		echo
		"$dir/bench/$b" "$@" || { echo "$b failed"; status=1; }
	done
	echo
	echo "total time: $((SECONDS - start)) s"
	return $status
}

run_all "$@" | tee "$dir/results.md"
exit "${PIPESTATUS[0]}"
