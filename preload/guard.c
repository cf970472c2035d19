// SPDX-License-Identifier: MIT
/*
 * The mark itself (guard.h). Initial-exec TLS: the preload is loaded with
 * the program, and the mark must be readable before anything (malloc
 * included) is ready, as the first intercepted call can come from another
 * library's constructor.
 *
 * The preload's constructor runs after those of the libraries it needs,
 * a sanitizer's runtime among them, whose set-up makes intercepted calls
 * (mmap, munmap, open) before library code could run at all.
 */
#include "guard.h"

__thread unsigned int preload_depth __attribute__((tls_model("initial-exec")));

atomic_bool preload_ready;

__attribute__((constructor)) static void preload_set_ready(void)
{
	atomic_store_explicit(&preload_ready, true, memory_order_relaxed);
}
