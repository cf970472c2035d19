// SPDX-License-Identifier: MIT
/*
 * Checked copies between the caller's memory and the library's.
 *
 * process_vm_readv()/process_vm_writev() on our own process copy through
 * the kernel, which reports an unmapped or protected address as EFAULT
 * rather than faulting. They cost a system call, the price of answering a
 * bad pointer the way the kernel does. Where they are refused (a seccomp
 * filter, an old kernel) the copy is a plain one.
 */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "uaccess.h"

/*
 * Memcheck sees process_vm_writev() write to "another process", not to
 * our own memory, so it would call the copied bytes undefined; tell it.
 * The request is a no-op outside valgrind.
 */
#if defined(__has_include) && __has_include(<valgrind/memcheck.h>)
#include <valgrind/memcheck.h>
#define mark_written(p, len) VALGRIND_MAKE_MEM_DEFINED(p, len)
#else
#define mark_written(p, len) ((void)(p), (void)(len))
#endif

static int vm_copy(void *dst, const void *src, size_t len, bool from_user)
{
	struct iovec local = { .iov_base = from_user ? dst : (void *)src,
			       .iov_len = len };
	struct iovec remote = { .iov_base = from_user ? (void *)src : dst,
				.iov_len = len };
	ssize_t n;

	if (!len)
		return 0;
	n = from_user ? process_vm_readv(getpid(), &local, 1, &remote, 1, 0)
		      : process_vm_writev(getpid(), &local, 1, &remote, 1, 0);
	if (n == (ssize_t)len) {
		if (!from_user)
			mark_written(dst, len);
		return 0;
	}
	if (n >= 0 || errno == EFAULT)
		return -EFAULT;
	memcpy(dst, src, len);
	return 0;
}

int copy_from_user(void *dst, const void *src, size_t len)
{
	return vm_copy(dst, src, len, true);
}

int copy_to_user(void *dst, const void *src, size_t len)
{
	return vm_copy(dst, src, len, false);
}
