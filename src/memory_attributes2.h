/* SPDX-License-Identifier: MIT */
/*
 * The argument of KVM_SET_MEMORY_ATTRIBUTES2, and of the older
 * KVM_SET_MEMORY_ATTRIBUTES read into it with its extra words zero: the
 * checks both paths make of it, the VM's (vm_attributes.c) and the
 * guest_memfd's (convert.c). Each path checks its flags and its bounds
 * itself.
 */
#ifndef GMEM_MEMORY_ATTRIBUTES2_H
#define GMEM_MEMORY_ATTRIBUTES2_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/gmem.h>

/* Reserved words zero (and error_offset, under RFC v4), attributes among
 * `supported`, a non-empty page-aligned range that does not wrap. 0 or
 * -EINVAL. */
int memory_attributes2_check(const struct kvm_memory_attributes2 *a,
			     uint64_t supported, enum gmem_uapi uapi);

/* Whether the VM fd takes KVM_SET_MEMORY_ATTRIBUTES2 (in the per-VM
 * mode): RFC v4's did; v6+ has only the guest_memfd one, keeping the
 * struct ready for the VM ioctl later (R95). */
static inline bool memory_attributes2_on_vm(enum gmem_uapi uapi)
{
	return uapi == GMEM_UAPI_RFC_V4;
}

/* The guest_memfd path's checks: the above, and under v6+ none at all on
 * a VM without private memory (`supported` 0). 0 or -EINVAL. */
int memory_attributes2_check_gmem(const struct kvm_memory_attributes2 *a,
				  uint64_t supported, enum gmem_uapi uapi);

#endif
