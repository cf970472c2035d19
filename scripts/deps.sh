#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs the Debian packages the build and the tests need, when missing.
set -euo pipefail

packages=(gcc clang libclang-rt-14-dev meson ninja-build pkg-config libcmocka-dev libssl-dev
	  valgrind python3 man-db groff-base)
missing=()
for p in "${packages[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		missing+=("$p")
done
if ((${#missing[@]})); then
	echo "installing: ${missing[*]}"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# What some tests use and skip without, saying so: tmux (gmemctl watch in
# a terminal), Chromium (gmemctl's SVG pictures, rendered), dpkg-dev and
# debhelper (the Debian packages, built). Offline, or where they cannot be
# installed, the tests still run.
optional=(tmux chromium dpkg-dev debhelper)
absent=()
for p in "${optional[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" ||
		absent+=("$p")
done
if ((${#absent[@]})); then
	echo "installing (optional): ${absent[*]}"
	sudo_cmd=()
	[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
	"${sudo_cmd[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${absent[@]}" >/dev/null 2>&1 ||
		echo "could not install ${absent[*]}: the tests that need them skip"
fi
