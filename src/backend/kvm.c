// SPDX-License-Identifier: MIT
/*
 * The kvm backend: the kernel's own guest_memfd.
 *
 * Each library VM holds one real default-type VM, because the kernel binds
 * a guest_memfd to the VM that made it and only accepts the default type
 * here. Every file is created with MMAP|INIT_SHARED whatever the caller
 * asked: the caller still gets the kernel's errors for the flags it passed
 * (validated above this layer), and the library enforces privacy on the
 * mappings it hands out.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "backend.h"

static int system_fd = -1;
static int system_err;
static pthread_once_t system_once = PTHREAD_ONCE_INIT;

static void open_system_once(void)
{
	system_fd = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (system_fd < 0)
		system_err = -errno;
}

int backend_kvm_system_fd(void)
{
	pthread_once(&system_once, open_system_once);
	return system_fd >= 0 ? system_fd : system_err;
}

bool backend_kvm_available(void)
{
	int fd = backend_kvm_system_fd();
	int flags;

	if (fd < 0)
		return false;
	if (ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD) <= 0)
		return false;
	flags = ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	return flags > 0 && (flags & GUEST_MEMFD_FLAG_MMAP) &&
	       (flags & GUEST_MEMFD_FLAG_INIT_SHARED);
}

int backend_kvm_vm_create(struct backend_vm *bvm)
{
	int sys = backend_kvm_system_fd();
	int fd;

	if (sys < 0)
		return -ENODEV;
	fd = ioctl(sys, KVM_CREATE_VM, KVM_X86_DEFAULT_VM);
	if (fd < 0)
		return -errno;
	bvm->kvm_vm_fd = fd;
	bvm->kvm_user_memory2 =
		ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2) > 0;
	return 0;
}

void backend_kvm_vm_destroy(struct backend_vm *bvm)
{
	if (bvm->kvm_vm_fd >= 0)
		close(bvm->kvm_vm_fd);
	bvm->kvm_vm_fd = -1;
}

/* Huge files are never asked of this backend (vm_gmem_flags()). */
static int kvm_file_create(struct backend_vm *bvm, uint64_t size,
			   unsigned int folio_shift, bool mappable,
			   int *public_fd, int *memory_fd)
{
	struct kvm_create_guest_memfd args = {
		.size = size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int fd, mem;

	(void)mappable;
	if (folio_shift != 12)
		return -EINVAL;
	fd = ioctl(bvm->kvm_vm_fd, KVM_CREATE_GUEST_MEMFD, &args);
	if (fd < 0)
		return -errno;
	/* The library's own reference: the file outlives the caller's fd
	 * while mappings or memslots use it. */
	mem = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return backend_file_fds(fd, mem < 0 ? -errno : mem, public_fd,
				memory_fd);
}

const struct backend_ops backend_kvm_ops = {
	.id = GMEM_BACKEND_KVM,
	.name = "kvm",
	.vm_init = backend_kvm_vm_create,
	.vm_fini = backend_kvm_vm_destroy,
	.file_create = kvm_file_create,
};
