// SPDX-License-Identifier: MIT
/*
 * What a guest tells its VMM: memory faults (KVM_EXIT_MEMORY_FAULT, with
 * the gpa, the size and whether the access was private) and conversion
 * requests (pKVM's share and unshare exits, KVM_HC_MAP_GPA_RANGE).
 *
 * The kernel keeps both in a vCPU's kvm_run; the software guest has no
 * vCPUs, so a VM keeps its last fault and a ring of requests. On pKVM the
 * hypervisor keeps no record of pending conversions (as the pKVM
 * maintainers proposed for the in-place conversion series, R86): the host
 * kernel checks a conversion that wants the contents kept against the
 * exit it recorded, which is what guest_exit_requested() answers.
 *
 * A request is kept by the file and range its gpa range was bound to when
 * the guest asked, which is what a conversion names; the file is only an
 * identity, and its end forgets its requests.
 */
#include <errno.h>

#include "gmem_file.h"
#include "guest_exit.h"
#include "memslot.h"

void guest_exits_init(struct guest_exits *e)
{
	*e = (struct guest_exits){ 0 };
	gmem_mutex_init(&e->lock);
}

void guest_exits_destroy(struct guest_exits *e)
{
	gmem_mutex_destroy(&e->lock);
}

void guest_exit_record_fault(struct guest_exits *e, uint64_t gpa, bool private)
{
	gmem_mutex_lock(&e->lock);
	e->fault = (struct gmem_memory_fault){
		.flags = private ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0,
		.gpa = gpa & ~(GMEM_PAGE_SIZE - 1),
		.size = GMEM_PAGE_SIZE,
	};
	e->fault_pending = true;
	e->last_fault = e->fault;
	e->nfaults++;
	gmem_mutex_unlock(&e->lock);
}

void guest_exit_restore_fault(struct guest_exits *e,
			      const struct gmem_memory_fault *fault)
{
	gmem_mutex_lock(&e->lock);
	e->fault = *fault;
	e->fault_pending = true;
	gmem_mutex_unlock(&e->lock);
}

uint64_t guest_exit_last_fault(struct guest_exits *e,
			       struct gmem_memory_fault *out)
{
	uint64_t n;

	gmem_mutex_lock(&e->lock);
	*out = e->last_fault;
	n = e->nfaults;
	gmem_mutex_unlock(&e->lock);
	return n;
}

int guest_exit_take_fault(struct guest_exits *e, struct gmem_memory_fault *out)
{
	int err = -ENOENT;

	gmem_mutex_lock(&e->lock);
	if (e->fault_pending) {
		*out = e->fault;
		e->fault_pending = false;
		err = 0;
	}
	gmem_mutex_unlock(&e->lock);
	return err;
}

static void request_store(struct guest_exits *e, const struct guest_request *r)
{
	gmem_assert_mutex_held(&e->lock);
	e->requests[e->next_request] = *r;
	e->next_request = (e->next_request + 1) % GUEST_REQUESTS_MAX;
}

int guest_exit_request(struct guest_exits *e, struct memslots *slots,
		       uint64_t gpa, uint64_t len, bool to_private)
{
	struct guest_request r = { .size = len, .to_private = to_private };
	struct gmem_file *f;
	uint64_t slot_end;

	if (!len || !page_aligned(gpa) || !page_aligned(len) || gpa + len < gpa)
		return -EINVAL;
	f = memslot_gpa_to_file(slots, gpa, &r.offset, &slot_end);
	if (!f)
		return -EFAULT;
	r.file = f;
	gmem_file_put(f);
	if (gpa + len > slot_end)
		return -EFAULT;
	gmem_mutex_lock(&e->lock);
	request_store(e, &r);
	gmem_mutex_unlock(&e->lock);
	return 0;
}

static void request_drop(struct guest_exits *e, unsigned int i)
{
	gmem_assert_mutex_held(&e->lock);
	e->requests[i] = (struct guest_request){ 0 };
}

bool guest_exit_requested(struct guest_exits *e, const struct gmem_file *f,
			  uint64_t offset, uint64_t size, bool to_private,
			  bool consume)
{
	bool found = false;

	gmem_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < GUEST_REQUESTS_MAX && !found; i++) {
		const struct guest_request *r = &e->requests[i];

		found = r->file == f && r->offset == offset &&
			r->size == size && r->to_private == to_private;
		if (found && consume)
			request_drop(e, i);
	}
	gmem_mutex_unlock(&e->lock);
	return found;
}

void guest_exit_forget_requests(struct guest_exits *e,
				const struct gmem_file *f)
{
	gmem_mutex_lock(&e->lock);
	for (unsigned int i = 0; i < GUEST_REQUESTS_MAX; i++)
		if (e->requests[i].file == f)
			request_drop(e, i);
	gmem_mutex_unlock(&e->lock);
}
