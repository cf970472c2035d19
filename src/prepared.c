// SPDX-License-Identifier: MIT
/*
 * Prepared pages, in a range tree made by the first populate: most files
 * are never populated, and they pay nothing. Everything here runs under
 * the file's convert_lock, exclusive to write, as the kernel's populate
 * and conversions hold the filemap invalidate lock.
 */
#include <errno.h>

#include "alloc.h"
#include "gmem_file.h"
#include "prepared.h"

bool prepared_test(struct gmem_file *f, uint64_t index)
{
	gmem_assert_held(&f->convert_lock);
	return f->prepared && range_tree_lookup(f->prepared, index);
}

static int prepared_create(struct gmem_file *f)
{
	struct range_tree *t = gmem_calloc(1, sizeof(*t));
	int err;

	if (!t)
		return -ENOMEM;
	err = range_tree_init(t, f->npages, 0);
	if (err) {
		gmem_free(t);
		return err;
	}
	f->prepared = t;
	return 0;
}

int prepared_mark(struct gmem_file *f, uint64_t index)
{
	int err = 0;

	gmem_assert_write_held(&f->convert_lock);
	if (!f->prepared)
		err = prepared_create(f);
	return err ? err : range_tree_set(f->prepared, index, index + 1, 1);
}

int prepared_reserve(struct gmem_file *f, struct range_tree_reservation *res)
{
	gmem_assert_write_held(&f->convert_lock);
	return f->prepared ? range_tree_reserve(f->prepared, res) : 0;
}

void prepared_forget(struct gmem_file *f, uint64_t first, uint64_t end,
		     struct range_tree_reservation *res)
{
	gmem_assert_write_held(&f->convert_lock);
	if (f->prepared)
		range_tree_store(f->prepared, first, end, 0, res);
}

void prepared_destroy(struct gmem_file *f)
{
	if (!f->prepared)
		return;
	range_tree_destroy(f->prepared);
	gmem_free(f->prepared);
	f->prepared = NULL;
}

struct prepared_visit {
	void (*fn)(uint64_t start, uint64_t end, void *arg);
	void *arg;
};

static int prepared_visit_run(const struct range_tree_range *r, void *arg)
{
	struct prepared_visit *v = arg;

	if (r->value)
		v->fn(r->start, r->end, v->arg);
	return 0;
}

void prepared_for_each(struct gmem_file *f, uint64_t first, uint64_t end,
		       void (*fn)(uint64_t start, uint64_t end, void *arg),
		       void *arg)
{
	struct prepared_visit v = { fn, arg };

	gmem_assert_held(&f->convert_lock);
	if (f->prepared)
		range_tree_for_each(f->prepared, first, end, prepared_visit_run,
				    &v);
}
