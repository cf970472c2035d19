/* SPDX-License-Identifier: MIT */
/*
 * A VM: its type and platform, its backend, and its memslots.
 */
#ifndef GMEM_VM_H
#define GMEM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/gmem.h>

#include "backend/backend.h"
#include "lock.h"
#include "object.h"
#include "platform/platform.h"
#include "range_tree.h"
#include "view.h"

struct gmem_file;

/* A memslot, as KVM_SET_USER_MEMORY_REGION2 made it. */
struct memslot {
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	uint64_t userspace_addr;
	uint64_t gmem_offset;
	/* No reference: a binding does not keep a file alive (R36); the
	 * file clears this when it goes away. NULL without GUEST_MEMFD. */
	struct gmem_file *file;
	/* kvm backend: the real VM has this slot too. */
	bool kvm_slot;
	/* kvm backend, gmem-only slot: the library's view of the file that
	 * the real slot's userspace_addr points into; else base NULL. */
	struct view kvm_view;
};

struct gmem_cipher;

/* A conversion the guest asked for (gmem_guest_request), by the file and
 * range its gpa range was bound to when it asked. The file pointer is an
 * identity only: a file that goes away drops its requests. */
struct guest_request {
	const struct gmem_file *file;
	uint64_t offset;
	uint64_t size;
	bool to_private;
};

#define GUEST_REQUESTS_MAX 64

struct gmem_vm {
	struct gmem_object obj;
	unsigned long type;
	const struct gmem_platform *platform;
	struct backend_vm backend;
	/* The kernel's vm_memory_attributes switch, fixed at creation. */
	bool vm_memory_attributes;

	struct gmem_mutex slots_lock;
	struct memslot *slots; /* slots_lock */
	size_t nslots;	       /* slots_lock */
	size_t slots_cap;      /* slots_lock */

	/* Attributes by guest frame number, in vm_memory_attributes mode
	 * only (slots_lock). */
	struct range_tree gpa_attributes;

	bool experimental_policies;
	/* The memory-encryption key, on encrypted platforms; else NULL. */
	struct gmem_cipher *cipher;

	/* What the guest side reported: kvm_run's memory fault and the
	 * guest's pending conversion requests (a ring, oldest dropped). */
	struct gmem_mutex exit_lock;
	struct gmem_memory_fault fault;			   /* exit_lock */
	bool fault_pending;				   /* exit_lock */
	struct guest_request requests[GUEST_REQUESTS_MAX]; /* exit_lock */
	unsigned int next_request;			   /* exit_lock */
};

/* A new VM; its fd is in *fd. 0 or -errno. */
int vm_create(unsigned long type, const struct gmem_vm_opts *opts, int *fd);

static inline struct gmem_vm *vm_from_object(struct gmem_object *obj)
{
	return (struct gmem_vm *)obj;
}

static inline void vm_get(struct gmem_vm *vm)
{
	gmem_object_get(&vm->obj);
}

static inline void vm_put(struct gmem_vm *vm)
{
	gmem_object_put(&vm->obj);
}

/* Whether guest_memfd files track attributes (the in-place conversion
 * mode), rather than the VM by guest physical address. */
static inline bool vm_gmem_attributes(const struct gmem_vm *vm)
{
	return !vm->vm_memory_attributes;
}

/* The guest_memfd flags this VM accepts (KVM_CAP_GUEST_MEMFD_FLAGS). */
uint64_t vm_gmem_flags(const struct gmem_vm *vm);

/* KVM_SET_USER_MEMORY_REGION2. */
int vm_set_memory_region2(struct gmem_vm *vm,
			  const struct kvm_userspace_memory_region2 *r);

/* KVM_SET_MEMORY_ATTRIBUTES (and its 2 form) on the VM, in
 * vm_memory_attributes mode. */
int vm_set_memory_attributes(struct gmem_vm *vm, uint64_t address,
			     uint64_t size, uint64_t attributes,
			     uint64_t flags);

/* The attributes of `gpa`. 0 or -ENOENT (no guest_memfd slot covers it). */
int vm_gpa_attributes(struct gmem_vm *vm, uint64_t gpa, uint64_t *attributes);

/* The file and offset behind `gpa`: the file with a reference, or NULL
 * if no guest_memfd memslot covers it. */
struct gmem_file *vm_gpa_to_file(struct gmem_vm *vm, uint64_t gpa,
				 uint64_t *offset, uint64_t *slot_end);

/* Record a memory fault for the VMM to read (gmem_get_memory_fault). */
void vm_record_memory_fault(struct gmem_vm *vm, uint64_t gpa, bool private);
/* Take the pending memory fault: 0 or -ENOENT. */
int vm_take_memory_fault(struct gmem_vm *vm, struct gmem_memory_fault *out);

/* gmem_guest_request(): validated here. 0 or -errno. */
int vm_guest_request(struct gmem_vm *vm, uint64_t gpa, uint64_t len,
		     bool to_private);
/* Whether the guest asked for exactly this conversion; with `consume`,
 * also forget the request. */
bool vm_guest_requested(struct gmem_vm *vm, const struct gmem_file *f,
			uint64_t offset, uint64_t size, bool to_private,
			bool consume);

/* A guest_memfd is going away: its requests go with it. */
void vm_forget_requests(struct gmem_vm *vm, const struct gmem_file *f);

/* A guest_memfd is going away: its memslots stay, unbound (R36). */
void vm_unbind_file(struct gmem_vm *vm, struct gmem_file *f);

#endif
