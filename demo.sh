#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem and gmem-vm, then runs a real KVM guest through
# conversions (the software guest where /dev/kvm is missing), narrating
# what the guest and the host each saw and the final attribute map.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
if [ -x build/vmm/gmem-vm ]; then
	exec ./build/vmm/gmem-vm --demo
fi
# No 32-bit guest programs could be built here: the library's own tour.
exec ./build/examples/gmem-demo
