/* SPDX-License-Identifier: MIT */
/*
 * White-box checks the differential target runs after every operation:
 * the library's own validators over its internal state, which the
 * black-box comparison with the model cannot see (a range tree whose
 * nodes break an invariant may still answer every query right).
 */
#ifndef GMEM_FUZZ_VALIDATE_H
#define GMEM_FUZZ_VALIDATE_H

#include <stdbool.h>
#include <stddef.h>

/* The guest_memfd behind fd: its trees, and its attributes, allocation,
 * pins and host mappings agreeing: 0, or -1 with what is broken in why. */
int fuzz_validate_file(int fd, char *why, size_t whylen);

/* Whether `at` lies in the library's own view of the guest_memfd behind
 * fd (a whole-file mapping the kernel placed where it liked). */
bool fuzz_in_library_view(int fd, const void *at);

/* Whether `at` lies in any mapping the library keeps for itself: the
 * views, and the sources its remaps copy from (whole-file mappings of a
 * file's memory and of its hole, placed where the kernel liked). */
bool fuzz_in_library_own(const void *at);

/* The VM behind fd: its attribute tree in the legacy mode. */
int fuzz_validate_vm(int fd, char *why, size_t whylen);

#endif
