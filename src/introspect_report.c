// SPDX-License-Identifier: MIT
/*
 * The introspection report.
 *
 * One line a fact, a keyword first and then numbers in a fixed order, so
 * that a reader needs no parser beyond splitting on spaces:
 *
 *   gmem-introspect 1 PID
 *   vm TYPE PLATFORM BACKEND
 *   conversions MODE RESULT COUNT        (mode none|zero|preserve|other)
 *   counter NAME COUNT                   (bytes_zeroed, pins, faults, ...)
 *   fault GPA SIZE FLAGS                 (the latest memory fault, if any)
 *   launch-state PHASE PAGES DIGEST      (SNP and TDX: the phase, pages
 *                                         measured, the digest in hex once
 *                                         finished, else -)
 *   slot ID GPA SIZE GMEM_OFFSET FLAGS BOUND
 *   range GPA END ATTRIBUTES             (within the slot above)
 *   alloc GPA END                        (allocated pages)
 *   pin GPA END COUNT                    (pinned pages)
 *   folio GPA END                        (a huge folio, whole)
 *   launch GPA END                       (pages a launch measured:
 *                                         private to the trusted entity)
 *   end
 *
 * The report only reads: the counters with relaxed loads, the last fault
 * under the guest exits' lock, the launch under its lock (alone, as the
 * lock order asks: it comes before any file's), the slots under theirs,
 * and each bound
 * file's attributes, allocation and pins under its convert_lock held
 * shared (and state_lock for pins), one slot at a time. A conversion
 * therefore never waits for a whole report, only for the slot being read;
 * and a report never sees a conversion half done within a slot.
 */
#include <stdio.h>
#include <unistd.h>

#include "alloc.h"
#include "allocation.h"
#include "gmem_file.h"
#include "introspect_report.h"
#include "folio.h"
#include "pin.h"
#include "prepared.h"
#include "report.h"
#include "vm.h"

/* Slots a report lists; more than KVM's default of 32 per address space. */
#define REPORT_SLOTS_MAX 512

void introspect_report_header(struct report *r)
{
	report_printf(r, "gmem-introspect 1 %ld\n", (long)getpid());
}

void introspect_report_end(struct report *r)
{
	report_printf(r, "end\n");
}

static void report_counters(struct report *r, struct gmem_vm *vm)
{
	struct gmem_memory_fault fault;
	uint64_t nfaults = guest_exit_last_fault(&vm->exits, &fault);

	for (int m = 0; m < VM_STATS_MODES; m++)
		for (int res = 0; res < VM_STATS_RESULTS; res++)
			report_printf(
				r, "conversions %s %s %llu\n",
				vm_stats_mode_name(m),
				vm_stats_result_name(res),
				(unsigned long long)vm_stats_read_conversions(
					&vm->stats, m, res));
	for (int c = 0; c < VM_STATS_COUNT; c++)
		report_printf(r, "counter %s %llu\n", vm_stat_name(c),
			      (unsigned long long)vm_stats_read(&vm->stats, c));
	report_printf(r, "counter faults %llu\n", (unsigned long long)nfaults);
	if (nfaults)
		report_printf(r, "fault %#llx %#llx %#llx\n",
			      (unsigned long long)fault.gpa,
			      (unsigned long long)fault.size,
			      (unsigned long long)fault.flags);
}

/* SNP and TDX: the launch's phase, its pages and its final digest. */
static void report_launch(struct report *r, struct gmem_vm *vm)
{
	struct launch_view l;
	char hex[2 * LAUNCH_DIGEST_BYTES + 1] = "-";

	if (!vm->platform->launch)
		return;
	launch_state_view(&vm->launch, &l);
	for (size_t i = 0; l.final && i < LAUNCH_DIGEST_BYTES; i++)
		snprintf(hex + 2 * i, 3, "%02x", l.digest[i]);
	report_printf(r, "launch-state %s %llu %s\n",
		      launch_phase_name(l.phase), (unsigned long long)l.pages,
		      hex);
}

/* Where a slot's file range lands in guest physical addresses. */
struct slot_walk {
	struct report *r;
	uint64_t gpa;	  /* of the slot */
	uint64_t first;	  /* the slot's first page in the file */
	const char *what; /* the line's keyword */
	uint64_t end;	  /* the slot's end in the file */
};

static uint64_t walk_gpa(const struct slot_walk *w, uint64_t page)
{
	return w->gpa + ((page - w->first) << GMEM_PAGE_SHIFT);
}

static int report_value_run(const struct range_tree_range *rr, void *arg)
{
	struct slot_walk *w = arg;

	report_printf(w->r, "%s %#llx %#llx %#llx\n", w->what,
		      (unsigned long long)walk_gpa(w, rr->start),
		      (unsigned long long)walk_gpa(w, rr->end),
		      (unsigned long long)rr->value);
	return 0;
}

static int report_alloc_run(struct gmem_file *f, uint64_t start, uint64_t end,
			    void *arg)
{
	struct slot_walk *w = arg;

	(void)f;
	report_printf(w->r, "alloc %#llx %#llx\n",
		      (unsigned long long)walk_gpa(w, start),
		      (unsigned long long)walk_gpa(w, end));
	return 0;
}

/* A run of pages of the kinds that carry no value (folio, launch), whose
 * keyword is w->what. */
static void report_plain_run(uint64_t start, uint64_t end, void *arg)
{
	struct slot_walk *w = arg;

	/* A huge folio may begin before the slot and end after it. */
	start = start < w->first ? w->first : start;
	end = end > w->end ? w->end : end;
	report_printf(w->r, "%s %#llx %#llx\n", w->what,
		      (unsigned long long)walk_gpa(w, start),
		      (unsigned long long)walk_gpa(w, end));
}

/* The file behind one slot, over the slot's range of it. */
static void report_slot_file(struct report *r, struct gmem_vm *vm,
			     const struct memslot_info *s)
{
	uint64_t offset, slot_end;
	struct gmem_file *f =
		memslot_gpa_to_file(&vm->slots, s->gpa, &offset, &slot_end);
	struct slot_walk w = { r, s->gpa, page_index(offset), "range", 0 };
	uint64_t end = w.first + page_index(s->size);

	if (!f)
		return;
	w.end = end;
	gmem_file_attribute_ranges(f, offset, s->size, report_value_run, &w);
	gmem_rwlock_read_lock(&f->convert_lock);
	if (gmem_file_memory_fd(f) >= 0)
		allocation_for_each(f, w.first, end, report_alloc_run, &w);
	w.what = "pin";
	pin_for_each(f, w.first, end, report_value_run, &w);
	w.what = "folio";
	folio_for_each_huge(f, w.first, end, report_plain_run, &w);
	w.what = "launch";
	prepared_for_each(f, w.first, end, report_plain_run, &w);
	gmem_rwlock_read_unlock(&f->convert_lock);
	gmem_file_put(f);
}

static void report_slots(struct report *r, struct gmem_vm *vm)
{
	struct memslot_info *slots =
		gmem_calloc(REPORT_SLOTS_MAX, sizeof(*slots));
	size_t n;

	if (!slots) {
		report_printf(r, "error slots ENOMEM\n");
		return;
	}
	n = memslots_list(&vm->slots, slots, REPORT_SLOTS_MAX);
	for (size_t i = 0; i < n && i < REPORT_SLOTS_MAX; i++) {
		const struct memslot_info *s = &slots[i];

		report_printf(r, "slot %u %#llx %#llx %#llx %#x %d\n", s->slot,
			      (unsigned long long)s->gpa,
			      (unsigned long long)s->size,
			      (unsigned long long)s->gmem_offset, s->flags,
			      s->has_file);
		if (s->has_file)
			report_slot_file(r, vm, s);
	}
	gmem_free(slots);
}

static bool source_tryget(void *vm)
{
	return gmem_object_tryget(&((struct gmem_vm *)vm)->obj);
}

static void source_put(void *vm)
{
	vm_put(vm);
}

static void source_report(void *vm, struct report *r)
{
	introspect_report_vm(r, vm);
}

const struct introspect_source_ops introspect_vm_source = {
	.tryget = source_tryget,
	.put = source_put,
	.report = source_report,
};

void introspect_report_vm(struct report *r, struct gmem_vm *vm)
{
	report_printf(r, "vm %lu %s %s\n", vm->type, vm->platform->name,
		      vm->backend.ops->name);
	report_counters(r, vm);
	report_launch(r, vm);
	report_slots(r, vm);
}
