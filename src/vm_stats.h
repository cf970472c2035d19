/* SPDX-License-Identifier: MIT */
/*
 * A VM's counters, for the introspection endpoint: what its conversions
 * did (by content mode and result), the bytes its content modes and
 * encryption touched, its pins. The paths that do the work only add to
 * them, with relaxed atomics and no lock, so that counting costs the
 * conversion path one uncontended atomic add; readers see each counter
 * whole, not the set at one instant.
 */
#ifndef GMEM_VM_STATS_H
#define GMEM_VM_STATS_H

#include <stdatomic.h>
#include <stdint.h>

/* The content mode of a conversion, as counted. */
enum vm_stats_mode {
	VM_STATS_MODE_NONE,
	VM_STATS_MODE_ZERO,
	VM_STATS_MODE_PRESERVE,
	VM_STATS_MODE_OTHER, /* the experimental policies */
	VM_STATS_MODES,
};

/* The result of a conversion, as counted. */
enum vm_stats_result {
	VM_STATS_OK,
	VM_STATS_EAGAIN, /* a page was busy: the VMM retries */
	VM_STATS_EOPNOTSUPP,
	VM_STATS_ENOMEM,
	VM_STATS_EINVAL,
	VM_STATS_OTHER_ERROR,
	VM_STATS_RESULTS,
};

/* Counters that are not conversions. */
enum vm_stat {
	VM_STAT_BYTES_ZEROED,
	VM_STAT_BYTES_SCRAMBLED,
	VM_STAT_BYTES_ENCRYPTED,
	VM_STAT_PINS,	/* pages pinned, by gmem_pin() */
	VM_STAT_UNPINS, /* pages unpinned */
	VM_STATS_COUNT,
};

struct vm_stats {
	_Atomic uint64_t conversions[VM_STATS_MODES][VM_STATS_RESULTS];
	_Atomic uint64_t counters[VM_STATS_COUNT];
};

/* A conversion with content mode flags `mode` ended with `err`. */
void vm_stats_count_conversion(struct vm_stats *s, uint64_t mode, int err);

static inline void vm_stats_add(struct vm_stats *s, enum vm_stat which,
				uint64_t n)
{
	atomic_fetch_add_explicit(&s->counters[which], n, memory_order_relaxed);
}

static inline uint64_t vm_stats_read(const struct vm_stats *s,
				     enum vm_stat which)
{
	return atomic_load_explicit(&s->counters[which], memory_order_relaxed);
}

static inline uint64_t vm_stats_read_conversions(const struct vm_stats *s,
						 enum vm_stats_mode mode,
						 enum vm_stats_result result)
{
	return atomic_load_explicit(&s->conversions[mode][result],
				    memory_order_relaxed);
}

/* The names the endpoint reports them by. */
const char *vm_stats_mode_name(enum vm_stats_mode mode);
const char *vm_stats_result_name(enum vm_stats_result result);
const char *vm_stat_name(enum vm_stat which);

#endif
