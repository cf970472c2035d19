// SPDX-License-Identifier: MIT
/*
 * Checked copies between the caller's memory and the library's.
 *
 * A copy goes through the kernel, which reports an unmapped or protected
 * address as EFAULT rather than faulting: a system call, the price of
 * answering a bad pointer the way the kernel does. The cheapest is a
 * pwrite(2)/pread(2) through a page of a memfd of the library's
 * (copy_slot.c); where that cannot serve, process_vm_readv()/
 * process_vm_writev() on our own process, twice the price; where those
 * are refused too (a seccomp filter, an old kernel) the copy is a plain
 * one.
 *
 * A VM whose caller promised valid pointers (UACCESS_TRUSTED) copies with
 * memcpy: no system call, and no signal handler either, so the library
 * never takes SIGSEGV or SIGBUS from the program. A bad pointer then
 * faults in the caller, to the program's own handler if it has one.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "copy_slot.h"
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

/* Our pid, asked once and again in a child after fork(): it is an
 * argument of every copy, and getpid() is a system call. */
static _Atomic pid_t self_pid;
static pthread_once_t self_pid_once = PTHREAD_ONCE_INIT;

static void forget_pid(void)
{
	atomic_store_explicit(&self_pid, 0, memory_order_relaxed);
}

static void watch_forks(void)
{
	pthread_atfork(NULL, NULL, forget_pid);
}

static pid_t self(void)
{
	pthread_once(&self_pid_once, watch_forks);
	pid_t pid = atomic_load_explicit(&self_pid, memory_order_relaxed);

	if (!pid) {
		pid = getpid();
		atomic_store_explicit(&self_pid, pid, memory_order_relaxed);
	}
	return pid;
}

static int vm_copy(void *dst, const void *src, size_t len, bool from_user)
{
	struct iovec local = { .iov_base = from_user ? dst : (void *)src,
			       .iov_len = len };
	struct iovec remote = { .iov_base = from_user ? (void *)src : dst,
				.iov_len = len };
	ssize_t n;

	if (!len)
		return 0;
	n = from_user ? process_vm_readv(self(), &local, 1, &remote, 1, 0)
		      : process_vm_writev(self(), &local, 1, &remote, 1, 0);
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
	int err = copy_slot_from_user(dst, src, len);

	return err == -ENOSYS ? vm_copy(dst, src, len, true) : err;
}

int copy_to_user(void *dst, const void *src, size_t len)
{
	int err = copy_slot_to_user(dst, src, len);

	return err == -ENOSYS ? vm_copy(dst, src, len, false) : err;
}

int copy_from_user_as(enum uaccess_mode mode, void *dst, const void *src,
		      size_t len)
{
	if (mode != UACCESS_TRUSTED)
		return copy_from_user(dst, src, len);
	memcpy(dst, src, len);
	return 0;
}

int copy_to_user_as(enum uaccess_mode mode, void *dst, const void *src,
		    size_t len)
{
	if (mode != UACCESS_TRUSTED)
		return copy_to_user(dst, src, len);
	memcpy(dst, src, len);
	return 0;
}
