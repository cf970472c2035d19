// SPDX-License-Identifier: MIT
/*
 * A driver is one way of issuing the guest_memfd syscalls: straight to the
 * kernel, or through libgmem with one of its backends. Every case is written
 * once against this table of functions and run through each driver.
 */
#ifndef CONFORMANCE_DRIVER_H
#define CONFORMANCE_DRIVER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct driver {
	const char *name;
	/* The way creates its VMs in the v6+ generation of the series'
	 * uAPI (the kernel's and the other ways: RFC v4, or none). */
	bool v6;
	/* 1 if this way can run here; else 0 and *why says what is missing. */
	int (*probe)(const char **why);
	/* The /dev/kvm fd (or its stand-in): answers KVM_CHECK_EXTENSION. */
	int (*open_system)(void);
	/* KVM_CREATE_VM: a VM fd, or -1 with errno. */
	int (*create_vm)(unsigned long type);
	/* arg is an integer or a pointer cast to unsigned long. */
	int (*ioctl)(int fd, unsigned long request, unsigned long arg);
	void *(*mmap)(void *addr, size_t len, int prot, int flags, int fd,
		      off_t offset);
	int (*munmap)(void *addr, size_t len);
	int (*fallocate)(int fd, int mode, off_t offset, off_t len);
	int (*ftruncate)(int fd, off_t len);
	int (*close)(int fd);
};

extern const struct driver driver_kernel;
#ifndef CONFORMANCE_KERNEL_ONLY
extern const struct driver driver_gmem_kvm;
extern const struct driver driver_gmem_memfd;
extern const struct driver driver_gmem_kvm_v6;
extern const struct driver driver_gmem_memfd_v6;
#endif

#endif /* CONFORMANCE_DRIVER_H */
