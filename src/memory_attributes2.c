// SPDX-License-Identifier: MIT
/*
 * What KVM_SET_MEMORY_ATTRIBUTES2 asks of its argument on either path
 * (kvm_vm_ioctl_set_mem_attributes() and the guest_memfd ioctl of RFC v4,
 * R45..R52, and of v6+, R96, R98): every failure here is EINVAL and
 * writes nothing back, so the order of the checks is free.
 */
#include <errno.h>
#include <stdbool.h>

#include "gmem_file.h"
#include "memory_attributes2.h"

static bool reserved_is_zero(const struct kvm_memory_attributes2 *a)
{
	for (size_t i = 0; i < sizeof(a->reserved) / sizeof(a->reserved[0]);
	     i++)
		if (a->reserved[i])
			return false;
	return true;
}

int memory_attributes2_check(const struct kvm_memory_attributes2 *a,
			     uint64_t supported, enum gmem_uapi uapi)
{
	/* RFC v4 refused an error_offset on input (R47); v6+ never reads
	 * the field (R96). */
	if (!reserved_is_zero(a) ||
	    (uapi == GMEM_UAPI_RFC_V4 && a->error_offset))
		return -EINVAL;
	if (a->attributes & ~supported)
		return -EINVAL;
	if (!a->size || a->offset + a->size < a->offset)
		return -EINVAL;
	if (!page_aligned(a->offset) || !page_aligned(a->size))
		return -EINVAL;
	return 0;
}

int memory_attributes2_check_gmem(const struct kvm_memory_attributes2 *a,
				  uint64_t supported, enum gmem_uapi uapi)
{
	/* v8 refuses the guest_memfd ioctl outright on a VM without private
	 * memory, even a request for attributes 0 (R98). */
	if (uapi == GMEM_UAPI_V6 && !supported)
		return -EINVAL;
	return memory_attributes2_check(a, supported, uapi);
}
