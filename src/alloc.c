// SPDX-License-Identifier: MIT
/*
 * Bookkeeping allocations. The countdown is the only way a test can make
 * the library run out of memory at a chosen point, so every allocation of
 * the library goes through here.
 */
#include <stdatomic.h>
#include <stdlib.h>

#include "alloc.h"

static _Atomic long fail_countdown = -1;

static int alloc_should_fail(void)
{
	long n = atomic_load_explicit(&fail_countdown, memory_order_relaxed);

	while (n >= 0) {
		if (atomic_compare_exchange_weak(&fail_countdown, &n, n - 1))
			return n == 0;
	}
	return 0;
}

void gmem_alloc_fail_after(long countdown)
{
	atomic_store(&fail_countdown, countdown);
}

void *gmem_malloc(size_t size)
{
	return alloc_should_fail() ? NULL : malloc(size);
}

void *gmem_calloc(size_t nmemb, size_t size)
{
	return alloc_should_fail() ? NULL : calloc(nmemb, size);
}

void gmem_free(void *p)
{
	free(p);
}
