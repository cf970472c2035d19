// SPDX-License-Identifier: MIT
/*
 * Attributes as seen from a VM, by guest physical address.
 *
 * In the kernel's legacy mode (vm_memory_attributes) the VM keeps them
 * itself, by frame number, set with the VM ioctl KVM_SET_MEMORY_ATTRIBUTES,
 * and no memslot is needed to hold them. Otherwise they belong to the
 * guest_memfd, and a guest physical address reaches them through the
 * memslot that binds it.
 */
#include <errno.h>

#include "gmem_file.h"
#include "memory_attributes2.h"
#include "memslot.h"
#include "vm_attributes.h"

/* Every frame number of a 64-bit guest physical address space. */
#define GFN_LIMIT (1ULL << 52)

int vm_attributes_init(struct vm_attributes *a, bool vm_memory_attributes,
		       uint64_t supported)
{
	*a = (struct vm_attributes){
		.vm_memory_attributes = vm_memory_attributes,
		.supported = supported,
	};
	if (vm_memory_attributes && range_tree_init(&a->by_gfn, GFN_LIMIT, 0))
		return -ENOMEM;
	gmem_mutex_init(&a->lock);
	return 0;
}

void vm_attributes_destroy(struct vm_attributes *a)
{
	if (a->vm_memory_attributes)
		range_tree_destroy(&a->by_gfn);
	gmem_mutex_destroy(&a->lock);
}

int vm_attributes_set(struct vm_attributes *a,
		      const struct kvm_memory_attributes2 *req)
{
	uint64_t first = page_index(req->address);
	/* The older struct has no error_offset (it reads zero), so both
	 * generations check it alike. */
	int err = memory_attributes2_check(req, a->supported, GMEM_UAPI_RFC_V4);

	/* kvm_vm_ioctl_set_mem_attributes(): no flags either, and a range
	 * inside the guest's address space. */
	if (err)
		return err;
	if (req->flags ||
	    page_index(req->address + req->size - 1) >= a->by_gfn.npages)
		return -EINVAL;
	gmem_mutex_lock(&a->lock);
	err = range_tree_set(&a->by_gfn, first, first + page_index(req->size),
			     req->attributes);
	gmem_mutex_unlock(&a->lock);
	return err;
}

/* Legacy mode: the VM's own record. */
static int vm_attributes_of_gfn(struct vm_attributes *a, uint64_t gpa,
				uint64_t *attributes)
{
	if (page_index(gpa) >= a->by_gfn.npages)
		return -EINVAL;
	gmem_mutex_lock(&a->lock);
	*attributes = range_tree_lookup(&a->by_gfn, page_index(gpa));
	gmem_mutex_unlock(&a->lock);
	return 0;
}

int vm_attributes_get(struct vm_attributes *a, struct memslots *slots,
		      uint64_t gpa, uint64_t *attributes)
{
	struct gmem_file *f;
	uint64_t offset, end;

	if (a->vm_memory_attributes)
		return vm_attributes_of_gfn(a, gpa, attributes);
	int err;

	f = memslot_gpa_to_file(slots, gpa, &offset, &end);
	if (!f)
		return -ENOENT;
	err = gmem_file_attributes(f, offset, attributes);
	gmem_file_put(f);
	return err;
}
