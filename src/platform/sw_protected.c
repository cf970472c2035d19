// SPDX-License-Identifier: MIT
/*
 * KVM_X86_SW_PROTECTED_VM, the software-only test vehicle: private
 * memory without encryption. ZERO zeroes in software, PRESERVE keeps the
 * bytes as they are.
 */
#include <gmem/gmem.h>

#include "platform.h"

const struct gmem_platform platform_sw_protected = {
	.name = "sw_protected",
	.vm_type = KVM_X86_SW_PROTECTED_VM,
	.has_private_mem = true,
	.content_modes = KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
			 KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE |
			 GMEM_ATTRIBUTES2_READABLE | GMEM_ATTRIBUTES2_DESTROY,
	.unspecified = CONTENT_SCRAMBLE,
};
