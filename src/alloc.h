/* SPDX-License-Identifier: MIT */
/*
 * Memory for the library's own bookkeeping, with a fault-injection hook so
 * that every ENOMEM unwind path can be driven by a test.
 */
#ifndef GMEM_ALLOC_H
#define GMEM_ALLOC_H

#include <stddef.h>

/* malloc()/calloc()/free() that honour the fault-injection hook. */
void *gmem_malloc(size_t size);
void *gmem_calloc(size_t nmemb, size_t size);
void gmem_free(void *p);

/* Make the allocation after the next `countdown` ones fail (0: the next
 * one), then succeed again; -1 disarms. For tests. */
void gmem_alloc_fail_after(long countdown);

#endif
