// SPDX-License-Identifier: MIT
/*
 * What a guest tells its VMM: memory faults (KVM_EXIT_MEMORY_FAULT, with
 * the gpa, the size and whether the access was private) and conversion
 * requests (pKVM's share and unshare exits, KVM_HC_MAP_GPA_RANGE).
 *
 * The kernel keeps both in a vCPU's kvm_run; the software guest has no
 * vCPUs, so a VM keeps its last fault and a ring of requests. On pKVM the
 * hypervisor keeps no record of pending conversions (seed 003): the host
 * kernel checks a conversion that wants the contents kept against the
 * exit it recorded, which is what vm_guest_requested() answers.
 */
#include <errno.h>

#include "gmem_file.h"
#include "vm.h"

void vm_record_memory_fault(struct gmem_vm *vm, uint64_t gpa, bool private)
{
	gmem_mutex_lock(&vm->exit_lock);
	vm->fault = (struct gmem_memory_fault){
		.flags = private ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0,
		.gpa = gpa & ~(GMEM_PAGE_SIZE - 1),
		.size = GMEM_PAGE_SIZE,
	};
	vm->fault_pending = true;
	gmem_mutex_unlock(&vm->exit_lock);
}

int vm_take_memory_fault(struct gmem_vm *vm, struct gmem_memory_fault *out)
{
	int err = -ENOENT;

	gmem_mutex_lock(&vm->exit_lock);
	if (vm->fault_pending) {
		*out = vm->fault;
		vm->fault_pending = false;
		err = 0;
	}
	gmem_mutex_unlock(&vm->exit_lock);
	return err;
}

static void request_store(struct gmem_vm *vm, const struct guest_request *r)
{
	gmem_assert_mutex_held(&vm->exit_lock);
	vm->requests[vm->next_request] = *r;
	vm->next_request = (vm->next_request + 1) % GUEST_REQUESTS_MAX;
}

int vm_guest_request(struct gmem_vm *vm, uint64_t gpa, uint64_t len,
		     bool to_private)
{
	struct guest_request r = { .size = len, .to_private = to_private };
	struct gmem_file *f;
	uint64_t slot_end;

	if (!len || !page_aligned(gpa) || !page_aligned(len) || gpa + len < gpa)
		return -EINVAL;
	f = vm_gpa_to_file(vm, gpa, &r.offset, &slot_end);
	if (!f)
		return -EFAULT;
	r.file = f;
	gmem_file_put(f);
	if (gpa + len > slot_end)
		return -EFAULT;
	gmem_mutex_lock(&vm->exit_lock);
	request_store(vm, &r);
	gmem_mutex_unlock(&vm->exit_lock);
	return 0;
}

static void request_drop(struct gmem_vm *vm, unsigned int i)
{
	gmem_assert_mutex_held(&vm->exit_lock);
	vm->requests[i] = (struct guest_request){ 0 };
}

bool vm_guest_requested(struct gmem_vm *vm, const struct gmem_file *f,
			uint64_t offset, uint64_t size, bool to_private,
			bool consume)
{
	bool found = false;

	gmem_mutex_lock(&vm->exit_lock);
	for (unsigned int i = 0; i < GUEST_REQUESTS_MAX && !found; i++) {
		const struct guest_request *r = &vm->requests[i];

		found = r->file == f && r->offset == offset &&
			r->size == size && r->to_private == to_private;
		if (found && consume)
			request_drop(vm, i);
	}
	gmem_mutex_unlock(&vm->exit_lock);
	return found;
}

void vm_forget_requests(struct gmem_vm *vm, const struct gmem_file *f)
{
	gmem_mutex_lock(&vm->exit_lock);
	for (unsigned int i = 0; i < GUEST_REQUESTS_MAX; i++)
		if (vm->requests[i].file == f)
			request_drop(vm, i);
	gmem_mutex_unlock(&vm->exit_lock);
}
