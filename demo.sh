#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem and gmem-vm, then runs a guest through conversions,
# narrating what the guest and the host each saw and the final attribute
# map: a real KVM guest where this host can run one, else the software
# guest (the same program on the same conversion path, without a vCPU).
# The first line says which class of host this is (README.md, "Hosts").
# Then gmemctl tells the same kind of story by hand (examples/
# story.gmemctl; docs/DEMO.md) and draws it: build/gmemctl-map.svg.
# `bash demo.sh --uapi v6` shows the v6+ uAPI of the series (no content
# modes) instead of RFC v4's (as GMEM_UAPI=v6 does); the demo names the
# one it shows. Other arguments go to gmem-vm.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
./build/tools/gmemctl host | head -n 1
# --uapi GEN reaches every VM the demo makes, whichever program shows it.
if [ "${1:-}" = --uapi ] && [ $# -ge 2 ]; then
	export GMEM_UAPI=$2
	shift 2
fi
status=0
if [ -x build/vmm/gmem-vm ]; then
	./build/vmm/gmem-vm --demo "$@" || status=$?
else
	# No 32-bit guest programs could be built here: the library's tour.
	./build/examples/gmem-demo || status=$?
fi
# The story's last step fails on purpose (EAGAIN on a pinned page).
echo
echo "gmemctl: the story of docs/DEMO.md, by hand"
(cd build && ./tools/gmemctl --size 512K --script ../examples/story.gmemctl) || true
echo "the picture: build/gmemctl-map.svg (open it in a browser)"
exit $status
