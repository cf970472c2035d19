// SPDX-License-Identifier: MIT
/*
 * The ways under test: libgmem with the kvm backend (the kernel's own
 * guest_memfd underneath) and with the memfd backend.
 */
#ifndef CONFORMANCE_KERNEL_ONLY

#include <gmem/gmem.h>

#include "driver.h"

static int gmem_kvm_probe(const char **why)
{
	if (gmem_kvm_backend_available())
		return 1;
	*why = "libgmem kvm backend not available";
	return 0;
}

static int gmem_memfd_probe(const char **why)
{
	(void)why;
	return 1;
}

static int create_vm_backend(unsigned long type, unsigned int backend)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = backend);

	return gmem_create_vm_opts(type, &opts);
}

static int gmem_kvm_create_vm(unsigned long type)
{
	return create_vm_backend(type, GMEM_BACKEND_KVM);
}

static int gmem_memfd_create_vm(unsigned long type)
{
	return create_vm_backend(type, GMEM_BACKEND_MEMFD);
}

static int gmem_ioctl_arg(int fd, unsigned long request, unsigned long arg)
{
	return gmem_ioctl(fd, request, arg);
}

#define GMEM_DRIVER_COMMON                                                     \
	.open_system = gmem_open_system, .ioctl = gmem_ioctl_arg,              \
	.mmap = gmem_mmap, .munmap = gmem_munmap, .fallocate = gmem_fallocate, \
	.ftruncate = gmem_ftruncate, .close = gmem_close

const struct driver driver_gmem_kvm = {
	.name = "gmem-kvm",
	.probe = gmem_kvm_probe,
	.create_vm = gmem_kvm_create_vm,
	GMEM_DRIVER_COMMON,
};

const struct driver driver_gmem_memfd = {
	.name = "gmem-memfd",
	.probe = gmem_memfd_probe,
	.create_vm = gmem_memfd_create_vm,
	GMEM_DRIVER_COMMON,
};

#endif /* CONFORMANCE_KERNEL_ONLY */
