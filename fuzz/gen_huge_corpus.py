#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of the gmem_huge fuzz target (fuzz/gmem_huge.c):
a few stories told in its encoding, and reproducible random inputs.

Operations: one opcode byte (mod 5: 0 convert, 1 fallocate, 2 pin,
3 and 4 a host access), then the operation's own bytes:
  convert:   page (8 bytes), length code, mode, direction[, folios]
  fallocate: punch, aligned, folio[, page inside the folio]
  pin:       page (8 bytes), unpin
  host:      page (8 bytes), write, byte

    python3 fuzz/gen_huge_corpus.py [corpus-dir]  (default: fuzz/corpus)
"""
import os
import random
import struct
import sys

CONVERT, FALLOCATE, PIN, HOST = 0, 1, 2, 3
NONE, PRESERVE, ZERO = 0, 1, 2


def convert(page, npages_code, mode, private, folios=0):
    out = bytes([CONVERT]) + struct.pack("<Q", page) + bytes(
        [npages_code, mode, 1 if private else 0])
    return out + (bytes([folios]) if npages_code % 4 == 3 else b"")


def fallocate(punch, aligned, folio, inside=0):
    out = bytes([FALLOCATE, 1 if punch else 0, 1 if aligned else 0, folio])
    return out + (bytes([inside]) if not aligned else b"")


def pin(page, unpin=False):
    return bytes([PIN]) + struct.pack("<Q", page) + bytes([1 if unpin else 0])


def host(page, write=False, byte=0):
    return bytes([HOST]) + struct.pack("<Q", page) + bytes(
        [1 if write else 0, byte])


STORIES = {
    # One page of a touched folio goes private and comes back.
    "one-page-split-merge": host(0, True, 0x5a) + host(9, True, 0x11) +
    convert(7, 0, PRESERVE, True) + host(7) + host(8) +
    convert(7, 0, PRESERVE, False) + host(7) + host(9),
    # A pinned page stops a whole-folio conversion at its offset.
    "pin-in-folio": host(3, True, 1) + pin(100) + convert(0, 3, PRESERVE,
                                                          True, 0) +
    pin(100, True) + convert(0, 3, PRESERVE, True, 0) + host(100),
    # Punches: inside a folio EINVAL, whole folios free it.
    "punch-inside-and-whole": host(600, True, 7) + fallocate(True, False, 1,
                                                             5) +
    fallocate(True, True, 1) + host(600) + fallocate(False, True, 1),
    # Touched while mixed, page by page; uniform again, merged.
    "small-then-merge": convert(1, 0, NONE, True) + host(2, True, 3) +
    host(300, True, 4) + convert(1, 0, ZERO, False) + host(1) + host(300),
    # ZERO and scrambling per range inside a folio.
    "modes-in-folio": host(10, True, 9) + convert(10, 1, PRESERVE, True) +
    convert(10, 1, ZERO, False) + host(10) + convert(12, 0, NONE, True) +
    convert(12, 0, NONE, False) + host(12) + host(13),
}


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "corpus")
    out = os.path.join(root, "gmem_huge")
    os.makedirs(out, exist_ok=True)
    for name, data in STORIES.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    rng = random.Random(15)
    for i in range(12):
        with open(os.path.join(out, "random-%02d" % i), "wb") as f:
            f.write(bytes(rng.randrange(256) for _ in range(600)))


if __name__ == "__main__":
    main()
