// SPDX-License-Identifier: MIT
/*
 * The reference way: the running kernel's /dev/kvm and guest_memfd.
 *
 * It runs wherever the kernel has guest_memfd; on an older one than the
 * library mirrors, the suite weighs its answers (main.c).
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
#include "host_probe.h"

/*
 * The build that links no libgmem runs under libgmem-preload.so
 * (preload-agrees.py): its kernel is the library, which has the series,
 * so the cases that the running kernel cannot answer are compared too.
 */
#ifdef CONFORMANCE_KERNEL_ONLY
#define KERNEL_WAY_NAME "preload"
#else
#define KERNEL_WAY_NAME "kernel"
#endif

/* What gmem_open_system() stands for: a plain open(2), without
 * O_CLOEXEC (R92). */
static int kernel_open_system(void)
{
	return open("/dev/kvm", O_RDWR);
}

static int kernel_probe(const char **why)
{
	*why = host_lacks(HOST_GUEST_MEMFD);
	return !*why;
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
	.name = KERNEL_WAY_NAME,
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
