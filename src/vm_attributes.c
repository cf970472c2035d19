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
#include "vm.h"

int vm_set_memory_attributes(struct gmem_vm *vm, uint64_t address,
			     uint64_t size, uint64_t attributes, uint64_t flags)
{
	uint64_t supported = vm->platform->has_private_mem
				     ? KVM_MEMORY_ATTRIBUTE_PRIVATE
				     : 0;
	int err;

	/* kvm_vm_ioctl_set_mem_attributes(): no flags, known attributes,
	 * a non-empty page-aligned range that does not wrap. */
	if (flags || (attributes & ~supported))
		return -EINVAL;
	if (!size || address + size < address)
		return -EINVAL;
	if (!page_aligned(address) || !page_aligned(size))
		return -EINVAL;
	if (page_index(address + size - 1) >= vm->gpa_attributes.npages)
		return -EINVAL;
	gmem_mutex_lock(&vm->slots_lock);
	err = range_tree_set(&vm->gpa_attributes, page_index(address),
			     page_index(address) + page_index(size),
			     attributes);
	gmem_mutex_unlock(&vm->slots_lock);
	return err;
}

struct gmem_file *vm_gpa_to_file(struct gmem_vm *vm, uint64_t gpa,
				 uint64_t *offset, uint64_t *slot_end)
{
	struct gmem_file *f = NULL;

	gmem_mutex_lock(&vm->slots_lock);
	for (size_t i = 0; i < vm->nslots && !f; i++) {
		const struct memslot *s = &vm->slots[i];

		if (gpa < s->gpa || gpa - s->gpa >= s->size || !s->file)
			continue;
		/* The file may be on its way out (R36). */
		if (!gmem_object_tryget(&s->file->obj))
			break;
		f = s->file;
		*offset = s->gmem_offset + (gpa - s->gpa);
		*slot_end = s->gpa + s->size;
	}
	gmem_mutex_unlock(&vm->slots_lock);
	return f;
}

int vm_gpa_attributes(struct gmem_vm *vm, uint64_t gpa, uint64_t *attributes)
{
	struct gmem_file *f;
	uint64_t offset, end;

	if (vm->vm_memory_attributes) {
		if (page_index(gpa) >= vm->gpa_attributes.npages)
			return -EINVAL;
		gmem_mutex_lock(&vm->slots_lock);
		*attributes =
			range_tree_lookup(&vm->gpa_attributes, page_index(gpa));
		gmem_mutex_unlock(&vm->slots_lock);
		return 0;
	}
	f = vm_gpa_to_file(vm, gpa, &offset, &end);
	if (!f)
		return -ENOENT;
	gmem_rwlock_read_lock(&f->convert_lock);
	*attributes = gmem_file_page_attributes(f, page_index(offset));
	gmem_rwlock_read_unlock(&f->convert_lock);
	gmem_file_put(f);
	return 0;
}
