/* SPDX-License-Identifier: MIT */
/*
 * The legacy two-backing conversion that VMMs use today, as the baseline
 * of the benchmarks that compare in-place conversion with it (QEMU's
 * kvm_convert_memory(), on the kernel's own objects): the shared side is a
 * memfd the VMM maps, the private side a guest_memfd of the same size, and
 * every conversion discards the side being left
 * (ram_block_discard_range()). Where the kernel has no guest_memfd, the
 * private side is a second memfd: the same system calls on the same kind
 * of memory (shmem), so that the ratios exist on every host; tables name
 * the private side's kind (legacy_private_kind()).
 */
#ifndef GMEM_BENCH_LEGACY_BASELINE_H
#define GMEM_BENCH_LEGACY_BASELINE_H

#include <stdbool.h>
#include <stdint.h>

struct legacy {
	int kvm, vm;	/* -1 where the private side is a memfd */
	int private_fd; /* the kernel's guest_memfd, or a memfd */
	bool private_is_memfd;
	int shared_fd; /* a memfd */
	char *shared;  /* the VMM's mapping of the shared side */
	uint64_t size;
	uint64_t unevictable; /* bytes, before the private side had any */
};

/* Both backings of `size` bytes, the shared side mapped and populated;
 * exits on error. */
void legacy_init(struct legacy *l, uint64_t size);
void legacy_fini(struct legacy *l);

/* What the tables call the private side: "guest_memfd" or "memfd". */
const char *legacy_private_kind(const struct legacy *l);

/* The halves of a conversion: discard the shared side's pages; allocate
 * the private side's (as the guest's first faults on them do). */
void legacy_punch_shared(struct legacy *l, uint64_t off, uint64_t len);
void legacy_allocate_private(struct legacy *l, uint64_t off, uint64_t len);

/* Shared-to-private: punch the shared side, allocate the private side. */
void legacy_to_private(struct legacy *l, uint64_t off, uint64_t len);

/* Private-to-shared: punch the private side, and fault the shared side's
 * pages back in through the VMM's mapping (the kernel zeroes them). */
void legacy_to_shared(struct legacy *l, uint64_t off, uint64_t len);

/* The nanoseconds of one conversion of [off, off + len), shared before
 * and after: the other direction, made untimed before or after, puts the
 * range back. */
double legacy_time_to_private(struct legacy *l, uint64_t off, uint64_t len);
double legacy_time_to_shared(struct legacy *l, uint64_t off, uint64_t len);

/* Bytes the two backings hold: the shared side's resident pages, and the
 * private side's (see legacy_baseline.c for how a guest_memfd's are
 * counted). */
uint64_t legacy_held(struct legacy *l);

#endif
