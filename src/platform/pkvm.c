// SPDX-License-Identifier: MIT
/*
 * pKVM (arm64 protected VMs): private memory is not encrypted, the
 * hypervisor refuses the host access to it. ZERO zeroes in software;
 * PRESERVE is only for a conversion the guest itself asked for.
 */
#include <gmem/gmem.h>

#include "platform.h"

const struct gmem_platform platform_pkvm = {
	.name = "pkvm",
	.vm_type = KVM_VM_TYPE_ARM_PROTECTED,
	.has_private_mem = true,
	.content_modes = KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
			 KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE |
			 GMEM_ATTRIBUTES2_READABLE | GMEM_ATTRIBUTES2_DESTROY,
	.unspecified = CONTENT_ZERO,
	.keep_needs_guest_request = true,
};
