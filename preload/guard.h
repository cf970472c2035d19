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

#include <stdatomic.h>
#include <stdbool.h>

extern __thread unsigned int preload_depth
	__attribute__((tls_model("initial-exec")));

/* Set by the preload's constructor. Calls made before it (a sanitizer's
 * runtime setting itself up, other libraries' constructors) run before
 * anything of the library may, and pass on. */
extern atomic_bool preload_ready;

/* Whether to pass the call on: this thread runs library code, or the
 * preload is not set up yet. */
static inline bool guard_pass_on(void)
{
	return preload_depth != 0 ||
	       !atomic_load_explicit(&preload_ready, memory_order_relaxed);
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
