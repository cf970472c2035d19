// SPDX-License-Identifier: MIT
/*
 * Description: the library's own descriptors, closed behind its back. A
 * program that closes a descriptor it does not own (a double close(2), a
 * loop over "every other descriptor") frees the number for its next
 * open(2). Here the program closes each of the library's memfds (each
 * file's memory, the copy file, the hole behind private pages) with a raw
 * system call, puts files of its own at the same numbers, and goes on
 * using the VM: every call must answer (success, or EIO where the memory
 * cannot be reached), and none may write, punch, seek, map or close the
 * program's files.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cmocka.h>

#include "testutil.h"

#define NPAGES	 16
#define MAX_OWN	 16
#define POSITION 1234 /* the program's own file offset, never to move */

/* A file of the program's, put where one of the library's was. */
struct planted {
	int fd;
};

static const char program_bytes[] = "the program's own data, not guest memory";

/* The library's memfds: /proc/self/fd entries named memfd:<prefix>... */
static size_t library_memfds(const char *prefix, int *fds, size_t max)
{
	char want[64], link[256], path[300];
	size_t n = 0;
	struct dirent *e;
	DIR *d = opendir("/proc/self/fd");

	assert_non_null(d);
	snprintf(want, sizeof(want), "/memfd:%s", prefix);
	while ((e = readdir(d)) && n < max) {
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", e->d_name);
		len = readlink(path, link, sizeof(link) - 1);
		if (len <= 0)
			continue;
		link[len] = 0;
		if (!strncmp(link, want, strlen(want)))
			fds[n++] = atoi(e->d_name);
	}
	closedir(d);
	return n;
}

/* Close the library's descriptor as a careless program would, and give
 * the number to a file of the program's, with known bytes and offset. */
static struct planted plant(int fd)
{
	struct planted p = { .fd = fd };
	int mine = memfd_create("program-file", 0);

	assert_true(mine >= 0);
	/* At the start of every page, so that a mapping of it anywhere
	 * would show it. */
	for (uint64_t i = 0; i < NPAGES; i++)
		assert_int_equal(pwrite(mine, program_bytes,
					sizeof(program_bytes), i * PAGE),
				 sizeof(program_bytes));
	assert_int_equal(lseek(mine, POSITION, SEEK_SET), POSITION);
	assert_int_equal(syscall(SYS_close, fd), 0);
	assert_int_equal(dup2(mine, fd), fd);
	close(mine);
	return p;
}

/* The program's file is still open, whole, the same size, its offset
 * where the program left it. */
static void assert_untouched(const struct planted *p)
{
	char buf[sizeof(program_bytes)];
	struct stat st;

	assert_true(fcntl(p->fd, F_GETFD) >= 0);
	assert_int_equal(lseek(p->fd, 0, SEEK_CUR), POSITION);
	assert_int_equal(fstat(p->fd, &st), 0);
	assert_int_equal(st.st_size, (NPAGES - 1) * PAGE + sizeof(buf));
	for (uint64_t i = 0; i < NPAGES; i++) {
		assert_int_equal(pread(p->fd, buf, sizeof(buf), i * PAGE),
				 sizeof(buf));
		assert_memory_equal(buf, program_bytes, sizeof(buf));
	}
}

/* A call that may succeed, or fail with EIO (the memory is out of
 * reach), and nothing else. */
static void assert_ok_or_eio(int ret)
{
	if (ret)
		assert_int_equal(errno, EIO);
}

struct vm_and_file {
	int vm, fd;
	char *map;
};

static struct vm_and_file vm_with_file(void)
{
	struct vm_and_file v;
	struct kvm_userspace_memory_region2 slot = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.memory_size = NPAGES * PAGE,
	};

	v.vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	v.fd = test_gmem(v.vm, NPAGES * PAGE,
			 GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	slot.guest_memfd = (uint32_t)v.fd;
	v.map = gmem_mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			  MAP_SHARED, v.fd, 0);
	assert_ptr_not_equal(v.map, MAP_FAILED);
	memset(v.map, 0x5a, NPAGES * PAGE);
	assert_int_equal(gmem_ioctl(v.vm, KVM_SET_USER_MEMORY_REGION2, &slot),
			 0);
	/* A conversion each way: the copy file and the hole exist now. */
	assert_int_equal(test_convert(v.fd, 0, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(test_convert(v.fd, 0, PAGE, false, 0, NULL), 0);
	return v;
}

/* Everything a VMM does with a file, after the loss. */
static void use_everything(struct vm_and_file *v)
{
	struct kvm_memory_attributes2 bad = { .size = 1 };
	unsigned char vec[NPAGES];
	char byte = 7;

	assert_ok_or_eio(test_convert(v->fd, PAGE, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL));
	assert_ok_or_eio(test_convert(v->fd, PAGE, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL));
	assert_ok_or_eio(test_convert(v->fd, PAGE, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL));
	assert_ok_or_eio(test_convert(v->fd, PAGE, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL));
	assert_ok_or_eio(
		test_convert(v->fd, 2 * PAGE, 2 * PAGE, true, 0, NULL));
	assert_ok_or_eio(
		test_convert(v->fd, 2 * PAGE, 2 * PAGE, false, 0, NULL));
	assert_ok_or_eio(gmem_fallocate(
		v->fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 4 * PAGE,
		PAGE));
	assert_ok_or_eio(
		gmem_fallocate(v->fd, FALLOC_FL_KEEP_SIZE, 5 * PAGE, PAGE));
	assert_ok_or_eio(gmem_get_allocation(v->fd, 0, NPAGES * PAGE, vec));
	/* An argument the caller cannot read is still EFAULT. */
	assert_int_equal(
		gmem_ioctl(v->fd, KVM_SET_MEMORY_ATTRIBUTES2, (void *)8), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_ioctl(v->fd, KVM_SET_MEMORY_ATTRIBUTES2, &bad),
			 -1);
	assert_int_equal(errno, EINVAL);
	/* The host's mapping still shows guest memory, or faults: never
	 * the program's file. */
	for (int i = 0; i < NPAGES; i++)
		if (host_read(v->map + i * PAGE) >= 0)
			assert_memory_not_equal(v->map + i * PAGE,
						program_bytes,
						sizeof(program_bytes));
	assert_ok_or_eio(
		gmem_guest_write(v->vm, 8 * PAGE, &byte, 1, 0) == 1 ? 0 : -1);
}

static void finish(struct vm_and_file *v)
{
	assert_int_equal(gmem_munmap(v->map, NPAGES * PAGE), 0);
	assert_int_equal(gmem_close(v->fd), 0);
	assert_int_equal(gmem_close(v->vm), 0);
}

static void check_loss(const char *prefix)
{
	struct planted planted[MAX_OWN];
	int fds[MAX_OWN];
	struct vm_and_file v = vm_with_file();
	size_t n = library_memfds(prefix, fds, MAX_OWN);

	if (!n) {
		finish(&v);
		skip(); /* the library made no such file here (valgrind) */
	}
	for (size_t i = 0; i < n; i++)
		planted[i] = plant(fds[i]);
	use_everything(&v);
	for (size_t i = 0; i < n; i++)
		assert_untouched(&planted[i]);
	finish(&v);
	/* Ending the VM closed none of them either. */
	for (size_t i = 0; i < n; i++) {
		assert_untouched(&planted[i]);
		close(planted[i].fd);
	}
}

static void test_memory_closed_behind_back(void **state)
{
	(void)state;
	check_loss("gmem-memory");
}

static void test_hole_closed_behind_back(void **state)
{
	(void)state;
	check_loss("gmem-private");
}

static void test_copy_file_closed_behind_back(void **state)
{
	(void)state;
	check_loss("gmem-copy");
}

/* With its memory's descriptor gone, a file answers EIO for what needs
 * the memory, and changes nothing: attributes stay as they were. */
static void test_memory_loss_changes_nothing(void **state)
{
	struct planted planted[MAX_OWN];
	int fds[MAX_OWN];
	struct vm_and_file v = vm_with_file();
	size_t n = library_memfds("gmem-memory", fds, MAX_OWN);

	(void)state;
	assert_true(n >= 1);
	for (size_t i = 0; i < n; i++)
		planted[i] = plant(fds[i]);
	assert_int_equal(test_convert(v.fd, 0, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(test_convert(v.fd, 0, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 -1);
	assert_int_equal(errno, EIO);
	assert_int_equal(attributes_at(v.fd, 0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(gmem_fallocate(v.fd, FALLOC_FL_KEEP_SIZE, 0, PAGE),
			 -1);
	assert_int_equal(errno, EIO);
	finish(&v);
	for (size_t i = 0; i < n; i++) {
		assert_untouched(&planted[i]);
		close(planted[i].fd);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_closed_behind_back),
		cmocka_unit_test(test_copy_file_closed_behind_back),
		cmocka_unit_test(test_hole_closed_behind_back),
		cmocka_unit_test(test_memory_loss_changes_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
