// SPDX-License-Identifier: MIT
/*
 * open(2) and its kin. Every open goes to the kernel first, so the
 * program gets the kernel's answer for every path, /dev/kvm included
 * (ENOENT where the host has no KVM, EACCES without the permission).
 * Where the file opened is the KVM device, by its device number and
 * whatever the path, the kernel's descriptor is closed again and the
 * library's system descriptor takes its place: the program's VMs are then
 * the library's, each with a real KVM VM beneath it for its vCPUs.
 *
 * The fortified entry points (__open_2, ...) are what a program built
 * with _FORTIFY_SOURCE calls; the 64 forms are the same calls here, as
 * the preload is built for 64-bit targets only.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "guard.h"
#include "next.h"

static_assert(sizeof(off_t) == 8, "the preload is built for 64-bit off_t");

/* The misc device's numbers (KVM_MINOR in include/linux/miscdevice.h). */
#define KVM_DEVICE_MAJOR 10
#define KVM_DEVICE_MINOR 232

static bool fd_is_kvm_device(int fd)
{
	struct stat st;

	return !fstat(fd, &st) && S_ISCHR(st.st_mode) &&
	       st.st_rdev == makedev(KVM_DEVICE_MAJOR, KVM_DEVICE_MINOR);
}

/* The library's system descriptor in place of the kernel's `fd`, under
 * the same number where no other thread takes it meanwhile, with the
 * close-on-exec flag the program asked for. */
static int system_fd_for(int fd, int flags)
{
	int sys, err;

	next_close(fd);
	guard_enter();
	sys = gmem_open_system();
	err = errno;
	if (sys >= 0 && (flags & O_CLOEXEC))
		fcntl(sys, F_SETFD, FD_CLOEXEC);
	guard_leave();
	errno = err;
	return sys;
}

static int open_served(int dirfd, const char *path, int flags, mode_t mode)
{
	int fd = next_openat(dirfd, path, flags, mode);

	/* An O_PATH descriptor has no ioctl: the kernel's answers stand. */
	if (fd < 0 || guard_pass_on() || (flags & O_PATH) ||
	    !fd_is_kvm_device(fd))
		return fd;
	return system_fd_for(fd, flags);
}

/* The mode argument exists only for the flags that create a file. */
static bool open_takes_mode(int flags)
{
	return (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
}

/* The mode, read only where the flags say the caller passed one. */
static mode_t open_mode(int flags, va_list ap)
{
	return open_takes_mode(flags) ? va_arg(ap, mode_t) : 0;
}

int openat(int dirfd, const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return open_served(dirfd, path, flags, mode);
}

int open(const char *path, int flags, ...)
{
	va_list ap;
	mode_t mode;

	va_start(ap, flags);
	mode = open_mode(flags, ap);
	va_end(ap);
	return open_served(AT_FDCWD, path, flags, mode);
}

/* The fortified forms are called only without a mode (the checked
 * header sends calls that create a file to the plain ones). */
int __open_2(const char *path, int flags)
{
	return open_served(AT_FDCWD, path, flags, 0);
}

int __openat_2(int dirfd, const char *path, int flags)
{
	return open_served(dirfd, path, flags, 0);
}

/* With a 64-bit off_t the 64 names are the same calls: each is its own
 * exported symbol, an alias of the plain one. */
int open64(const char *path, int flags, ...) __attribute__((alias("open")));
int openat64(int dirfd, const char *path, int flags, ...)
	__attribute__((alias("openat")));
int __open64_2(const char *path, int flags) __attribute__((alias("__open_2")));
int __openat64_2(int dirfd, const char *path, int flags)
	__attribute__((alias("__openat_2")));
