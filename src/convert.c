// SPDX-License-Identifier: MIT
/*
 * The conversion engine: KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd, in
 * the order of RFC v4.
 *
 *  1. (the caller) ENOTTY while the VM tracks attributes itself;
 *  2. validate the request; EINVAL writes nothing back;
 *  3. take the conversion lock exclusive: no fault, pin, mapping or guest
 *     access can see the range half converted (and before it the launch
 *     lock, when the launch phase decides step 4);
 *  4. the content mode must be supported, else EOPNOTSUPP;
 *  5. a range that already has the attributes only gets the mode;
 *  6. reserve the attribute tree's nodes, else ENOMEM;
 *  7. to private: no page of the range may be pinned (EAGAIN at the first
 *     one), then every host mapping of it is revoked;
 *  8. to shared: the platform invalidates the pages that were private:
 *     pages prepared at launch are prepared no more (R91);
 *  9. the content mode reaches every allocated page of the whole range;
 * 10. the attributes are stored, merged, and shared pages are mapped again,
 *     whole huge folios where they are shared throughout (folio.c).
 *
 * Debug builds check the whole file's state (file_validate.c) before the
 * lock is released, after success and failure alike.
 *
 * After step 7 nothing can fail, so a failed call changes no attribute, no
 * byte, no allocation and no mapping. The pin check comes before the
 * revocation, unlike the kernel's (which must unmap first so that the
 * mappings' own references drop): here mappings hold no page references,
 * and pins are only taken under the conversion lock, so checking first
 * gives the same answer and leaves nothing to undo.
 */
#include <errno.h>

#include "allocation.h"
#include "content_mode.h"
#include "convert.h"
#include "file_validate.h"
#include "folio.h"
#include "gmem_file.h"
#include "host_map.h"
#include "memory_attributes2.h"
#include "pin.h"
#include "prepared.h"
#include "vm.h"

/* Step 2 (R45..R52). */
static int convert_check(struct gmem_file *f,
			 const struct kvm_memory_attributes2 *a)
{
	int err = memory_attributes2_check_gmem(
		a, vm_supported_attributes(f->vm), f->vm->uapi);

	if (err)
		return err;
	if (!content_mode_flags_valid(f->vm, a->flags))
		return -EINVAL;
	if (a->offset >= f->size || a->offset + a->size > f->size)
		return -EINVAL;
	return 0;
}

static int restore_shared(const struct range_tree_range *r, void *arg)
{
	struct gmem_file *f = arg;

	return r->value & KVM_MEMORY_ATTRIBUTE_PRIVATE
		       ? 0
		       : host_map_restore(f, r->start, r->end);
}

/* The first page of [first, end) that is pinned and has memory: a pin on
 * a page that was punched holds the old memory, not the file's, and
 * unallocated offsets are never busy (R57). */
static uint64_t first_busy_page(struct gmem_file *f, uint64_t first,
				uint64_t end)
{
	unsigned char allocated;

	/* A page the library cannot tell about counts as busy: a pin on
	 * memory must never be let go of by mistake. */
	for (uint64_t at = first; (at = pin_first_pinned(f, at, end)) < end;
	     at++)
		if (allocation_query(f, at, 1, &allocated) || allocated)
			return at;
	return end;
}

/* Step 7: nothing pinned, then nothing mapped. A revocation that fails
 * half way (the system ran out of mappings) is undone. */
static int convert_to_private(struct gmem_file *f, const struct conversion *req,
			      uint64_t *error_page)
{
	uint64_t pinned = first_busy_page(f, req->first, req->end);
	int err;

	if (pinned < req->end) {
		*error_page = pinned;
		return -EAGAIN;
	}
	err = host_map_revoke(f, req->first, req->end);
	if (err) {
		range_tree_for_each(&f->attributes, req->first, req->end,
				    restore_shared, f);
		*error_page = req->first;
	}
	return err;
}

/* Step 6: the attribute tree's nodes, what the mode will need, and what
 * step 8 will. */
static int convert_reserve(const struct conversion *c,
			   struct range_tree_reservation *attr_res,
			   struct content_plan *plan,
			   struct range_tree_reservation *prep_res)
{
	int err = range_tree_reserve(&c->file->attributes, attr_res);

	if (!err)
		err = content_mode_prepare(c, plan);
	if (!err && !c->to_private)
		err = prepared_reserve(c->file, prep_res);
	return err;
}

/* Steps 4 to 10, under the lock. */
static int __convert(const struct conversion *c, uint64_t *error_page)
{
	struct range_tree_reservation attr_res = { 0 };
	struct content_plan plan = { 0 };
	struct range_tree_reservation prep_res = { 0 };
	struct gmem_file *f = c->file;
	struct folio_mixed mixed;
	int err;

	gmem_assert_write_held(&f->convert_lock);
	*error_page = c->first;
	if (!content_mode_supported(c))
		return -EOPNOTSUPP;
	if (range_tree_range_has(&f->attributes, c->first, c->end,
				 c->attributes)) {
		err = content_mode_prepare(c, &plan);
		if (!err)
			content_mode_apply(c, &plan);
		goto out;
	}
	err = convert_reserve(c, &attr_res, &plan, &prep_res);
	folio_note_mixed(f, c->first, c->end, &mixed);
	if (!err && c->to_private)
		err = convert_to_private(f, c, error_page);
	if (err)
		goto out;
	if (!c->to_private)
		prepared_forget(f, c->first, c->end, &prep_res);
	content_mode_apply(c, &plan);
	range_tree_store(&f->attributes, c->first, c->end, c->attributes,
			 &attr_res);
	/* Past the point of no return: a mapping that cannot be restored
	 * (the system is out of mappings) faults, and gmem_munmap() still
	 * cleans it up. Huge folios left uniform are mapped and kept huge. */
	if (!c->to_private)
		folio_restore(f, c->first, c->end, &mixed);
	folio_merge(f, c->first, c->end, &mixed);
out:
	if (!err)
		content_mode_complete(c);
	range_tree_unreserve(&prep_res);
	range_tree_unreserve(&plan.destroyed);
	range_tree_unreserve(&attr_res);
	return err;
}

/* Step 3, with the launch lock first where the launch phase decides the
 * answer (R114): a finish then comes wholly before or after the
 * conversion, never between its check and its effect. */
static void convert_lock(const struct conversion *c, bool launch)
{
	if (launch)
		launch_state_lock(&c->file->vm->launch);
	gmem_rwlock_write_lock(&c->file->convert_lock);
}

static void convert_unlock(const struct conversion *c, bool launch)
{
	gmem_rwlock_write_unlock(&c->file->convert_lock);
	if (launch)
		launch_state_unlock(&c->file->vm->launch);
}

int convert_set_attributes(struct gmem_file *f,
			   struct kvm_memory_attributes2 *a)
{
	struct conversion c;
	uint64_t error_page;
	bool launch;
	int err = convert_check(f, a);

	if (err) {
		vm_stats_count_conversion(&f->vm->stats, a->flags, err);
		return err;
	}
	c = (struct conversion){
		.file = f,
		.first = page_index(a->offset),
		.end = page_index(a->offset + a->size),
		.attributes = a->attributes,
		.mode = a->flags,
		.to_private = a->attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	launch = content_mode_depends_on_launch(&c);
	convert_lock(&c, launch);
	err = __convert(&c, &error_page);
	gmem_file_assert_valid(f);
	convert_unlock(&c, launch);
	vm_stats_count_conversion(&f->vm->stats, a->flags, err);
	if (convert_error_reports_offset(err))
		a->error_offset = error_page << GMEM_PAGE_SHIFT;
	return err;
}
