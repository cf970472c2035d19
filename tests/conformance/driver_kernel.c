// SPDX-License-Identifier: MIT
/*
 * The reference way: the running kernel's /dev/kvm and guest_memfd.
 *
 * It runs wherever the kernel has guest_memfd. Where that guest_memfd
 * lacks GUEST_MEMFD_FLAG_MMAP or INIT_SHARED (Linux 6.8 to 6.17), a case
 * that asks for them learns nothing about the library from this kernel:
 * the driver notes it, and the suite takes the recorded answer instead.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gmem/uapi.h>

#include "driver.h"
#include "host_probe.h"

static bool asked_unoffered;

static int kernel_open_system(void)
{
	return open("/dev/kvm", O_RDWR | O_CLOEXEC);
}

static int kernel_probe(const char **why)
{
	*why = host_lacks(HOST_GUEST_MEMFD);
	return !*why;
}

/* Whether a KVM_CREATE_GUEST_MEMFD argument asks for a flag this kernel
 * does not offer. Read without faulting: cases pass bad pointers too. */
static bool wants_unoffered(unsigned long arg)
{
	const uint64_t mirrored =
		GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	struct kvm_create_guest_memfd args;
	struct iovec local = { &args, sizeof(args) };
	struct iovec remote = { (void *)arg, sizeof(args) };

	if (process_vm_readv(getpid(), &local, 1, &remote, 1, 0) !=
	    (ssize_t)sizeof(args))
		return false;
	return args.flags & mirrored & ~host_probe()->gmem_flags;
}

static bool kernel_unoffered(void)
{
	bool was = asked_unoffered;

	asked_unoffered = false;
	return was;
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
	if (request == KVM_CREATE_GUEST_MEMFD && wants_unoffered(arg))
		asked_unoffered = true;
	return ioctl(fd, request, arg);
}

const struct driver driver_kernel = {
	.name = "kernel",
	.probe = kernel_probe,
	.unoffered = kernel_unoffered,
	.open_system = kernel_open_system,
	.create_vm = kernel_create_vm,
	.ioctl = kernel_ioctl,
	.mmap = mmap,
	.munmap = munmap,
	.fallocate = fallocate,
	.ftruncate = ftruncate,
	.close = close,
};
