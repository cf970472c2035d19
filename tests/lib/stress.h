/* SPDX-License-Identifier: MIT */
/*
 * What the thread stresses share: a failure counter any thread can bump
 * without stopping the others, a small per-thread random generator
 * (reproducible from the thread's seed, unlike rand()), and the roles
 * both run on one guest_memfd (stress.c). Each role is a thread body
 * whose argument is its seed, and loops until stress_stop is set.
 */
#ifndef GMEM_STRESS_H
#define GMEM_STRESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

extern atomic_int stress_failures;
extern atomic_bool stress_stop;

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

/* The file the roles work on, in pages; set before the threads start. */
struct stress_file {
	int fd;
	char *host; /* a read-write host mapping of the whole file */

	/* The layout, as the test gives it to stress_open(). */
	uint64_t npages;
	uint64_t converted; /* [0, converted) converts; the rest stays shared */
	/* [0, punched) may be punched: a pinned page there holds old memory
	 * and may turn private (R57); above it, a pinned page stays shared. */
	uint64_t punched;
	uint64_t pin_first; /* pins go on [pin_first, npages) */
	uint64_t allocated; /* fallocate() allocates in [0, allocated) */
	/* The host toucher writes [touch_first, touch_first + touch_pages),
	 * which never converts. */
	uint64_t touch_first;
	uint64_t touch_pages;
	/* PRESERVE may be refused (EOPNOTSUPP): pKVM keeps contents only
	 * for the conversions its guest asked for. */
	bool keep_may_be_refused;
};

extern struct stress_file stress;

#define STRESS_ROLES_MAX 16

/* A shared, mappable guest_memfd on `vm` laid out as `layout` says, and
 * the host's mapping of it, in `stress`. */
void stress_open(int vm, const struct stress_file *layout);

/* Run roles[i] on a thread of its own with args[i] as its argument, for
 * `ms` milliseconds; n <= STRESS_ROLES_MAX. */
void stress_run(void *(*const roles[])(void *), const uintptr_t args[], int n,
		long ms);
/* After a run: nothing is left pinned, so the whole file converts both
 * ways; then the host mapping and the file go. */
void stress_end(void);

/* Converts random ranges of [0, converted) both ways, mode 0 or
 * PRESERVE; EAGAIN only for a pinned page in range. */
void *stress_converter(void *seed);
/* Pins and unpins random ranges; a pinned page above `punched` is
 * shared, since no conversion can take it private. */
void *stress_pinner(void *seed);
/* Maps and unmaps the whole file. */
void *stress_mapper(void *seed);
/* Writes and reads the shared window through the host mapping. */
void *stress_toucher(void *seed);
/* Allocates in [0, allocated) and punches in [0, punched). */
void *stress_allocator(void *seed);
/* Reads the attribute ranges of the whole file (always merged and
 * covering it) and its allocation. */
void *stress_querier(void *seed);

#endif
