// SPDX-License-Identifier: MIT
/*
 * VMs, and the guest_memfd files made on them.
 *
 * A VM is created for one of the types the platforms know, on one backend,
 * and lives until its fd is closed and the last guest_memfd made on it is
 * gone (a guest_memfd holds a reference on its VM, R8). Its parts (slots,
 * attributes by gpa, guest exits) are made and ended here, each by its
 * own file's calls. A VM on the kvm backend always holds a real KVM VM;
 * one on the memfd backend holds one when the caller asks (kvm_vm), to
 * run vCPUs over its memory.
 *
 * A file's end is the VM's business too: its memslots and the guest's
 * requests name the file without holding it (R36), so they let go of it
 * here, before the file's state goes, and only then does the file drop its
 * reference on the VM.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "alloc.h"
#include "cipher.h"
#include "copy_slot.h"
#include "fd_table.h"
#include "gmem_file.h"
#include "hardening.h"
#include "host_map.h"
#include "identity_fd.h"
#include "prepared.h"
#include "introspect_server.h"
#include "view.h"
#include "vm.h"
#include "vm_opts.h"

uint64_t vm_gmem_flags(const struct gmem_vm *vm)
{
	uint64_t flags = GUEST_MEMFD_FLAG_MMAP;

	/* 6.18 offers INIT_SHARED only to VMs without private memory; with
	 * per-file attributes every VM may start its files shared. */
	if (!vm->platform->has_private_mem || vm_gmem_attributes(vm))
		flags |= GUEST_MEMFD_FLAG_INIT_SHARED;
	/* Huge folios only where the VM was given a source for them. */
	if (vm->backend.huge_source != GMEM_HUGE_NONE)
		flags |= GUEST_MEMFD_FLAG_HUGETLB;
	return flags;
}

/* Undo vm_alloc(). */
static void vm_free(struct gmem_vm *vm)
{
	launch_state_destroy(&vm->launch);
	guest_exits_destroy(&vm->exits);
	memslots_destroy(&vm->slots);
	vm_attributes_destroy(&vm->attributes);
	cipher_destroy(vm->cipher);
	gmem_free(vm->backend.huge_dir);
	copy_slot_release();
	gmem_free(vm);
}

static void vm_release(struct gmem_object *obj)
{
	struct gmem_vm *vm = vm_from_object(obj);

	/* Every file is gone already, and each took its views back; a
	 * report in progress ends before the VM does. */
	introspect_server_remove(vm);
	vm->backend.ops->vm_fini(&vm->backend);
	hardening_end(vm->hardening);
	vm_free(vm);
}

/* Where huge files' memory comes from: a directory exactly for the
 * sources that live in one (R113). */
static int vm_huge_source(struct gmem_vm *vm, const struct gmem_vm_opts *opts)
{
	bool in_dir = opts->huge_source == GMEM_HUGE_HUGETLBFS ||
		      opts->huge_source == GMEM_HUGE_TMPFS;

	if (opts->huge_source > GMEM_HUGE_TMPFS || in_dir != !!opts->huge_dir)
		return -EINVAL;
	vm->backend.huge_source = opts->huge_source;
	return in_dir ? vm_opts_copy_string(opts->huge_dir,
					    &vm->backend.huge_dir)
		      : 0;
}

/* The huge source, the attribute record and the key of encrypted
 * platforms. */
static int vm_alloc_state(struct gmem_vm *vm, const struct gmem_vm_opts *opts)
{
	int err = vm_huge_source(vm, opts);

	if (!err)
		err = vm_attributes_init(&vm->attributes,
					 opts->vm_memory_attributes,
					 vm_supported_attributes(vm));
	if (err) {
		gmem_free(vm->backend.huge_dir);
		return err;
	}
	if (vm->platform->encrypted)
		vm->cipher = cipher_create(&err);
	if (err) {
		vm_attributes_destroy(&vm->attributes);
		gmem_free(vm->backend.huge_dir);
	}
	return err;
}

static struct gmem_vm *vm_alloc(unsigned long type,
				const struct gmem_vm_opts *opts, int *err)
{
	const struct gmem_platform *platform = platform_for_type(type);
	struct gmem_vm *vm;

	enum gmem_uapi uapi;

	if (!platform || opts->kvm_vm > 1 ||
	    (opts->hardening & ~HARDENING_KNOWN) ||
	    uapi_generation_select(opts->uapi, &uapi)) {
		*err = -EINVAL;
		return NULL;
	}
	vm = gmem_calloc(1, sizeof(*vm));
	if (!vm) {
		*err = -ENOMEM;
		return NULL;
	}
	vm->type = type;
	vm->uapi = uapi;
	vm->platform = platform;
	vm->experimental_policies = opts->experimental_policies;
	vm->hardening = opts->hardening;
	vm->uaccess =
		opts->trusted_pointers ? UACCESS_TRUSTED : UACCESS_CHECKED;
	vm->backend.kvm_vm_fd = -1;
	*err = vm_alloc_state(vm, opts);
	if (*err) {
		gmem_free(vm);
		return NULL;
	}
	copy_slot_hold();
	gmem_object_init(&vm->obj, GMEM_OBJ_VM, vm_release);
	memslots_init(&vm->slots, vm, &vm->backend);
	guest_exits_init(&vm->exits);
	launch_state_init(&vm->launch);
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
	/* Huge files live in memory the library makes (R113). */
	if (opts->huge_source != GMEM_HUGE_NONE &&
	    ops->id != GMEM_BACKEND_MEMFD) {
		err = -ENODEV;
		goto out_free;
	}
	err = ops->vm_init(&vm->backend);
	if (err)
		goto out_free;
	if (opts->kvm_vm && vm->backend.kvm_vm_fd < 0)
		err = backend_kvm_vm_create(&vm->backend);
	if (err)
		goto out_fini;
	err = hardening_begin(vm->hardening);
	if (err)
		goto out_fini;
	*fd = identity_fd_create_vm();
	if (*fd < 0) {
		err = *fd;
		goto out_harden;
	}
	err = fd_table_insert_shared(*fd, &vm->obj);
	if (err)
		goto out_close;
	return 0;

out_close:
	close(*fd);
out_harden:
	hardening_end(vm->hardening);
out_fini:
	ops->vm_fini(&vm->backend);
out_free:
	vm_free(vm);
	return err;
}

struct gmem_vm *vm_lookup(int fd)
{
	struct gmem_object *obj = fd_table_get(fd);

	if (obj && obj->kind != GMEM_OBJ_VM) {
		gmem_object_put(obj);
		obj = NULL;
	}
	return obj ? vm_from_object(obj) : NULL;
}

/* A file's end, when its last reference goes (its fd, its host mappings,
 * the calls using it): the host-map records, the slots and the requests
 * let go of it, and the slots' views of it go before its own. */
static void vm_file_release(struct gmem_object *obj)
{
	struct gmem_file *f = file_from_object(obj);
	struct gmem_vm *vm = f->vm;

	host_map_file_release(f);
	memslot_unbind_file(&vm->slots, f);
	guest_exit_forget_requests(&vm->exits, f);
	view_release(f);
	prepared_destroy(f);
	gmem_file_destroy(f);
	vm_put(vm);
}

int vm_create_gmem(struct gmem_vm *vm,
		   const struct kvm_create_guest_memfd *args)
{
	struct gmem_file *f;
	int err = gmem_file_check_args(args, vm_gmem_flags(vm));

	if (err)
		return err;
	f = gmem_file_alloc(vm, args, vm_file_release, &err);
	if (!f)
		return err;
	vm_get(vm); /* the file's, until its end (R8) */
	return gmem_file_open(f, &vm->backend);
}
