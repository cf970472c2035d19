/* SPDX-License-Identifier: MIT */
/*
 * The generation of the in-place conversion series a VM follows: the
 * content-mode uAPI of RFC v3-v5, or the v6-v8 uAPI that dropped content
 * modes (docs/UAPI-GENERATIONS.md). Fixed at VM creation; what differs
 * between the two is decided in content_mode.c, memory_attributes2.c and
 * capability.c, which ask vm_uapi_v6().
 */
#ifndef GMEM_UAPI_GENERATION_H
#define GMEM_UAPI_GENERATION_H

#include <gmem/gmem.h>

/* The generation a VM gets for the caller's gmem_vm_opts.uapi: the value
 * itself, or for GMEM_UAPI_AUTO the environment variable GMEM_UAPI, else
 * GMEM_UAPI_RFC_V4. 0, or -EINVAL for a value or a GMEM_UAPI that names
 * no generation. */
int uapi_generation_select(unsigned int requested, enum gmem_uapi *out);

/* The generation of a process-wide answer (the system fd): GMEM_UAPI if
 * it names one, else GMEM_UAPI_RFC_V4. */
enum gmem_uapi uapi_generation_default(void);

/* The name GMEM_UAPI takes for a generation, or NULL. */
const char *uapi_generation_name(int uapi);

#endif
