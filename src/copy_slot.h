/* SPDX-License-Identifier: MIT */
/*
 * Checked copies through a page of a memfd of the library's own, one page
 * a thread: one system call a copy, and the kernel's EFAULT for a pointer
 * it cannot read or write.
 */
#ifndef GMEM_COPY_SLOT_H
#define GMEM_COPY_SLOT_H

#include <stddef.h>

/* The longest copy a slot takes. */
#define COPY_SLOT_MAX 4096u

/*
 * 0, -EFAULT (a pointer the kernel cannot read or write, even part of
 * the way), or -ENOSYS: no slot for this copy (longer than
 * COPY_SLOT_MAX, no VM alive, no file, no slot left, under valgrind);
 * nothing was
 * copied and the caller copies another way.
 */
int copy_slot_from_user(void *dst, const void *src, size_t len);
int copy_slot_to_user(void *dst, const void *src, size_t len);

/* A VM begins and ends: copies use a file only while one lives, and the
 * last one ends it (after every copy in flight). */
void copy_slot_hold(void);
void copy_slot_release(void);

#endif
