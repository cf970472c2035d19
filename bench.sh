#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem with its benchmarks (optimised, assertions off) and runs
# every benchmark: each prints Markdown tables of figure, spread, baseline
# measured in the same run, ratio and goal. Not part of test.sh.
#
#   bash bench.sh [--quick] [--backend kvm|memfd|all]
#
# --quick shrinks the repetitions (about a fifth), not the sizes. The
# output is also written to build-bench/results.md. A row that cannot run
# on this host (a backend or KVM it lacks) is printed as "not measured
# here: <reason>", and the summary at the end counts, per program, what
# was measured and what was not.
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
	 bench_ownership bench_hardening bench_huge bench_introspect
	 bench_scaling bench_cipher bench_launch)
targets=("${benches[@]/#/bench/}")
quick=no
for arg in "$@"; do [ "$arg" = --quick ] && quick=yes; done

dir=build-bench
if [ ! -d "$dir" ]; then
	meson setup "$dir" -Dbuildtype=debugoptimized -Db_ndebug=true \
		-Dtests=false >/dev/null || exit 1
fi
ninja -C "$dir" "${targets[@]}" >/dev/null ||
	{ ninja -C "$dir" "${targets[@]}"; exit 1; }
# gmem-vm-bench needs 32-bit guest programs, which not every compiler makes.
vmm_bench=no
ninja -C "$dir" vmm/gmem-vm-bench >/dev/null 2>&1 && vmm_bench=yes

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

# Guest-driven conversions through gmem-vm: its own table, fewer
# repetitions with --quick. 77: KVM runs no vCPU here, the rows say why.
run_vmm_bench() {
	local reps=7 rc
	[ $quick = yes ] && reps=3
	echo "# gmem-vm-bench: conversions asked by a KVM guest"
	echo
	echo '```'
	"$dir/vmm/gmem-vm-bench" --reps $reps 2>&1 | grep -v '^guest: '
	rc=${PIPESTATUS[0]}
	echo '```'
	[ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]
}

# Each program's last lines: rows measured, goals, and what was not
# measured here, with the reason.
summary() {
	echo
	echo "## Summary"
	echo
	for f in "$@"; do
		echo "- $(basename "$f" .md):" \
		     "$(grep -E '(rows|cases) measured' "$f" | tail -n 1)"
		grep -E '^not measured here: ' "$f" | sed 's/^/  - /'
	done
}

run_all() {
	local status=0 start=$SECONDS out=()

	machine "$@"
	for b in "${benches[@]}"; do
		echo
		"$dir/bench/$b" "$@" | tee "$dir/$b.md"
		[ "${PIPESTATUS[0]}" -eq 0 ] || { echo "$b failed"; status=1; }
		out+=("$dir/$b.md")
	done
	echo
	if [ $vmm_bench = yes ]; then
		run_vmm_bench | tee "$dir/gmem-vm-bench.md"
		[ "${PIPESTATUS[0]}" -eq 0 ] ||
			{ echo "gmem-vm-bench failed"; status=1; }
		out+=("$dir/gmem-vm-bench.md")
	else
		echo "gmem-vm-bench: not measured here: the compiler makes no" \
		     "32-bit guest programs"
	fi
	summary "${out[@]}"
	echo
	echo "total time: $((SECONDS - start)) s"
	return $status
}

run_all "$@" | tee "$dir/results.md"
exit "${PIPESTATUS[0]}"
