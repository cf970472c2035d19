// SPDX-License-Identifier: MIT
/*
 * Description: a bounded multi-thread stress of one guest_memfd with the
 * guest in it. Threads convert ranges both ways (modes 0 and PRESERVE),
 * pin and unpin, map and unmap, touch a window that stays shared through
 * the host, read and write guest memory (gmem_guest_read/write) through a
 * memslot with the kind the page had a moment ago, read memory faults,
 * ask for conversions (gmem_guest_request), allocate and punch, and query
 * attributes and allocation, for a bounded time, on SW_PROTECTED, pKVM
 * and SEV-SNP and on both backends. What each thread can check at once:
 * a guest access succeeds or fails with EFAULT (leaving a well-formed
 * memory fault); shared accesses to the shared window always succeed, and
 * a guest page that only one thread writes reads back what it wrote,
 * through the guest and the host alike; a pinned shared page never turns
 * private unless its memory was punched (R57); queries always show a
 * merged tree. At the end every pin is gone and the whole file converts
 * both ways. Meant to run clean under ThreadSanitizer and
 * AddressSanitizer (test.sh runs both).
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

/*
 * Layout. Pages [0, 48) convert; [48, 64) stay shared. Bytes have one
 * writer each, so that the only races ThreadSanitizer can see are the
 * library's own: guest thread i reads and writes block i of the
 * converted pages, the host toucher [48, 56), guest thread i also its
 * own page OWN_PAGE(i). Conversions, pins, allocation, punching, mapping
 * and requests go everywhere.
 */
#define NPAGES	    64
#define CONVERTED   48
#define NGUESTS	    2
#define BLOCK	    (CONVERTED / NGUESTS)
#define OWN_PAGE(i) (CONVERTED + 8 + (i))
/* Punching happens below this page only: a pinned page whose memory is
 * punched holds the old memory, and the offset may then turn private
 * (R57); above, a pinned page stays shared. */
#define PUNCHED 16
#define GPA	0x80000000ULL
#define RUN_MS	700

static int vm, fd;
static char *host;
static atomic_bool stop;
atomic_int stress_failures;
static atomic_long guest_ok, guest_faults;

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
		/* EOPNOTSUPP: PRESERVE the platform (pKVM: the guest) did
		 * not allow; EAGAIN: a pinned page, reported in range. */
		CHECK(ret == 0 || errno == EOPNOTSUPP ||
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

		random_range(&seed, NPAGES, &first, &n);
		if (gmem_pin(fd, first * PAGE, n * PAGE)) {
			CHECK(errno == EFAULT);
			continue;
		}
		/* Pinned, shared and never punched: no conversion can take
		 * it private. */
		for (uint64_t i = first; i < first + n; i++)
			if (i >= PUNCHED)
				CHECK(attributes_at(fd, i * PAGE) == 0);
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
		uint64_t page = CONVERTED + next_random(&seed) % 8;
		char *p = host + page * PAGE + next_random(&seed) % PAGE;

		CHECK(host_write(p, 0x5a) == 0);
		CHECK(host_read(p) >= 0);
	}
	return NULL;
}

/* The kind of access the page had a moment ago: it may change before
 * the access, which then fails with EFAULT and leaves a fault. */
static unsigned int kind_of(uint64_t page)
{
	return attributes_at(fd, page * PAGE) ? GMEM_GUEST_PRIVATE : 0;
}

/* Anywhere in the thread's block, up to two pages long. */
static void guest_anywhere(int self, unsigned *seed, char *buf)
{
	uint64_t page = self * BLOCK + next_random(seed) % (BLOCK - 1);
	uint64_t off = next_random(seed) % PAGE;
	size_t len = 1 + next_random(seed) % (2 * PAGE);
	unsigned int flags = kind_of(page);
	ssize_t ret;

	ret = next_random(seed) & 1
		      ? gmem_guest_write(vm, GPA + page * PAGE + off, buf, len,
					 flags)
		      : gmem_guest_read(vm, GPA + page * PAGE + off, buf, len,
					flags);
	if (ret == (ssize_t)len) {
		atomic_fetch_add(&guest_ok, 1);
		return;
	}
	CHECK(ret == -1 && errno == EFAULT);
	atomic_fetch_add(&guest_faults, 1);
}

/* The thread's own page in the shared window: what it writes, it reads
 * back, through the guest and through the host. */
static void guest_own_page(int self, unsigned *seed)
{
	uint64_t page = OWN_PAGE(self);
	char out[64], in[64];

	memset(out, (int)(next_random(seed) | 1), sizeof(out));
	CHECK(gmem_guest_write(vm, GPA + page * PAGE + 64, out, sizeof(out),
			       0) == (ssize_t)sizeof(out));
	CHECK(gmem_guest_read(vm, GPA + page * PAGE + 64, in, sizeof(in), 0) ==
	      (ssize_t)sizeof(in));
	CHECK(!memcmp(in, out, sizeof(in)));
	CHECK(host_read(host + page * PAGE + 64) == (unsigned char)out[0]);
}

static void *guest(void *arg)
{
	int self = (int)(uintptr_t)arg - 100;
	unsigned seed = (unsigned)(uintptr_t)arg;
	char *buf = malloc(2 * PAGE);

	assert(buf);
	memset(buf, 0x3c, 2 * PAGE);
	while (!atomic_load(&stop)) {
		guest_anywhere(self, &seed, buf);
		guest_own_page(self, &seed);
	}
	free(buf);
	return NULL;
}

/* Faults are well formed: one page of the slot, the private flag or 0. */
static void *fault_reader(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop)) {
		struct gmem_memory_fault f;

		if (gmem_get_memory_fault(vm, &f)) {
			CHECK(errno == ENOENT);
			continue;
		}
		CHECK(f.size == PAGE && f.gpa % PAGE == 0 && f.gpa >= GPA &&
		      f.gpa < GPA + NPAGES * PAGE);
		CHECK(f.flags == 0 || f.flags == KVM_MEMORY_EXIT_FLAG_PRIVATE);
	}
	return NULL;
}

static void *requester(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		uint64_t first, n;

		random_range(&seed, CONVERTED, &first, &n);
		CHECK(gmem_guest_request(vm, GPA + first * PAGE, n * PAGE,
					 next_random(&seed) & 1) == 0);
	}
	return NULL;
}

static void *allocator(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg;

	while (!atomic_load(&stop)) {
		uint64_t first, n;
		int mode = FALLOC_FL_KEEP_SIZE;

		random_range(&seed, CONVERTED, &first, &n);
		if (next_random(&seed) & 1) {
			mode |= FALLOC_FL_PUNCH_HOLE;
			random_range(&seed, PUNCHED, &first, &n);
		}
		CHECK(gmem_fallocate(fd, mode, first * PAGE, n * PAGE) == 0);
	}
	return NULL;
}

static void *querier(void *arg)
{
	struct gmem_attr_range r[NPAGES];
	unsigned char v[NPAGES];

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
		CHECK(gmem_get_allocation(fd, 0, NPAGES * PAGE, v) == 0);
	}
	return NULL;
}

static void bind_file(void)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = NPAGES * PAGE,
		.guest_memfd = (uint32_t)fd,
	};

	CHECK(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r) == 0);
}

static void run(unsigned long type, unsigned int backend)
{
	void *(*const roles[])(void *) = {
		converter, converter,	 pinner,    mapper,    toucher, guest,
		guest,	   fault_reader, requester, allocator, querier,
	};
	enum { NROLES = sizeof(roles) / sizeof(roles[0]) };
	pthread_t threads[NROLES];
	struct timespec t = { RUN_MS / 1000, RUN_MS % 1000 * 1000000L };
	int nguests = 0;

	vm = test_vm(type, backend);
	fd = test_gmem(vm, NPAGES * PAGE,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	bind_file();
	host = gmem_mmap(NULL, NPAGES * PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED, fd, 0);
	assert(host != MAP_FAILED);
	atomic_store(&stop, false);
	for (int i = 0; i < NROLES; i++) {
		/* Guests get 100 + their index: their own page. */
		uintptr_t arg = roles[i] == guest ? 100 + nguests++ : i + 1;

		pthread_create(&threads[i], NULL, roles[i], (void *)arg);
	}
	nanosleep(&t, NULL);
	atomic_store(&stop, true);
	for (int i = 0; i < NROLES; i++)
		pthread_join(threads[i], NULL);

	/* Nothing is left pinned: the whole file converts both ways. */
	CHECK(test_convert(fd, 0, NPAGES * PAGE, true, 0, NULL) == 0);
	CHECK(test_convert(fd, 0, NPAGES * PAGE, false, 0, NULL) == 0);
	CHECK(gmem_munmap(host, NPAGES * PAGE) == 0);
	gmem_close(fd);
	gmem_close(vm);
}

int main(void)
{
	static const struct {
		const char *name;
		unsigned long type;
	} platforms[] = {
		{ "sw_protected", KVM_X86_SW_PROTECTED_VM },
		{ "pkvm", KVM_VM_TYPE_ARM_PROTECTED },
		{ "snp", KVM_X86_SNP_VM },
	};

	for (int b = 0; b < 2; b++) {
		if (!backend_usable(test_backends[b])) {
			printf("%s: skipped: %s\n",
			       gmem_backend_name(test_backends[b]),
			       backend_missing(test_backends[b]));
			continue;
		}
		for (size_t p = 0; p < 3; p++) {
			atomic_store(&guest_ok, 0);
			atomic_store(&guest_faults, 0);
			run(platforms[p].type, test_backends[b]);
			printf("%s/%s: %ld guest accesses, %ld memory faults, "
			       "%d failures\n",
			       gmem_backend_name(test_backends[b]),
			       platforms[p].name, atomic_load(&guest_ok),
			       atomic_load(&guest_faults),
			       atomic_load(&stress_failures));
		}
	}
	return atomic_load(&stress_failures) ? 1 : 0;
}
