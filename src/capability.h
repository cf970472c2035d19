/* SPDX-License-Identifier: MIT */
/*
 * KVM_CHECK_EXTENSION: what the system and each VM report.
 */
#ifndef GMEM_CAPABILITY_H
#define GMEM_CAPABILITY_H

struct gmem_vm;

/* The answer for `cap` on a VM, or on the system fd when vm is NULL. */
int capability_check(const struct gmem_vm *vm, long cap);

#endif
