// SPDX-License-Identifier: MIT
/*
 * The VM types the library accepts, each with its platform.
 */
#include <stddef.h>

#include "platform.h"

static const struct gmem_platform *const platforms[] = {
	&platform_default, &platform_sw_protected, &platform_pkvm,
	&platform_snp,	   &platform_tdx,
};

const struct gmem_platform *platform_for_type(unsigned long type)
{
	for (size_t i = 0; i < sizeof(platforms) / sizeof(platforms[0]); i++)
		if (platforms[i]->vm_type == type)
			return platforms[i];
	return NULL;
}
