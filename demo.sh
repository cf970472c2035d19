#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Builds libgmem and runs the demo.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/deps.sh
[ -d build ] || meson setup build >/dev/null
ninja -C build >/dev/null
exec ./build/examples/gmem-demo
