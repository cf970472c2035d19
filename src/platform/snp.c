// SPDX-License-Identifier: MIT
/*
 * AMD SEV-SNP: private memory is encrypted at rest. ZERO is done in
 * software for private-to-shared; PRESERVE is refused (RFC v4).
 */
#include <gmem/gmem.h>

#include "platform.h"

const struct gmem_platform platform_snp = {
	.name = "snp",
	.vm_type = KVM_X86_SNP_VM,
	.has_private_mem = true,
	.content_modes = KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
			 GMEM_ATTRIBUTES2_ENCRYPTED | GMEM_ATTRIBUTES2_DESTROY,
	.unspecified = CONTENT_KEEP,
	.encrypted = true,
};
