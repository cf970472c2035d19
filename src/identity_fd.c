// SPDX-License-Identifier: MIT
/*
 * Identity descriptors are memfd_secret() files: like the kernel's KVM
 * files (guest_memfd grew out of secretmem) they have no read, write or
 * llseek (EINVAL, EINVAL, ESPIPE), refuse a second ftruncate with EINVAL,
 * stat as a regular file of mode 0600 without blocks, and each has its
 * own inode, which is how the fd table tells them apart. They hold no
 * memory unless mapped, and nothing maps them. Where memfd_secret() is
 * missing, a plain memfd stands in.
 */
#include <errno.h>
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
