/* SPDX-License-Identifier: MIT */
/*
 * Attributes as seen from a VM, by guest physical address: kept by the VM
 * itself in the kernel's legacy mode (vm_memory_attributes), else read
 * from the guest_memfd behind the address.
 */
#ifndef GMEM_VM_ATTRIBUTES_H
#define GMEM_VM_ATTRIBUTES_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/uapi.h>

#include "lock.h"
#include "range_tree.h"

struct memslots;

struct vm_attributes {
	/* The kernel's vm_memory_attributes switch, fixed at creation: the
	 * VM keeps the attributes, not its guest_memfd files. */
	bool vm_memory_attributes;
	/* The attributes the VM type has, fixed at creation. */
	uint64_t supported;

	struct gmem_mutex lock;
	/* By guest frame number, vm_memory_attributes only (lock). */
	struct range_tree by_gfn;
};

/* Attributes kept by the VM (`vm_memory_attributes`) or by its files.
 * 0 or -ENOMEM. */
int vm_attributes_init(struct vm_attributes *a, bool vm_memory_attributes,
		       uint64_t supported);
void vm_attributes_destroy(struct vm_attributes *a);

/* KVM_SET_MEMORY_ATTRIBUTES (read with its extra words zero) or its 2
 * form on the VM, in vm_memory_attributes mode; validated here. The 2 form
 * takes no content mode on this path. 0 or -errno. */
int vm_attributes_set(struct vm_attributes *a,
		      const struct kvm_memory_attributes2 *req);

/* The attributes of `gpa`, from the VM or through the memslot that binds
 * it. 0, -EINVAL (beyond the guest's address space) or -ENOENT (no
 * guest_memfd slot covers it). */
int vm_attributes_get(struct vm_attributes *a, struct memslots *slots,
		      uint64_t gpa, uint64_t *attributes);

#endif
