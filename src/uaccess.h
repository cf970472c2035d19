/* SPDX-License-Identifier: MIT */
/*
 * copy_from_user()/copy_to_user() for a library: an argument pointer that
 * cannot be read or written gives EFAULT, as the kernel's ioctls do,
 * instead of a crash.
 */
#ifndef GMEM_UACCESS_H
#define GMEM_UACCESS_H

#include <stddef.h>

/* 0 or -EFAULT. */
int copy_from_user(void *dst, const void *src, size_t len);
int copy_to_user(void *dst, const void *src, size_t len);

/*
 * How a VM's calls copy their argument structs. CHECKED answers a bad
 * pointer with EFAULT, at the price of a system call a copy. TRUSTED
 * (gmem_vm_opts.trusted_pointers: the caller promised valid pointers) is
 * a plain memcpy: a bad pointer faults in the caller, as it would in a
 * memcpy of its own.
 */
enum uaccess_mode {
	UACCESS_CHECKED,
	UACCESS_TRUSTED,
};

/* copy_from_user()/copy_to_user() in `mode`. 0 or -EFAULT. */
int copy_from_user_as(enum uaccess_mode mode, void *dst, const void *src,
		      size_t len);
int copy_to_user_as(enum uaccess_mode mode, void *dst, const void *src,
		    size_t len);

#endif
