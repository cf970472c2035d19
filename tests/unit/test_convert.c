// SPDX-License-Identifier: MIT
/*
 * Description: KVM_SET_MEMORY_ATTRIBUTES2 on a guest_memfd, step by step
 * (the conversion steps of docs/SEMANTICS.md): validation and its EINVAL/EFAULT
 * cases that write nothing back, the content-mode check (EOPNOTSUPP with
 * error_offset), the already-converted path that still applies the mode, ENOMEM
 * that changes nothing, shared-to-private revoking host mappings (SIGBUS) and
 * failing with EAGAIN at the first pinned page, private-to-shared making the
 * range mappable again, and the content modes on allocated pages only. Every
 * case runs on the kvm backend (where the kernel has guest_memfd) and on
 * memfd.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "backend_group.h"
#include "testutil.h"

#define SIZE	    (16 * PAGE)
#define SHARED_MMAP (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define ZERO	    KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define PRESERVE    KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
	char *host;
};

static int setup_type(void **state, unsigned long type, uint64_t flags)
{
	struct fixture *fx = *state;

	fx->vm = test_vm(type, fx->backend);
	fx->fd = test_gmem_mapped(fx->vm, SIZE, flags, &fx->host);
	return 0;
}

static int setup_sw(void **state)
{
	return setup_type(state, KVM_X86_SW_PROTECTED_VM, SHARED_MMAP);
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_close_mapped(fx->vm, fx->fd, fx->host, SIZE);
	return 0;
}

static void fill(struct fixture *fx, uint64_t offset, uint64_t len, char c)
{
	memset(fx->host + offset, c, len);
}

/* Step 2: each malformed request fails with EINVAL and the struct the
 * caller passed is left exactly as it was. */
static void test_einval_writes_nothing(void **state)
{
	struct fixture *fx = *state;
	struct kvm_memory_attributes2 good = {
		.offset = 0,
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	struct kvm_memory_attributes2 cases[32];
	int n = 0;

	for (int i = 0; i < 32; i++)
		cases[i] = good;
	cases[n++].flags = 1ULL << 2;
	cases[n++].flags = ZERO | PRESERVE;
	cases[n++].flags = 1ULL << 63;
	cases[n++].error_offset = PAGE;
	for (int r = 0; r < 11; r++)
		cases[n++].reserved[r] = 1;
	cases[n++].attributes = 1ULL << 0;
	cases[n++].attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE | (1ULL << 4);
	cases[n++].size = 0;
	cases[n].offset = PAGE, cases[n++].size = ~0ULL - PAGE + 1;
	cases[n++].offset = 1;
	cases[n++].size = PAGE + 1;
	cases[n++].offset = SIZE;
	cases[n].offset = SIZE - PAGE, cases[n++].size = 2 * PAGE;
	cases[n++].offset = ~0ULL & ~(PAGE - 1);
	for (int i = 0; i < n; i++) {
		struct kvm_memory_attributes2 a = cases[i];

		errno = 0;
		assert_int_equal(
			gmem_ioctl(fx->fd, KVM_SET_MEMORY_ATTRIBUTES2, &a), -1);
		assert_int_equal(errno, EINVAL);
		assert_memory_equal(&a, &cases[i], sizeof(a));
	}
	assert_int_equal(attributes_at(fx->fd, 0), 0);
}

static void test_efault(void **state)
{
	struct fixture *fx = *state;
	void *unmapped =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	assert_int_equal(gmem_ioctl(fx->fd, KVM_SET_MEMORY_ATTRIBUTES2, NULL),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(
		gmem_ioctl(fx->fd, KVM_SET_MEMORY_ATTRIBUTES2, unmapped), -1);
	assert_int_equal(errno, EFAULT);
	munmap(unmapped, PAGE);
}

/* The 32-byte VM ioctl is not a guest_memfd ioctl (R16). */
static void test_other_ioctls_enotty(void **state)
{
	struct fixture *fx = *state;
	struct kvm_memory_attributes a = { .size = PAGE };

	assert_int_equal(gmem_ioctl(fx->fd, KVM_SET_MEMORY_ATTRIBUTES, &a), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(gmem_ioctl(fx->vm, KVM_SET_MEMORY_ATTRIBUTES, &a), -1);
	assert_int_equal(errno, ENOTTY);
}

/* Step 4: ZERO is never accepted for a to-private request, even when the
 * range is already private; error_offset is the request's offset. */
static void test_zero_to_private_eopnotsupp(void **state)
{
	struct fixture *fx = *state;
	uint64_t eo = 0;

	fill(fx, 2 * PAGE, PAGE, 0x5a);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, 2 * PAGE, true, ZERO, &eo), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(eo, 2 * PAGE);
	assert_int_equal(attributes_at(fx->fd, 2 * PAGE), 0);
	assert_int_equal(host_read(fx->host + 2 * PAGE), 0x5a);

	assert_int_equal(test_convert(fx->fd, 4 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(test_convert(fx->fd, 4 * PAGE, PAGE, true, ZERO, &eo),
			 -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(eo, 4 * PAGE);
}

/* Success copies nothing back: error_offset stays 0. */
static void test_success_copies_nothing(void **state)
{
	struct fixture *fx = *state;
	struct kvm_memory_attributes2 a = {
		.offset = PAGE,
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
		.flags = PRESERVE,
	};
	struct kvm_memory_attributes2 before = a;

	assert_int_equal(gmem_ioctl(fx->fd, KVM_SET_MEMORY_ATTRIBUTES2, &a), 0);
	assert_memory_equal(&a, &before, sizeof(a));
}

/* Step 7: the range leaves every host mapping; touching it raises SIGBUS,
 * also through a mapping made while it is private, and nothing else
 * changes. Step 10: back to shared, it is mappable again. */
static void test_to_private_revokes_mappings(void **state)
{
	struct fixture *fx = *state;
	char *second;

	fill(fx, 0, 4 * PAGE, 0x11);
	assert_int_equal(
		test_convert(fx->fd, PAGE, 2 * PAGE, true, PRESERVE, NULL), 0);
	assert_int_equal(host_read(fx->host), 0x11);
	assert_int_equal(host_read(fx->host + PAGE), -1);
	assert_int_equal(host_write(fx->host + 2 * PAGE + 7, 1), -1);
	assert_int_equal(host_read(fx->host + 3 * PAGE), 0x11);

	second = gmem_mmap(NULL, 4 * PAGE, PROT_READ, MAP_SHARED, fx->fd, 0);
	assert_ptr_not_equal(second, MAP_FAILED);
	assert_int_equal(host_read(second + PAGE), -1);
	assert_int_equal(host_read(second + 3 * PAGE), 0x11);

	assert_int_equal(
		test_convert(fx->fd, PAGE, 2 * PAGE, false, PRESERVE, NULL), 0);
	assert_true(host_all(fx->host + PAGE, 2 * PAGE, 0x11));
	assert_true(host_all(second + PAGE, 2 * PAGE, 0x11));
	assert_int_equal(host_write(fx->host + PAGE, 0x22), 0);
	assert_int_equal(host_read(second + PAGE), 0x22);
	assert_int_equal(gmem_munmap(second, 4 * PAGE), 0);
}

/* Step 7: EAGAIN at the first pinned page, nothing changed, and a later
 * request that avoids the pin succeeds (R60). */
static void test_pinned_page_eagain(void **state)
{
	struct fixture *fx = *state;
	uint64_t eo = 0;

	fill(fx, 0, 8 * PAGE, 0x33);
	assert_int_equal(gmem_pin(fx->fd, 5 * PAGE, 2 * PAGE), 0);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, 6 * PAGE, true, PRESERVE, &eo),
		-1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(eo, 5 * PAGE);
	for (uint64_t p = 0; p < 8; p++)
		assert_int_equal(attributes_at(fx->fd, p * PAGE), 0);
	assert_true(host_all(fx->host, 8 * PAGE, 0x33));

	/* A pin that starts before the request reports the request's start. */
	assert_int_equal(test_convert(fx->fd, 6 * PAGE, PAGE, true, 0, &eo),
			 -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(eo, 6 * PAGE);

	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, 3 * PAGE, true, PRESERVE, NULL),
		0);
	assert_int_equal(gmem_unpin(fx->fd, 5 * PAGE, 2 * PAGE), 0);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, 6 * PAGE, true, PRESERVE, NULL),
		0);
	assert_int_equal(host_read(fx->host + 6 * PAGE), -1);
}

/* Step 6: out of memory for the tree: ENOMEM, error_offset = offset, and
 * nothing changed. */
static void test_enomem_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	uint64_t eo = 0;

	fill(fx, 0, 4 * PAGE, 0x44);
	gmem_inject_alloc_failure(0);
	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, PRESERVE, &eo),
			 -1);
	gmem_inject_alloc_failure(-1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(eo, PAGE);
	assert_int_equal(attributes_at(fx->fd, PAGE), 0);
	assert_int_equal(host_read(fx->host + PAGE), 0x44);
	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, PRESERVE, &eo),
			 0);
}

/* RFC v4's first example: shared, private, shared set to shared: the
 * mode reaches all of it, not only the page that changed (R69). */
static void test_zero_whole_range(void **state)
{
	struct fixture *fx = *state;

	fill(fx, 0, 3 * PAGE, 0x55);
	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, PRESERVE, NULL),
			 0);
	assert_int_equal(test_convert(fx->fd, 0, 3 * PAGE, false, ZERO, NULL),
			 0);
	assert_true(host_all(fx->host, 3 * PAGE, 0));
	assert_true(host_all(fx->host + 3 * PAGE, PAGE, 0));
}

/* RFC v4's second example: a hole in the range stays a hole (R70). */
static void test_zero_skips_holes(void **state)
{
	struct fixture *fx = *state;

	fill(fx, 0, PAGE, 0x66);
	fill(fx, 2 * PAGE, PAGE, 0x66);
	assert_false(page_allocated(fx->fd, PAGE));
	assert_int_equal(
		test_convert(fx->fd, 0, 3 * PAGE, true, PRESERVE, NULL), 0);
	assert_int_equal(test_convert(fx->fd, 0, 3 * PAGE, false, ZERO, NULL),
			 0);
	assert_true(page_allocated(fx->fd, 0));
	assert_false(page_allocated(fx->fd, PAGE));
	assert_true(page_allocated(fx->fd, 2 * PAGE));
	assert_true(host_all(fx->host, PAGE, 0));
	assert_true(host_all(fx->host + 2 * PAGE, PAGE, 0));
}

/* Step 9 counts fallocate()d pages as allocated, too. */
static void test_zero_reaches_fallocated(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(
		gmem_fallocate(fx->fd, FALLOC_FL_KEEP_SIZE, 4 * PAGE, PAGE), 0);
	assert_true(page_allocated(fx->fd, 4 * PAGE));
	assert_false(page_allocated(fx->fd, 5 * PAGE));
	assert_int_equal(
		test_convert(fx->fd, 4 * PAGE, 2 * PAGE, false, ZERO, NULL), 0);
	assert_true(page_allocated(fx->fd, 4 * PAGE));
	assert_false(page_allocated(fx->fd, 5 * PAGE));
}

/* Step 5: nothing to convert, the mode applies anyway (RFC v4). */
static void test_unchanged_range_gets_mode(void **state)
{
	struct fixture *fx = *state;
	char before[PAGE];

	fill(fx, 0, 2 * PAGE, 0x77);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, false, PRESERVE, NULL),
			 0);
	assert_true(host_all(fx->host, PAGE, 0x77));
	assert_int_equal(test_convert(fx->fd, 0, PAGE, false, ZERO, NULL), 0);
	assert_true(host_all(fx->host, PAGE, 0));

	memcpy(before, fx->host + PAGE, PAGE);
	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, false, 0, NULL), 0);
	assert_memory_not_equal(before, fx->host + PAGE, PAGE);
}

/* SW_PROTECTED: PRESERVE keeps the bytes both ways (R68); mode 0
 * scrambles them (R66). */
static void test_sw_protected_modes(void **state)
{
	struct fixture *fx = *state;
	char before[PAGE];

	fill(fx, 0, PAGE, 0x12);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, true, PRESERVE, NULL),
			 0);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, false, PRESERVE, NULL),
			 0);
	assert_true(host_all(fx->host, PAGE, 0x12));

	memcpy(before, fx->host, PAGE);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, false, 0, NULL), 0);
	assert_memory_not_equal(before, fx->host, PAGE);
}

/* Conversions work before any page exists and allocate nothing (R41). */
static void test_convert_before_allocation(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(
		test_convert(fx->fd, 8 * PAGE, 8 * PAGE, true, 0, NULL), 0);
	assert_int_equal(
		test_convert(fx->fd, 8 * PAGE, 8 * PAGE, false, ZERO, NULL), 0);
	for (uint64_t p = 8; p < 16; p++)
		assert_false(page_allocated(fx->fd, p * PAGE));
	assert_int_equal(host_read(fx->host + 9 * PAGE), 0);
}

/* Punching a hole keeps the attributes (R30). */
static void test_punch_keeps_attributes(void **state)
{
	struct fixture *fx = *state;

	fill(fx, 0, 2 * PAGE, 0x21);
	assert_int_equal(test_convert(fx->fd, 0, PAGE, true, PRESERVE, NULL),
			 0);
	assert_int_equal(
		gmem_fallocate(fx->fd,
			       FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0,
			       2 * PAGE),
		0);
	assert_int_equal(attributes_at(fx->fd, 0),
			 KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(attributes_at(fx->fd, PAGE), 0);
	assert_int_equal(host_read(fx->host), -1);
	assert_int_equal(host_read(fx->host + PAGE), 0);
}

/* The attribute map stays merged: neighbours with equal attributes are
 * one range. */
static void test_ranges_merge(void **state)
{
	struct fixture *fx = *state;
	struct gmem_attr_range r[4];

	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, 0, NULL), 0);
	assert_int_equal(test_convert(fx->fd, 3 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_get_attribute_ranges(fx->fd, 0, SIZE, r, 4), 5);
	assert_int_equal(test_convert(fx->fd, 2 * PAGE, PAGE, true, 0, NULL),
			 0);
	assert_int_equal(gmem_get_attribute_ranges(fx->fd, 0, SIZE, r, 4), 3);
	assert_int_equal(r[1].offset, PAGE);
	assert_int_equal(r[1].size, 3 * PAGE);
	assert_int_equal(r[1].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(
		gmem_get_attribute_ranges(fx->fd, 2 * PAGE, PAGE, r, 4), 1);
	assert_int_equal(r[0].offset, 2 * PAGE);
	assert_int_equal(r[0].size, PAGE);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup_sw, teardown)

static const struct CMUnitTest tests[] = {
	CASE(test_einval_writes_nothing),
	CASE(test_efault),
	CASE(test_other_ioctls_enotty),
	CASE(test_zero_to_private_eopnotsupp),
	CASE(test_success_copies_nothing),
	CASE(test_to_private_revokes_mappings),
	CASE(test_pinned_page_eagain),
	CASE(test_enomem_changes_nothing),
	CASE(test_zero_whole_range),
	CASE(test_zero_skips_holes),
	CASE(test_zero_reaches_fallocated),
	CASE(test_unchanged_range_gets_mode),
	CASE(test_sw_protected_modes),
	CASE(test_convert_before_allocation),
	CASE(test_punch_keeps_attributes),
	CASE(test_ranges_merge),
};

int main(void)
{
	return RUN_ON_BACKENDS(tests, struct fixture) ? 1 : 0;
}
