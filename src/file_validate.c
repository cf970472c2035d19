// SPDX-License-Identifier: MIT
/*
 * Validation of a guest_memfd's state, as lib/maple_tree.c's validator
 * does for a tree: every invariant written down as a check.
 *
 *  - each range tree (attributes, fallocated, pins) is ordered, covers the
 *    file, and has its equal neighbours merged;
 *  - attributes are 0 or KVM_MEMORY_ATTRIBUTE_PRIVATE, nothing else;
 *  - fallocated is 0 or 1 per page; a pin count is never "negative" (a
 *    count past 2^32 means an unpin without its pin);
 *  - every host mapping the library still owns shows the file's memory
 *    exactly where the pages are shared and the hole where they are
 *    private (host_map.c checks its records against the kernel);
 *  - a huge folio whose pages are all shared, shown whole by a host
 *    mapping at an address as aligned as its offset, is mapped huge
 *    wherever it is mapped at all (folio.c).
 *
 * Pins are not checked against attributes: a pin taken on a shared page
 * that was later punched and converted stays counted on its offset (R57).
 */
#include <errno.h>

#include "file_validate.h"
#include "folio_check.h"
#include "gmem_file.h"
#include "host_map.h"

#define PIN_COUNT_SANE (1ULL << 32)

struct value_bound {
	uint64_t limit; /* every value < limit */
	uint64_t mask;	/* or, when limit is 0: value & ~mask == 0 */
};

static int value_in_bound(const struct range_tree_range *r, void *arg)
{
	const struct value_bound *b = arg;

	if (b->limit)
		return r->value < b->limit ? 0 : -EUCLEAN;
	return r->value & ~b->mask ? -EUCLEAN : 0;
}

static int tree_validate(const struct range_tree *t, struct value_bound b,
			 const char *bad_value, const char **why)
{
	int err = range_tree_validate(t, why);

	if (err)
		return err;
	if (t->npages &&
	    range_tree_for_each(t, 0, t->npages, value_in_bound, &b)) {
		*why = bad_value;
		return -EUCLEAN;
	}
	return 0;
}

static int trees_validate(struct gmem_file *f, const char **why)
{
	struct value_bound attributes = {
		.mask = KVM_MEMORY_ATTRIBUTE_PRIVATE
	};
	struct value_bound allocated = { .limit = 2 };
	struct value_bound pins = { .limit = PIN_COUNT_SANE };
	int err;

	err = tree_validate(&f->attributes, attributes,
			    "an attribute the library never sets", why);
	if (err)
		return err;
	gmem_mutex_lock(&f->state_lock);
	err = tree_validate(&f->fallocated, allocated,
			    "a fallocated mark other than 0 or 1", why);
	if (!err)
		err = tree_validate(&f->pins, pins, "a pin count below zero",
				    why);
	gmem_mutex_unlock(&f->state_lock);
	return err;
}

int gmem_file_validate(struct gmem_file *f, const char **why)
{
	const char *ignored;
	int err;

	gmem_assert_held(&f->convert_lock);
	if (!why)
		why = &ignored;
	err = trees_validate(f, why);
	if (!err)
		err = host_map_validate(f, why);
	/* A uniform aligned huge folio is mapped huge again (R113). */
	return err ? err : folio_validate(f, why);
}

int gmem_file_validate_fd(int fd, const char **why)
{
	struct gmem_file *f = gmem_file_lookup(fd);
	int err;

	if (!f)
		return -EBADF;
	gmem_rwlock_read_lock(&f->convert_lock);
	err = gmem_file_validate(f, why);
	gmem_rwlock_read_unlock(&f->convert_lock);
	gmem_file_put(f);
	return err;
}

#ifndef NDEBUG
void gmem_file_assert_valid(struct gmem_file *f)
{
	const char *why = "";

	if (gmem_file_validate(f, &why) == -EUCLEAN)
		__assert_fail(why, __FILE__, __LINE__, __func__);
}
#endif
