// SPDX-License-Identifier: MIT
/*
 * Description: the two generations of the series' uAPI, chosen per VM
 * (R111): RFC v4's content modes and v6+'s none. Under v6 every flag is
 * EINVAL (R93), no platform touches the bytes (R94), 248 and 250 read 0
 * (R95), error_offset is output only and written back on EAGAIN (R96), a
 * range that already has the attributes returns at once (R97), a VM
 * without private memory refuses the ioctl (R98), and a referenced page
 * still blocks a conversion to private (R99). Each difference is checked
 * against the RFC v4 answer on the same input.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "testutil.h"

#define SIZE (4 * PAGE)
#define GPA  0x10000000ULL
#define BYTE 0x5a

/* A VM of `type` on the memfd backend in generation `uapi`, or -errno. */
static int vm_in(unsigned long type, unsigned int uapi)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD, .uapi = uapi);
	int vm = gmem_create_vm_opts(type, &o);

	return vm < 0 ? -errno : vm;
}

/* A VM with a shared four-page file bound at GPA and mapped at *host. */
struct setup {
	int vm, fd;
	char *host;
};

static void setup_vm(struct setup *s, unsigned long type, unsigned int uapi)
{
	s->vm = vm_in(type, uapi);
	assert_true(s->vm >= 0);
	s->fd = test_gmem_mapped(
		s->vm, SIZE,
		GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, &s->host);
	test_bind(s->vm, s->fd, GPA, SIZE);
}

static void teardown_vm(struct setup *s)
{
	test_close_mapped(s->vm, s->fd, s->host, SIZE);
}

static int convert_raw(int fd, struct kvm_memory_attributes2 *a)
{
	return gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, a) ? errno : 0;
}

/* R111: the option first, then GMEM_UAPI, then RFC v4. */
static void test_generation_choice(void **state)
{
	int vm, fd;

	(void)state;
	unsetenv("GMEM_UAPI");
	vm = vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_AUTO);
	assert_int_equal(gmem_get_uapi(vm), GMEM_UAPI_RFC_V4);
	fd = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	assert_int_equal(gmem_get_uapi(fd), GMEM_UAPI_RFC_V4);
	gmem_close(fd);
	gmem_close(vm);

	setenv("GMEM_UAPI", "v6", 1);
	vm = vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_AUTO);
	assert_int_equal(gmem_get_uapi(vm), GMEM_UAPI_V6);
	gmem_close(vm);
	/* The option wins over the environment. */
	vm = vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_RFC_V4);
	assert_int_equal(gmem_get_uapi(vm), GMEM_UAPI_RFC_V4);
	gmem_close(vm);
	/* gmem_create_vm() has no options: the environment decides. */
	vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM);
	assert_int_equal(gmem_get_uapi(vm), GMEM_UAPI_V6);
	gmem_close(vm);

	setenv("GMEM_UAPI", "rfc-v4", 1);
	vm = vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_AUTO);
	assert_int_equal(gmem_get_uapi(vm), GMEM_UAPI_RFC_V4);
	gmem_close(vm);
	setenv("GMEM_UAPI", "", 1);
	vm = vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_AUTO);
	assert_int_equal(gmem_get_uapi(vm), GMEM_UAPI_RFC_V4);
	gmem_close(vm);
	unsetenv("GMEM_UAPI");
}

/* R111: a generation nobody knows fails the creation with EINVAL. */
static void test_unknown_generation_einval(void **state)
{
	static const char *const bad[] = { "v7", "V6", "rfc-v3", "6", " v6" };
	int vm, sys;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		setenv("GMEM_UAPI", bad[i], 1);
		assert_int_equal(vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_AUTO),
				 -EINVAL);
		assert_int_equal(gmem_create_vm(KVM_X86_SW_PROTECTED_VM), -1);
		assert_int_equal(errno, EINVAL);
		/* An explicit option does not read the environment. */
		vm = vm_in(KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_V6);
		assert_true(vm >= 0);
		gmem_close(vm);
	}
	unsetenv("GMEM_UAPI");
	assert_int_equal(vm_in(KVM_X86_SW_PROTECTED_VM, 3), -EINVAL);
	assert_int_equal(vm_in(KVM_X86_SW_PROTECTED_VM, ~0u), -EINVAL);
	assert_string_equal(gmem_uapi_name(GMEM_UAPI_RFC_V4), "rfc-v4");
	assert_string_equal(gmem_uapi_name(GMEM_UAPI_V6), "v6");
	assert_null(gmem_uapi_name(GMEM_UAPI_AUTO));
	assert_null(gmem_uapi_name(3));
	sys = gmem_open_system();
	assert_int_equal(gmem_get_uapi(sys), -1);
	assert_int_equal(errno, EINVAL);
	gmem_close(sys);
}

/* R93: under v6 every flag bit is EINVAL, and nothing is written back. */
static void test_v6_any_flag_einval(void **state)
{
	struct setup s;

	(void)state;
	setup_vm(&s, KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_V6);
	for (int bit = 0; bit < 64; bit++) {
		struct kvm_memory_attributes2 a = {
			.offset = 0,
			.size = SIZE,
			.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
			.flags = 1ULL << bit,
		};

		assert_int_equal(convert_raw(s.fd, &a), EINVAL);
		assert_int_equal(a.error_offset, 0);
		assert_int_equal(attributes_at(s.fd, 0), 0);
	}
	/* The same ZERO to shared is a mode under RFC v4. */
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 -1);
	assert_int_equal(errno, EINVAL);
	teardown_vm(&s);

	setup_vm(&s, KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_RFC_V4);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 0);
	teardown_vm(&s);
}

/* What the guest reads of page 0 as private. */
static void guest_page(const struct setup *s, char *buf)
{
	assert_int_equal(
		gmem_guest_read(s->vm, GPA, buf, PAGE, GMEM_GUEST_PRIVATE),
		PAGE);
}

static bool all_bytes(const char *buf, unsigned char value)
{
	for (size_t i = 0; i < PAGE; i++)
		if ((unsigned char)buf[i] != value)
			return false;
	return true;
}

/* A conversion to shared of the whole file, asked for by the guest first
 * where the platform wants that (pKVM, R122). */
static void to_shared(const struct setup *s, unsigned long type)
{
	if (type == KVM_VM_TYPE_ARM_PROTECTED)
		assert_int_equal(gmem_guest_request(s->vm, GPA, SIZE, false),
				 0);
	assert_int_equal(test_convert(s->fd, 0, SIZE, false, 0, NULL), 0);
}

/* R94: the bytes stay as they are, in both directions, on every
 * platform; the encrypted ones show them through the cipher. */
static void check_untouched(unsigned long type, bool encrypted)
{
	char buf[PAGE];
	struct setup s;

	setup_vm(&s, type, GMEM_UAPI_V6);
	memset(s.host, BYTE, SIZE);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	guest_page(&s, buf);
	/* Plaintext the host left is what the guest reads, or noise where
	 * the guest reads through the cipher. */
	assert_true(all_bytes(buf, BYTE) == !encrypted);
	to_shared(&s, type);
	/* Nothing wrote the page in between: the host finds its bytes. */
	assert_true(host_all(s.host, SIZE, BYTE));

	/* The guest's private bytes, made shared: plaintext, or the
	 * ciphertext at rest. */
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	memset(buf, BYTE, PAGE);
	assert_int_equal(
		gmem_guest_write(s.vm, GPA, buf, PAGE, GMEM_GUEST_PRIVATE),
		PAGE);
	to_shared(&s, type);
	assert_true(host_all(s.host, PAGE, BYTE) == !encrypted);
	assert_false(host_all(s.host, PAGE, 0));
	teardown_vm(&s);
}

static void test_v6_contents_untouched(void **state)
{
	(void)state;
	check_untouched(KVM_X86_SW_PROTECTED_VM, false);
	check_untouched(KVM_VM_TYPE_ARM_PROTECTED, false);
	check_untouched(KVM_X86_SNP_VM, true);
	check_untouched(KVM_X86_TDX_VM, true);
}

/* R122: on pKVM a page the host takes back without the guest's share is
 * cleared by the hypervisor; one the guest shared keeps its bytes. */
static void test_v6_pkvm_clears_unshared(void **state)
{
	char buf[PAGE];
	struct setup s;

	(void)state;
	setup_vm(&s, KVM_VM_TYPE_ARM_PROTECTED, GMEM_UAPI_V6);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	memset(buf, BYTE, PAGE);
	assert_int_equal(
		gmem_guest_write(s.vm, GPA, buf, PAGE, GMEM_GUEST_PRIVATE),
		PAGE);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false, 0, NULL), 0);
	assert_true(host_all(s.host, SIZE, 0));

	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(
		gmem_guest_write(s.vm, GPA, buf, PAGE, GMEM_GUEST_PRIVATE),
		PAGE);
	assert_int_equal(gmem_guest_request(s.vm, GPA, SIZE, false), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false, 0, NULL), 0);
	assert_true(host_all(s.host, PAGE, BYTE));
	teardown_vm(&s);
}

/* R94 against R66: RFC v4's mode 0 scrambles on SW_PROTECTED and zeroes
 * on pKVM where v6 keeps the bytes. */
static void test_rfc_v4_mode0_differs(void **state)
{
	struct setup s;

	(void)state;
	setup_vm(&s, KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_RFC_V4);
	memset(s.host, BYTE, SIZE);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false, 0, NULL), 0);
	assert_false(host_all(s.host, SIZE, BYTE));
	teardown_vm(&s);

	setup_vm(&s, KVM_VM_TYPE_ARM_PROTECTED, GMEM_UAPI_RFC_V4);
	memset(s.host, BYTE, SIZE);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false, 0, NULL), 0);
	assert_true(host_all(s.host, SIZE, 0));
	teardown_vm(&s);
}

/* R95: 249 alone announces the guest_memfd ioctl; 248 and 250 read 0. */
static void test_v6_capabilities(void **state)
{
	static const unsigned long types[] = { KVM_X86_SW_PROTECTED_VM,
					       KVM_VM_TYPE_ARM_PROTECTED,
					       KVM_X86_SNP_VM, KVM_X86_TDX_VM };
	int sys = gmem_open_system();

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		int vm = vm_in(types[i], GMEM_UAPI_V6);
		int old = vm_in(types[i], GMEM_UAPI_RFC_V4);

		assert_int_equal(
			gmem_ioctl(vm, KVM_CHECK_EXTENSION,
				   KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES),
			KVM_MEMORY_ATTRIBUTE_PRIVATE);
		assert_int_equal(gmem_ioctl(vm, KVM_CHECK_EXTENSION,
					    KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
				 0);
		assert_int_equal(gmem_ioctl(vm, KVM_CHECK_EXTENSION,
					    KVM_CAP_MEMORY_ATTRIBUTES2),
				 0);
		assert_int_equal(gmem_ioctl(vm, KVM_CHECK_EXTENSION,
					    KVM_CAP_MEMORY_ATTRIBUTES),
				 0);
		assert_int_equal(gmem_ioctl(vm, KVM_CHECK_EXTENSION,
					    KVM_CAP_GUEST_MEMFD_FLAGS),
				 GUEST_MEMFD_FLAG_MMAP |
					 GUEST_MEMFD_FLAG_INIT_SHARED);
		/* RFC v4 reports the platform's modes (never 0 here). */
		assert_int_not_equal(
			gmem_ioctl(old, KVM_CHECK_EXTENSION,
				   KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
			0);
		gmem_close(vm);
		gmem_close(old);
	}
	unsetenv("GMEM_UAPI");
	assert_int_equal(gmem_ioctl(sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
			 KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
				 KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	setenv("GMEM_UAPI", "v6", 1);
	assert_int_equal(gmem_ioctl(sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS),
			 0);
	assert_int_equal(gmem_ioctl(sys, KVM_CHECK_EXTENSION,
				    KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES),
			 KVM_MEMORY_ATTRIBUTE_PRIVATE);
	unsetenv("GMEM_UAPI");
	gmem_close(sys);
}

/* R95: with the VM-level switch on, the VM ioctl answers for both. */
static void test_v6_vm_level_switch(void **state)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD,
		  .vm_memory_attributes = true, .uapi = GMEM_UAPI_V6);
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &o);
	struct kvm_memory_attributes old = {
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	struct kvm_memory_attributes2 a2 = {
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	int fd, v4;

	(void)state;
	assert_true(vm >= 0);
	assert_int_equal(gmem_ioctl(vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES),
			 0);
	assert_int_equal(
		gmem_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES),
		KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(
		gmem_ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_MEMORY_ATTRIBUTES2),
		0);
	/* The VM ioctl is the older one: v6 has no VM-level form 2. */
	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &old), 0);
	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES2, &a2), -1);
	assert_int_equal(errno, ENOTTY);
	fd = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	assert_int_equal(test_convert(fd, 0, SIZE, false, 0, NULL), -1);
	assert_int_equal(errno, ENOTTY);
	gmem_close(fd);
	gmem_close(vm);

	/* RFC v4 took form 2 on the VM too. */
	o.uapi = GMEM_UAPI_RFC_V4;
	v4 = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &o);
	assert_int_equal(gmem_ioctl(v4, KVM_SET_MEMORY_ATTRIBUTES2, &a2), 0);
	gmem_close(v4);
}

/* R96: error_offset is never read under v6, and carries the busy page's
 * offset back on EAGAIN. */
static void test_v6_error_offset(void **state)
{
	struct kvm_memory_attributes2 a = {
		.size = SIZE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
		.error_offset = 12345,
	};
	struct setup s;

	(void)state;
	setup_vm(&s, KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_V6);
	assert_int_equal(gmem_pin(s.fd, 2 * PAGE, PAGE), 0);
	assert_int_equal(convert_raw(s.fd, &a), EAGAIN);
	assert_int_equal(a.error_offset, 2 * PAGE);
	assert_int_equal(attributes_at(s.fd, 0), 0);
	assert_int_equal(gmem_unpin(s.fd, 2 * PAGE, PAGE), 0);
	a.error_offset = 12345;
	assert_int_equal(convert_raw(s.fd, &a), 0);
	/* Success writes nothing back. */
	assert_int_equal(a.error_offset, 12345);
	assert_int_equal(attributes_at(s.fd, 3 * PAGE),
			 KVM_MEMORY_ATTRIBUTE_PRIVATE);
	teardown_vm(&s);

	setup_vm(&s, KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_RFC_V4);
	a.error_offset = 12345;
	assert_int_equal(convert_raw(s.fd, &a), EINVAL);
	teardown_vm(&s);
}

/* R97: a range that has the attributes already returns 0 at once: no
 * mode, so no byte changes, where RFC v4 applies mode 0 anyway. */
static void test_v6_already_converted(void **state)
{
	static const unsigned int gens[] = { GMEM_UAPI_V6, GMEM_UAPI_RFC_V4 };
	char buf[PAGE];

	(void)state;
	for (size_t g = 0; g < 2; g++) {
		struct setup s;

		setup_vm(&s, KVM_X86_SW_PROTECTED_VM, gens[g]);
		assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
		memset(buf, BYTE, PAGE);
		assert_int_equal(gmem_guest_write(s.vm, GPA, buf, PAGE,
						  GMEM_GUEST_PRIVATE),
				 PAGE);
		assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
		guest_page(&s, buf);
		assert_true(all_bytes(buf, BYTE) == (gens[g] == GMEM_UAPI_V6));
		teardown_vm(&s);
	}
}

/* R98: v8 refuses the guest_memfd ioctl on a VM without private memory,
 * even for attributes 0, which RFC v4 accepts. */
static void test_v6_default_vm_einval(void **state)
{
	int vm = vm_in(KVM_X86_DEFAULT_VM, GMEM_UAPI_V6);
	int old = vm_in(KVM_X86_DEFAULT_VM, GMEM_UAPI_RFC_V4);
	int fd = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	int old_fd = test_gmem(old, SIZE, GUEST_MEMFD_FLAG_MMAP);

	(void)state;
	assert_int_equal(test_convert(fd, 0, SIZE, false, 0, NULL), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(attributes_at(fd, 0), KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(gmem_ioctl(vm, KVM_CHECK_EXTENSION,
				    KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES),
			 0);
	assert_int_equal(test_convert(old_fd, 0, SIZE, false, 0, NULL), 0);
	gmem_close(fd);
	gmem_close(old_fd);
	gmem_close(vm);
	gmem_close(old);
}

/* R99: a pin still blocks a conversion to private, only an allocated
 * page counts, and the way back to shared never checks. */
static void test_v6_references(void **state)
{
	uint64_t error_offset = 0;
	struct setup s;

	(void)state;
	setup_vm(&s, KVM_X86_SNP_VM, GMEM_UAPI_V6);
	assert_int_equal(gmem_pin(s.fd, PAGE, PAGE), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, &error_offset),
			 -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(error_offset, PAGE);
	assert_int_equal(test_convert(s.fd, 0, SIZE, false, 0, NULL), 0);
	assert_int_equal(gmem_unpin(s.fd, PAGE, PAGE), 0);
	assert_int_equal(test_convert(s.fd, 0, SIZE, true, 0, NULL), 0);
	teardown_vm(&s);
}

/* R99: releasing the file ends the guest's access to all of it, shared
 * and private pages alike. */
static void test_v6_release_invalidates(void **state)
{
	char buf[PAGE];
	struct setup s;

	(void)state;
	setup_vm(&s, KVM_X86_SW_PROTECTED_VM, GMEM_UAPI_V6);
	assert_int_equal(test_convert(s.fd, 0, PAGE, true, 0, NULL), 0);
	gmem_munmap(s.host, SIZE);
	gmem_close(s.fd);
	assert_int_equal(
		gmem_guest_read(s.vm, GPA, buf, PAGE, GMEM_GUEST_PRIVATE), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_guest_read(s.vm, GPA + PAGE, buf, PAGE, 0), -1);
	assert_int_equal(errno, EFAULT);
	gmem_close(s.vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generation_choice),
		cmocka_unit_test(test_unknown_generation_einval),
		cmocka_unit_test(test_v6_any_flag_einval),
		cmocka_unit_test(test_v6_contents_untouched),
		cmocka_unit_test(test_v6_pkvm_clears_unshared),
		cmocka_unit_test(test_rfc_v4_mode0_differs),
		cmocka_unit_test(test_v6_capabilities),
		cmocka_unit_test(test_v6_vm_level_switch),
		cmocka_unit_test(test_v6_error_offset),
		cmocka_unit_test(test_v6_already_converted),
		cmocka_unit_test(test_v6_default_vm_einval),
		cmocka_unit_test(test_v6_references),
		cmocka_unit_test(test_v6_release_invalidates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
