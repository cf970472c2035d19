// SPDX-License-Identifier: MIT
/*
 * fork(2). The library's fork handlers (pthread_atfork) unmap and remap
 * its own views and take its locks; they run inside the C library's
 * fork, so the forking thread is marked as inside the library for the
 * whole call and their calls go straight to the C library. The child
 * starts with the mark the parent's thread had, and leaves it here.
 *
 * What the child sees (R110): the VMs and guest_memfds it inherited
 * answer every call but close with EIO, as the kernel refuses a VM ioctl
 * from another process, whether the call is the library's or is passed
 * on to the real VM beneath (KVM_CREATE_VCPU...); the system descriptor
 * serves it, and it may create and use VMs of its own.
 */
#include <errno.h>
#include <unistd.h>

#include "guard.h"
#include "next.h"

pid_t fork(void)
{
	pid_t pid;
	int err;

	guard_enter();
	pid = next_fork();
	err = errno;
	guard_leave();
	errno = err;
	return pid;
}
