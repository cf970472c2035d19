// SPDX-License-Identifier: MIT
/*
 * The calls that end or copy descriptors. close(2) of a library
 * descriptor is the library's (a guest_memfd or VM ends when its last
 * user lets go). A copy of a library descriptor (dup, dup2, dup3,
 * F_DUPFD, F_DUPFD_CLOEXEC) is entered in the library's table under its
 * own number, so that, as with a copy of a kernel file, it keeps naming
 * the object after the original is closed, and the object lives until
 * both are. A copy made onto a library descriptor (dup2 to it) ends that
 * one first, as the kernel closes the target.
 *
 * read, write, lseek and pread are not intercepted: the library's
 * descriptors are files whose own answers to them are guest_memfd's
 * (EINVAL, EINVAL, ESPIPE; see the library's identity_fd.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "fd_table.h"
#include "gmem_file.h"
#include "guard.h"
#include "host_map.h"
#include "next.h"

int close(int fd)
{
	int ret, err;

	if (guard_pass_on())
		return next_close(fd);
	guard_enter();
	ret = gmem_close(fd);
	err = errno;
	guard_leave();
	errno = err;
	return ret;
}

/* The table's entry for `fd` ended, as close(2) would, without closing
 * the number: the kernel has already replaced what it named. */
static void entry_ended(int fd)
{
	struct gmem_object *obj = fd_table_remove(fd);

	if (!obj)
		return;
	/* Mappings the program released with plain munmap() must not keep
	 * the file alive past its last descriptor (as in gmem_close()). */
	if (obj->kind == GMEM_OBJ_FILE)
		host_map_forget_stale(file_from_object(obj));
	gmem_object_put(obj);
}

/* After the kernel made `copy` a copy of `fd`: the table follows. The
 * copy is a descriptor in any case, so a failure to enter it only leaves
 * it known as a copy while the original is open, as without the preload. */
static void copy_made(int fd, int copy)
{
	struct gmem_object *obj;

	if (copy < 0 || copy == fd)
		return;
	guard_enter();
	entry_ended(copy);
	obj = fd_table_get(fd);
	if (obj && fd_table_insert_copy(copy, obj))
		gmem_object_put(obj);
	guard_leave();
}

int dup(int fd)
{
	int copy = next_dup(fd);

	if (!guard_pass_on())
		copy_made(fd, copy);
	return copy;
}

int dup2(int fd, int to)
{
	int copy = next_dup2(fd, to);

	if (!guard_pass_on())
		copy_made(fd, copy);
	return copy;
}

int dup3(int fd, int to, int flags)
{
	int copy = next_dup3(fd, to, flags);

	if (!guard_pass_on())
		copy_made(fd, copy);
	return copy;
}

static int fcntl_served(int fd, int cmd, unsigned long arg)
{
	int ret = next_fcntl(fd, cmd, arg);

	if (!guard_pass_on() && (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC))
		copy_made(fd, ret);
	return ret;
}

int fcntl(int fd, int cmd, ...)
{
	unsigned long arg;
	va_list ap;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	return fcntl_served(fd, cmd, arg);
}

/* With a 64-bit off_t, fcntl64 is fcntl (its own symbol, an alias). */
int fcntl64(int fd, int cmd, ...) __attribute__((alias("fcntl")));
