// SPDX-License-Identifier: MIT
/*
 * Description: one guest_memfd shared by threads that convert ranges both
 * ways, pin and unpin, map and unmap, touch a shared window, fallocate and
 * punch, and query attributes, for a bounded time. Each thread checks what
 * it can see at once (queries always show a merged map; a pinned shared
 * page never turns private); at the end every pin is gone and the whole
 * file converts. Meant to run clean under ThreadSanitizer too.
 */
#include <assert.h>
#include <errno.h>
#include <linux/falloc.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "stress.h"
#include "testutil.h"

#define NPAGES	  96
#define CONVERTED 64 /* pages [0, 64) convert; [64, 96) stay shared */
/* Pages [0, 32) are allocated and punched; pins stay on [32, 96): a pin on
 * a punched page holds old memory and no longer blocks a conversion
 * (R57), which would defeat the pinner's check. */
#define PUNCHED 32
#define RUN_MS	1500

static int fd;
static char *host;
static atomic_bool stop;
atomic_int stress_failures;

static void *converter(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		uint64_t first, n, eo;
		bool private = next_random(&seed) & 1;
		uint64_t mode = next_random(&seed) % 3 == 0
					? 0
					: KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
		int ret;

		random_range(&seed, CONVERTED, &first, &n);
		ret = test_convert(fd, first * PAGE, n * PAGE, private, mode,
				   &eo);
		CHECK(ret == 0 ||
		      (errno == EAGAIN && private && eo >= first * PAGE &&
		       eo < (first + n) * PAGE));
	}
	return NULL;
}

static void *pinner(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		uint64_t first, n;

		random_range(&seed, NPAGES - PUNCHED, &first, &n);
		first += PUNCHED;
		if (gmem_pin(fd, first * PAGE, n * PAGE)) {
			CHECK(errno == EFAULT);
			continue;
		}
		/* Pinned and shared: no conversion can take it private. */
		CHECK(attributes_at(fd, first * PAGE) == 0);
		CHECK(gmem_unpin(fd, first * PAGE, n * PAGE) == 0);
	}
	return NULL;
}

static void *mapper(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		char *p = gmem_mmap(NULL, NPAGES * PAGE, PROT_READ, MAP_SHARED,
				    fd, 0);

		CHECK(p != MAP_FAILED);
		if (p != MAP_FAILED)
			CHECK(gmem_munmap(p, NPAGES * PAGE) == 0);
	}
	return NULL;
}

static void *toucher(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		uint64_t page =
			CONVERTED + next_random(&seed) % (NPAGES - CONVERTED);
		char *p = host + page * PAGE + next_random(&seed) % PAGE;

		CHECK(host_write(p, 0x5a) == 0);
		CHECK(host_read(p) >= 0);
	}
	return NULL;
}

static void *allocator(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		uint64_t first, n;
		int mode = FALLOC_FL_KEEP_SIZE;

		random_range(&seed, PUNCHED, &first, &n);
		if (next_random(&seed) & 1)
			mode |= FALLOC_FL_PUNCH_HOLE;
		CHECK(gmem_fallocate(fd, mode, first * PAGE, n * PAGE) == 0);
	}
	return NULL;
}

static void *querier(void *arg)
{
	struct gmem_attr_range r[NPAGES];

	(void)arg;
	while (!atomic_load(&stop)) {
		ssize_t n = gmem_get_attribute_ranges(fd, 0, NPAGES * PAGE, r,
						      NPAGES);
		uint64_t end = 0;

		CHECK(n >= 1 && n <= NPAGES);
		for (ssize_t i = 0; i < n && i < NPAGES; i++) {
			CHECK(r[i].offset == end);
			CHECK(i == 0 || r[i].attributes != r[i - 1].attributes);
			end = r[i].offset + r[i].size;
		}
		CHECK(end == NPAGES * PAGE);
	}
	return NULL;
}

static void run(unsigned int backend)
{
	void *(*const roles[])(void *) = { converter, converter, pinner, mapper,
					   toucher,   allocator, querier };
	enum { NROLES = sizeof(roles) / sizeof(roles[0]) };
	pthread_t threads[NROLES];
	struct timespec t = { RUN_MS / 1000, RUN_MS % 1000 * 1000000L };
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, backend);

	fd = test_gmem(vm, NPAGES * PAGE,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	host = gmem_mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	assert(host != MAP_FAILED);
	atomic_store(&stop, false);
	for (int i = 0; i < NROLES; i++)
		pthread_create(&threads[i], NULL, roles[i],
			       (void *)(uintptr_t)(i + 1));
	nanosleep(&t, NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < NROLES; i++)
		pthread_join(threads[i], NULL);

	CHECK(test_convert(fd, 0, NPAGES * PAGE, true, 0, NULL) == 0);
	CHECK(test_convert(fd, 0, NPAGES * PAGE, false, 0, NULL) == 0);
	CHECK(gmem_munmap(host, NPAGES * PAGE) == 0);
	gmem_close(fd);
	gmem_close(vm);
}

int main(void)
{
	for (int b = 0; b < 2; b++) {
		if (!backend_usable(test_backends[b])) {
			printf("%s: skipped: %s\n",
			       gmem_backend_name(test_backends[b]),
			       backend_missing(test_backends[b]));
			continue;
		}
		run(test_backends[b]);
		printf("%s: %d failures\n", gmem_backend_name(test_backends[b]),
		       atomic_load(&stress_failures));
	}
	return atomic_load(&stress_failures) ? 1 : 0;
}
