// SPDX-License-Identifier: MIT
/*
 * The calls on memory and file sizes: mmap(2) of a guest_memfd is the
 * library's (its pages of private memory fault with SIGBUS), munmap(2)
 * lets the library forget the mappings it made, fallocate(2) and
 * ftruncate(2) on its descriptors follow guest_memfd's rules. Each
 * library call passes what is not its own to the kernel, so every call
 * here goes to it (anonymous mappings excepted: they name no descriptor).
 *
 * mremap(2) is not intercepted: it is the kernel's alone, and the library
 * finds a mapping the program moved or shrank when it next converts the
 * file (host_map.c), revoking and restoring the pages where they are now.
 */
#include <errno.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

#include "guard.h"
#include "next.h"

static void *mmap_served(void *addr, size_t len, int prot, int flags, int fd,
			 off_t offset)
{
	void *p;
	int err;

	if (guard_pass_on() || (flags & MAP_ANONYMOUS))
		return next_mmap(addr, len, prot, flags, fd, offset);
	guard_enter();
	p = gmem_mmap(addr, len, prot, flags, fd, offset);
	err = errno;
	guard_leave();
	errno = err;
	return p;
}

void *mmap(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	return mmap_served(addr, len, prot, flags, fd, offset);
}

void *mmap64(void *addr, size_t len, int prot, int flags, int fd, off_t offset)
{
	return mmap_served(addr, len, prot, flags, fd, offset);
}

int munmap(void *addr, size_t len)
{
	int ret, err;

	if (guard_pass_on())
		return next_munmap(addr, len);
	guard_enter();
	ret = gmem_munmap(addr, len);
	err = errno;
	guard_leave();
	errno = err;
	return ret;
}

static int fallocate_served(int fd, int mode, off_t offset, off_t len)
{
	int ret, err;

	if (guard_pass_on())
		return next_fallocate(fd, mode, offset, len);
	guard_enter();
	ret = gmem_fallocate(fd, mode, offset, len);
	err = errno;
	guard_leave();
	errno = err;
	return ret;
}

int fallocate(int fd, int mode, off_t offset, off_t len)
{
	return fallocate_served(fd, mode, offset, len);
}

int fallocate64(int fd, int mode, off_t offset, off_t len)
{
	return fallocate_served(fd, mode, offset, len);
}

static int ftruncate_served(int fd, off_t len)
{
	int ret, err;

	if (guard_pass_on())
		return next_ftruncate(fd, len);
	guard_enter();
	ret = gmem_ftruncate(fd, len);
	err = errno;
	guard_leave();
	errno = err;
	return ret;
}

int ftruncate(int fd, off_t len)
{
	return ftruncate_served(fd, len);
}

int ftruncate64(int fd, off_t len)
{
	return ftruncate_served(fd, len);
}
