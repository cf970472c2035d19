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

#endif
