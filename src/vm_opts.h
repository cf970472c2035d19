/* SPDX-License-Identifier: MIT */
/*
 * Reading struct gmem_vm_opts from the caller, as libbpf reads its
 * options structs: the caller's sz says which fields it knows.
 */
#ifndef GMEM_VM_OPTS_H
#define GMEM_VM_OPTS_H

#include <gmem/gmem.h>

/* The caller's options in `out` (all zero for a NULL `in`). 0, -EFAULT,
 * -EINVAL for an sz that cannot be, -E2BIG if a byte this library does
 * not read is not zero. */
int vm_opts_read(const struct gmem_vm_opts *in, struct gmem_vm_opts *out);

/* A copy of the caller's string `in` (a path, up to PATH_MAX bytes with
 * its end), to gmem_free(): 0, -EFAULT, -ENAMETOOLONG or -ENOMEM. */
int vm_opts_copy_string(const char *in, char **out);

#endif
