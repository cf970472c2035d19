// SPDX-License-Identifier: MIT
/*
 * Looking up and calling the next definitions (next.h). A lookup is
 * cached per name; two threads may both look one up and store the same
 * address, so a relaxed race is all there is. A missing definition means
 * a C library without the call, which no program that makes it could run
 * on: say so on stderr, without stdio (which may not be ready), and abort.
 */
#include <dlfcn.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "next.h"

enum next_call {
	NEXT_OPENAT,
	NEXT_IOCTL,
	NEXT_MMAP,
	NEXT_MUNMAP,
	NEXT_FALLOCATE,
	NEXT_FTRUNCATE,
	NEXT_CLOSE,
	NEXT_DUP,
	NEXT_DUP2,
	NEXT_DUP3,
	NEXT_FCNTL,
	NEXT_FORK,
	NEXT_CALLS
};

static const char *const next_names[NEXT_CALLS] = {
	[NEXT_OPENAT] = "openat",	[NEXT_IOCTL] = "ioctl",
	[NEXT_MMAP] = "mmap",		[NEXT_MUNMAP] = "munmap",
	[NEXT_FALLOCATE] = "fallocate", [NEXT_FTRUNCATE] = "ftruncate",
	[NEXT_CLOSE] = "close",		[NEXT_DUP] = "dup",
	[NEXT_DUP2] = "dup2",		[NEXT_DUP3] = "dup3",
	[NEXT_FCNTL] = "fcntl",		[NEXT_FORK] = "fork",
};

static _Atomic(void *) next_fns[NEXT_CALLS];

static void next_missing(const char *name)
{
	static const char msg[] = "libgmem-preload: no next definition of ";

	/* If stderr is gone too, the abort alone says it. */
	if (write(STDERR_FILENO, msg, sizeof(msg) - 1) >= 0 &&
	    write(STDERR_FILENO, name, strlen(name)) >= 0 &&
	    write(STDERR_FILENO, "\n", 1) >= 0)
		abort();
	abort();
}

static void *next_fn(enum next_call call)
{
	void *fn = atomic_load_explicit(&next_fns[call], memory_order_relaxed);

	if (fn)
		return fn;
	fn = dlsym(RTLD_NEXT, next_names[call]);
	if (!fn)
		next_missing(next_names[call]);
	atomic_store_explicit(&next_fns[call], fn, memory_order_relaxed);
	return fn;
}

int next_openat(int dirfd, const char *path, int flags, mode_t mode)
{
	int (*fn)(int, const char *, int, ...) = next_fn(NEXT_OPENAT);

	return fn(dirfd, path, flags, mode);
}

int next_ioctl(int fd, unsigned long request, unsigned long arg)
{
	int (*fn)(int, unsigned long, ...) = next_fn(NEXT_IOCTL);

	return fn(fd, request, arg);
}

void *next_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off_t offset)
{
	void *(*fn)(void *, size_t, int, int, int, off_t) = next_fn(NEXT_MMAP);

	return fn(addr, len, prot, flags, fd, offset);
}

int next_munmap(void *addr, size_t len)
{
	int (*fn)(void *, size_t) = next_fn(NEXT_MUNMAP);

	return fn(addr, len);
}

int next_fallocate(int fd, int mode, off_t offset, off_t len)
{
	int (*fn)(int, int, off_t, off_t) = next_fn(NEXT_FALLOCATE);

	return fn(fd, mode, offset, len);
}

int next_ftruncate(int fd, off_t len)
{
	int (*fn)(int, off_t) = next_fn(NEXT_FTRUNCATE);

	return fn(fd, len);
}

int next_close(int fd)
{
	int (*fn)(int) = next_fn(NEXT_CLOSE);

	return fn(fd);
}

int next_dup(int fd)
{
	int (*fn)(int) = next_fn(NEXT_DUP);

	return fn(fd);
}

int next_dup2(int fd, int to)
{
	int (*fn)(int, int) = next_fn(NEXT_DUP2);

	return fn(fd, to);
}

int next_dup3(int fd, int to, int flags)
{
	int (*fn)(int, int, int) = next_fn(NEXT_DUP3);

	return fn(fd, to, flags);
}

int next_fcntl(int fd, int cmd, unsigned long arg)
{
	int (*fn)(int, int, ...) = next_fn(NEXT_FCNTL);

	return fn(fd, cmd, arg);
}

pid_t next_fork(void)
{
	pid_t (*fn)(void) = next_fn(NEXT_FORK);

	return fn();
}
