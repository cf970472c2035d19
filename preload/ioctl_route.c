// SPDX-License-Identifier: MIT
/*
 * ioctl(2): who answers each request.
 *
 *  - A descriptor the library did not make: the kernel.
 *  - The system descriptor (what open("/dev/kvm") returned): the library
 *    for KVM_GET_API_VERSION, KVM_CREATE_VM and the capabilities it
 *    models; the kernel's /dev/kvm for the rest (the vCPU mmap size,
 *    supported CPUID, MSR lists, the capabilities of KVM itself). A VM is
 *    created with a real KVM VM beneath it (gmem_vm_opts.kvm_vm), so that
 *    the program can run vCPUs over its memory.
 *  - A VM descriptor: the library for guest_memfd creation, memslots,
 *    memory attributes, the launch commands of SEV-SNP and TDX
 *    (KVM_MEMORY_ENCRYPT_OP) and the capabilities it models; the real VM
 *    beneath it for everything else (KVM_CREATE_VCPU, KVM_SET_TSS_ADDR,
 *    KVM_CREATE_IRQCHIP, KVM_CHECK_EXTENSION of KVM's own capabilities,
 *    ...), so the program's vCPU descriptors are the kernel's and
 *    KVM_RUN is real. KVM_SET_USER_MEMORY_REGION is the 2 form with the
 *    extension left zero, as in the kernel, so that the library knows
 *    every slot the real VM has.
 *  - A guest_memfd: the library.
 */
#include <errno.h>
#include <stdarg.h>
#include <sys/ioctl.h>

#include <gmem/gmem.h>

#include "backend/backend.h"
#include "capability.h"
#include "fd_table.h"
#include "guard.h"
#include "next.h"
#include "uaccess.h"

/* The flags the first form of the memslot ioctl takes (kvm_main.c). */
#define REGION_V1_FLAGS (KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)

/* What the descriptor is to the library, 0 for none of its own. */
static enum gmem_object_kind fd_kind(int fd)
{
	struct gmem_object *obj = fd_table_get(fd);
	enum gmem_object_kind kind = 0;

	if (obj) {
		kind = obj->kind;
		gmem_object_put(obj);
	}
	return kind;
}

static int served(int fd, unsigned long request, unsigned long arg)
{
	return gmem_ioctl(fd, request, arg);
}

/* The kernel's /dev/kvm, for what the system descriptor passes on. */
static int system_passed_on(unsigned long request, unsigned long arg)
{
	int kvm = backend_kvm_system_fd();

	if (kvm < 0) {
		errno = -kvm;
		return -1;
	}
	return next_ioctl(kvm, request, arg);
}

static int system_ioctl(int fd, unsigned long request, unsigned long arg)
{
	GMEM_OPTS(gmem_vm_opts, opts, .kvm_vm = 1);

	switch (request) {
	case KVM_GET_API_VERSION:
		return served(fd, request, arg);
	case KVM_CREATE_VM:
		return gmem_create_vm_opts(arg, &opts);
	case KVM_CHECK_EXTENSION:
		if (capability_modelled((long)arg))
			return served(fd, request, arg);
		return system_passed_on(request, arg);
	default:
		return system_passed_on(request, arg);
	}
}

/* The real VM beneath the library's; in a child of fork() the library's
 * EIO (R110), as the kernel refuses a VM ioctl from another process. */
static int vm_passed_on(int fd, unsigned long request, unsigned long arg)
{
	int kvm_vm = gmem_vm_kvm_fd(fd);

	if (kvm_vm < 0) {
		if (errno == ENODEV)
			errno = ENOTTY;
		return -1;
	}
	return next_ioctl(kvm_vm, request, arg);
}

static int vm_set_region_v1(int fd, unsigned long arg)
{
	struct kvm_userspace_memory_region2 r = { 0 };
	int err;

	err = copy_from_user(&r, (void *)arg,
			     sizeof(struct kvm_userspace_memory_region));
	if (!err && (r.flags & ~REGION_V1_FLAGS))
		err = -EINVAL;
	if (err) {
		errno = -err;
		return -1;
	}
	return served(fd, KVM_SET_USER_MEMORY_REGION2, (unsigned long)&r);
}

static int vm_ioctl(int fd, unsigned long request, unsigned long arg)
{
	switch (request) {
	case KVM_CREATE_GUEST_MEMFD:
	case KVM_SET_USER_MEMORY_REGION2:
	case KVM_SET_MEMORY_ATTRIBUTES:
	case KVM_SET_MEMORY_ATTRIBUTES2:
	case KVM_MEMORY_ENCRYPT_OP:
		return served(fd, request, arg);
	case KVM_SET_USER_MEMORY_REGION:
		return vm_set_region_v1(fd, arg);
	case KVM_CHECK_EXTENSION:
		if (capability_modelled((long)arg))
			return served(fd, request, arg);
		return vm_passed_on(fd, request, arg);
	default:
		return vm_passed_on(fd, request, arg);
	}
}

static int ioctl_served(enum gmem_object_kind kind, int fd,
			unsigned long request, unsigned long arg)
{
	switch (kind) {
	case GMEM_OBJ_SYSTEM:
		return system_ioctl(fd, request, arg);
	case GMEM_OBJ_VM:
		return vm_ioctl(fd, request, arg);
	default:
		return served(fd, request, arg);
	}
}

int ioctl(int fd, unsigned long request, ...)
{
	enum gmem_object_kind kind;
	unsigned long arg;
	va_list ap;
	int ret, err;

	va_start(ap, request);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	if (guard_pass_on())
		return next_ioctl(fd, request, arg);
	guard_enter();
	kind = fd_kind(fd);
	guard_leave();
	/* A vCPU's KVM_RUN, a tty's: outside the mark, as signal handlers
	 * that interrupt them may use the library. */
	if (!kind)
		return next_ioctl(fd, request, arg);
	guard_enter();
	ret = ioctl_served(kind, fd, request, arg);
	err = errno;
	guard_leave();
	errno = err;
	return ret;
}
