// SPDX-License-Identifier: MIT
/*
 * The reference way: the running kernel's /dev/kvm and guest_memfd.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gmem/uapi.h>

#include "driver.h"

static int kernel_open_system(void)
{
	return open("/dev/kvm", O_RDWR | O_CLOEXEC);
}

static int kernel_probe(const char **why)
{
	int sys = kernel_open_system();
	int flags;

	if (sys < 0) {
		*why = "no /dev/kvm";
		return 0;
	}
	flags = ioctl(sys, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD_FLAGS);
	close(sys);
	if (flags < 0 || !(flags & GUEST_MEMFD_FLAG_MMAP)) {
		*why = "kernel guest_memfd lacks GUEST_MEMFD_FLAG_MMAP";
		return 0;
	}
	return 1;
}

static int kernel_create_vm(unsigned long type)
{
	int sys = kernel_open_system();
	int vm, err;

	if (sys < 0)
		return -1;
	vm = ioctl(sys, KVM_CREATE_VM, type);
	err = errno;
	close(sys);
	errno = err;
	return vm;
}

static int kernel_ioctl(int fd, unsigned long request, unsigned long arg)
{
	return ioctl(fd, request, arg);
}

const struct driver driver_kernel = {
	.name = "kernel",
	.probe = kernel_probe,
	.open_system = kernel_open_system,
	.create_vm = kernel_create_vm,
	.ioctl = kernel_ioctl,
	.mmap = mmap,
	.munmap = munmap,
	.fallocate = fallocate,
	.ftruncate = ftruncate,
	.close = close,
};
