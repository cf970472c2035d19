// SPDX-License-Identifier: MIT
/*
 * Description: the checked copies through a memfd page (src/copy_slot.c),
 * white-box. A copy in either direction gives the bytes, or -EFAULT for a
 * pointer the kernel cannot read or write: unmapped, PROT_NONE, a mapping
 * of a file truncated under it, read-only (out), and a range that starts
 * good and runs into any of these. What a slot cannot take (longer than
 * COPY_SLOT_MAX) is -ENOSYS and copies nothing, and so is every copy
 * while no VM holds the file; the last holder's release closes it, so
 * that no descriptor of the library's outlives its VMs. Threads copying at once
 * each get their own bytes, threads that come and go reuse slots, and a
 * child of fork() copies through a file of its own. Under valgrind the
 * slots stand aside (-ENOSYS: memcheck would blame a caller's padding on
 * pwrite), so those cases are skipped there.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "copy_slot.h"

#define PAGE 4096u

static void skip_under_valgrind(void)
{
	if (RUNNING_ON_VALGRIND)
		skip();
}

/* ---- bad pointers ---- */

/*
 * Five pages: good, unmapped, PROT_NONE, a shared mapping of a memfd
 * truncated to nothing under it, read-only.
 */
struct region {
	char *base;
	int memfd;
};

enum { GOOD, UNMAPPED, PROT_NONE_PAGE, TRUNCATED, READ_ONLY, PAGES };

static void region_make(struct region *r)
{
	r->base = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_not_equal(r->base, MAP_FAILED);
	memset(r->base, 0x5a, PAGES * PAGE);
	r->memfd = memfd_create("truncated", MFD_CLOEXEC);
	assert_true(r->memfd >= 0);
	assert_int_equal(ftruncate(r->memfd, PAGE), 0);
	assert_ptr_not_equal(mmap(r->base + TRUNCATED * PAGE, PAGE,
				  PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, r->memfd, 0),
			     MAP_FAILED);
	assert_int_equal(ftruncate(r->memfd, 0), 0);
	assert_int_equal(
		mprotect(r->base + PROT_NONE_PAGE * PAGE, PAGE, PROT_NONE), 0);
	assert_int_equal(mprotect(r->base + READ_ONLY * PAGE, PAGE, PROT_READ),
			 0);
	assert_int_equal(munmap(r->base + UNMAPPED * PAGE, PAGE), 0);
}

static void region_free(struct region *r)
{
	munmap(r->base, PAGES * PAGE);
	close(r->memfd);
}

static void test_copies_bytes(void **state)
{
	static const size_t lens[] = { 1, 7, 128, 4095, COPY_SLOT_MAX };
	char src[COPY_SLOT_MAX], dst[COPY_SLOT_MAX], back[COPY_SLOT_MAX];

	(void)state;
	skip_under_valgrind();
	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (char)(i * 7 + 3);
	for (size_t k = 0; k < sizeof(lens) / sizeof(lens[0]); k++) {
		memset(dst, 0, sizeof(dst));
		memset(back, 0, sizeof(back));
		assert_int_equal(copy_slot_from_user(dst, src, lens[k]), 0);
		assert_memory_equal(dst, src, lens[k]);
		assert_int_equal(copy_slot_to_user(back, dst, lens[k]), 0);
		assert_memory_equal(back, src, lens[k]);
		/* Nothing past the length is written. */
		if (lens[k] < sizeof(back))
			assert_int_equal(back[lens[k]], 0);
	}
}

static void test_bad_pointers_efault(void **state)
{
	static const int bad[] = { UNMAPPED, PROT_NONE_PAGE, TRUNCATED };
	struct region r;
	char buf[256] = { 1 };

	(void)state;
	skip_under_valgrind();
	region_make(&r);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char *p = r.base + bad[i] * PAGE;

		assert_int_equal(copy_slot_from_user(buf, p, 128), -EFAULT);
		assert_int_equal(copy_slot_to_user(p, buf, 128), -EFAULT);
	}
	/* Writing is refused where reading is allowed. */
	assert_int_equal(
		copy_slot_from_user(buf, r.base + READ_ONLY * PAGE, 128), 0);
	assert_int_equal(copy_slot_to_user(r.base + READ_ONLY * PAGE, buf, 128),
			 -EFAULT);
	region_free(&r);
}

/* A range that starts on a good page and runs into a bad one. */
static void test_fault_part_of_the_way(void **state)
{
	struct region r;
	char buf[256] = { 1 };
	char *edge;

	(void)state;
	skip_under_valgrind();
	region_make(&r);
	edge = r.base + UNMAPPED * PAGE - 64;
	assert_int_equal(copy_slot_from_user(buf, edge, 128), -EFAULT);
	assert_int_equal(copy_slot_to_user(edge, buf, 128), -EFAULT);
	edge = r.base + TRUNCATED * PAGE - 64;
	assert_int_equal(mprotect(r.base + PROT_NONE_PAGE * PAGE, PAGE,
				  PROT_READ | PROT_WRITE),
			 0);
	assert_int_equal(copy_slot_from_user(buf, edge, 128), -EFAULT);
	assert_int_equal(copy_slot_to_user(edge, buf, 128), -EFAULT);
	region_free(&r);
}

static void test_too_long_copies_nothing(void **state)
{
	static char src[COPY_SLOT_MAX + 1], dst[COPY_SLOT_MAX + 1];

	(void)state;
	memset(src, 1, sizeof(src));
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), -ENOSYS);
	assert_int_equal(dst[0], 0);
	assert_int_equal(copy_slot_to_user(dst, src, sizeof(src)), -ENOSYS);
	assert_int_equal(dst[0], 0);
}

/* Descriptors of this process that name the copy file. */
static int copy_files_open(void)
{
	DIR *dir = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	assert_non_null(dir);
	while ((de = readdir(dir))) {
		char path[288], target[256];
		ssize_t len;

		snprintf(path, sizeof(path), "/proc/self/fd/%s", de->d_name);
		len = readlink(path, target, sizeof(target) - 1);
		if (len <= 0)
			continue;
		target[len] = 0;
		n += strstr(target, "memfd:gmem-copy") != NULL;
	}
	closedir(dir);
	return n;
}

/* Holders are counted: the file lives from the first copy while one
 * holds, and goes with the last; without a holder a copy goes another
 * way (-ENOSYS). */
static void test_file_lives_with_its_holders(void **state)
{
	char src[64] = { 7 }, dst[64];

	(void)state;
	skip_under_valgrind();
	copy_slot_release();
	assert_int_equal(copy_files_open(), 0);
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), -ENOSYS);
	assert_int_equal(copy_slot_to_user(dst, src, sizeof(src)), -ENOSYS);
	copy_slot_hold();
	copy_slot_hold();
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), 0);
	assert_int_equal(copy_files_open(), 1);
	copy_slot_release();
	assert_int_equal(copy_slot_to_user(dst, src, sizeof(src)), 0);
	assert_int_equal(copy_files_open(), 1);
	copy_slot_release();
	assert_int_equal(copy_files_open(), 0);
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), -ENOSYS);
	/* A new holder makes a new file; this thread's old slot is none. */
	copy_slot_hold();
	memset(src, 9, sizeof(src));
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), 0);
	assert_memory_equal(dst, src, sizeof(src));
	assert_int_equal(copy_files_open(), 1);
}

/* ---- threads ---- */

#define THREADS 8
#define ROUNDS	2000

static int copy_own_bytes(unsigned int id)
{
	char src[512], dst[512], back[512];

	for (unsigned int round = 0; round < ROUNDS; round++) {
		size_t len = 1 + (round * 37 + id) % sizeof(src);

		memset(src, (int)(id * 31 + round), len);
		if (copy_slot_from_user(dst, src, len) ||
		    memcmp(dst, src, len) ||
		    copy_slot_to_user(back, dst, len) || memcmp(back, src, len))
			return -1;
	}
	return 0;
}

static void *copier(void *arg)
{
	return (void *)(intptr_t)copy_own_bytes((unsigned int)(uintptr_t)arg);
}

static void run_threads(void)
{
	pthread_t t[THREADS];

	for (uintptr_t i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&t[i], NULL, copier, (void *)i),
				 0);
	for (size_t i = 0; i < THREADS; i++) {
		void *ret;

		assert_int_equal(pthread_join(t[i], &ret), 0);
		assert_null(ret);
	}
}

/* Threads copying at once; then new threads, on slots the first ones
 * returned. */
static void test_threads_get_their_own_bytes(void **state)
{
	(void)state;
	skip_under_valgrind();
	for (int batch = 0; batch < 4; batch++)
		run_threads();
}

/* ---- fork ---- */

static void test_child_copies_through_its_own_file(void **state)
{
	char src[128], dst[128];
	pid_t pid;
	int status;

	(void)state;
	skip_under_valgrind();
	memset(src, 0x11, sizeof(src));
	/* The parent's slot exists before the fork. */
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		/* The parent's descriptor is closed in the child, which
		 * copies through a file of its own. */
		if (copy_files_open())
			_exit(2);
		memset(src, 0x22, sizeof(src));
		_exit(copy_slot_from_user(dst, src, sizeof(src)) ||
		      memcmp(dst, src, sizeof(src)) ||
		      copy_slot_to_user(dst, src, sizeof(src)) ||
		      copy_files_open() != 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	memset(src, 0x33, sizeof(src));
	assert_int_equal(copy_slot_from_user(dst, src, sizeof(src)), 0);
	assert_memory_equal(dst, src, sizeof(src));
}

/* The tests run as inside a process with one VM alive. */
static int hold(void **state)
{
	(void)state;
	copy_slot_hold();
	return 0;
}

static int release(void **state)
{
	(void)state;
	copy_slot_release();
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copies_bytes),
		cmocka_unit_test(test_bad_pointers_efault),
		cmocka_unit_test(test_fault_part_of_the_way),
		cmocka_unit_test(test_too_long_copies_nothing),
		cmocka_unit_test(test_file_lives_with_its_holders),
		cmocka_unit_test(test_threads_get_their_own_bytes),
		cmocka_unit_test(test_child_copies_through_its_own_file),
	};

	return cmocka_run_group_tests(tests, hold, release);
}
