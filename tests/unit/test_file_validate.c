// SPDX-License-Identifier: MIT
/*
 * Description: the cross-check of a guest_memfd's state
 * (gmem_file_validate): it passes after ordinary operations, and it names
 * each broken invariant when the state is corrupted on purpose: a private
 * page mapped to the host, a shared page hidden, an attribute the library
 * never sets, a fallocated mark other than 0/1, a pin count below zero.
 * White-box: it reaches into the file's state to break it.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "backend_group.h"
#include "file_validate.h"
#include "gmem_file.h"
#include "testutil.h"

#define SIZE	    (8 * PAGE)
#define SHARED_MMAP (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
	char *host;
	struct gmem_file *file;
};

static int setup(void **state)
{
	struct fixture *fx = *state;

	fx->vm = test_vm(KVM_X86_SW_PROTECTED_VM, fx->backend);
	fx->fd = test_gmem_mapped(fx->vm, SIZE, SHARED_MMAP, &fx->host);
	fx->file = gmem_file_lookup(fx->fd);
	assert_non_null(fx->file);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	gmem_file_put(fx->file);
	test_close_mapped(fx->vm, fx->fd, fx->host, SIZE);
	return 0;
}

static void assert_broken(struct fixture *fx, const char *expected)
{
	const char *why = NULL;

	assert_int_equal(gmem_file_validate_fd(fx->fd, &why), -EUCLEAN);
	assert_non_null(why);
	assert_string_equal(why, expected);
}

static void assert_valid(struct fixture *fx)
{
	const char *why = NULL;

	assert_int_equal(gmem_file_validate_fd(fx->fd, &why), 0);
}

static void test_valid_after_operations(void **state)
{
	struct fixture *fx = *state;

	assert_valid(fx);
	memset(fx->host, 1, SIZE);
	assert_int_equal(gmem_pin(fx->fd, 0, PAGE), 0);
	assert_valid(fx);
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, 3 * PAGE, true, 0, NULL), 0);
	assert_valid(fx);
	assert_int_equal(munmap(fx->host + 3 * PAGE, PAGE), 0);
	assert_valid(fx);
	assert_int_equal(test_convert(fx->fd, 0, SIZE, false, 0, NULL), 0);
	assert_valid(fx);
	assert_int_equal(gmem_unpin(fx->fd, 0, PAGE), 0);
	assert_valid(fx);
	assert_int_equal(gmem_file_validate_fd(0, NULL), -EBADF);
}

/* The file's memory mapped, behind the library's back, where a page is
 * private: the privacy invariant is broken. */
static void test_private_page_mapped(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, 0, NULL), 0);
	assert_ptr_equal(mmap(fx->host + PAGE, PAGE, PROT_READ,
			      MAP_SHARED | MAP_FIXED, fx->file->memory_fd,
			      PAGE),
			 fx->host + PAGE);
	assert_broken(fx, "a private page is mapped to the host");
}

/* A shared page left covered by the hole. */
static void test_shared_page_hidden(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(test_convert(fx->fd, 0, 2 * PAGE, true, 0, NULL), 0);
	gmem_rwlock_write_lock(&fx->file->convert_lock);
	assert_int_equal(range_tree_set(&fx->file->attributes, 1, 2, 0), 0);
	gmem_rwlock_write_unlock(&fx->file->convert_lock);
	assert_broken(fx, "a shared page is hidden from a host mapping");
}

static void test_unknown_attribute(void **state)
{
	struct fixture *fx = *state;

	gmem_rwlock_write_lock(&fx->file->convert_lock);
	assert_int_equal(range_tree_set(&fx->file->attributes, 5, 6, 1), 0);
	gmem_rwlock_write_unlock(&fx->file->convert_lock);
	assert_broken(fx, "an attribute the library never sets");
}

static void test_bad_fallocated_mark(void **state)
{
	struct fixture *fx = *state;

	gmem_mutex_lock(&fx->file->state_lock);
	assert_int_equal(range_tree_set(&fx->file->fallocated, 0, 1, 2), 0);
	gmem_mutex_unlock(&fx->file->state_lock);
	assert_broken(fx, "a fallocated mark other than 0 or 1");
}

static void test_negative_pin_count(void **state)
{
	struct fixture *fx = *state;

	gmem_mutex_lock(&fx->file->state_lock);
	assert_int_equal(range_tree_set(&fx->file->pins, 3, 4, ~0ULL), 0);
	gmem_mutex_unlock(&fx->file->state_lock);
	assert_broken(fx, "a pin count below zero");
}

/* The child's half of test_conversion_asserts, on a VM and file of its
 * own (an inherited one is refused, R110): it maps page 1 of the memory
 * into the host's mapping after the page became private, then converts
 * another page. Returns
 * only if the conversion did not stop it. */
static int convert_with_private_page_mapped(unsigned int backend)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, backend);
	int fd = test_gmem(vm, SIZE, SHARED_MMAP);
	struct gmem_file *f = gmem_file_lookup(fd);
	char *host = gmem_mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fd, 0);

	if (!f || host == MAP_FAILED ||
	    test_convert(fd, PAGE, PAGE, true, 0, NULL))
		return 2;
	if (mmap(host + PAGE, PAGE, PROT_READ, MAP_SHARED | MAP_FIXED,
		 f->memory_fd, PAGE) != host + PAGE)
		return 3;
	close(STDERR_FILENO);
	test_convert(fd, 4 * PAGE, PAGE, true, 0, NULL);
	return 0;
}

/* In debug builds a conversion that leaves the state broken stops the
 * program at once, naming the invariant (here a child, which must die of
 * SIGABRT). */
static void test_conversion_asserts(void **state)
{
	struct fixture *fx = *state;
	int status;
	pid_t pid;

#ifdef NDEBUG
	skip();
#endif
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(convert_with_private_page_mapped(fx->backend));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_valid_after_operations,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_private_page_mapped, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_shared_page_hidden, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_unknown_attribute, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bad_fallocated_mark, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_negative_pin_count, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_conversion_asserts, setup,
						teardown),
	};

	return RUN_ON_BACKENDS(tests, struct fixture);
}
