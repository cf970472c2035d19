#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Description: gmemctl behaves as a command line should. --help lists
# every command of the table with a line each, help COMMAND shows one,
# --version answers; a usage error anywhere on the line or in a script
# stops gmemctl before any VM is made (exit 2, nothing run); a failed call
# names the call, the errno's name and message and the error offset
# (exit 1); a script (file or stdin, # comments) stops at its first
# failure and names the line; --json prints one JSON object a command,
# for every command, help included; the bash completion offers the
# table's commands and the words each option takes.
set -u
gmemctl=$1
completion=$2
status=0

check() { # description, expected exit, expected pattern, actual exit, output
	local what=$1 code=$2 pattern=$3 rc=$4 out=$5
	if [ "$rc" != "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL: $what: exit $rc, output:"
		echo "$out"
		status=1
	else
		echo "ok: $what"
	fi
}

refute() { # description, pattern that must not appear, output
	if grep -qE -- "$2" <<<"$3"; then
		echo "FAIL: $1: found '$2' in:"
		echo "$3"
		status=1
	else
		echo "ok: $1"
	fi
}

run() { out=$("$gmemctl" --backend memfd "$@" 2>&1); rc=$?; }

# --help names every command of the table, each on a line of its own.
help=$("$gmemctl" --help)
check "--help exits 0" 0 '^usage: gmemctl' $? "$help"
for cmd in $("$gmemctl" --list-commands); do
	[ "$cmd" = attach ] && pattern='attach PID\|SOCKET' || pattern="^  $cmd +[^ ]"
	check "--help lists $cmd" 0 "$pattern" 0 "$help"
done
run help convert
check "help COMMAND" 0 '^usage: gmemctl convert OFF LEN private\|shared' $rc "$out"
run help bogus
check "help of an unknown command" 2 "^gmemctl: help: unknown command 'bogus'" $rc "$out"
run help host
check "help of a word that comes first" 0 '^usage: gmemctl host$' $rc "$out"

# help --json: the same commands, synopses and lines as the text.
text=$("$gmemctl" --help)
names=$("$gmemctl" --list-commands)
verdict=$(python3 - "$text" "$names" "$("$gmemctl" --json help)" \
	"$("$gmemctl" --json --help)" "$("$gmemctl" --json help convert)" \
	"$("$gmemctl" help convert)" <<'PY'
import json, re, sys
text, names, line, line2, one_line, one_text = sys.argv[1:]
assert len(line.splitlines()) == 1 and line == line2, "help and --help differ"
h = json.loads(line)
assert h["command"] == "help" and h["ok"] is True
got = [c["name"] for c in h["commands"]]
assert got == names.split(), (got, names)
for c in h["commands"]:
    assert c["summary"] and c["where"], c
    assert re.search(r"^  %s +%s$" % (re.escape(c["name"]), re.escape(c["summary"])),
                     text, re.M), c
for o in h["options"]:
    assert re.search(r"^  %s, %s.* %s$" % (o["short"], o["long"], re.escape(o["summary"])),
                     text, re.M), o
for u in h["usage"]:
    assert u in text, u
c = {c["name"]: c for c in h["commands"]}
assert c["convert"]["synopsis"] == "OFF LEN private|shared [zero|preserve|none]"
assert c["convert"]["where"] == ["own VM"] and c["map"]["where"] == ["own VM", "attach"]
assert c["watch"]["where"] == ["attach"] and c["host"]["where"] == ["alone"]
one = json.loads(one_line)
assert one["commands"] == [c["convert"]], one
assert one_text.splitlines()[0] == "usage: gmemctl convert " + c["convert"]["synopsis"]
print("help json ok")
PY
)
check "help --json lists what the text lists" 0 '^help json ok$' $? "$verdict"
run --json help bogus
check "help --json of an unknown command" 2 "^gmemctl: help: unknown command 'bogus'" $rc "$out"
run --version
check "--version" 0 '^gmemctl \(gmem\) [0-9]+\.[0-9]+' $rc "$out"

# Usage errors come before any VM.
run
check "no command" 2 '^gmemctl: no command' $rc "$out"
run write 0 4K 1 convert 0 4K sideways
check "a bad word late on the line" 2 "^gmemctl: convert: expected private or shared, not 'sideways'$" $rc "$out"
refute "nothing ran before the usage error" 'VM on the|host wrote' "$out"
run read 1M
check "a host access past the end" 2 '^gmemctl: read: range past the end' $rc "$out"
run attach
check "attach needs a target" 2 '^gmemctl: attach: which process' $rc "$out"
run convert 0 4K private watch
check "watch only attached" 2 '^gmemctl: watch: only with attach' $rc "$out"

# A failed call: the call, errno name, message, error offset.
run pin 4K 4K convert 0 8K private
check "EAGAIN names the call, errno and offset" 1 \
	'^gmemctl: KVM_SET_MEMORY_ATTRIBUTES2: EAGAIN: Resource temporarily unavailable \(error_offset 0x1000\)$' $rc "$out"
run convert 0 4K private pin 0 4K
check "a call without an offset" 1 '^gmemctl: gmem_pin: EFAULT: Bad address$' $rc "$out"
refute "no source file in errors" '\.c:|\.c\)' "$out"

# Scripts.
script=$(mktemp)
trap 'rm -f "$script"' EXIT
cat >"$script" <<'SCRIPT'
# pin a page, then try to make it private
write 0 8K 0x41   # the host's bytes

pin 4K 4K
convert 0 8K private
draw
SCRIPT
run --script "$script"
check "a script stops at its failing line" 1 '^gmemctl: line 5: KVM_SET_MEMORY_ATTRIBUTES2: EAGAIN' $rc "$out"
refute "nothing after the failing line" '^[:.P*]{64}$' "$out"
out=$(printf 'convert 0 4K private\n\n# done\nmap\n' | "$gmemctl" --backend memfd -f - 2>&1)
check "a script from stdin" 0 '\[ +0, +0x1000\) private' $? "$out"
out=$(printf 'map\nmap\nconvert 0 4K private zero extra\n' | "$gmemctl" --backend memfd -f - 2>&1)
rc=$?
check "a script's usage error names its line" 2 "^gmemctl: line 3: convert: too many arguments: 'extra'" $rc "$out"
refute "and comes before any VM" 'VM on the' "$out"

# --json: one object a command, for every command.
out=$("$gmemctl" --backend memfd --json write 0 8K 0x41 read 0 fallocate 8K 4K \
	punch 8K 4K pin 0 4K unpin 0 4K request 4K 4K private \
	convert 4K 4K private guest-read 4K shared convert 0 4K shared zero \
	caps map draw stats faults sleep 0 2>/dev/null)
rc=$?
check "--json runs" 0 '"command":"faults"' $rc "$out"
verdict=$(python3 - "$out" <<'PY'
import json, sys
lines = sys.argv[1].splitlines()
objs = [json.loads(l) for l in lines]
want = ["vm", "write", "read", "fallocate", "punch", "pin", "unpin", "request",
        "convert", "guest-read", "convert", "caps", "map", "draw", "stats",
        "faults", "sleep"]
got = [o["command"] for o in objs]
assert got == want, got
c = {o["command"]: o for o in objs}
assert objs[10]["mode"] == "zero" and objs[10]["to"] == "shared", objs[10]
assert c["map"]["vms"][0]["slots"][0]["ranges"][1]["private"] is True
assert c["draw"]["cells"].startswith(":!"), c["draw"]
assert c["read"]["value"] == 0x41
assert c["guest-read"]["fault"] is True and c["guest-read"]["gpa"] == 0x100001000
vm = c["stats"]["vms"][0]
assert vm["conversions"]["zero"]["ok"] == 1, vm
assert vm["conversions"]["none"]["ok"] == 1, vm
assert vm["pins"] == 1 and vm["unpins"] == 1, vm
assert c["faults"]["vms"][0]["count"] == 1
print("json ok")
PY
)
check "--json objects say what each command did" 0 '^json ok$' $? "$verdict"
run --json pin 0 4K convert 0 8K private
check "--json failure object" 1 '"errno":"EAGAIN","message":"Resource temporarily unavailable","error_offset":0' $rc "$out"

# Completion offers the table's commands.
out=$(PATH=$(dirname "$gmemctl"):$PATH bash -c '
	source "$1"
	COMP_WORDS=(gmemctl con); COMP_CWORD=1; _gmemctl; echo "${COMPREPLY[*]}"
	COMP_WORDS=(gmemctl --type s); COMP_CWORD=2; _gmemctl; echo "${COMPREPLY[*]}"
	COMP_WORDS=(gmemctl --uapi ""); COMP_CWORD=2; _gmemctl; echo "${COMPREPLY[*]}"
	COMP_WORDS=(gmemctl help h); COMP_CWORD=2; _gmemctl; echo "${COMPREPLY[*]}"
	COMP_WORDS=(gmemctl --js); COMP_CWORD=1; _gmemctl; echo "${COMPREPLY[*]}"' sh "$completion")
check "completion offers commands and types" 0 '^convert$' $? "$(sed -n 1p <<<"$out")"
check "completion offers VM types" 0 '^sw_protected snp$' 0 "$(sed -n 2p <<<"$out")"
check "completion offers uAPI generations" 0 '^rfc-v4 v6$' 0 "$(sed -n 3p <<<"$out")"
check "completion offers help's commands" 0 '^host help$' 0 "$(sed -n 4p <<<"$out")"
check "completion offers --json" 0 '^--json$' 0 "$(sed -n 5p <<<"$out")"
exit $status
