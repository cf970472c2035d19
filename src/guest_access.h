/* SPDX-License-Identifier: MIT */
/*
 * The trusted guest's own accesses to its memory, by guest physical
 * address (gmem_guest_read / gmem_guest_write).
 */
#ifndef GMEM_GUEST_ACCESS_H
#define GMEM_GUEST_ACCESS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct gmem_vm;

/* Copy len bytes between buf (the caller's memory) and the guest's memory
 * at gpa. len, or -errno. */
ssize_t guest_access(struct gmem_vm *vm, uint64_t gpa, void *buf, size_t len,
		     unsigned int flags, bool write);

#endif
