#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the seed corpus of the gmem_diff fuzz target: small inputs that
each tell one story (a platform's conversions, pKVM's guest requests, pins
and EAGAIN, mappings, injected failures, two files, malformed structs), so
that fuzzing starts from meaningful sequences rather than from nothing.

The encoding mirrors fuzz/gmem_diff.c: a 4-byte header, then operations of
9 bytes (an opcode and 8 argument bytes).

    python3 fuzz/gen_corpus.py [corpus-dir]   (default: fuzz/corpus)

It also writes reproducible random seeds for gmem_kernel.
"""
import os
import random
import sys

# Header byte 0: the VM type (index into vm_types[]).
DEFAULT, SW, PKVM, SNP, TDX, SEV = range(6)
# Header byte 1: options.
INIT_SHARED, NO_MMAP, EXPERIMENTAL, TWO_FILES, NO_BIND = 1, 2, 4, 8, 16
KVM = 0xE0  # the top three bits set: kvm backend where available
# Header byte 3, beside the second file's size: the legacy mode
# (vm_memory_attributes) and a second VM with a 4-page file of its own.
LEGACY, TWO_VMS = 0x20, 0x40
# ... and the series generation of the first VM (v6+). The second VM takes
# the other generation when the type byte is raised by FLIP_SECOND.
V6, FLIP_SECOND = 0x80, 6

(CONVERT, CONVERT2, FALLOCATE, PIN, UNPIN, MMAP, MUNMAP, HOST_READ,
 HOST_WRITE, GUEST_READ, GUEST_WRITE, REQUEST, GET_FAULT, QUERY, CREATE,
 SLOT, CAPS, STRIPE, VM_ATTRIBUTES, USER_MAP, CLOSE) = range(21)

# Mode selectors of mode_of().
M0, MZERO, MPRESERVE, MREADABLE, MENCRYPTED, MDESTROY, MRAW, MBIT, MBOTH = \
    range(9)
NOINJ = 0


def header(vm, opts, pages=8, pages2=4, more=0):
    # pages > 16: a large file, 17 + 8k pages (header byte 0xc0 + k).
    b2 = pages - 1 if pages <= 16 else 0xC0 + (pages - 17) // 8
    return bytes([vm, opts, b2, (pages2 - 1) | more])


def stripe(first, n, step=1, private=True, alternate=True, preserve=False,
           file=0):
    flags = int(private) | (2 if alternate else 0) | (4 if preserve else 0)
    return op(STRIPE, file, first & 0xFF, first >> 8, step - 1, n - 1,
              flags)


def op(code, *args):
    a = list(args) + [0] * (8 - len(args))
    return bytes([code] + [x & 0xFF for x in a])


def convert(first, n, private, mode=M0, file=0, garbage=0, extra=0,
            inject=NOINJ, from_request=False):
    # first and n above 255 use bits 0 and 1 of the last byte.
    a0 = file | (6 if from_request else 0) | garbage << 3
    hi = (first >> 8 & 1) | (n >> 8 & 1) << 1
    return op(CONVERT, a0, first, n, int(private), mode, extra, inject, hi)


def falloc(first, n, punch=False, file=0, garbage=15):
    return op(FALLOCATE, file, 2 if punch else 0, first, n, garbage)


def pin(first, n, file=0, inject=NOINJ):
    return op(PIN, file, first, n, 15, 0, 0, inject)


def unpin(first, n, file=0):
    return op(UNPIN, file, first, n, 15)


def mmap(slot, first, npages, file=0, prot=0, flags=0, inject=NOINJ):
    return op(MMAP, slot, file, first, npages - 1, prot, flags, inject)


def munmap(slot, part=0, which=0, inject=NOINJ):
    return op(MUNMAP, slot, part, which, 0, 0, 0, inject)


def host(write, slot, page, off=0, length=0xFF, seed=0x30):
    # length 0xff in a[4] means "to the end of the page".
    lo, hi = off & 0xFF, off >> 8
    return op(HOST_WRITE if write else HOST_READ, slot, page, lo, hi,
              length, 0, seed)


def guest(write, page, off=0, length=4096, kind=0, seed=0x50, vm=0,
          high=False):
    # kind 0: the page's own kind; 3: shared; 4: private; 5: bad flag.
    # high: page of the extra slots' window; vm 1: the second VM.
    return op(GUEST_WRITE if write else GUEST_READ, page, off & 0xFF,
              off >> 8 | (0x80 if high else 0), length & 0xFF, length >> 8,
              kind | vm << 3, seed)


def vm_attrs(page, n, private, vm=0, two=False, high=False, garbage=15,
             extra=0):
    a0 = vm | (2 if two else 0) | (4 if high else 0)
    return op(VM_ATTRIBUTES, a0, page, n - 1, int(private), garbage, extra)


# Memslot kinds of op_memslot(): guest_memfd, bad descriptor, guest_memfd
# with READONLY (EINVAL), plain.
SLOT_GMEM, SLOT_BADFD, SLOT_GMEM_RO, SLOT_PLAIN = 0, 2, 3, 4


def memslot(which, kind=SLOT_GMEM, file=0, offset=0, npages=1, gpa_page=0,
            high=True, vm=0, user=True, reissue=False, readonly=False):
    # which: VM 0's slots 2 and 3 (which 0, 1), VM 1's 5, 6, 7 (0..2).
    a1 = 1 | which << 1 if vm else (2 if which else 4)  # never 0: toggle
    a7 = (0 if user else 1) | (2 if readonly else 0) | (
        0x80 if reissue else 0)
    return op(SLOT, 0, a1, kind, file, offset, npages - 1,
              gpa_page | (0x80 if high else 0), a7)


def user_map(slot, action, part=0, which=0, prot=0, seed=0x77):
    # action: 0 munmap, 1 munmap and reuse, 2 MAP_FIXED over, 3 mprotect
    # (prot: READ, NONE, READ|WRITE, WRITE), 4 madvise(MADV_DONTNEED).
    return op(USER_MAP, slot, part, which, action, prot, seed)


def close(file=0):
    return op(CLOSE, file)


def request(page, n, to_private, garbage=15, inject=NOINJ, times=1):
    burst = 0x80 | (times - 1) if times > 1 else 0
    return op(REQUEST, page, n, int(to_private), garbage, burst, 0, inject)


def query(kind, first, n, file=0, max_=17):
    return op(QUERY, kind, file, first, n, 7, max_)


SEEDS = {
    # SW_PROTECTED: the host writes, PRESERVE to private, the guest reads
    # and writes, mode 0 back (scrambled), ZERO, punch.
    "sw_roundtrip": header(SW, INIT_SHARED, 8) + b"".join([
        mmap(0, 0, 8),
        host(True, 0, 1), host(True, 0, 2, seed=0x41),
        convert(1, 2, True, MPRESERVE),
        guest(False, 1, kind=4), guest(True, 2, 100, 300, kind=4),
        convert(1, 2, False, M0),
        host(False, 0, 1), host(False, 0, 2),
        convert(0, 8, False, MZERO), host(False, 0, 2),
        falloc(3, 2, punch=True), host(False, 0, 3),
    ]),
    # The same on the kernel's guest_memfd, where the machine has one.
    "sw_kvm_backend": header(SW, INIT_SHARED | KVM, 6) + b"".join([
        mmap(0, 0, 6), host(True, 0, 0), host(True, 0, 5),
        convert(0, 6, True, MPRESERVE), guest(False, 0, kind=4),
        guest(True, 5, kind=4), convert(5, 1, False, MPRESERVE),
        host(False, 0, 5), falloc(0, 6, punch=True),
    ]),
    # pKVM: PRESERVE only as the guest asked, and the request is used up.
    "pkvm_request": header(PKVM, INIT_SHARED, 8) + b"".join([
        mmap(0, 0, 8), host(True, 0, 2), host(True, 0, 3),
        convert(2, 2, True, MPRESERVE),           # EOPNOTSUPP: not asked
        request(2, 2, True),
        convert(0, 0, False, MPRESERVE, from_request=True),
        guest(False, 2, kind=4),
        convert(0, 0, False, MPRESERVE, from_request=True),  # used up
        request(2, 2, False),
        convert(0, 0, False, MPRESERVE, from_request=True),
        host(False, 0, 2), convert(2, 2, True, M0), guest(False, 3),
    ]),
    # SEV-SNP: ciphertext at rest; mode 0 to shared shows it to the host.
    "snp_cipher": header(SNP, INIT_SHARED, 8) + b"".join([
        mmap(0, 0, 8), host(True, 0, 1), convert(1, 2, True, M0),
        guest(False, 1, kind=4), guest(True, 2, kind=4),
        convert(1, 2, False, M0), host(False, 0, 1), host(False, 0, 2),
        convert(1, 1, True, MZERO), convert(1, 2, False, MZERO),
        host(False, 0, 2), falloc(4, 2), convert(4, 2, True, M0),
        guest(False, 4, kind=4), convert(4, 2, False, M0),
        host(False, 0, 4),
    ]),
    # TDX, starting private: the guest writes, then ZERO to shared.
    "tdx_private_start": header(TDX, 0, 6) + b"".join([
        mmap(0, 0, 6), guest(True, 0, kind=4), guest(True, 1, 7, 99,
                                                       kind=4),
        host(False, 0, 0), convert(0, 1, False, MZERO), host(False, 0, 0),
        convert(1, 1, False, M0), host(False, 0, 1),
        convert(0, 2, True, MPRESERVE), op(GET_FAULT),
    ]),
    # The default VM: no private memory, no content modes.
    "default_vm": header(DEFAULT, 0, 4) + b"".join([
        mmap(0, 0, 4), host(False, 0, 0), convert(0, 4, True, M0),
        convert(0, 2, False, M0), host(True, 0, 1),
        convert(0, 2, False, MZERO), guest(False, 2, kind=4),
        op(CAPS, 5), op(CAPS, 4),
    ]),
    # Pins: EAGAIN at the first pinned page; page-wise conversion of the
    # others; unpin and convert the lot.
    "pins_eagain": header(SW, INIT_SHARED, 8) + b"".join([
        pin(3, 2), pin(4, 1), convert(0, 8, True, MPRESERVE),
        convert(0, 3, True, MPRESERVE), pin(1, 1), unpin(3, 2),
        convert(3, 5, True, M0), unpin(4, 1), convert(3, 5, True, M0),
        unpin(4, 1), falloc(0, 8, punch=True),
    ]),
    # Mappings: read-only, PROT_NONE, exec, private, offset, past the end;
    # partial unmaps.
    "mappings": header(SW, INIT_SHARED, 4) + b"".join([
        mmap(0, 0, 4, prot=2), host(True, 0, 1), host(False, 0, 1),
        mmap(1, 2, 6), host(True, 1, 0), host(False, 1, 3),
        mmap(2, 0, 2, prot=3), host(False, 2, 0),
        mmap(3, 0, 2, prot=4), mmap(3, 0, 2, flags=3),
        mmap(3, 1, 3, flags=2), convert(1, 1, True, M0),
        host(False, 3, 0), host(True, 1, 0),
        munmap(3, 3, 0), munmap(1, 1), munmap(1, 2),
        convert(1, 1, False, MPRESERVE), host(False, 3, 0),
    ]),
    # Guest accesses: mismatch records a fault, read once; crossing pages
    # and files; unbound addresses.
    "guest_faults": header(SW, INIT_SHARED | TWO_FILES, 4, 4) + b"".join([
        convert(2, 1, True, M0), guest(False, 1, 100, 8192, kind=3),
        op(GET_FAULT), op(GET_FAULT), guest(True, 3, 4000, 200, kind=3),
        guest(False, 2, 0, 64, kind=4), guest(False, 9, kind=3),
        guest(False, 0, 0, 0, kind=5), op(SLOT, 1),
        guest(False, 5, kind=3), op(SLOT, 1), guest(True, 6, kind=3),
    ]),
    # Injected allocation failures: each failed call must change nothing.
    "inject": header(SW, INIT_SHARED, 6) + b"".join([
        convert(1, 2, True, MPRESERVE, inject=0xF0),
        convert(1, 2, True, MPRESERVE, inject=0xF1),
        convert(0, 6, True, MPRESERVE, inject=0xF3),
        pin(0, 2, inject=0xF0), pin(0, 2, inject=0xF2),
        mmap(0, 0, 6, inject=0xF0), mmap(0, 0, 6, inject=0xF1),
        munmap(0, 3, 1, inject=0xF0), request(0, 2, True, inject=0xF0),
        convert(0, 1, False, MZERO, inject=0xF2),
    ]),
    # Malformed requests: each malformation of the struct once.
    "malformed": header(SW, INIT_SHARED, 4) + b"".join(
        convert(1, 1, True, MPRESERVE, garbage=g, extra=3)
        for g in range(24, 32)) + b"".join([
        convert(0, 1, True, MRAW, extra=0x03),
        convert(0, 1, True, MBIT, extra=63), convert(0, 1, True, MBOTH),
        convert(0, 0, True), convert(3, 3, True), convert(5, 1, False),
    ]),
    # Experimental policies: DESTROY frees, READABLE keeps, ENCRYPTED.
    "experimental": header(SNP, INIT_SHARED | EXPERIMENTAL, 6) + b"".join([
        mmap(0, 0, 6), host(True, 0, 0), host(True, 0, 1),
        convert(0, 2, True, MREADABLE), convert(0, 2, True, M0),
        guest(True, 0, kind=4), convert(0, 2, False, MENCRYPTED),
        host(False, 0, 0), convert(0, 2, True, MDESTROY),
        guest(False, 0, kind=4), convert(0, 2, False, MDESTROY),
    ]),
    "experimental_sw": header(SW, INIT_SHARED | EXPERIMENTAL, 4) + b"".join([
        mmap(0, 0, 4), host(True, 0, 1), convert(0, 4, True, MREADABLE),
        guest(False, 1, kind=4), convert(0, 4, False, MDESTROY),
        host(False, 0, 1), convert(0, 4, True, MRAW, extra=0x0C),
    ]),
    # Creations with every kind of size and flags; the first small one
    # becomes a second file.
    "create": header(PKVM, INIT_SHARED, 4) + b"".join([
        op(CREATE, s, f, 3, 5, 1, 2, 7) for s, f in
        [(1, 0), (2, 0), (3, 1), (4, 2), (5, 0), (6, 0), (7, 1),
         (0, 4), (0, 5), (0, 6), (0, 7), (0, 0)]]) + b"".join([
        guest(True, 5, kind=3), op(SLOT, 1), guest(True, 5, kind=3),
        convert(0, 4, True, M0, file=1), query(0, 0, 4, file=1),
    ]),
    # Queries with odd ranges and small arrays.
    "queries": header(TDX, INIT_SHARED, 8) + b"".join([
        convert(2, 3, True, M0), query(0, 0, 8, max_=1),
        query(0, 1, 5, max_=2), query(0, 0, 0, max_=0),
        query(0, 0, 9), query(1, 4, 0), query(1, 8, 0),
        query(2, 0, 8), query(3, 0, 8), query(3, 0, 0),
        op(QUERY, 0, 0, 1, 1, 0, 9), op(QUERY, 2, 0, 1, 1, 1, 9),
    ]),
    # fallocate: every mode and malformation.
    "fallocate": header(SW, INIT_SHARED, 4) + b"".join(
        op(FALLOCATE, 0, m, 1, 2, g, 0x55) for m in range(8)
        for g in (15, 0, 1, 2, 3, 4, 5)),
    # pKVM requests: bad ranges, two slots, more than 64 requests.
    "requests": header(PKVM, INIT_SHARED | TWO_FILES, 4, 4) + b"".join([
        request(0, 0, True), request(0, 1, True, garbage=0),
        request(0, 1, True, garbage=1), request(0, 1, True, garbage=2),
        request(3, 2, True), request(4, 2, True), request(9, 1, True),
        request(1, 1, False), request(2, 1, True, times=64),
        convert(1, 1, False, MPRESERVE),          # pushed out: EOPNOTSUPP
        convert(2, 1, True, MPRESERVE),
    ]),
    "invalid_vm": header(SEV, 0, 4) + convert(0, 1, True),
    # A large file: hundreds of ranges split the attribute tree; whole-
    # file conversions merge them back; EAGAIN deep in a long range.
    "tree_split": header(SW, INIT_SHARED, 505) + b"".join([
        stripe(0, 64), stripe(128, 64), stripe(256, 64, step=2),
        stripe(384, 64, private=False), op(QUERY, 0, 0, 0, 0, 7, 255),
        pin(200, 1), convert(0, 505, True, M0), convert(0, 0, True, M0),
        unpin(200, 1), stripe(64, 64, alternate=False),
        stripe(1, 64, step=3, private=False), falloc(0, 200),
        stripe(0, 64, step=4), convert(0, 505, False, MPRESERVE),
        convert(300, 200, True, M0), convert(10, 490, False, MZERO),
    ]),
    # Points the documents leave open, pinned by the model's reading
    # (docs/FUZZING.md, "Readings of open points").
    "open_destroy_pinned": header(SW, INIT_SHARED | EXPERIMENTAL, 4) +
    b"".join([
        mmap(0, 0, 4), host(True, 0, 1), pin(1, 1),
        convert(0, 4, False, MDESTROY), host(False, 0, 1),
        convert(0, 4, True, M0), unpin(1, 1), convert(0, 4, True, M0),
        convert(0, 2, True, MRAW, extra=0x14),
    ]),
    "open_request_used_by_mode0": header(PKVM, INIT_SHARED, 4) + b"".join([
        request(0, 2, True), convert(0, 0, True, M0, from_request=True),
        convert(0, 2, False, M0), convert(0, 0, True, MPRESERVE,
                                          from_request=True),
        request(0, 2, True), request(0, 2, True),
        convert(0, 0, True, MPRESERVE, from_request=True),
        convert(0, 2, False, M0),
        convert(0, 0, True, MPRESERVE, from_request=True),
    ]),
    "open_edges": header(SW, INIT_SHARED, 4) + b"".join([
        query(0, 4, 0, max_=0), query(0, 4, 0), query(2, 4, 0),
        query(1, 3, 0), guest(False, 0, 0, 0, kind=5),
        guest(False, 9, 0, 0, kind=3), op(GET_FAULT),
    ]),
    # Reproducers of the divergences found (docs/FUZZING.md), fixed in
    # src/ since: regression inputs now.
    "regress_1_private_read_allocates": header(TDX, 0, 4) + b"".join([
        guest(False, 0, 0, 64, kind=4),
    ]),
    "regress_1b_private_read_stable": header(SNP, INIT_SHARED, 4) + b"".join([
        mmap(0, 0, 4), falloc(0, 1), convert(0, 1, True, M0),
        guest(False, 0, 0, 64, kind=4), convert(0, 1, False, M0),
        host(False, 0, 0, 0, 1), convert(0, 1, True, M0),
        guest(False, 0, 0, 64, kind=4),
    ]),
    "regress_2_punched_pin_busy": header(SW, INIT_SHARED, 4) + b"".join([
        pin(1, 1), falloc(0, 4, punch=True), convert(0, 4, True, M0),
    ]),
    "regress_3_refallocate": header(SNP, 0, 4) + b"".join([
        falloc(0, 1), falloc(0, 1), guest(False, 0, 0, 64, kind=4),
    ]),
    # Issue 12's guest-side differences, found again by gmem_diff in the
    # legacy mode: a private access that no guest_memfd slot backs is a
    # memory fault; shared accesses to a slot whose file cannot be mapped
    # go to its userspace_addr (the slot's user memory here).
    "regress_4_legacy_unbacked_private": header(SW, 0, 4, more=LEGACY) +
    b"".join([
        op(SLOT), guest(False, 0, kind=4), op(GET_FAULT),
        vm_attrs(0, 6, True), guest(False, 1, kind=4), op(GET_FAULT),
        guest(False, 5, kind=4), op(GET_FAULT),
        memslot(0, SLOT_PLAIN, npages=2), vm_attrs(0, 2, True, high=True),
        guest(False, 0, kind=4, high=True), op(GET_FAULT),
        guest(False, 5, kind=3), op(GET_FAULT),
    ]),
    "regress_5_legacy_shared_userspace_addr": header(
        SNP, NO_MMAP | TWO_FILES, 4, 4, LEGACY) + b"".join([
        guest(True, 1, kind=3, seed=0x33), guest(False, 1, kind=3),
        vm_attrs(1, 1, True), guest(True, 1, kind=4),
        guest(False, 1, kind=4), vm_attrs(1, 1, False),
        guest(False, 1, 0, 8192, kind=3), close(0),
        guest(False, 2, kind=3), guest(True, 2, 5, 100, kind=3),
        guest(False, 6, 4000, 200, kind=3),
    ]),
    "tree_split_pkvm": header(PKVM, 0, 257) + b"".join([
        stripe(0, 64, private=False), stripe(64, 64, step=2),
        stripe(100, 64, step=3, private=False), request(0, 4, True),
        convert(0, 0, True, MPRESERVE, from_request=True),
        stripe(5, 64, step=1, preserve=True), op(QUERY, 0, 0, 0, 0, 7, 9),
    ]),
    # The legacy mode (vm_memory_attributes): the VM holds the attributes
    # by gpa, the guest_memfd ioctl is ENOTTY, the capabilities say so,
    # files start private (no INIT_SHARED), guest accesses follow the VM's
    # attributes; every malformation of the VM ioctl.
    "legacy_vm_attributes": header(SW, TWO_FILES, 4, 4, LEGACY) + b"".join([
        convert(0, 1, True), op(CAPS, 1), op(CAPS, 2), op(CAPS, 3),
        op(CAPS, 4), op(CAPS, 5),
        guest(True, 0, kind=3), guest(False, 0, kind=3),
        guest(False, 0, kind=4), op(GET_FAULT),
        vm_attrs(0, 2, True), guest(False, 0, kind=4),
        guest(True, 1, 10, 300, kind=4), guest(False, 0, 0, 8192, kind=4),
        guest(False, 1, 0, 8192, kind=4), op(GET_FAULT),
        vm_attrs(0, 8, False, two=True), guest(False, 1, kind=3),
        guest(True, 3, 4000, 300, kind=3),
    ]) + b"".join(vm_attrs(0, 1, True, garbage=g, extra=x, two=t)
                  for g, x, t in [(0, 5, 0), (1, 1, 0), (1, 2, 0), (2, 3, 0),
                                  (3, 7, 0), (4, 0, 0), (5, 0, 0), (6, 9, 0),
                                  (7, 4, 1), (7, 4, 0), (8, 0, 0),
                                  (8, 1, 1)]) + b"".join([
        mmap(0, 0, 4), host(False, 0, 0), pin(0, 1),
        op(CREATE, 0, 0), op(CREATE, 0, 1),
    ]),
    # SEV-SNP in the legacy mode: the private view through the cipher,
    # the shared view of a guest_memfd made with MMAP from the file.
    "legacy_snp": header(SNP, 0, 4, 4, LEGACY) + b"".join([
        guest(True, 0, kind=3, seed=0x21), vm_attrs(0, 1, True),
        guest(False, 0, kind=4), guest(True, 0, 64, 64, kind=4),
        vm_attrs(0, 1, False), guest(False, 0, kind=3),
    ]),
    # Two VMs at once, each with its own file bound at the same gpa: no
    # access, fault, request or binding crosses from one to the other.
    "two_vms": header(SW, INIT_SHARED, 4, 4, TWO_VMS) + b"".join([
        guest(True, 0, kind=3, vm=1, seed=0x11), guest(False, 0, kind=3),
        guest(False, 0, kind=3, vm=1), convert(0, 4, True, M0, file=2),
        guest(False, 0, kind=3, vm=1), op(GET_FAULT), op(GET_FAULT, 1),
        memslot(0, file=2, npages=2), op(REQUEST, 0, 1, 1, 15, 0, 1),
        convert(0, 1, False, MPRESERVE, file=2), mmap(0, 0, 4, file=2),
        host(True, 0, 0), guest(False, 0, kind=0, vm=1),
        op(CREATE, 0, 1, 3, 0, 0, 0, 0, 1), op(CAPS, 5, 1),
        memslot(0, file=2, offset=1, npages=2, vm=1),
        guest(False, 0, kind=0, vm=1, high=True),
    ]),
    # v6+ (R93..R99): every mode EINVAL, mode 0 keeps the bytes both
    # ways, an already converted range is left alone, pins still EAGAIN,
    # no capability 248 or 250.
    "v6_sw": header(SW, INIT_SHARED, 8, 4, V6) + b"".join([
        mmap(0, 0, 8), host(True, 0, 1), host(True, 0, 2, seed=0x41),
        convert(1, 2, True, MPRESERVE), convert(1, 2, True, MZERO),
        convert(1, 2, True, MBIT), convert(1, 2, True, M0),
        guest(False, 1, kind=4), guest(True, 2, 100, 300, kind=4),
        convert(1, 2, True, M0), guest(False, 2, kind=4),
        convert(1, 2, False, M0), host(False, 0, 1), host(False, 0, 2),
        pin(5, 1), convert(4, 4, True, M0), unpin(5, 1),
        convert(4, 4, True, M0), falloc(3, 2, punch=True),
        op(CAPS, 4), op(CAPS, 5), op(CAPS, 6),
    ]),
    "v6_pkvm": header(PKVM, INIT_SHARED, 8, 4, V6) + b"".join([
        mmap(0, 0, 8), host(True, 0, 2), host(True, 0, 3),
        convert(2, 2, True, M0), guest(False, 2, kind=4),
        request(2, 2, False), convert(0, 0, False, MPRESERVE,
                                     from_request=True),
        convert(2, 2, False, M0), host(False, 0, 2), host(False, 0, 3),
    ]),
    "v6_snp": header(SNP, INIT_SHARED | EXPERIMENTAL, 8, 4, V6) + b"".join([
        mmap(0, 0, 8), host(True, 0, 1), convert(1, 2, True, M0),
        guest(False, 1, kind=4), guest(True, 2, kind=4),
        convert(1, 2, False, MENCRYPTED), convert(1, 2, False, M0),
        host(False, 0, 1), host(False, 0, 2), convert(1, 2, True, M0),
        guest(False, 1, kind=4), op(CAPS, 5),
    ]),
    "v6_default_vm": header(DEFAULT, 0, 4, 4, V6) + b"".join([
        mmap(0, 0, 4), convert(0, 4, True, M0), convert(0, 2, False, M0),
        host(False, 0, 0), op(CAPS, 4), op(CAPS, 5),
    ]),
    # v6+ with per-VM attributes: the VM takes only the older ioctl.
    "v6_legacy": header(SW, 0, 4, 4, LEGACY | V6) + b"".join([
        vm_attrs(0, 2, True, two=True), vm_attrs(0, 2, True),
        vm_attrs(0, 1, False), convert(0, 1, False), op(CAPS, 4),
        op(CAPS, 5), guest(False, 0, kind=4),
    ]),
    # One VM of each generation side by side: each keeps its own rules.
    "v6_two_generations": header(SW + FLIP_SECOND, INIT_SHARED, 4, 4,
                                 TWO_VMS | V6) + b"".join([
        mmap(0, 0, 4), host(True, 0, 0), convert(0, 4, True, M0),
        convert(0, 4, False, M0), host(False, 0, 0),
        convert(0, 4, True, M0, file=2), convert(0, 4, False, MZERO,
                                                 file=2),
        convert(0, 4, True, MZERO), op(CAPS, 5), op(CAPS, 5, 1),
        op(CAPS, 6, 1),
    ]),
    # Memslots at an offset into a file: two slots share a file (R33:
    # overlapping file ranges EINVAL, adjacent fine; gpa overlap EEXIST),
    # accesses cross from one to the other; R35 for guest_memfd slots;
    # plain slots move, keep their read-only flag, give no memory.
    "memslot_offsets": header(SW, INIT_SHARED, 8) + b"".join([
        op(SLOT), memslot(0, offset=2, npages=3, gpa_page=0),
        memslot(1, offset=4, npages=2, gpa_page=10),
        memslot(1, offset=5, npages=3, gpa_page=2),
        memslot(1, offset=5, npages=3, gpa_page=3),
        guest(True, 2, 100, 8000, kind=3, high=True), mmap(0, 0, 8),
        host(False, 0, 4), host(False, 0, 5),
        op(REQUEST, 0, 3, 1, 0x8F), convert(0, 0, False, MPRESERVE,
                                           from_request=True),
        convert(2, 4, True, MPRESERVE), guest(False, 0, kind=4, high=True),
        memslot(0, offset=2, npages=3, reissue=True), memslot(0),
        guest(False, 1, kind=0, high=True), memslot(0, SLOT_PLAIN,
                                                    npages=2, gpa_page=20),
        guest(False, 20, kind=3, high=True),
        memslot(0, SLOT_PLAIN, npages=2, gpa_page=30, reissue=True),
        memslot(0, SLOT_PLAIN, npages=2, gpa_page=30, reissue=True,
                readonly=True),
        memslot(0), memslot(0, SLOT_BADFD), memslot(0, SLOT_GMEM_RO),
        memslot(0, offset=8), memslot(0, offset=6, npages=3),
    ]),
    # Closing a file while it is mapped and bound: the mapping keeps it
    # (R8), its slot stays unbound (R36), its requests go.
    "close_mapped_bound": header(PKVM, INIT_SHARED, 4) + b"".join([
        mmap(0, 0, 4), host(True, 0, 1), request(0, 2, True),
        convert(2, 1, True, M0), close(0), host(False, 0, 1),
        host(False, 0, 2), host(True, 0, 3), guest(False, 1, kind=3),
        op(GET_FAULT), memslot(0, file=0), op(SLOT, 1), op(SLOT, 0),
        op(CREATE, 0, 1), guest(False, 1, kind=3), munmap(0),
    ]),
    # The user's own actions on the library's mappings (plain munmap,
    # reuse of the address, MAP_FIXED over, mprotect, MADV_DONTNEED), each
    # followed by conversions both ways (GMEM_FUZZ_NO_FOREIGN=1 skips
    # them).
    "foreign_reuse": header(SW, INIT_SHARED, 4) + b"".join([
        mmap(0, 0, 4), host(True, 0, 0), user_map(0, 1),
        convert(0, 4, True, M0), convert(0, 4, False, M0), mmap(1, 0, 4),
        host(False, 1, 0),
    ]),
    "foreign_each": header(SW, INIT_SHARED, 4) + b"".join([
        mmap(1, 0, 4), host(True, 1, 0), user_map(1, 0, part=1),
        convert(0, 4, True, M0), convert(0, 4, False, M0),
        user_map(1, 1, part=2), convert(0, 4, True, MPRESERVE),
        convert(0, 4, False, MPRESERVE), user_map(1, 2, part=3, which=0),
        convert(1, 1, True, M0), convert(1, 1, False, MZERO),
        user_map(1, 3, part=3, which=1), host(True, 1, 2),
        convert(2, 1, True, M0), convert(2, 1, False, M0),
        host(True, 1, 2), host(False, 1, 2),
        user_map(1, 4, part=3, which=1), host(False, 1, 2),
    ]),
    "foreign_mprotect": header(SNP, INIT_SHARED, 4) + b"".join([
        mmap(2, 0, 2), host(True, 2, 1), user_map(2, 3, part=1, prot=1),
        convert(0, 2, True, M0), convert(0, 2, False, M0),
        host(False, 2, 0), host(False, 2, 1),
        user_map(2, 3, part=2, prot=3), convert(1, 1, True, M0),
        convert(1, 1, False, MZERO), host(True, 2, 1),
    ]),
}


# gmem_kernel takes its bytes as they come (a choice per byte), so its
# seeds are reproducible random inputs of every length.
KERNEL_SEEDS = 24


def kernel_seed(n):
    rnd = random.Random(n)
    return bytes(rnd.randrange(256) for _ in range(40 + 24 * n))


def write(out, seeds):
    os.makedirs(out, exist_ok=True)
    for name, data in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"{len(seeds)} seeds in {out}")


def main():
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    write(os.path.join(top, "gmem_diff"), SEEDS)
    write(os.path.join(top, "gmem_kernel"),
          {f"random_{n:02d}": kernel_seed(n) for n in range(KERNEL_SEEDS)})


if __name__ == "__main__":
    main()
