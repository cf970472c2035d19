// SPDX-License-Identifier: MIT
/*
 * Description: what each VM type means for attributes. The capabilities
 * each type reports (system fd and VM fd, both attribute modes); files
 * that start shared (INIT_SHARED) or private; a VM type without private
 * memory refusing PRIVATE with EINVAL while it may still make a private
 * file shared (R84); the legacy vm_memory_attributes mode, where the
 * guest_memfd ioctl is ENOTTY and the VM ioctl sets attributes by guest
 * physical address; and the reverse: the VM ioctl is ENOTTY by default.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "testutil.h"

#define ZERO	 KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define PRESERVE KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define PRIVATE	 KVM_MEMORY_ATTRIBUTE_PRIVATE

struct type_caps {
	unsigned long type;
	int gmem_attributes; /* 249 */
	int modes;	     /* 250 */
};

static const struct type_caps type_caps[] = {
	{ KVM_X86_DEFAULT_VM, 0, 0 },
	{ KVM_X86_SW_PROTECTED_VM, PRIVATE, ZERO | PRESERVE },
	{ KVM_X86_SNP_VM, PRIVATE, ZERO },
	{ KVM_X86_TDX_VM, PRIVATE, ZERO },
	{ KVM_VM_TYPE_ARM_PROTECTED, PRIVATE, ZERO | PRESERVE },
};

static int cap(int fd, long c)
{
	return gmem_ioctl(fd, KVM_CHECK_EXTENSION, c);
}

static void test_system_capabilities(void **state)
{
	int sys = gmem_open_system();

	(void)state;
	assert_true(sys >= 0);
	assert_int_equal(cap(sys, KVM_CAP_GUEST_MEMFD), 1);
	assert_int_equal(cap(sys, KVM_CAP_GUEST_MEMFD_FLAGS),
			 GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	assert_int_equal(cap(sys, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES),
			 PRIVATE);
	assert_int_equal(cap(sys, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
			 ZERO | PRESERVE);
	assert_int_equal(cap(sys, KVM_CAP_MEMORY_ATTRIBUTES), 0);
	assert_int_equal(cap(sys, KVM_CAP_MEMORY_ATTRIBUTES2), 0);
	assert_int_equal(cap(sys, KVM_CAP_VM_TYPES) & 0x33, 0x33);
	assert_int_equal(cap(sys, 100000), 0);
	/* /dev/kvm answers an ioctl it does not know with EINVAL (R1). */
	assert_int_equal(gmem_ioctl(sys, KVM_CREATE_GUEST_MEMFD, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_close(sys), 0);
}

static void test_vm_capabilities(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(type_caps) / sizeof(type_caps[0]); i++) {
		const struct type_caps *t = &type_caps[i];
		int vm = test_vm(t->type, GMEM_BACKEND_MEMFD);
		int legacy = test_vm_legacy(t->type, GMEM_BACKEND_MEMFD);

		assert_int_equal(cap(vm, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES),
				 t->gmem_attributes);
		assert_int_equal(cap(vm, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
				 t->modes);
		assert_int_equal(cap(vm, KVM_CAP_MEMORY_ATTRIBUTES), 0);
		assert_int_equal(cap(vm, KVM_CAP_GUEST_MEMFD_FLAGS), 3);
		/* Legacy mode: the VM path is live, the file path is not. */
		assert_int_equal(
			cap(legacy, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES), 0);
		assert_int_equal(cap(legacy, KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
				 0);
		assert_int_equal(cap(legacy, KVM_CAP_MEMORY_ATTRIBUTES),
				 t->gmem_attributes);
		assert_int_equal(cap(legacy, KVM_CAP_MEMORY_ATTRIBUTES2),
				 t->gmem_attributes);
		/* 6.18: INIT_SHARED only without private memory. */
		assert_int_equal(cap(legacy, KVM_CAP_GUEST_MEMFD_FLAGS),
				 t->gmem_attributes ? 1 : 3);
		gmem_close(legacy);
		gmem_close(vm);
	}
}

static void test_unknown_types_einval(void **state)
{
	const unsigned long bad[] = { KVM_X86_SEV_VM, KVM_X86_SEV_ES_VM, 6,
				      1UL << 30, ~0UL };

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gmem_create_vm(bad[i]), -1);
		assert_int_equal(errno, EINVAL);
	}
}

static void test_initial_attributes(void **state)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int shared = test_gmem(vm, 4 * PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
	int private = test_gmem(vm, 4 * PAGE, 0);

	(void)state;
	assert_int_equal(attributes_at(shared, 3 * PAGE), 0);
	assert_int_equal(attributes_at(private, 3 * PAGE), PRIVATE);
	gmem_close(shared);
	gmem_close(private);
	gmem_close(vm);
}

/* R84: a default VM has no PRIVATE; its private-from-creation file can be
 * made shared, never private again. */
static void test_default_vm_refuses_private(void **state)
{
	int vm = test_vm(KVM_X86_DEFAULT_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, 4 * PAGE, GUEST_MEMFD_FLAG_MMAP);
	char *host;

	(void)state;
	assert_int_equal(attributes_at(fd, 0), PRIVATE);
	host = gmem_mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fd, 0);
	assert_ptr_not_equal(host, MAP_FAILED);
	assert_int_equal(host_read(host), -1);
	assert_int_equal(test_convert(fd, 0, PAGE, false, 0, NULL), 0);
	assert_int_equal(host_read(host), 0);
	assert_int_equal(test_convert(fd, 0, PAGE, true, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	/* No content modes at all on a default VM. */
	assert_int_equal(test_convert(fd, 0, PAGE, false, ZERO, NULL), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	gmem_munmap(host, 4 * PAGE);
	gmem_close(fd);
	gmem_close(vm);
}

static int vm_set(int vm, uint64_t gpa, uint64_t size, uint64_t attributes)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = attributes,
	};

	return gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a);
}

static uint64_t gpa_attributes(int vm, uint64_t gpa)
{
	uint64_t a = ~0ULL;

	assert_int_equal(gmem_get_gpa_attributes(vm, gpa, &a), 0);
	return a;
}

static void test_legacy_mode(void **state)
{
	int vm = test_vm_legacy(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, 4 * PAGE, GUEST_MEMFD_FLAG_MMAP);

	(void)state;
	assert_int_equal(test_convert(fd, 0, PAGE, false, 0, NULL), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(vm_set(vm, 0x100000, 2 * PAGE, PRIVATE), 0);
	assert_int_equal(gpa_attributes(vm, 0x100000 + PAGE), PRIVATE);
	assert_int_equal(gpa_attributes(vm, 0x100000 + 2 * PAGE), 0);
	assert_int_equal(vm_set(vm, 0x100000, PAGE, 0), 0);
	assert_int_equal(gpa_attributes(vm, 0x100000), 0);
	/* kvm_vm_ioctl_set_mem_attributes() checks. */
	assert_int_equal(vm_set(vm, 0x1000, 0, PRIVATE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(vm_set(vm, 0x1001, PAGE, PRIVATE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(vm_set(vm, 0x1000, PAGE, 1), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(vm_set(vm, ~0ULL - PAGE + 1, 2 * PAGE, 0), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, (void *)8),
			 -1);
	assert_int_equal(errno, EFAULT);
	gmem_close(fd);
	gmem_close(vm);

	/* A default VM in legacy mode takes no PRIVATE either. */
	vm = test_vm_legacy(KVM_X86_DEFAULT_VM, GMEM_BACKEND_MEMFD);
	assert_int_equal(vm_set(vm, 0, PAGE, PRIVATE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(vm_set(vm, 0, PAGE, 0), 0);
	gmem_close(vm);
}

/* With attributes in guest_memfd they are reached through memslots. */
static void test_gpa_attributes_through_memslot(void **state)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, 4 * PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
	struct kvm_userspace_memory_region2 r = {
		.slot = 1,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 0x200000,
		.memory_size = 2 * PAGE,
		.guest_memfd_offset = 2 * PAGE,
		.guest_memfd = (uint32_t)fd,
	};
	uint64_t a;

	(void)state;
	assert_int_equal(vm_set(vm, 0, PAGE, 0), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	assert_int_equal(test_convert(fd, 3 * PAGE, PAGE, true, 0, NULL), 0);
	assert_int_equal(gpa_attributes(vm, 0x200000), 0);
	assert_int_equal(gpa_attributes(vm, 0x200000 + PAGE), PRIVATE);
	assert_int_equal(gmem_get_gpa_attributes(vm, 0x200000 + 2 * PAGE, &a),
			 -1);
	assert_int_equal(errno, ENOENT);
	/* Closing the file unbinds the slot (R36). */
	gmem_close(fd);
	assert_int_equal(gmem_get_gpa_attributes(vm, 0x200000, &a), -1);
	assert_int_equal(errno, ENOENT);
	gmem_close(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_system_capabilities),
		cmocka_unit_test(test_vm_capabilities),
		cmocka_unit_test(test_unknown_types_einval),
		cmocka_unit_test(test_initial_attributes),
		cmocka_unit_test(test_default_vm_refuses_private),
		cmocka_unit_test(test_legacy_mode),
		cmocka_unit_test(test_gpa_attributes_through_memslot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
