#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Description: gmemctl attach reads another process's VMs through the
# introspection endpoint: a gmemctl run opened with GMEM_INTROSPECT=auto
# (its socket at $XDG_RUNTIME_DIR/gmem-PID.sock) is found by its PID and
# by its socket path; map, draw, stats and faults show what that process
# did (a private range, a pin, a memory fault), as text and as JSON, and
# draw --svg writes the picture; a process without an endpoint is one
# line and exit 1; commands that change memory are refused when attached.
set -u
gmemctl=$1
status=0
dir=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$dir"' EXIT
export XDG_RUNTIME_DIR=$dir

check() { # description, expected exit, expected pattern, actual exit, output
	if [ "$4" != "$2" ] || ! grep -qE -- "$3" <<<"$5"; then
		echo "FAIL: $1: exit $4, output:"
		echo "$5"
		status=1
	else
		echo "ok: $1"
	fi
}

GMEM_INTROSPECT=auto "$gmemctl" --backend memfd --size 64K write 0 16K 0x41 \
	convert 8K 8K private preserve pin 0 4K guest-read 8K shared \
	sleep 30 >"$dir/out" 2>&1 &
pid=$!
for _ in $(seq 50); do
	[ -S "$dir/gmem-$pid.sock" ] && grep -q 'memory fault' "$dir/out" && break
	sleep 0.1
done
check "the endpoint is there, owner-only" 0 '^srw-------' 0 "$(ls -l "$dir/gmem-$pid.sock" 2>&1)"

out=$("$gmemctl" attach "$pid" map 2>&1)
check "attach PID map" 0 '^  \[ +0x100002000, +0x100004000\) private$' $? "$out"
out=$("$gmemctl" attach "$dir/gmem-$pid.sock" draw 2>&1)
check "attach SOCKET draw" 0 '^\*:!P\.{12}$' $? "$out"
out=$("$gmemctl" attach "$pid" stats faults 2>&1)
check "stats count the preserve conversion" 0 '^    preserve +1 ' $? "$out"
check "faults name the latest" 0 'last at gpa 0x100002000, 4096 bytes, a shared access' 0 "$out"
out=$("$gmemctl" --json attach "$pid" stats faults 2>&1)
verdict=$(python3 -c '
import json, sys
s, f = [json.loads(l) for l in sys.argv[1].splitlines()]
vm = s["vms"][0]
assert vm["conversions"]["preserve"]["ok"] == 1 and vm["pins"] == 1, vm
assert f["vms"][0]["count"] == 1 and f["vms"][0]["last"]["gpa"] == 0x100002000
print("json ok")' "$out" 2>&1)
check "--json attach" 0 '^json ok$' $? "$verdict"
out=$("$gmemctl" attach "$pid" draw --svg "$dir/vm.svg" 2>&1)
check "attach draw --svg" 0 "^drew $dir/vm.svg" $? "$out"
check "the picture has a legend" 0 'latest memory fault' 0 "$(cat "$dir/vm.svg")"
out=$("$gmemctl" attach "$pid" convert 0 4K private 2>&1)
check "no conversion through the endpoint" 2 '^gmemctl: convert: not on an attached process' $? "$out"
out=$("$gmemctl" attach 999999999 map 2>&1)
check "no endpoint" 1 "^gmemctl: $dir/gmem-999999999.sock: ENOENT" $? "$out"
exit $status
