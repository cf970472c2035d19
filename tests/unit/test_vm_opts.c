// SPDX-License-Identifier: MIT
/*
 * Description: struct gmem_vm_opts is read as libbpf reads its options.
 * GMEM_OPTS() zeroes the whole struct, padding included, and sets sz; a
 * field within sz is read, a field past sz reads as zero; every other
 * byte within sz must be zero (E2BIG): the padding between two fields and
 * after the last one,
 * the part of a field that sz cuts, and a newer caller's fields past the
 * struct this library knows. sz smaller than its own field, or absurdly
 * large, is EINVAL; bytes that cannot be read are EFAULT.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <cmocka.h>

#include <gmem/gmem.h>

/* The first byte after the last field this library knows. */
#define KNOWN_END                                                              \
	(offsetof(struct gmem_vm_opts, introspect_path) + sizeof(const char *))

/* The padding after a bool or an unsigned int, before the next field. */
static const struct {
	size_t start, end;
} holes[] = {
	{ offsetof(struct gmem_vm_opts, experimental_policies) + sizeof(bool),
	  offsetof(struct gmem_vm_opts, kvm_vm) },
	{ offsetof(struct gmem_vm_opts, trusted_pointers) + sizeof(bool),
	  offsetof(struct gmem_vm_opts, uapi) },
	{ offsetof(struct gmem_vm_opts, uapi) + sizeof(unsigned int),
	  offsetof(struct gmem_vm_opts, huge_dir) },
	{ offsetof(struct gmem_vm_opts, huge_source) + sizeof(unsigned int),
	  offsetof(struct gmem_vm_opts, introspect_path) },
};

#define NHOLES (sizeof(holes) / sizeof(holes[0]))

/* gmem_create_vm_opts(): the VM's backend, or -errno. */
static int create(const void *opts)
{
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, opts);
	int backend;

	if (vm < 0)
		return -errno;
	backend = gmem_get_backend(vm);
	gmem_close(vm);
	return backend;
}

static void test_gmem_opts_zeroes_padding(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);
	const unsigned char *bytes = (const unsigned char *)&opts;

	(void)state;
	assert_int_equal(opts.sz, sizeof(struct gmem_vm_opts));
	for (size_t i = KNOWN_END; i < sizeof(opts); i++)
		assert_int_equal(bytes[i], 0);
	for (size_t h = 0; h < NHOLES; h++)
		for (size_t i = holes[h].start; i < holes[h].end; i++)
			assert_int_equal(bytes[i], 0);
	assert_int_equal(create(&opts), GMEM_BACKEND_MEMFD);
}

/* Padding after the last known field, inside sizeof(): must be zero. */
static void test_tail_padding_must_be_zero(void **state)
{
	(void)state;
	if (KNOWN_END == sizeof(struct gmem_vm_opts))
		skip();
	for (size_t i = KNOWN_END; i < sizeof(struct gmem_vm_opts); i++) {
		GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);

		((unsigned char *)&opts)[i] = 0x01;
		assert_int_equal(create(&opts), -E2BIG);
	}
}

/* Padding between two known fields: must be zero too. */
static void test_inner_padding_must_be_zero(void **state)
{
	size_t bytes = 0;

	(void)state;
	for (size_t h = 0; h < NHOLES; h++)
		for (size_t i = holes[h].start; i < holes[h].end;
		     i++, bytes++) {
			GMEM_OPTS(gmem_vm_opts, opts,
				  .backend = GMEM_BACKEND_MEMFD);

			((unsigned char *)&opts)[i] = 0x80;
			assert_int_equal(create(&opts), -E2BIG);
			/* Also when sz ends inside the hole. */
			opts.sz = i + 1;
			assert_int_equal(create(&opts), -E2BIG);
		}
	if (!bytes)
		skip();
}

/* A field past sz reads as zero, whatever the struct holds there. */
static void test_fields_past_sz_read_as_zero(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .vm_memory_attributes = true);
	struct kvm_memory_attributes a = { .size = 4096 };
	int vm;

	(void)state;
	opts.sz = offsetof(struct gmem_vm_opts, vm_memory_attributes);
	vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	assert_true(vm >= 0);
	assert_int_equal(gmem_get_backend(vm), GMEM_BACKEND_MEMFD);
	/* vm_memory_attributes was not read: the VM ioctl is not there. */
	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a), -1);
	assert_int_equal(errno, ENOTTY);
	gmem_close(vm);
}

/* sz that cuts a field: the part within sz must be zero. */
static void test_cut_field_must_be_zero(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);

	(void)state;
	opts.sz = offsetof(struct gmem_vm_opts, backend) + 1;
	assert_int_equal(create(&opts), -E2BIG);
	opts.backend = 0;
	assert_true(create(&opts) >= 0);
}

/* A newer caller's larger struct: its extra bytes must be zero. */
static void test_newer_tail(void **state)
{
	struct {
		struct gmem_vm_opts o;
		unsigned char newer[40];
	} big;

	(void)state;
	memset(&big, 0, sizeof(big));
	big.o.sz = sizeof(big);
	big.o.backend = GMEM_BACKEND_MEMFD;
	assert_int_equal(create(&big), GMEM_BACKEND_MEMFD);
	for (size_t i = 0; i < sizeof(big.newer); i += 13) {
		big.newer[i] = 0xff;
		assert_int_equal(create(&big), -E2BIG);
		big.newer[i] = 0;
	}
	assert_int_equal(create(&big), GMEM_BACKEND_MEMFD);
}

static void test_bad_sizes(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts);

	(void)state;
	opts.sz = sizeof(opts.sz) - 1;
	assert_int_equal(create(&opts), -EINVAL);
	opts.sz = 0;
	assert_int_equal(create(&opts), -EINVAL);
	opts.sz = (size_t)1 << 21;
	assert_int_equal(create(&opts), -EINVAL);
	opts.sz = sizeof(opts.sz);
	assert_true(create(&opts) >= 0);
}

/* A struct whose sz reaches into an unmapped page. */
static void test_unreadable_tail(void **state)
{
	long page = sysconf(_SC_PAGESIZE);
	char *two = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct gmem_vm_opts *opts;

	(void)state;
	assert_ptr_not_equal(two, MAP_FAILED);
	assert_int_equal(munmap(two + page, page), 0);
	opts = (struct gmem_vm_opts *)(two + page - sizeof(*opts));
	memset(opts, 0, sizeof(*opts));
	opts->sz = sizeof(*opts) + 64;
	assert_int_equal(create(opts), -EFAULT);
	munmap(two, page);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gmem_opts_zeroes_padding),
		cmocka_unit_test(test_tail_padding_must_be_zero),
		cmocka_unit_test(test_inner_padding_must_be_zero),
		cmocka_unit_test(test_fields_past_sz_read_as_zero),
		cmocka_unit_test(test_cut_field_must_be_zero),
		cmocka_unit_test(test_newer_tail),
		cmocka_unit_test(test_bad_sizes),
		cmocka_unit_test(test_unreadable_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
