// SPDX-License-Identifier: MIT
/*
 * Choosing a backend: the caller's option first, then the GMEM_BACKEND
 * environment variable, then the best the machine offers.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"

static unsigned int backend_from_env(void)
{
	const char *s = getenv("GMEM_BACKEND");

	if (!s || !*s || !strcmp(s, "auto"))
		return GMEM_BACKEND_AUTO;
	if (!strcmp(s, "kvm"))
		return GMEM_BACKEND_KVM;
	if (!strcmp(s, "memfd"))
		return GMEM_BACKEND_MEMFD;
	return ~0u;
}

const struct backend_ops *backend_select(unsigned int requested, int *err)
{
	if (requested == GMEM_BACKEND_AUTO)
		requested = backend_from_env();
	switch (requested) {
	case GMEM_BACKEND_AUTO:
		return backend_kvm_available() ? &backend_kvm_ops
					       : &backend_memfd_ops;
	case GMEM_BACKEND_KVM:
		if (backend_kvm_available())
			return &backend_kvm_ops;
		*err = -ENODEV;
		return NULL;
	case GMEM_BACKEND_MEMFD:
		return &backend_memfd_ops;
	default:
		*err = -EINVAL;
		return NULL;
	}
}
