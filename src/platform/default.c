// SPDX-License-Identifier: MIT
/*
 * The default VM type: no private memory, no content modes. Its
 * guest_memfd files are shared, or private from creation (no INIT_SHARED)
 * and then only ever made shared.
 */
#include <gmem/uapi.h>

#include "platform.h"

const struct gmem_platform platform_default = {
	.name = "default",
	.vm_type = KVM_X86_DEFAULT_VM,
	.has_private_mem = false,
	.content_modes = 0,
	.unspecified = CONTENT_KEEP,
};
