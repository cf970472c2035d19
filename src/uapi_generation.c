// SPDX-License-Identifier: MIT
/*
 * Choosing a VM's series generation: the caller's option first, then the
 * GMEM_UAPI environment variable (for programs that cannot pass options,
 * and the preload library), then the content-mode generation, which the
 * library followed before the choice existed.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "uapi_generation.h"

static const char *const generation_names[] = {
	[GMEM_UAPI_RFC_V4] = "rfc-v4",
	[GMEM_UAPI_V6] = "v6",
};

const char *uapi_generation_name(int uapi)
{
	if (uapi != GMEM_UAPI_RFC_V4 && uapi != GMEM_UAPI_V6)
		return NULL;
	return generation_names[uapi];
}

/* GMEM_UAPI: AUTO when unset or empty, ~0u when it names nothing. */
static unsigned int generation_from_env(void)
{
	const char *s = getenv("GMEM_UAPI");

	if (!s || !*s)
		return GMEM_UAPI_AUTO;
	if (!strcmp(s, generation_names[GMEM_UAPI_RFC_V4]))
		return GMEM_UAPI_RFC_V4;
	if (!strcmp(s, generation_names[GMEM_UAPI_V6]))
		return GMEM_UAPI_V6;
	return ~0u;
}

int uapi_generation_select(unsigned int requested, enum gmem_uapi *out)
{
	if (requested == GMEM_UAPI_AUTO)
		requested = generation_from_env();
	switch (requested) {
	case GMEM_UAPI_AUTO:
		*out = GMEM_UAPI_RFC_V4;
		return 0;
	case GMEM_UAPI_RFC_V4:
	case GMEM_UAPI_V6:
		*out = requested;
		return 0;
	default:
		return -EINVAL;
	}
}

enum gmem_uapi uapi_generation_default(void)
{
	enum gmem_uapi uapi;

	return uapi_generation_select(GMEM_UAPI_AUTO, &uapi) ? GMEM_UAPI_RFC_V4
							     : uapi;
}
