/* SPDX-License-Identifier: MIT */
/*
 * The descriptors the library hands out for objects that have no kernel
 * file of their own here (the system, VMs, memfd-backed guest_memfds).
 */
#ifndef GMEM_IDENTITY_FD_H
#define GMEM_IDENTITY_FD_H

#include <stdint.h>

/* The size of identity descriptors that stand for something without a
 * size (the system): any size at all makes a later ftruncate(2)
 * fail with EINVAL, as on the kernel's files. */
#define IDENTITY_FD_SIZE 4096

/* A new descriptor with an inode of its own and `size` bytes, that
 * refuses read, write and lseek as kernel KVM files do. fd or -errno. */
int identity_fd_create(const char *name, uint64_t size);

/* A new VM descriptor, flagged as KVM_CREATE_VM's (close-on-exec, O_RDWR)
 * and sharing its inode with every other anonymous-inode file, as the
 * kernel's do: insert it with fd_table_insert_shared(). fd or -errno. */
int identity_fd_create_vm(void);

#endif
