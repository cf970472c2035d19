/* SPDX-License-Identifier: MIT */
/*
 * Launching SEV-SNP and TDX guests: KVM_MEMORY_ENCRYPT_OP, and the launch
 * extensions (gmem_get_launch_digest, gmem_get_launch_state).
 */
#ifndef GMEM_LAUNCH_H
#define GMEM_LAUNCH_H

#include <stddef.h>
#include <sys/types.h>

struct gmem_vm;

/* KVM_MEMORY_ENCRYPT_OP on `vm`, its argument at `uarg` (not yet read).
 * 0 or -errno; ENOTTY for a VM type without launch commands. */
int launch_encrypt_op(struct gmem_vm *vm, void *uarg);

/* Copy the launch digest to `buf` (the caller's memory): its length, or
 * -EINVAL (no launch on this VM type, len too short), -EFAULT. */
ssize_t launch_get_digest(struct gmem_vm *vm, void *buf, size_t len);

/* The launch phase (GMEM_LAUNCH_*), or -EINVAL without launch. */
int launch_get_phase(struct gmem_vm *vm);

#endif
