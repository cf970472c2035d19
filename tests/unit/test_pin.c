// SPDX-License-Identifier: MIT
/*
 * Description: gmem_pin()/gmem_unpin(), counted long-term references:
 * pins nest and overlap, each page needs as many unpins as pins, unpinning
 * what is not pinned is EINVAL and changes nothing, a pin allocates its
 * pages, private pages cannot be pinned (EFAULT), bad ranges are EINVAL,
 * and an out-of-memory pin changes nothing. Runs on both backends.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <sys/mman.h>
#include <cmocka.h>

#include "backend_group.h"
#include "testutil.h"

#define SIZE (16 * PAGE)

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
};

static int setup(void **state)
{
	struct fixture *fx = *state;

	fx->vm = test_vm(KVM_X86_SW_PROTECTED_VM, fx->backend);
	fx->fd =
		test_gmem(fx->vm, SIZE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	gmem_close(fx->fd);
	gmem_close(fx->vm);
	return 0;
}

/* Whether converting one page to private is refused with EAGAIN. */
static bool pinned(int fd, uint64_t offset)
{
	uint64_t eo;

	if (test_convert(fd, offset, PAGE, true, 0, &eo) == 0) {
		assert_int_equal(test_convert(fd, offset, PAGE, false, 0, NULL),
				 0);
		return false;
	}
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(eo, offset);
	return true;
}

static void test_pins_nest_and_overlap(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(gmem_pin(fx->fd, 0, 4 * PAGE), 0);
	assert_int_equal(gmem_pin(fx->fd, 2 * PAGE, 4 * PAGE), 0);
	assert_int_equal(gmem_unpin(fx->fd, 0, 4 * PAGE), 0);
	assert_false(pinned(fx->fd, PAGE));
	assert_true(pinned(fx->fd, 2 * PAGE));
	assert_true(pinned(fx->fd, 5 * PAGE));
	assert_int_equal(gmem_unpin(fx->fd, 2 * PAGE, 4 * PAGE), 0);
	for (uint64_t p = 0; p < 8; p++)
		assert_false(pinned(fx->fd, p * PAGE));
}

static void test_unpin_unpinned_einval(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(gmem_unpin(fx->fd, 0, PAGE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_pin(fx->fd, 0, PAGE), 0);
	/* Half pinned is not pinned: nothing is released. */
	assert_int_equal(gmem_unpin(fx->fd, 0, 2 * PAGE), -1);
	assert_int_equal(errno, EINVAL);
	assert_true(pinned(fx->fd, 0));
	assert_int_equal(gmem_unpin(fx->fd, 0, PAGE), 0);
	assert_false(pinned(fx->fd, 0));
}

static void test_pin_allocates(void **state)
{
	struct fixture *fx = *state;

	assert_false(page_allocated(fx->fd, 3 * PAGE));
	assert_int_equal(gmem_pin(fx->fd, 3 * PAGE, PAGE), 0);
	assert_true(page_allocated(fx->fd, 3 * PAGE));
	assert_false(page_allocated(fx->fd, 4 * PAGE));
	assert_int_equal(gmem_unpin(fx->fd, 3 * PAGE, PAGE), 0);
}

static void test_pin_private_efault(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_pin(fx->fd, 0, 2 * PAGE), -1);
	assert_int_equal(errno, EFAULT);
	assert_false(pinned(fx->fd, 0));
}

static void test_pin_bad_ranges(void **state)
{
	struct fixture *fx = *state;
	const uint64_t bad[][2] = {
		{ 0, 0 },
		{ 1, PAGE },
		{ 0, PAGE + 1 },
		{ SIZE, PAGE },
		{ SIZE - PAGE, 2 * PAGE },
		{ PAGE, ~0ULL - PAGE + 1 },
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(gmem_pin(fx->fd, bad[i][0], bad[i][1]), -1);
		assert_int_equal(errno, EINVAL);
		assert_int_equal(gmem_unpin(fx->fd, bad[i][0], bad[i][1]), -1);
		assert_int_equal(errno, EINVAL);
	}
	assert_int_equal(gmem_pin(fx->vm, 0, PAGE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_pin(-1, 0, PAGE), -1);
	assert_int_equal(errno, EBADF);
}

/* Out of memory for the count tree: nothing changes, not even allocation.
 * The file is large and its pins fragmented enough that a new pin needs
 * tree nodes (a tree of one leaf never does). */
static void test_pin_enomem_changes_nothing(void **state)
{
	struct fixture *fx = *state;
	int fd =
		test_gmem(fx->vm, 256 * PAGE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);

	for (uint64_t p = 0; p < 64; p += 2)
		assert_int_equal(gmem_pin(fd, p * PAGE, PAGE), 0);
	gmem_inject_alloc_failure(0);
	assert_int_equal(gmem_pin(fd, 0, 128 * PAGE), -1);
	gmem_inject_alloc_failure(-1);
	assert_int_equal(errno, ENOMEM);
	assert_false(page_allocated(fd, 100 * PAGE));
	assert_true(pinned(fd, 2 * PAGE));
	assert_false(pinned(fd, 3 * PAGE));
	assert_false(pinned(fd, 100 * PAGE));
	for (uint64_t p = 0; p < 64; p += 2)
		assert_int_equal(gmem_unpin(fd, p * PAGE, PAGE), 0);
	gmem_close(fd);
}

#define CASE(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static const struct CMUnitTest tests[] = {
	CASE(test_pins_nest_and_overlap), CASE(test_unpin_unpinned_einval),
	CASE(test_pin_allocates),	  CASE(test_pin_private_efault),
	CASE(test_pin_bad_ranges),	  CASE(test_pin_enomem_changes_nothing),
};

int main(void)
{
	return RUN_ON_BACKENDS(tests, struct fixture) ? 1 : 0;
}
