// SPDX-License-Identifier: MIT
/*
 * Intel TDX: private memory is encrypted at rest. ZERO is done in
 * software for private-to-shared (the TDX module only zeroes pages it
 * unmaps from the Secure-EPT); PRESERVE is refused (RFC v4).
 */
#include <gmem/gmem.h>

#include "platform.h"

const struct gmem_platform platform_tdx = {
	.name = "tdx",
	.vm_type = KVM_X86_TDX_VM,
	.has_private_mem = true,
	.content_modes =
		KVM_SET_MEMORY_ATTRIBUTES2_ZERO | GMEM_ATTRIBUTES2_DESTROY,
	.unspecified = CONTENT_KEEP,
	.encrypted = true,
};
