// SPDX-License-Identifier: MIT
/*
 * Description: a conversion that fails half way changes nothing, also
 * while the program has unmapped, reused, protected and mapped over parts
 * of the file's host mapping with plain calls. ENOMEM is injected at each
 * allocation of the library in turn (gmem_inject_alloc_failure), and a
 * mapping call is made to fail for real by filling the process's map
 * count (vm.max_map_count) so that the second of two host mappings cannot
 * be split. After each failure: every page's attributes, every byte the
 * host can see through the mapping (or SIGBUS where private), the foreign
 * memory, and the file's whole state (gmem_file_validate) are as before.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "backend_group.h"
#include "file_validate.h"
#include "testutil.h"

#define NPAGES	    16
#define SIZE	    (NPAGES * PAGE)
#define SHARED_MMAP (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define PRESERVE    KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define FOREIGN	    0x77

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
	char *host;
};

/* Pages of the mapping that the program gave to other memory. */
static bool foreign_page(unsigned int p)
{
	return (p >= 4 && p < 7) || p == 14;
}

struct snapshot {
	uint64_t attributes[NPAGES];
	int seen[NPAGES]; /* byte 0 of the page through the mapping, or -1 */
};

static void take(struct fixture *fx, struct snapshot *s)
{
	for (unsigned int p = 0; p < NPAGES; p++) {
		s->attributes[p] = attributes_at(fx->fd, p * PAGE);
		s->seen[p] = foreign_page(p) ? FOREIGN
					     : host_read(fx->host + p * PAGE);
	}
}

static void assert_unchanged(struct fixture *fx, const struct snapshot *before)
{
	struct snapshot now;
	const char *why = "";

	take(fx, &now);
	assert_memory_equal(&now, before, sizeof(now));
	assert_true(host_all(fx->host + 4 * PAGE, 3 * PAGE, FOREIGN));
	assert_true(host_all(fx->host + 14 * PAGE, PAGE, FOREIGN));
	assert_int_equal(gmem_file_validate_fd(fx->fd, &why), 0);
}

/* A mapping whose pages hold their own index + 1; pages 8-9 private; then
 * the program's plain calls: pages 4-6 unmapped and reused, 10-11 made
 * read-only, 14 mapped over. */
static int setup(void **state)
{
	struct fixture *fx = *state;
	char *p;

	fx->vm = test_vm(KVM_X86_SW_PROTECTED_VM, fx->backend);
	fx->fd = test_gmem_mapped(fx->vm, SIZE, SHARED_MMAP, &fx->host);
	for (unsigned int i = 0; i < NPAGES; i++)
		memset(fx->host + i * PAGE, (int)i + 1, PAGE);
	assert_int_equal(
		test_convert(fx->fd, 8 * PAGE, 2 * PAGE, true, PRESERVE, NULL),
		0);
	assert_int_equal(munmap(fx->host + 4 * PAGE, 3 * PAGE), 0);
	p = mmap(fx->host + 4 * PAGE, 3 * PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);
	assert_ptr_equal(p, fx->host + 4 * PAGE);
	memset(p, FOREIGN, 3 * PAGE);
	assert_int_equal(mprotect(fx->host + 10 * PAGE, 2 * PAGE, PROT_READ),
			 0);
	p = mmap(fx->host + 14 * PAGE, PAGE, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	assert_ptr_equal(p, fx->host + 14 * PAGE);
	memset(p, FOREIGN, PAGE);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	test_close_mapped(fx->vm, fx->fd, fx->host, SIZE);
	return 0;
}

/* Fail the n-th allocation of one conversion, for every n until the
 * conversion needs no more; each failure changes nothing. */
static void convert_through_failures(struct fixture *fx, uint64_t first,
				     uint64_t npages, bool private)
{
	struct snapshot before;
	unsigned int failures = 0;
	int ret;

	for (long n = 0;; n++) {
		assert_true(n < 1000);
		take(fx, &before);
		gmem_inject_alloc_failure(n);
		ret = test_convert(fx->fd, first * PAGE, npages * PAGE, private,
				   PRESERVE, NULL);
		gmem_inject_alloc_failure(-1);
		if (!ret)
			break;
		assert_int_equal(errno, ENOMEM);
		assert_unchanged(fx, &before);
		failures++;
	}
	assert_true(failures > 0);
	for (uint64_t p = first; p < first + npages; p++)
		assert_int_equal(attributes_at(fx->fd, p * PAGE),
				 private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0);
}

static void test_enomem_at_every_allocation(void **state)
{
	struct fixture *fx = *state;
	struct snapshot after;

	convert_through_failures(fx, 2, 11, true);
	convert_through_failures(fx, 0, NPAGES, false);
	convert_through_failures(fx, 3, 1, true);
	convert_through_failures(fx, 9, 3, true);
	take(fx, &after);
	assert_unchanged(fx, &after);
	assert_int_equal(host_read(fx->host + 3 * PAGE), -1);
	assert_int_equal(host_read(fx->host + 12 * PAGE), 13);
}

/* Valgrind keeps its own table of mappings, far smaller than the
 * kernel's limit. */
static bool under_valgrind(void)
{
	const char *preload = getenv("LD_PRELOAD");

	return preload && strstr(preload, "vgpreload");
}

static long max_map_count(void)
{
	return test_read_number("/proc/sys/vm/max_map_count");
}

/* Split an anonymous region page by page until the kernel refuses one
 * more mapping, then give back one split (two mappings): a MAP_FIXED
 * inside a mapping (three pieces) then fits once, not twice. */
static char *fill_map_count(long limit, size_t *len)
{
	char *r;
	long i;

	*len = (size_t)limit * 2 * PAGE;
	r = mmap(NULL, *len, PROT_READ,
		 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	assert_ptr_not_equal(r, MAP_FAILED);
	for (i = 1; (size_t)(i * 2) < *len / PAGE; i++)
		if (mprotect(r + 2 * i * PAGE, PAGE, PROT_NONE))
			break;
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(mprotect(r + 2 * PAGE, PAGE, PROT_READ), 0);
	return r;
}

/* A revocation whose second mapping cannot be split fails with ENOMEM
 * and puts the first one back: nothing changed. Back to shared at the
 * limit, the restoration past the point of no return may leave a shared
 * page faulting in one mapping (documented); the next conversion heals
 * it. */
static void test_mapping_call_fails(void **state)
{
	struct fixture *fx = *state;
	char *second = gmem_mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fx->fd, 0);
	long limit = max_map_count();
	struct snapshot before;
	uint64_t error_offset = 0;
	size_t len;
	char *r;
	int ret;

	if (under_valgrind() || limit <= 0 || limit > (1L << 20))
		skip();
	assert_ptr_not_equal(second, MAP_FAILED);
	take(fx, &before);
	r = fill_map_count(limit, &len);
	ret = test_convert(fx->fd, 2 * PAGE, PAGE, true, PRESERVE,
			   &error_offset);
	munmap(r, len);
	assert_int_equal(ret, -1);
	assert_int_equal(errno, ENOMEM);
	assert_int_equal(error_offset, 2 * PAGE);
	assert_unchanged(fx, &before);
	assert_int_equal(host_read(second + 2 * PAGE), 3);

	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, PAGE, true, PRESERVE, NULL), 0);
	r = fill_map_count(limit, &len);
	ret = test_convert(fx->fd, 2 * PAGE, PAGE, false, PRESERVE, NULL);
	munmap(r, len);
	assert_int_equal(ret, 0);
	assert_true(host_all(fx->host + 4 * PAGE, 3 * PAGE, FOREIGN));
	assert_int_equal(gmem_file_validate_fd(fx->fd, NULL), 0);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, PAGE, true, PRESERVE, NULL), 0);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, PAGE, false, PRESERVE, NULL), 0);
	assert_int_equal(host_read(fx->host + 2 * PAGE), 3);
	assert_int_equal(host_read(second + 2 * PAGE), 3);
	assert_unchanged(fx, &before);
	assert_int_equal(gmem_munmap(second, SIZE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_enomem_at_every_allocation,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mapping_call_fails, setup,
						teardown),
	};

	return RUN_ON_BACKENDS(tests, struct fixture);
}
