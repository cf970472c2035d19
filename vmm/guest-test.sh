#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# One gmem-vm test, held to the engine this host can run:
#
#   guest-test.sh KVM_RUNS_VCPUS GMEM_VM [gmem-vm arguments...]
#
# Where KVM runs vCPUs (kvm-runs-vcpus, which uses neither gmem-vm nor
# libgmem, says so), the guest must have run on them: gmem-vm must say
# "vmm: engine: kvm" and pass; a skip or the software guest is a failure
# there. Where KVM cannot, gmem-vm's own answer stands (77: skipped, with
# its reason; the demo's software guest: its result).
set -uo pipefail
probe=$1
shift
out=$(mktemp)
trap 'rm -f "$out"' EXIT

"$probe"
kvm=$?
"$@" | tee "$out"
rc=${PIPESTATUS[0]}
if [ "$kvm" -ne 0 ]; then
	echo "guest-test: KVM runs no vCPU here; gmem-vm's exit status $rc stands"
	exit "$rc"
fi
if [ "$rc" -eq 77 ] || ! grep -q '^vmm: engine: kvm' "$out"; then
	echo "guest-test: KVM runs vCPUs here, but gmem-vm did not run the guest on them (exit status $rc)"
	exit 1
fi
exit "$rc"
