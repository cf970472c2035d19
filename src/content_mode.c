// SPDX-License-Identifier: MIT
/*
 * Content modes.
 *
 * A mode is checked under the conversion lock before anything else
 * happens (R54), and applied after the platform invalidated the pages and
 * before the new attributes are stored (R71), to the whole requested range
 * whether or not its attributes change (R69), and only where memory is
 * allocated (R70): an unallocated page reads zero on first use anyway, and
 * touching it would allocate it.
 *
 * SNP and TDX take PRESERVE to private until their launch finishes
 * (R114), though the capability does not list it: it is not a mode they
 * support, only a step of loading an image in place.
 *
 * The platform decides which modes it offers, what mode 0 does (zero,
 * scramble, or nothing), and whether keeping the contents needs the
 * guest's own request (pKVM). ZERO, PRESERVE and the experimental policies
 * mean the same everywhere they are offered. Applying a mode cannot fail
 * in userspace: there is no poisoned memory (R71), the memory's
 * descriptor is checked and what DESTROY records is reserved beforehand,
 * and where the view cannot reach the bytes they are zeroed by punching.
 *
 * The v6 revision of the series dropped content modes: on a VM that
 * follows it (vm_uapi_v6()) no flag is known, mode 0 is the only mode,
 * and it keeps the bytes on every platform (R93, R94), except where
 * pKVM's hypervisor clears a page the guest did not share (R122). That
 * is the whole difference the generation makes here.
 *
 * This file decides; the work is done where its state lives: the bytes
 * are scrubbed by scrub.c, and DESTROY's pages are freed and recorded by
 * allocation.c.
 */
#include "allocation.h"
#include "content_mode.h"
#include "gmem_file.h"
#include "scrub.h"
#include "view.h"
#include "vm.h"

#define KERNEL_MODES                                                           \
	(KVM_SET_MEMORY_ATTRIBUTES2_ZERO | KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)
#define EXPERIMENTAL_MODES                                                     \
	(GMEM_ATTRIBUTES2_READABLE | GMEM_ATTRIBUTES2_ENCRYPTED |              \
	 GMEM_ATTRIBUTES2_DESTROY)

/* v6+ knows no mode at all: flags must be 0 (R93). */
static uint64_t known_modes(const struct gmem_vm *vm)
{
	if (vm_uapi_v6(vm))
		return 0;
	return KERNEL_MODES |
	       (vm->experimental_policies ? EXPERIMENTAL_MODES : 0);
}

bool content_mode_flags_valid(const struct gmem_vm *vm, uint64_t flags)
{
	/* Modes exclude each other: ZERO|PRESERVE is EINVAL (R46). */
	return !(flags & ~known_modes(vm)) && !(flags & (flags - 1));
}

uint64_t content_modes_of(const struct gmem_vm *vm)
{
	return vm->platform->content_modes & known_modes(vm);
}

/* Modes that keep what was there, for someone to read afterwards. */
static bool mode_keeps_contents(uint64_t mode)
{
	return mode == KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE ||
	       mode == GMEM_ATTRIBUTES2_READABLE;
}

bool content_mode_depends_on_launch(const struct conversion *c)
{
	return c->to_private &&
	       c->mode == KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE &&
	       c->file->vm->platform->preserve_to_private_before_launch;
}

/* SNP and TDX keep the contents on the way in while the launch lasts, so
 * that an image loaded while shared can be encrypted in place (R114).
 * The caller holds the launch lock across the conversion. */
static bool preserve_loads_image(const struct conversion *c)
{
	return content_mode_depends_on_launch(c) &&
	       !launch_state_finished(&c->file->vm->launch);
}

bool content_mode_supported(const struct conversion *c)
{
	struct gmem_file *f = c->file;

	gmem_assert_write_held(&f->convert_lock);
	if (!c->mode)
		return true;
	/* The VMM is not trusted to zero private memory for the guest, and
	 * ciphertext is only ever kept on the way out. */
	if (c->to_private && (c->mode == KVM_SET_MEMORY_ATTRIBUTES2_ZERO ||
			      c->mode == GMEM_ATTRIBUTES2_ENCRYPTED))
		return false;
	if (preserve_loads_image(c))
		return true;
	if (!(content_modes_of(f->vm) & c->mode))
		return false;
	if (mode_keeps_contents(c->mode) &&
	    f->vm->platform->keep_needs_guest_request)
		return guest_exit_requested(
			&f->vm->exits, f, c->first << GMEM_PAGE_SHIFT,
			(c->end - c->first) << GMEM_PAGE_SHIFT, c->to_private,
			false);
	return true;
}

/*
 * v6+ leaves the bytes to the trusted side (R94). pKVM's hypervisor lets
 * the host have a protected guest's page only when the guest shared it;
 * a page the host takes back on its own is cleared first (R122), so a
 * host conversion to shared the guest did not ask for reads zeros, as
 * RFC v4's pKVM gave for mode 0.
 */
static enum content_action v6_action(const struct conversion *c)
{
	struct gmem_file *f = c->file;

	if (c->to_private || !f->vm->platform->keep_needs_guest_request)
		return CONTENT_KEEP;
	return guest_exit_requested(
		       &f->vm->exits, f, c->first << GMEM_PAGE_SHIFT,
		       (c->end - c->first) << GMEM_PAGE_SHIFT, false, false)
		       ? CONTENT_KEEP
		       : CONTENT_ZERO;
}

static enum content_action content_action_of(const struct conversion *c)
{
	switch (c->mode) {
	case KVM_SET_MEMORY_ATTRIBUTES2_ZERO:
		return CONTENT_ZERO;
	case GMEM_ATTRIBUTES2_DESTROY:
		return CONTENT_DESTROY;
	case 0:
		/* v6+: guest_memfd leaves the bytes alone (R94), but for
		 * pKVM's hypervisor (R122); RFC v4: the platform's mode 0
		 * (R66). */
		if (vm_uapi_v6(c->file->vm))
			return v6_action(c);
		return c->file->vm->platform->unspecified;
	default: /* PRESERVE, READABLE, ENCRYPTED */
		return CONTENT_KEEP;
	}
}

/*
 * What applying the mode needs is secured here, before the point of no
 * return: the memory's descriptor (one the program closed behind the
 * library's back is -EIO now, not a mode silently left undone; the same
 * look says whether the file holds any data at all), and what DESTROY
 * records.
 */
int content_mode_prepare(const struct conversion *c, struct content_plan *plan)
{
	enum content_action action = content_action_of(c);
	bool holds_data;
	int err;

	plan->untouched = true;
	if (action == CONTENT_KEEP)
		return 0;
	err = gmem_file_memory_check(c->file, &holds_data);
	if (err)
		return err;
	plan->untouched = !holds_data;
	if (action != CONTENT_DESTROY || plan->untouched)
		return 0;
	return allocation_reserve_free(c->file, &plan->destroyed);
}

static int apply_to_run(struct gmem_file *f, uint64_t start, uint64_t end,
			void *arg)
{
	enum content_action action = *(enum content_action *)arg;
	uint64_t len = (end - start) << GMEM_PAGE_SHIFT;
	struct view v;
	int err = view_map(f, start << GMEM_PAGE_SHIFT, len, &v);

	if (err)
		return err;
	if (action == CONTENT_ZERO)
		scrub_zero(v.base, len);
	else
		scrub_scramble(v.base, len);
	vm_stats_add(&f->vm->stats,
		     action == CONTENT_ZERO ? VM_STAT_BYTES_ZEROED
					    : VM_STAT_BYTES_SCRAMBLED,
		     len);
	view_unmap(&v);
	return 0;
}

void content_mode_apply(const struct conversion *c, struct content_plan *plan)
{
	enum content_action action = content_action_of(c);

	gmem_assert_write_held(&c->file->convert_lock);
	if (plan->untouched)
		return;
	/* DESTROY: the pages go back to the system; they read zero when
	 * used again, as a punched hole does, and count as unallocated. */
	if (action == CONTENT_DESTROY)
		allocation_free(c->file, c->first, c->end, &plan->destroyed);
	/* Where the scan or a window of the view fails (no address space
	 * left), the old bytes must go all the same: zeros do for both. */
	else if (allocation_for_each(c->file, c->first, c->end, apply_to_run,
				     &action))
		allocation_zero_by_punching(c->file, c->first, c->end);
}

void content_mode_complete(const struct conversion *c)
{
	struct gmem_file *f = c->file;

	/* Only a platform that checks requests needs them used up. */
	if (!f->vm->platform->keep_needs_guest_request)
		return;
	guest_exit_requested(&f->vm->exits, f, c->first << GMEM_PAGE_SHIFT,
			     (c->end - c->first) << GMEM_PAGE_SHIFT,
			     c->to_private, true);
}
