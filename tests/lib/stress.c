// SPDX-License-Identifier: MIT
/*
 * The thread roles the stresses share (test_threads, test_guest_stress):
 * each checks what it can see at once and counts a failure without
 * stopping the others.
 */
#include <assert.h>
#include <errno.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <sys/mman.h>
#include <time.h>

#include "stress.h"
#include "testutil.h"

atomic_int stress_failures;
atomic_bool stress_stop;
struct stress_file stress;

void stress_open(int vm, const struct stress_file *layout)
{
	uint64_t len = layout->npages * PAGE;

	stress = *layout;
	stress.fd = test_gmem(
		vm, len, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	stress.host = gmem_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED,
				stress.fd, 0);
	assert(stress.host != MAP_FAILED);
}

void stress_run(void *(*const roles[])(void *), const uintptr_t args[], int n,
		long ms)
{
	pthread_t threads[STRESS_ROLES_MAX];
	struct timespec t = { ms / 1000, ms % 1000 * 1000000L };

	CHECK(n <= STRESS_ROLES_MAX);
	atomic_store(&stress_stop, false);
	for (int i = 0; i < n && i < STRESS_ROLES_MAX; i++)
		CHECK(!pthread_create(&threads[i], NULL, roles[i],
				      (void *)args[i]));
	nanosleep(&t, NULL);
	atomic_store(&stress_stop, true);
	for (int i = 0; i < n && i < STRESS_ROLES_MAX; i++)
		pthread_join(threads[i], NULL);
}

void stress_end(void)
{
	uint64_t len = stress.npages * PAGE;

	CHECK(test_convert(stress.fd, 0, len, true, 0, NULL) == 0);
	CHECK(test_convert(stress.fd, 0, len, false, 0, NULL) == 0);
	CHECK(gmem_munmap(stress.host, len) == 0);
	gmem_close(stress.fd);
}

void *stress_converter(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stress_stop)) {
		uint64_t first, n, eo;
		bool private = next_random(&seed) & 1;
		uint64_t mode = next_random(&seed) % 3 == 0
					? 0
					: KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
		int ret;

		random_range(&seed, stress.converted, &first, &n);
		ret = test_convert(stress.fd, first * PAGE, n * PAGE, private,
				   mode, &eo);
		CHECK(ret == 0 ||
		      (errno == EOPNOTSUPP && stress.keep_may_be_refused) ||
		      (errno == EAGAIN && private && eo >= first * PAGE &&
		       eo < (first + n) * PAGE));
	}
	return NULL;
}

void *stress_pinner(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stress_stop)) {
		uint64_t first, n;

		random_range(&seed, stress.npages - stress.pin_first, &first,
			     &n);
		first += stress.pin_first;
		if (gmem_pin(stress.fd, first * PAGE, n * PAGE)) {
			CHECK(errno == EFAULT);
			continue;
		}
		for (uint64_t i = first; i < first + n; i++)
			if (i >= stress.punched)
				CHECK(attributes_at(stress.fd, i * PAGE) == 0);
		CHECK(gmem_unpin(stress.fd, first * PAGE, n * PAGE) == 0);
	}
	return NULL;
}

void *stress_mapper(void *arg)
{
	size_t len = stress.npages * PAGE;

	(void)arg;
	while (!atomic_load(&stress_stop)) {
		char *p = gmem_mmap(NULL, len, PROT_READ, MAP_SHARED, stress.fd,
				    0);

		CHECK(p != MAP_FAILED);
		if (p != MAP_FAILED)
			CHECK(gmem_munmap(p, len) == 0);
	}
	return NULL;
}

void *stress_toucher(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stress_stop)) {
		uint64_t page = stress.touch_first +
				next_random(&seed) % stress.touch_pages;
		char *p = stress.host + page * PAGE + next_random(&seed) % PAGE;

		CHECK(host_write(p, 0x5a) == 0);
		CHECK(host_read(p) >= 0);
	}
	return NULL;
}

void *stress_allocator(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stress_stop)) {
		uint64_t first, n;
		int mode = FALLOC_FL_KEEP_SIZE;

		random_range(&seed, stress.allocated, &first, &n);
		if (next_random(&seed) & 1) {
			mode |= FALLOC_FL_PUNCH_HOLE;
			random_range(&seed, stress.punched, &first, &n);
		}
		CHECK(gmem_fallocate(stress.fd, mode, first * PAGE, n * PAGE) ==
		      0);
	}
	return NULL;
}

#define QUERY_MAX 128 /* pages, at most */

void *stress_querier(void *arg)
{
	struct gmem_attr_range r[QUERY_MAX];
	unsigned char v[QUERY_MAX];
	uint64_t len = stress.npages * PAGE;

	(void)arg;
	CHECK(stress.npages <= QUERY_MAX);
	while (!atomic_load(&stress_stop)) {
		ssize_t n = gmem_get_attribute_ranges(stress.fd, 0, len, r,
						      QUERY_MAX);
		uint64_t end = 0;

		CHECK(n >= 1 && (uint64_t)n <= stress.npages);
		for (ssize_t i = 0; i < n && i < QUERY_MAX; i++) {
			CHECK(r[i].offset == end);
			CHECK(i == 0 || r[i].attributes != r[i - 1].attributes);
			end = r[i].offset + r[i].size;
		}
		CHECK(end == len);
		CHECK(gmem_get_allocation(stress.fd, 0, len, v) == 0);
	}
	return NULL;
}
