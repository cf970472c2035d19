// SPDX-License-Identifier: MIT
/*
 * Description: descriptors across exec(2), as the kernel's (R92). The
 * program makes a system fd, a VM fd and guest_memfds (memfd backend and,
 * where the kernel has it, kvm), so that the library also holds its own
 * files (memory, holes, views, its /dev/kvm), then executes a helper
 * (fd_report) that lists the descriptors it received. What crossed must
 * be exactly what the parent holds without FD_CLOEXEC: the guest_memfds
 * (as the kernel installs them, the same file on both sides) and the
 * system fd (a plain open of /dev/kvm), never a VM fd (KVM_CREATE_VM
 * makes it close-on-exec) and never one of the library's own files.
 * Where /dev/kvm opens, the kernel's own system fd, VM fd and (where the
 * host has one) guest_memfd cross the same exec beside the library's.
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
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "host_probe.h"
#include "testutil.h"

#define MAX_FD 1024

static const char *helper;

struct fd_seen {
	bool open;
	unsigned long dev, ino;
};

/* The helper's report: which descriptors it was started with. */
static void run_helper(struct fd_seen *seen)
{
	unsigned long dev, ino;
	int fd, status;
	FILE *out;

	memset(seen, 0, MAX_FD * sizeof(*seen));
	out = popen(helper, "r");
	assert_non_null(out);
	while (fscanf(out, "%d %lu %lu", &fd, &dev, &ino) == 3) {
		assert_true(fd >= 0 && fd < MAX_FD);
		seen[fd] = (struct fd_seen){ true, dev, ino };
	}
	status = pclose(out);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* Whether this process's fd should cross exec: open and without
 * FD_CLOEXEC. popen()'s own pipe end is close-on-exec ("re"). */
static bool inheritable(int fd)
{
	int flags = fcntl(fd, F_GETFD);

	return flags >= 0 && !(flags & FD_CLOEXEC);
}

static void assert_same_file(int fd, const struct fd_seen *seen)
{
	struct stat st;

	assert_int_equal(fstat(fd, &st), 0);
	assert_true(seen[fd].open);
	assert_int_equal(seen[fd].dev, (unsigned long)st.st_dev);
	assert_int_equal(seen[fd].ino, (unsigned long)st.st_ino);
}

/* A guest_memfd on `backend` with a page that was touched, converted to
 * private and kept (PRESERVE), so the library holds its memory file,
 * its view and a hole file. */
static int busy_file(int vm)
{
	int fd =
		test_gmem(vm, 4 * PAGE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	char *p = gmem_mmap(NULL, 4 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);

	assert_true(p != MAP_FAILED);
	memset(p, 0x5a, 4 * PAGE);
	assert_int_equal(test_convert(fd, 0, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	return fd;
}

static void open_fds(bool *open)
{
	for (int fd = 0; fd < MAX_FD; fd++)
		open[fd] = fcntl(fd, F_GETFD) >= 0;
}

static void test_exec_keeps_what_the_kernel_keeps(void **state)
{
	static struct fd_seen seen[MAX_FD];
	static bool before[MAX_FD];
	int sys, vm, file, kvm_vm = -1, kvm_file = -1;

	(void)state;
	open_fds(before);
	sys = gmem_open_system();
	vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	file = busy_file(vm);
	assert_true(sys >= 0);
	if (backend_usable(GMEM_BACKEND_KVM)) {
		kvm_vm = test_vm(KVM_X86_DEFAULT_VM, GMEM_BACKEND_KVM);
		kvm_file = busy_file(kvm_vm);
	}
	run_helper(seen);
	for (int fd = 0; fd < MAX_FD; fd++)
		assert_int_equal(seen[fd].open, inheritable(fd));
	assert_same_file(file, seen);
	assert_same_file(sys, seen);
	assert_false(seen[vm].open);
	if (kvm_file >= 0) {
		assert_same_file(kvm_file, seen);
		assert_false(seen[kvm_vm].open);
	}
	/* Of the descriptors made since the test began, only those the
	 * caller was given crossed: none of the library's own files. */
	for (int fd = 0; fd < MAX_FD; fd++)
		if (seen[fd].open && !before[fd])
			assert_true(fd == sys || fd == file || fd == kvm_file);
	gmem_close(file);
	gmem_close(vm);
	gmem_close(sys);
	if (kvm_vm >= 0) {
		gmem_close(kvm_file);
		gmem_close(kvm_vm);
	}
}

/* The kernel's own objects next to the library's, across the same exec:
 * each library descriptor crosses exactly when its kernel counterpart
 * does (a guest_memfd of the kernel's only where the host has one). */
static void test_exec_side_by_side_with_the_kernel(void **state)
{
	static struct fd_seen seen[MAX_FD];
	struct kvm_create_guest_memfd args = { .size = PAGE };
	int ksys, kvm, kgmem, sys, vm, gmem;

	(void)state;
	if (host_lacks(HOST_KVM)) {
		fprintf(stderr, "skipped: %s\n", host_lacks(HOST_KVM));
		skip();
	}
	ksys = open("/dev/kvm", O_RDWR);
	kvm = ioctl(ksys, KVM_CREATE_VM, 0);
	kgmem = ioctl(kvm, KVM_CREATE_GUEST_MEMFD, &args);
	sys = gmem_open_system();
	vm = test_vm(KVM_X86_DEFAULT_VM, GMEM_BACKEND_AUTO);
	gmem = test_gmem(vm, PAGE, 0);
	assert_true(ksys >= 0 && kvm >= 0 && sys >= 0);
	run_helper(seen);
	assert_true(seen[ksys].open && seen[sys].open);
	assert_true(!seen[kvm].open && !seen[vm].open);
	assert_true(seen[gmem].open);
	if (kgmem >= 0)
		assert_true(seen[kgmem].open);
	if (kgmem >= 0)
		close(kgmem);
	gmem_close(gmem);
	gmem_close(vm);
	gmem_close(sys);
	close(kvm);
	close(ksys);
}

/*
 * A copy (dup, F_DUPFD_CLOEXEC) of a library descriptor names the same
 * object, as a copy of a kernel file is the same file: a VM's copy makes
 * guest_memfds, a guest_memfd's copy maps the same memory, converts, and
 * binds a memslot; closing a copy with close(2) ends nothing.
 */
static void test_copies_name_the_same_object(void **state)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int vm_copy = dup(vm);
	int fd =
		test_gmem(vm_copy, 2 * PAGE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	int fd_copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	struct kvm_userspace_memory_region2 region = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.memory_size = 2 * PAGE,
		.guest_memfd = (uint32_t)fd_copy,
	};
	char *p = gmem_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd, 0);
	char *q = gmem_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fd_copy, 0);

	(void)state;
	assert_true(p != MAP_FAILED && q != MAP_FAILED);
	p[0] = 0x5a;
	assert_int_equal(host_read(q), 0x5a);
	assert_int_equal(gmem_get_backend(vm_copy), GMEM_BACKEND_MEMFD);
	assert_int_equal(test_convert(fd_copy, 0, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(attributes_at(fd, 0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(host_read(p), -1);
	assert_int_equal(
		gmem_ioctl(vm_copy, KVM_SET_USER_MEMORY_REGION2, &region), 0);
	close(fd_copy);
	close(vm_copy);
	assert_int_equal(attributes_at(fd, 0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(
		gmem_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD), 1);
	gmem_munmap(p, 2 * PAGE);
	gmem_munmap(q, 2 * PAGE);
	gmem_close(fd);
	gmem_close(vm);
}

/*
 * A VM fd shares its inode with every anonymous-inode file, as the
 * kernel's does; closed with plain close(2) and its number taken by an
 * eventfd (the same inode), the number is not the VM's any more: the
 * call gets the kernel's answer for an eventfd.
 */
static void test_reused_vm_number_is_foreign(void **state)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int other;

	(void)state;
	assert_int_equal(
		gmem_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD), 1);
	close(vm);
	other = eventfd(0, EFD_CLOEXEC);
	assert_int_equal(other, vm);
	assert_int_equal(
		gmem_ioctl(other, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD),
		-1);
	assert_int_equal(errno, ENOTTY);
	gmem_close(other);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exec_keeps_what_the_kernel_keeps),
		cmocka_unit_test(test_exec_side_by_side_with_the_kernel),
		cmocka_unit_test(test_copies_name_the_same_object),
		cmocka_unit_test(test_reused_vm_number_is_foreign),
	};

	if (argc < 2) {
		fprintf(stderr, "usage: %s FD_REPORT\n", argv[0]);
		return 2;
	}
	helper = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
