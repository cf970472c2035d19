/* SPDX-License-Identifier: MIT */
/*
 * A VM's memslots, as KVM_SET_USER_MEMORY_REGION2 makes them: guest
 * physical ranges, each bound to host memory and, with KVM_MEM_GUEST_MEMFD,
 * to a range of a guest_memfd of the same VM. A guest physical address
 * reaches a file only through the slot that binds it.
 */
#ifndef GMEM_MEMSLOT_H
#define GMEM_MEMSLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmem/uapi.h>

#include "lock.h"
#include "view.h"

struct backend_vm;
struct gmem_file;
struct gmem_vm;

/* A memslot, as KVM_SET_USER_MEMORY_REGION2 made it. */
struct memslot {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	uint64_t userspace_addr;
	uint64_t gmem_offset;
	/* No reference: a binding does not keep a file alive (R36); the
	 * file's end unbinds it (memslot_unbind_file). NULL without
	 * GUEST_MEMFD. */
	struct gmem_file *file;
	/* The file was made with GUEST_MEMFD_FLAG_MMAP: KVM serves the
	 * slot's shared faults from it, not from userspace_addr. Kept when
	 * the file goes. */
	bool gmem_only;
	/* kvm backend: the real VM has this slot too. */
	bool kvm_slot;
	/* kvm backend, gmem-only slot: the library's view of the file that
	 * the real slot's userspace_addr points into; else base NULL. */
	struct view kvm_view;
};

/* The slots of one VM. */
struct memslots {
	const struct gmem_vm *vm; /* the owner: only its files can be bound */
	const struct backend_vm *backend; /* a real VM, if any: mirror in */

	struct gmem_mutex lock;
	struct memslot *slots; /* lock */
	size_t nslots;	       /* lock */
	size_t cap;	       /* lock */
};

/* No slots yet, for `vm` on `backend` (both outlive the slots). */
void memslots_init(struct memslots *m, const struct gmem_vm *vm,
		   const struct backend_vm *backend);
/* Every file has left the slots already (the VM outlives its files). */
void memslots_destroy(struct memslots *m);

/* KVM_SET_USER_MEMORY_REGION2, validated here. 0 or -errno. */
int memslot_set_region2(struct memslots *m,
			const struct kvm_userspace_memory_region2 *r);

/* The file and offset behind `gpa`, and the end of the slot's guest
 * physical range: the file with a reference, or NULL if no guest_memfd
 * slot covers `gpa`. */
struct gmem_file *memslot_gpa_to_file(struct memslots *m, uint64_t gpa,
				      uint64_t *offset, uint64_t *slot_end);

/* The host address behind `gpa` in a guest_memfd slot whose shared
 * accesses go to userspace_addr (its file was made without MMAP): 0, or
 * -ENOENT if no such slot covers `gpa`. */
int memslot_gpa_to_hva(struct memslots *m, uint64_t gpa, uint64_t *hva);

/* A slot as a report shows it. */
struct memslot_info {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	uint64_t gmem_offset;
	bool has_file; /* bound to a guest_memfd that is still there */
};

/* Up to `max` slots into `out`, in guest physical order; returns how many
 * there are. */
size_t memslots_list(struct memslots *m, struct memslot_info *out, size_t max);

/* A guest_memfd is going away: its slots stay, unbound (R36). */
void memslot_unbind_file(struct memslots *m, struct gmem_file *f);

#endif
