#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Description: draw --svg makes a picture a real browser renders as
# meant. gmemctl writes, converts, pins and faults a 16-page file and
# draws it; headless Chromium renders the SVG to a PNG; the pixels at the
# centres of known cells must have the legend's colours (pinned, shared
# holding memory, the latest fault, private holding memory, shared and
# private unallocated), and so must the legend's swatches. The PNG is
# read by png_pixels.py, with zlib alone. Skipped, with the reason,
# without Chromium or python3.
#
#   test-gmemctl-svg.sh GMEMCTL PNG_PIXELS [OUTPUT.png]
set -u
gmemctl=$1
pixels=$2
keep=${3:-}
browser=$(command -v chromium || command -v chromium-browser) ||
	{ echo "skipped: no chromium (apt-get install chromium)"; exit 77; }
command -v python3 >/dev/null || { echo "skipped: no python3"; exit 77; }
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

"$gmemctl" --backend memfd --size 64K write 0 16K 0x41 \
	convert 8K 8K private preserve pin 0 4K convert 32K 8K private \
	guest-read 8K shared draw draw --svg "$dir/map.svg" || exit 1
# Cells are 10 pixels apart from (20, 48); their centres are 4 in.
cell() { echo "$((20 + $1 * 10 + 4)),52"; }
timeout 120 "$browser" --headless --no-sandbox --disable-gpu \
	--hide-scrollbars --force-device-scale-factor=1 \
	--user-data-dir="$dir/profile" --window-size=680,200 \
	--screenshot="$dir/map.png" "file://$dir/map.svg" >"$dir/log" 2>&1 ||
	{ echo "FAIL: chromium did not render:"; cat "$dir/log"; exit 1; }
[ -n "$keep" ] && cp "$dir/map.png" "$keep"
# The legend's first row: swatches at (20, 70) and (340, 70).
python3 "$pixels" "$dir/map.png" \
	"$(cell 0)=#f0a500" "$(cell 1)=#3b82c4" "$(cell 2)=#000000" \
	"$(cell 3)=#b22222" "$(cell 4)=#d6e4f0" "$(cell 8)=#f2c4c4" \
	"$(cell 9)=#f2c4c4" "$(cell 15)=#d6e4f0" \
	675,5=#ffffff 27,77=#d6e4f0 347,77=#3b82c4 27,97=#f2c4c4 \
	347,97=#b22222 27,117=#f0a500 347,137=#000000
