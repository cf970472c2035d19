/* SPDX-License-Identifier: MIT */
/*
 * A VM: its type and platform, its backend and key, and its parts, each
 * with its own lock and file: memslots (memslot.c), attributes by guest
 * physical address (vm_attributes.c), and what the guest reports
 * (guest_exit.c), the launch (launch_state.c). vm.c makes and ends the VM, and
 * the guest_memfd files made on it.
 */
#ifndef GMEM_VM_H
#define GMEM_VM_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/gmem.h>

#include "backend/backend.h"
#include "guest_exit.h"
#include "launch_state.h"
#include "memslot.h"
#include "object.h"
#include "platform/platform.h"
#include "uapi_generation.h"
#include "uaccess.h"
#include "vm_attributes.h"
#include "vm_stats.h"

struct gmem_cipher;

/* Everything but the parts is fixed at creation. */
struct gmem_vm {
	struct gmem_object obj;
	unsigned long type;
	const struct gmem_platform *platform;
	struct backend_vm backend;
	bool experimental_policies;
	/* The series generation its conversions and capabilities follow. */
	enum gmem_uapi uapi;
	/* GMEM_HARDEN_* flags, in force from creation to release. */
	unsigned int hardening;
	/* How calls on the VM and its files copy their arguments. */
	enum uaccess_mode uaccess;
	/* The memory-encryption key, on encrypted platforms; else NULL. */
	struct gmem_cipher *cipher;

	struct memslots slots;
	struct vm_attributes attributes;
	struct guest_exits exits;
	struct launch_state launch;
	/* Atomic counters: the conversion path adds, the endpoint reads. */
	struct vm_stats stats;
};

/* A new VM; its fd is in *fd. 0 or -errno. */
int vm_create(unsigned long type, const struct gmem_vm_opts *opts, int *fd);

/* The VM behind `fd` with a reference, or NULL. */
struct gmem_vm *vm_lookup(int fd);

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
	return !vm->attributes.vm_memory_attributes;
}

/* Whether the VM follows the v6+ uAPI of the series (no content modes),
 * rather than RFC v4's. */
static inline bool vm_uapi_v6(const struct gmem_vm *vm)
{
	return vm->uapi == GMEM_UAPI_V6;
}

/* The attributes this VM type has (kvm_supported_mem_attributes()). */
static inline uint64_t vm_supported_attributes(const struct gmem_vm *vm)
{
	return vm->platform->has_private_mem ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
}

/* The guest_memfd flags this VM accepts (KVM_CAP_GUEST_MEMFD_FLAGS). */
uint64_t vm_gmem_flags(const struct gmem_vm *vm);

/* KVM_CREATE_GUEST_MEMFD: the new fd, or -errno. */
int vm_create_gmem(struct gmem_vm *vm,
		   const struct kvm_create_guest_memfd *args);

#endif
