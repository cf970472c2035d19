// SPDX-License-Identifier: MIT
/*
 * A VM's counters (see vm_stats.h): the mapping from a conversion's flags
 * and errno to the cell it counts in, and the names the introspection
 * endpoint prints. Nothing here takes a lock: every counter is one
 * relaxed atomic, written by the path that did the work and read by the
 * endpoint.
 */
#include <errno.h>

#include <gmem/uapi.h>

#include "vm_stats.h"

static enum vm_stats_mode stats_mode_of(uint64_t flags)
{
	switch (flags) {
	case 0:
		return VM_STATS_MODE_NONE;
	case KVM_SET_MEMORY_ATTRIBUTES2_ZERO:
		return VM_STATS_MODE_ZERO;
	case KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE:
		return VM_STATS_MODE_PRESERVE;
	default:
		return VM_STATS_MODE_OTHER;
	}
}

static enum vm_stats_result stats_result_of(int err)
{
	switch (err) {
	case 0:
		return VM_STATS_OK;
	case -EAGAIN:
		return VM_STATS_EAGAIN;
	case -EOPNOTSUPP:
		return VM_STATS_EOPNOTSUPP;
	case -ENOMEM:
		return VM_STATS_ENOMEM;
	case -EINVAL:
		return VM_STATS_EINVAL;
	default:
		return VM_STATS_OTHER_ERROR;
	}
}

void vm_stats_count_conversion(struct vm_stats *s, uint64_t mode, int err)
{
	atomic_fetch_add_explicit(
		&s->conversions[stats_mode_of(mode)][stats_result_of(err)], 1,
		memory_order_relaxed);
}

const char *vm_stats_mode_name(enum vm_stats_mode mode)
{
	static const char *const names[VM_STATS_MODES] = { "none", "zero",
							   "preserve",
							   "other" };

	return names[mode];
}

const char *vm_stats_result_name(enum vm_stats_result result)
{
	static const char *const names[VM_STATS_RESULTS] = {
		"ok", "eagain", "eopnotsupp", "enomem", "einval", "error"
	};

	return names[result];
}

const char *vm_stat_name(enum vm_stat which)
{
	static const char *const names[VM_STATS_COUNT] = { "bytes_zeroed",
							   "bytes_scrambled",
							   "bytes_encrypted",
							   "pins", "unpins" };

	return names[which];
}
