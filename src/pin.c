// SPDX-License-Identifier: MIT
/*
 * Pins.
 *
 * A pin is a count per page, kept in a range tree, so that nested and
 * overlapping pins add up and a pin of a huge range costs one range. The
 * count changes by one over [first, end), which crosses as many ranges as
 * the counts differ inside it; all the tree nodes those stores can need are
 * reserved before the first of them, so a pin or unpin either happens
 * whole or not at all.
 *
 * Pinning is get_user_pages() on the host's side of the memory: it needs
 * every page to be shared (a private page cannot be faulted in by the host,
 * EFAULT), allocates the pages, and holds convert_lock shared, so that no
 * conversion can slip between the attribute check and the count.
 */
#include <errno.h>
#include <stdatomic.h>
#include <sys/mman.h>

#include "file_validate.h"
#include "gmem_file.h"
#include "pin.h"
#include "view.h"
#include "vm.h"

static int pin_check_range(struct gmem_file *f, uint64_t offset, uint64_t len)
{
	if (!len || !page_aligned(offset) || !page_aligned(len))
		return -EINVAL;
	if (offset >= f->size || len > f->size - offset)
		return -EINVAL;
	return 0;
}

/* Fault the pages in for writing, as get_user_pages(FOLL_WRITE) does. */
static int pin_fault_in(struct gmem_file *f, uint64_t offset, uint64_t len)
{
	struct view v;
	int err = view_map(f, offset, len, &v);

	if (err)
		return err;
	if (madvise(v.base, len, MADV_POPULATE_WRITE)) {
		/* Kernels before 5.14: touch each page without changing it. */
		for (uint64_t i = 0; i < len; i += GMEM_PAGE_SIZE)
			atomic_fetch_add((_Atomic char *)(v.base + i), 0);
	}
	view_unmap(&v);
	return 0;
}

struct pin_walk {
	uint64_t segments; /* ranges of the pin tree in the span */
	uint64_t unpinned; /* pages with a zero count */
};

static int pin_count_segment(const struct range_tree_range *r, void *arg)
{
	struct pin_walk *w = arg;

	w->segments++;
	if (!r->value)
		w->unpinned += r->end - r->start;
	return 0;
}

/* Check that [first, end) can take `delta` and reserve the nodes the
 * change needs; nothing changes yet. */
static int pin_prepare(struct gmem_file *f, uint64_t first, uint64_t end,
		       int delta, struct range_tree_reservation *res)
{
	struct pin_walk w = { 0 };

	gmem_assert_mutex_held(&f->state_lock);
	range_tree_for_each(&f->pins, first, end, pin_count_segment, &w);
	if (delta < 0 && w.unpinned)
		return -EINVAL;
	return range_tree_reserve_many(&f->pins, res, w.segments);
}

/* Add `delta` to the count of every page of [first, end). Cannot fail. */
static void pin_commit(struct gmem_file *f, uint64_t first, uint64_t end,
		       int delta, struct range_tree_reservation *res)
{
	struct range_tree_range r;

	gmem_assert_mutex_held(&f->state_lock);
	for (uint64_t i = first; i < end; i = r.end) {
		range_tree_find(&f->pins, i, &r);
		r.end = r.end < end ? r.end : end;
		range_tree_store(&f->pins, i, r.end, r.value + delta, res);
	}
}

/* Change the counts of [offset, offset + len) by `delta`, faulting the
 * pages in first for a pin, once nothing else can fail. */
static int pin_adjust(struct gmem_file *f, uint64_t offset, uint64_t len,
		      int delta)
{
	uint64_t first = page_index(offset), end = page_index(offset + len);
	struct range_tree_reservation res = { 0 };
	int err;

	gmem_mutex_lock(&f->state_lock);
	err = pin_prepare(f, first, end, delta, &res);
	if (!err && delta > 0)
		err = pin_fault_in(f, offset, len);
	if (!err)
		pin_commit(f, first, end, delta, &res);
	range_tree_unreserve(&res);
	gmem_mutex_unlock(&f->state_lock);
	return err;
}

static bool range_all_shared(struct gmem_file *f, uint64_t first, uint64_t end)
{
	return range_tree_range_has(&f->attributes, first, end, 0);
}

int pin_range(struct gmem_file *f, uint64_t offset, uint64_t len)
{
	uint64_t first = page_index(offset), end = page_index(offset + len);
	int err = pin_check_range(f, offset, len);

	if (err)
		return err;
	gmem_rwlock_read_lock(&f->convert_lock);
	if (!range_all_shared(f, first, end))
		err = -EFAULT;
	if (!err)
		err = pin_adjust(f, offset, len, 1);
	if (!err)
		vm_stats_add(&f->vm->stats, VM_STAT_PINS, end - first);
	gmem_file_assert_valid(f);
	gmem_rwlock_read_unlock(&f->convert_lock);
	return err;
}

int unpin_range(struct gmem_file *f, uint64_t offset, uint64_t len)
{
	int err = pin_check_range(f, offset, len);

	if (err)
		return err;
	gmem_rwlock_read_lock(&f->convert_lock);
	err = pin_adjust(f, offset, len, -1);
	if (!err)
		vm_stats_add(&f->vm->stats, VM_STAT_UNPINS, page_index(len));
	gmem_file_assert_valid(f);
	gmem_rwlock_read_unlock(&f->convert_lock);
	return err;
}

static int find_pinned(const struct range_tree_range *r, void *arg)
{
	if (!r->value)
		return 0;
	*(uint64_t *)arg = r->start;
	return 1;
}

uint64_t pin_first_pinned(struct gmem_file *f, uint64_t first, uint64_t end)
{
	uint64_t found = end;

	gmem_assert_held(&f->convert_lock);
	gmem_mutex_lock(&f->state_lock);
	range_tree_for_each(&f->pins, first, end, find_pinned, &found);
	gmem_mutex_unlock(&f->state_lock);
	return found;
}

struct pin_visit {
	int (*fn)(const struct range_tree_range *r, void *arg);
	void *arg;
};

static int pin_visit_pinned(const struct range_tree_range *r, void *arg)
{
	struct pin_visit *v = arg;

	return r->value ? v->fn(r, v->arg) : 0;
}

int pin_for_each(struct gmem_file *f, uint64_t first, uint64_t end,
		 int (*fn)(const struct range_tree_range *r, void *arg),
		 void *arg)
{
	struct pin_visit v = { fn, arg };
	int ret;

	gmem_assert_held(&f->convert_lock);
	gmem_mutex_lock(&f->state_lock);
	ret = range_tree_for_each(&f->pins, first, end, pin_visit_pinned, &v);
	gmem_mutex_unlock(&f->state_lock);
	return ret;
}
