#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Description: gmemctl attach PID watch, in a real terminal (tmux). A
# guest converts memory in gmem-vm with the introspection endpoint open
# (--introspect, --hold keeps its VM after it ends); where gmem-vm cannot
# run a guest here, a gmemctl run converts instead. watch runs in a tmux
# pane; the captured screen must show the title, the counters with the
# guest's conversions, the map with private pages and the legend, and
# 'q' must end it. Skipped, with the reason, without tmux or without a
# pseudo-terminal for it.
#
#   test-gmemctl-watch.sh GMEMCTL [GMEM_VM] [CAPTURE_FILE]
set -u
gmemctl=$1
gmem_vm=${2:-}
capture_file=${3:-}
command -v tmux >/dev/null || { echo "skipped: no tmux (apt-get install tmux)"; exit 77; }
dir=$(mktemp -d)
session=gmem-watch-$$
pid=
cleanup() {
	tmux -L "$session" kill-server 2>/dev/null
	[ -n "$pid" ] && kill "$pid" 2>/dev/null
	rm -rf "$dir"
}
trap cleanup EXIT
status=0

check() { # description, pattern, text
	if grep -qE -- "$2" <<<"$3"; then
		echo "ok: $1"
	else
		echo "FAIL: $1: no '$2' in:"
		echo "$3"
		status=1
	fi
}

# The endpoint's socket, once the converting program has done its work.
wait_ready() { # socket, log, pattern
	for _ in $(seq 100); do
		[ -S "$1" ] && grep -q -- "$3" "$2" && return 0
		kill -0 "$pid" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

sock=$dir/vm.sock
if [ -n "$gmem_vm" ]; then
	"$gmem_vm" --introspect="$sock" --hold 30 tour >"$dir/log" 2>&1 &
	pid=$!
	if wait_ready "$sock" "$dir/log" 'holding the VM'; then
		echo "the guest: gmem-vm's tour, pid $pid"
	else
		echo "gmem-vm ran no guest here ($(tail -1 "$dir/log")); gmemctl converts instead"
		kill "$pid" 2>/dev/null
		pid=
	fi
fi
if [ -z "$pid" ]; then
	GMEM_INTROSPECT=$sock "$gmemctl" --backend memfd --size 1M \
		write 0 64K 0x41 convert 16K 32K private preserve pin 0 4K \
		convert 128K 64K private sleep 30 >"$dir/log" 2>&1 &
	pid=$!
	wait_ready "$sock" "$dir/log" 'pinned' || { echo "FAIL: no endpoint"; cat "$dir/log"; exit 1; }
fi

# A terminal needs a pseudo-terminal: a private /dev may have none.
if ! err=$(tmux -L "$session" new-session -d -x 110 -y 50 \
	"$gmemctl attach $sock watch --interval 1; echo watch-ended; sleep 30" 2>&1); then
	echo "skipped: tmux cannot open a terminal here: $err"
	exit 77
fi
screen=
for _ in $(seq 50); do
	sleep 0.2
	screen=$(tmux -L "$session" capture-pane -p)
	grep -q '^legend:' <<<"$screen" && break
done
sleep 1.2 # a second refresh
screen=$(tmux -L "$session" capture-pane -p)
echo "---- the watch screen ----"
echo "$screen"
echo "--------------------------"
[ -n "$capture_file" ] && printf '%s\n' "$screen" >"$capture_file"
check "the title names the endpoint" "^gmemctl watch: pid [0-9]+ via $sock .*refresh [2-9]" "$screen"
check "the counters" '^  conversions +ok +eagain' "$screen"
check "the guest's conversions counted" '^    (none|preserve) +[1-9]' "$screen"
check "the map has private pages" '^[^ ]*P' "$screen"
check "the legend" '^legend: \. shared' "$screen"
tmux -L "$session" send-keys q
sleep 0.5
screen=$(tmux -L "$session" capture-pane -p)
check "q ends watch" '^watch-ended$' "$screen"
exit $status
