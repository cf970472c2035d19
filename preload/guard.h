/* SPDX-License-Identifier: MIT */
/*
 * The per-thread mark "inside the library". The library is built into the
 * preload and makes the very calls the preload intercepts (mmap, ioctl,
 * close, fcntl, open of /dev/kvm...); while a thread runs library code,
 * each of its intercepted calls goes straight to the next definition (the
 * C library's), never back into the library. The mark is per thread, so
 * other threads keep being served meanwhile, and a child of fork()
 * inherits the forking thread's.
 */
#ifndef PRELOAD_GUARD_H
#define PRELOAD_GUARD_H

#include <stdbool.h>

extern __thread unsigned int preload_depth
	__attribute__((tls_model("initial-exec")));

/* True while this thread runs library code: pass the call on. */
static inline bool guard_inside(void)
{
	return preload_depth != 0;
}

static inline void guard_enter(void)
{
	preload_depth++;
}

static inline void guard_leave(void)
{
	preload_depth--;
}

#endif
