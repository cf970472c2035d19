// SPDX-License-Identifier: MIT
/*
 * VMs. A VM is created for one of the types the platforms know, on one
 * backend, and lives until its fd is closed and the last guest_memfd made
 * on it is gone (a guest_memfd holds a reference on its VM, R8).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "cipher.h"
#include "fd_table.h"
#include "gmem_file.h"
#include "identity_fd.h"
#include "vm.h"

/* Every frame number of a 64-bit guest physical address space. */
#define GFN_LIMIT (1ULL << 52)

uint64_t vm_gmem_flags(const struct gmem_vm *vm)
{
	uint64_t flags = GUEST_MEMFD_FLAG_MMAP;

	/* 6.18 offers INIT_SHARED only to VMs without private memory; with
	 * per-file attributes every VM may start its files shared. */
	if (!vm->platform->has_private_mem || vm_gmem_attributes(vm))
		flags |= GUEST_MEMFD_FLAG_INIT_SHARED;
	return flags;
}

static void vm_release(struct gmem_object *obj)
{
	struct gmem_vm *vm = vm_from_object(obj);

	/* Every file is gone already, and each took its views back. */
	gmem_free(vm->slots);
	if (vm->vm_memory_attributes)
		range_tree_destroy(&vm->gpa_attributes);
	vm->backend.ops->vm_fini(&vm->backend);
	cipher_destroy(vm->cipher);
	gmem_mutex_destroy(&vm->exit_lock);
	gmem_mutex_destroy(&vm->slots_lock);
	gmem_free(vm);
}

/* The attribute tree of legacy mode and the key of encrypted platforms. */
static int vm_alloc_state(struct gmem_vm *vm)
{
	int err = 0;

	if (vm->vm_memory_attributes &&
	    range_tree_init(&vm->gpa_attributes, GFN_LIMIT, 0))
		return -ENOMEM;
	if (vm->platform->encrypted)
		vm->cipher = cipher_create(&err);
	if (err && vm->vm_memory_attributes)
		range_tree_destroy(&vm->gpa_attributes);
	return err;
}

static struct gmem_vm *vm_alloc(unsigned long type,
				const struct gmem_vm_opts *opts, int *err)
{
	const struct gmem_platform *platform = platform_for_type(type);
	struct gmem_vm *vm;

	if (!platform) {
		*err = -EINVAL;
		return NULL;
	}
	vm = gmem_calloc(1, sizeof(*vm));
	if (!vm) {
		*err = -ENOMEM;
		return NULL;
	}
	vm->type = type;
	vm->platform = platform;
	vm->vm_memory_attributes = opts->vm_memory_attributes;
	vm->experimental_policies = opts->experimental_policies;
	vm->backend.kvm_vm_fd = -1;
	*err = vm_alloc_state(vm);
	if (*err) {
		gmem_free(vm);
		return NULL;
	}
	gmem_object_init(&vm->obj, GMEM_OBJ_VM, vm_release);
	gmem_mutex_init(&vm->slots_lock);
	gmem_mutex_init(&vm->exit_lock);
	return vm;
}

int vm_create(unsigned long type, const struct gmem_vm_opts *opts, int *fd)
{
	const struct backend_ops *ops;
	struct gmem_vm *vm;
	int err = 0;

	vm = vm_alloc(type, opts, &err);
	if (!vm)
		return err;
	ops = backend_select(opts->backend, &err);
	if (!ops)
		goto out_free;
	vm->backend.ops = ops;
	err = ops->vm_init(&vm->backend);
	if (err)
		goto out_free;
	*fd = identity_fd_create("gmem-vm", IDENTITY_FD_SIZE);
	if (*fd < 0) {
		err = *fd;
		goto out_fini;
	}
	err = fd_table_insert(*fd, &vm->obj);
	if (err)
		goto out_close;
	return 0;

out_close:
	close(*fd);
out_fini:
	ops->vm_fini(&vm->backend);
out_free:
	if (vm->vm_memory_attributes)
		range_tree_destroy(&vm->gpa_attributes);
	cipher_destroy(vm->cipher);
	gmem_mutex_destroy(&vm->exit_lock);
	gmem_mutex_destroy(&vm->slots_lock);
	gmem_free(vm);
	return err;
}
