/* SPDX-License-Identifier: MIT */
/*
 * KVM_CHECK_EXTENSION: what the system and each VM report.
 */
#ifndef GMEM_CAPABILITY_H
#define GMEM_CAPABILITY_H

#include <stdbool.h>

struct gmem_vm;

/* The answer for `cap` on a VM, or on the system fd when vm is NULL. */
int capability_check(const struct gmem_vm *vm, long cap);

/* Whether the library answers `cap` itself (the guest_memfd and memory
 * attribute capabilities, VM types, the conversion series' numbers); the
 * others are the running kernel's to answer, where one is asked. */
bool capability_modelled(long cap);

#endif
