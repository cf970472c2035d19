// SPDX-License-Identifier: MIT
/*
 * The ways under test: libgmem with the kvm backend (the kernel's own
 * guest_memfd underneath) and with the memfd backend, each in both
 * generations of the series' uAPI (RFC v4, and v6 as "<way>/v6"). A way
 * creates its VMs in its generation, and makes the system fd answer for
 * it through GMEM_UAPI, as a program without options would.
 */
#ifndef CONFORMANCE_KERNEL_ONLY

#include <stdlib.h>

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

static int create_vm_backend(unsigned long type, unsigned int backend,
			     unsigned int uapi)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = backend, .uapi = uapi);

	return gmem_create_vm_opts(type, &opts);
}

static int gmem_kvm_create_vm(unsigned long type)
{
	return create_vm_backend(type, GMEM_BACKEND_KVM, GMEM_UAPI_RFC_V4);
}

static int gmem_memfd_create_vm(unsigned long type)
{
	return create_vm_backend(type, GMEM_BACKEND_MEMFD, GMEM_UAPI_RFC_V4);
}

static int gmem_kvm_create_vm_v6(unsigned long type)
{
	return create_vm_backend(type, GMEM_BACKEND_KVM, GMEM_UAPI_V6);
}

static int gmem_memfd_create_vm_v6(unsigned long type)
{
	return create_vm_backend(type, GMEM_BACKEND_MEMFD, GMEM_UAPI_V6);
}

static int open_system_rfc_v4(void)
{
	setenv("GMEM_UAPI", gmem_uapi_name(GMEM_UAPI_RFC_V4), 1);
	return gmem_open_system();
}

static int open_system_v6(void)
{
	setenv("GMEM_UAPI", gmem_uapi_name(GMEM_UAPI_V6), 1);
	return gmem_open_system();
}

static int gmem_ioctl_arg(int fd, unsigned long request, unsigned long arg)
{
	return gmem_ioctl(fd, request, arg);
}

#define GMEM_DRIVER_COMMON                                                     \
	.ioctl = gmem_ioctl_arg, .mmap = gmem_mmap, .munmap = gmem_munmap,     \
	.fallocate = gmem_fallocate, .ftruncate = gmem_ftruncate,              \
	.close = gmem_close

const struct driver driver_gmem_kvm = {
	.name = "gmem-kvm",
	.probe = gmem_kvm_probe,
	.open_system = open_system_rfc_v4,
	.create_vm = gmem_kvm_create_vm,
	GMEM_DRIVER_COMMON,
};

const struct driver driver_gmem_memfd = {
	.name = "gmem-memfd",
	.probe = gmem_memfd_probe,
	.open_system = open_system_rfc_v4,
	.create_vm = gmem_memfd_create_vm,
	GMEM_DRIVER_COMMON,
};

const struct driver driver_gmem_kvm_v6 = {
	.name = "gmem-kvm/v6",
	.v6 = true,
	.probe = gmem_kvm_probe,
	.open_system = open_system_v6,
	.create_vm = gmem_kvm_create_vm_v6,
	GMEM_DRIVER_COMMON,
};

const struct driver driver_gmem_memfd_v6 = {
	.name = "gmem-memfd/v6",
	.v6 = true,
	.probe = gmem_memfd_probe,
	.open_system = open_system_v6,
	.create_vm = gmem_memfd_create_vm_v6,
	GMEM_DRIVER_COMMON,
};

#endif /* CONFORMANCE_KERNEL_ONLY */
