/* SPDX-License-Identifier: MIT */
/*
 * What the thread stresses share: a failure counter any thread can bump
 * without stopping the others, and a small per-thread random generator
 * (reproducible from the thread's seed, unlike rand()).
 */
#ifndef GMEM_STRESS_H
#define GMEM_STRESS_H

#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>

extern atomic_int stress_failures;

#define CHECK(cond)                                                            \
	do {                                                                   \
		if (!(cond)) {                                                 \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__,     \
				#cond);                                        \
			atomic_fetch_add(&stress_failures, 1);                 \
		}                                                              \
	} while (0)

static inline unsigned next_random(unsigned *seed)
{
	*seed = *seed * 1103515245 + 12345;
	return *seed >> 8;
}

/* A range of 1 to 8 pages inside [0, limit). */
static inline void random_range(unsigned *seed, uint64_t limit, uint64_t *first,
				uint64_t *n)
{
	*first = next_random(seed) % limit;
	*n = 1 + next_random(seed) % (limit - *first < 8 ? limit - *first : 8);
}

#endif
