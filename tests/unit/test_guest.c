// SPDX-License-Identifier: MIT
/*
 * Description: the software guest. gmem_guest_read/gmem_guest_write reach
 * guest_memfd pages through memslots; an access whose kind (private or
 * shared) does not match the page fails with EFAULT and records a memory
 * fault (gpa, size, KVM_MEMORY_EXIT_FLAG_PRIVATE) that the VMM reads once;
 * the guest and the host see the same shared bytes; an access spans
 * memslots; unbound addresses and unknown flags are refused; the legacy
 * mode checks the VM's attributes. Runs on both backends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "backend_group.h"
#include "testutil.h"

#define GPA  0x40000000ULL
#define SIZE (8 * PAGE)
#define PRIV GMEM_GUEST_PRIVATE

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
	char *host;
};

static void bind(int vm, int fd, uint32_t slot, uint64_t gpa, uint64_t off,
		 uint64_t size)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = slot,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.guest_memfd_offset = off,
		.guest_memfd = (uint32_t)fd,
	};

	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
}

static int setup(void **state)
{
	struct fixture *fx = *state;

	fx->vm = test_vm(KVM_X86_SW_PROTECTED_VM, fx->backend);
	fx->fd =
		test_gmem(fx->vm, SIZE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	bind(fx->vm, fx->fd, 0, GPA, 0, SIZE);
	fx->host = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			     fx->fd, 0);
	assert_ptr_not_equal(fx->host, MAP_FAILED);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	gmem_munmap(fx->host, SIZE);
	gmem_close(fx->fd);
	gmem_close(fx->vm);
	return 0;
}

static void test_shared_access_meets_host(void **state)
{
	struct fixture *fx = *state;
	char buf[16] = "from the guest";

	memcpy(fx->host + PAGE, "from the host", 14);
	assert_int_equal(gmem_guest_read(fx->vm, GPA + PAGE, buf, 14, 0), 14);
	assert_memory_equal(buf, "from the host", 14);
	assert_int_equal(
		gmem_guest_write(fx->vm, GPA + 2 * PAGE - 3, "across", 6, 0),
		6);
	assert_memory_equal(fx->host + 2 * PAGE - 3, "across", 6);
}

static void test_mismatch_records_fault(void **state)
{
	struct fixture *fx = *state;
	struct gmem_memory_fault f;
	char buf[8];

	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(
		gmem_guest_read(fx->vm, GPA + 3 * PAGE + 5, buf, 8, PRIV), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), 0);
	assert_int_equal(f.gpa, GPA + 3 * PAGE);
	assert_int_equal(f.size, PAGE);
	assert_int_equal(f.flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
	/* Read once. */
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), -1);
	assert_int_equal(errno, ENOENT);

	assert_int_equal(test_convert(fx->fd, 3 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_guest_write(fx->vm, GPA + 3 * PAGE, buf, 8, 0),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), 0);
	assert_int_equal(f.flags, 0);
	assert_int_equal(gmem_guest_write(fx->vm, GPA + 3 * PAGE, buf, 8, PRIV),
			 8);
}

/* The fault is at the first mismatching page of a longer access. */
static void test_fault_at_first_mismatch(void **state)
{
	struct fixture *fx = *state;
	struct gmem_memory_fault f;
	char buf[3 * PAGE];

	assert_int_equal(test_convert(fx->fd, 5 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(
		gmem_guest_read(fx->vm, GPA + 4 * PAGE, buf, sizeof(buf), 0),
		-1);
	assert_int_equal(gmem_get_memory_fault(fx->vm, &f), 0);
	assert_int_equal(f.gpa, GPA + 5 * PAGE);
}

static void test_private_data_stays_private(void **state)
{
	struct fixture *fx = *state;
	char secret[64], back[64];

	memset(secret, 0x7c, sizeof(secret));
	assert_int_equal(test_convert(fx->fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_guest_write(fx->vm, GPA, secret, 64, PRIV), 64);
	assert_int_equal(host_read(fx->host), -1);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, back, 64, PRIV), 64);
	assert_memory_equal(secret, back, 64);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_true(host_all(fx->host, 64, 0x7c));
}

static void test_bad_access(void **state)
{
	struct fixture *fx = *state;
	char buf[8];

	assert_int_equal(gmem_guest_read(fx->vm, GPA + SIZE, buf, 8, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(fx->vm, GPA + SIZE - 4, buf, 8, 0),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, buf, 8, 2), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, NULL, 8, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(fx->fd, GPA, buf, 8, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_guest_read(-1, GPA, buf, 8, 0), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(gmem_guest_read(fx->vm, GPA, buf, 0, 0), 0);
}

/* Two slots on two files, back to back: one access crosses. */
static void test_access_spans_memslots(void **state)
{
	struct fixture *fx = *state;
	int other = test_gmem(fx->vm, 2 * PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
	char buf[8] = "abcdefgh", back[8];

	bind(fx->vm, other, 1, GPA + SIZE, PAGE, PAGE);
	assert_int_equal(gmem_guest_write(fx->vm, GPA + SIZE - 4, buf, 8, 0),
			 8);
	assert_int_equal(gmem_guest_read(fx->vm, GPA + SIZE - 4, back, 8, 0),
			 8);
	assert_memory_equal(buf, back, 8);
	assert_memory_equal(fx->host + SIZE - 4, "abcd", 4);
	gmem_close(other);
}

static void test_legacy_mode_uses_vm_attributes(void **state)
{
	struct fixture *fx = *state;
	int vm = test_vm_legacy(KVM_X86_SW_PROTECTED_VM, fx->backend);
	int fd = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	struct kvm_memory_attributes a = {
		.address = GPA + PAGE,
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	char buf[4];

	bind(vm, fd, 0, GPA, 0, SIZE);
	assert_int_equal(gmem_guest_read(vm, GPA + PAGE, buf, 4, PRIV), -1);
	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
	assert_int_equal(gmem_guest_read(vm, GPA + PAGE, buf, 4, PRIV), 4);
	assert_int_equal(gmem_guest_read(vm, GPA, buf, 4, 0), 4);
	gmem_close(fd);
	gmem_close(vm);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static const struct CMUnitTest tests[] = {
	CASE(test_shared_access_meets_host),
	CASE(test_mismatch_records_fault),
	CASE(test_fault_at_first_mismatch),
	CASE(test_private_data_stays_private),
	CASE(test_bad_access),
	CASE(test_access_spans_memslots),
	CASE(test_legacy_mode_uses_vm_attributes),
};

int main(void)
{
	return RUN_ON_BACKENDS(tests, struct fixture) ? 1 : 0;
}
