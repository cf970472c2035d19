// SPDX-License-Identifier: MIT
/*
 * Identity descriptors are memfd_secret() files: like the kernel's KVM
 * files (guest_memfd grew out of secretmem) they have no read, write or
 * llseek (EINVAL, EINVAL, ESPIPE), refuse a second ftruncate with EINVAL,
 * stat as a regular file of mode 0600 without blocks, and each has its
 * own inode, which is how the fd table tells them apart. They hold no
 * memory unless mapped, and nothing maps them. Where memfd_secret() is
 * missing, a plain memfd stands in. Their flags are those of open(2) of
 * /dev/kvm and of KVM_CREATE_GUEST_MEMFD: O_RDWR|O_LARGEFILE, not
 * close-on-exec (R92).
 *
 * A VM's descriptor is another kind of file, because the kernel's is:
 * KVM_CREATE_VM installs an anonymous-inode file opened O_RDWR (without
 * O_LARGEFILE, which only open(2) and a few makers add) and
 * close-on-exec, and every such file shares one inode. An epoll instance
 * is that same kind of file, with the same answers to the plain file
 * calls (read and write EINVAL, lseek 0, mode 0600, size 0, reopening
 * through /proc ENXIO); it watches nothing.
 */
#include <errno.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "identity_fd.h"

int identity_fd_create(const char *name, uint64_t size)
{
	int fd = -1;

#ifdef SYS_memfd_secret
	fd = (int)syscall(SYS_memfd_secret, 0);
#endif
	if (fd < 0)
		fd = memfd_create(name, 0);
	if (fd < 0)
		return -errno;
	if (size && ftruncate(fd, (off_t)size)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

int identity_fd_create_vm(void)
{
	int fd = epoll_create1(EPOLL_CLOEXEC);

	return fd < 0 ? -errno : fd;
}
