// SPDX-License-Identifier: MIT
/*
 * What KVM_SET_MEMORY_ATTRIBUTES2 asks of its argument on either path
 * (kvm_vm_ioctl_set_mem_attributes() and the guest_memfd ioctl of RFC v4,
 * R45..R52): every failure here is EINVAL and writes nothing back, so the
 * order of the checks is free.
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
			     uint64_t supported)
{
	if (!reserved_is_zero(a) || a->error_offset)
		return -EINVAL;
	if (a->attributes & ~supported)
		return -EINVAL;
	if (!a->size || a->offset + a->size < a->offset)
		return -EINVAL;
	if (!page_aligned(a->offset) || !page_aligned(a->size))
		return -EINVAL;
	return 0;
}
