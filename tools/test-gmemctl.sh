#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Description: gmemctl does what each command says, draws the state it
# made, fails a failing call with one line and exit 1, and a bad command
# line with exit 2.
set -u
gmemctl=$1
status=0

expect() { # description, expected exit, expected output pattern, args...
	local what=$1 code=$2 pattern=$3 out rc
	shift 3
	out=$("$gmemctl" --backend memfd "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$code" ] || ! grep -qE -- "$pattern" <<<"$out"; then
		echo "FAIL: $what: exit $rc, output:"
		echo "$out"
		status=1
	else
		echo "ok: $what"
	fi
}

expect "draw after a write and a conversion" 0 '^::PP\.{12}$' \
	--size 64K write 0 16K 0x41 convert 8K 8K private preserve draw
expect "map shows merged ranges" 0 '0x1000, +0x3000\) private' \
	--size 64K convert 4K 4K private convert 8K 4K private map
expect "preserve keeps bytes" 0 'host read 0x41 at 4K' \
	write 0 8K 0x41 convert 4K 4K private preserve \
	convert 4K 4K shared preserve read 4K
expect "private memory is SIGBUS" 1 '^gmemctl: read: SIGBUS' \
	convert 0 4K private read 0
expect "EAGAIN names the pinned page" 1 'Resource temporarily unavailable \(error_offset 0x1000\)' \
	pin 4K 4K convert 0 8K private
expect "SNP refuses PRESERVE to shared" 1 'Operation not supported \(error_offset 0\)' \
	--type snp convert 0 4K private convert 0 4K shared preserve
expect "SNP keeps an image on the way in before launch" 0 'converted \[0, 0x1000\) to private' \
	--type snp convert 0 4K private preserve
expect "pKVM keeps what the guest asked" 0 'converted \[0, 0x1000\) to private' \
	--type pkvm request 0 4K private convert 0 4K private preserve
expect "folios of a plain file" 0 '^16 folios of 4 KiB: 0 huge, 0 split, 14 unallocated$' \
	--size 64K fallocate 0 8K folios
# Huge folios need a tmpfs mounted huge=always (root).
huge=$(mktemp -d)
if mount -t tmpfs -o huge=always,size=16M gmemctl-huge "$huge" 2>/dev/null; then
	expect "one private page splits one folio" 0 '^2 folios of 2048 KiB: 1 huge, 1 split, 0 unallocated$' \
		--huge "$huge" --size 4M write 0 4M 1 convert 8K 4K private folios
	# The picture outlines the one huge folio's 512 cells (and the
	# legend's swatch), not the split one's.
	"$gmemctl" --backend memfd --huge "$huge" --size 4M write 0 4M 1 \
		convert 8K 4K private draw --svg "$huge/map.svg" >/dev/null
	expect_count() { # description, expected, actual
		if [ "$2" = "$3" ]; then echo "ok: $1"; else echo "FAIL: $1: $3, not $2"; status=1; fi
	}
	expect_count "huge folios outlined" 513 "$(grep -c 'stroke="#7b3fa0"' "$huge/map.svg")"
	umount "$huge"
else
	echo "skip: folios of a huge file: cannot mount a tmpfs (needs root)"
fi
rmdir "$huge"
expect "caps" 0 'KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS +3' caps

# A launch in place: stats follow its phase and pages, and show the digest
# once final, the one launch-finish read and the one computed here from
# the record layout of docs/LAUNCH.md.
expect "stats before a launch" 0 '^  launch +created, 0 pages measured$' \
	--type snp stats
expect "stats while measuring" 0 '^  launch +measuring, 2 pages measured$' \
	--type snp write 0 8K 0x41 convert 0 8K private preserve \
	launch-start launch-update 0 8K stats
expect "a launch measures only private pages" 1 \
	'^gmemctl: KVM_SEV_SNP_LAUNCH_UPDATE: EIO' --type snp launch-start \
	launch-update 0 4K
expect "a VM without a launch" 1 '^gmemctl: KVM_MEMORY_ENCRYPT_OP: ENOTTY' \
	launch-start
out=$("$gmemctl" --backend memfd --type snp write 0 8K 0x41 convert 0 8K \
	private preserve launch-start launch-update 0 8K launch-finish stats 2>&1)
verdict=$(python3 - "$out" <<'PY'
import hashlib, re, struct, sys
out = sys.argv[1]
finish = re.search(r"^finished: digest ([0-9a-f]{96})$", out, re.M).group(1)
shown = re.search(r"^  launch_digest +([0-9a-f]{96})$", out, re.M).group(1)
assert re.search(r"^  launch +finished, 2 pages measured$", out, re.M), out
d = bytes(48)
for i in range(2):
    gpa = 0x100000000 + i * 4096
    record = d + hashlib.sha384(b"\x41" * 4096).digest() + \
        struct.pack("<HBBBBBBQ", 0x70, 1, 0, 0, 0, 0, 0, gpa)
    d = hashlib.sha384(record).digest()
assert finish == shown == d.hex(), (finish, shown, d.hex())
print("launch ok")
PY
)
if [ "$verdict" = "launch ok" ]; then echo "ok: stats show the final SNP digest"; else
	echo "FAIL: stats show the final SNP digest: $verdict"; echo "$out"; status=1; fi
out=$("$gmemctl" --backend memfd --json --type tdx write 0 8K 0x41 convert 0 8K \
	private preserve launch-start launch-update 0 8K launch-finish stats 2>&1)
verdict=$(python3 - "$out" <<'PY'
import json, sys
objs = [json.loads(l) for l in sys.argv[1].splitlines()]
finish = [o for o in objs if o["command"] == "launch-finish"][0]
launch = [o for o in objs if o["command"] == "stats"][0]["vms"][0]["launch"]
assert launch == {"phase": "finished", "pages": 2, "digest": finish["digest"]}, launch
assert len(finish["digest"]) == 96 and finish["digest"] != "0" * 96
print("launch json ok")
PY
)
if [ "$verdict" = "launch json ok" ]; then echo "ok: stats --json show the TDX launch"; else
	echo "FAIL: stats --json show the TDX launch: $verdict"; echo "$out"; status=1; fi
out=$("$gmemctl" --backend memfd --json stats 2>&1)
if python3 -c 'import json, sys; assert json.loads(sys.argv[1].splitlines()[-1])["vms"][0]["launch"] is None' "$out"; then
	echo "ok: no launch on sw_protected"; else echo "FAIL: no launch on sw_protected: $out"; status=1; fi
expect "v6: a content mode is EINVAL" 1 'KVM_SET_MEMORY_ATTRIBUTES2: EINVAL: Invalid argument' \
	--uapi v6 convert 0 4K private preserve
expect "v6: conversions keep the bytes" 0 'host read 0x41 at 4K' \
	--uapi v6 write 0 8K 0x41 convert 4K 4K private \
	convert 4K 4K shared read 4K
expect "v6: no capability 250" 0 'KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS +0' \
	--uapi v6 caps
expect "the VM line names the generation" 0 'v6 uAPI' --uapi v6 map
GMEM_UAPI=v6 expect "GMEM_UAPI picks the generation" 0 'v6 uAPI' map
expect "bad uAPI" 2 '^gmemctl: unknown uAPI generation' --uapi v5 map
expect "unknown command" 2 '^gmemctl: unknown command' bogus
expect "missing arguments" 2 '^gmemctl: missing arguments' convert 0
expect "bad number" 2 '^gmemctl: not a number' pin 0x 4K
expect "bad type" 2 '^gmemctl: unknown VM type' --type sev map

# host: works with or without /dev/kvm, before any VM is made.
class='[bcd]' picks='kvm|memfd'
[ -e /dev/kvm ] || class=a picks=memfd
expect "host names the class" 0 "^This host: class \\($class\\)" host
expect "host says what auto picks" 0 "backend \"auto\" picks +($picks)" host
GMEM_BACKEND=memfd expect "host honours GMEM_BACKEND" 0 \
	'backend "auto" picks +memfd \(GMEM_BACKEND=memfd\)' host
expect "host alone" 2 '^gmemctl: host takes no other command' host map

# host --json: one valid object carrying the text's facts.
host_json_agrees() { # description, environment assignments...
	local what=$1 text json verdict
	shift
	text=$(env "$@" "$gmemctl" host 2>&1)
	json=$(env "$@" "$gmemctl" --json host 2>&1)
	verdict=$(python3 - "$text" "$json" <<'PY'
import json, re, sys
text, line = sys.argv[1], sys.argv[2]
assert len(line.splitlines()) == 1, "not one line"
h = json.loads(line)
assert h["command"] == "host" and h["ok"] is True, h
def value(label):
    m = re.search(r"^  %s +(.*)$" % re.escape(label), text, re.M)
    assert m, label
    return m.group(1)
m = re.match(r"This host: class \((.)\), (.*)", text)
assert (h["class"], h["class_name"]) == m.groups(), (h["class"], m.groups())
assert value("/dev/kvm").startswith("yes" if h["kvm"]["present"] else "no")
if h["kvm"]["present"]:
    assert value("guest_memfd") == ("yes" if h["kvm"]["guest_memfd"] else "no")
    assert value("VM types") == "".join(t + " " for t in h["kvm"]["vm_types"]) + \
        "(%#x)" % h["kvm"]["vm_types_mask"] if h["kvm"]["vm_types_mask"] else "(0)"
names = set()
for cap in h["caps"]:
    k = "-" if cap["kernel"] is None else ("%#x" % cap["kernel"] if cap["kernel"] else "0")
    lib = "%#x" % cap["libgmem"] if cap["libgmem"] else "0"
    assert re.search(r"^  %s +%s +%s$" % (cap["name"], re.escape(k), lib), text, re.M), cap
    names.add(cap["name"])
assert "KVM_CAP_GUEST_MEMFD" in names and len(names) == len(h["caps"]) >= 8
hp = h["huge_pages"]
assert value("transparent huge pages") == "%s (shmem: %s)" % (hp["thp"], hp["thp_shmem"])
for pool in hp["hugetlb"]:
    assert re.search(r"  %s: %s/%s$" % (pool["size"], pool["free"], pool["total"]), text, re.M), pool
b = h["backend"]
assert value('backend "auto" picks').split()[0] == b["auto"], b
if b["GMEM_BACKEND"]:
    assert value('backend "auto" picks').endswith("(GMEM_BACKEND=%s)" % b["GMEM_BACKEND"])
assert value("kvm backend") == ("available" if b["kvm_available"] else b["kvm_lacks"])
assert b["kvm_available"] == (h["class"] == "d")
assert value("gmem-vm guests").startswith("real vCPUs" if h["gmem_vm"]["guests"] == "real vCPUs" else "software")
assert h["kernel_answers"] in ("live", "live+recorded", "recorded")
skips = text.split("tests that skip", 1)[1]
flat = " ".join(skips.split())
if not h["skips"]:
    assert flat == "none", flat
for s in h["skips"]:
    assert " ".join(s["tests"].split()) in flat, s["tests"]
    assert s["because"] in (b["kvm_lacks"], h["gmem_vm"]["lacks"]), s
assert bool(h["skips"]) == (not b["kvm_available"] or h["gmem_vm"]["lacks"] is not None)
print("host json ok")
PY
)
	if [ "$verdict" = "host json ok" ]; then
		echo "ok: $what"
	else
		echo "FAIL: $what: $verdict"
		echo "$json"
		status=1
	fi
}
host_json_agrees "host --json says what the text says"
host_json_agrees "host --json names GMEM_BACKEND" GMEM_BACKEND=memfd
exit $status
