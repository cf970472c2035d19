#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Description: the conformance cases' plain syscalls, run under
libgmem-preload.so, reach the library driver's answers on every case.

For each generation of the series' uAPI (GMEM_UAPI rfc-v4, then v6), runs
the suite twice: the library way (gmem-kvm or gmem-memfd, "/v6" for v6:
the backend the preload's VMs get, by GMEM_BACKEND and what the host
offers), and the kernel way of a build that links no libgmem
("preload"), under LD_PRELOAD. Every case the library way answers must
have the same answer under the preload; a case the library does not
promise on its backend ("n/a") is listed, not compared. Exit 0 if all agree, 1 if one differs, 77 without /dev/kvm
(the preload then leaves open("/dev/kvm") failing, as the kernel does).

usage: preload-agrees.py CONFORMANCE CONFORMANCE_KERNEL PRELOAD ANSWERS
"""
import os
import subprocess
import sys

CONFORMANCE = KERNEL_ONLY = None


def table(argv, env, way):
    """{case: cell} of column `way`, from the suite's printed table."""
    out = subprocess.run(argv, env=env, capture_output=True, text=True)
    lines = out.stdout.splitlines()
    heads = [i for i, l in enumerate(lines) if l.startswith("case  ")]
    if not heads:
        sys.exit("no table from %s (exit %d):\n%s%s" %
                 (argv[0], out.returncode, out.stdout, out.stderr))
    head = lines[heads[0]]
    start = head.index("  " + way + " ") + 2
    end = head.index("  verdict")
    cells = {}
    for line in lines[heads[0] + 1:]:
        if line.startswith("(*"):
            break
        name = line[:head.index("  rule")].rstrip()
        cell = line[start:end].strip()
        cells[name] = cell.removesuffix(" *").strip()
    return cells


def backend():
    """The backend the preload's VMs get here."""
    want = os.environ.get("GMEM_BACKEND", "auto")
    if want in ("auto", ""):
        probe = subprocess.run([CONFORMANCE, "--backend", "gmem-kvm",
                                "--only", "vm/type 0"],
                               capture_output=True, text=True)
        want = "kvm" if probe.returncode == 0 else "memfd"
    return want


def compare(uapi, way, answers, preload):
    """Differences between the library way and the preload in `uapi`."""
    env = dict(os.environ, GMEM_UAPI=uapi)
    lib = table([CONFORMANCE, "--backend", way, "--answers", answers], env,
                way)
    env["LD_PRELOAD"] = preload
    pre = table([KERNEL_ONLY, "--backend", "preload"], env, "preload")
    differ = unpromised = 0
    for name, want in lib.items():
        got = pre.get(name)
        if want == "n/a":
            unpromised += 1
            print("n/a: %s: the library does not promise it on %s "
                  "(preload: %s)" % (name, way, got))
        elif got != want:
            differ += 1
            print("DIFFER: %s: %s %s, preload %s" % (name, way, want, got))
    for name in sorted(set(pre) ^ set(lib)):
        differ += 1
        print("DIFFER: %s: run one way only" % name)
    print("preload (GMEM_UAPI=%s): %d cases, %d agree with %s, %d differ, "
          "%d n/a" % (uapi, len(lib), len(lib) - differ - unpromised, way,
                      differ, unpromised))
    return differ


def main():
    global CONFORMANCE, KERNEL_ONLY
    CONFORMANCE, KERNEL_ONLY, preload, answers = sys.argv[1:5]
    preload = os.path.abspath(preload)
    try:
        os.close(os.open("/dev/kvm", os.O_RDWR))
    except OSError as e:
        print("SKIP: /dev/kvm: %s: the preload serves no VM here" %
              e.strerror)
        return 77
    way = "gmem-" + backend()
    differ = compare("rfc-v4", way, answers, preload)
    differ += compare("v6", way + "/v6", answers, preload)
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main())
