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

static int vm;
static atomic_long guest_ok, guest_faults;

/* The kind of access the page had a moment ago: it may change before
 * the access, which then fails with EFAULT and leaves a fault. */
static unsigned int kind_of(uint64_t page)
{
	return attributes_at(stress.fd, page * PAGE) ? GMEM_GUEST_PRIVATE : 0;
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
	CHECK(host_read(stress.host + page * PAGE + 64) ==
	      (unsigned char)out[0]);
}

static void *guest(void *arg)
{
	int self = (int)(uintptr_t)arg - 100;
	unsigned seed = (unsigned)(uintptr_t)arg;
	char *buf = malloc(2 * PAGE);

	assert(buf);
	memset(buf, 0x3c, 2 * PAGE);
	while (!atomic_load(&stress_stop)) {
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
	while (!atomic_load(&stress_stop)) {
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

	while (!atomic_load(&stress_stop)) {
		uint64_t first, n;

		random_range(&seed, CONVERTED, &first, &n);
		CHECK(gmem_guest_request(vm, GPA + first * PAGE, n * PAGE,
					 next_random(&seed) & 1) == 0);
	}
	return NULL;
}

static void bind_file(void)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = NPAGES * PAGE,
		.guest_memfd = (uint32_t)stress.fd,
	};

	CHECK(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r) == 0);
}

static void run(unsigned long type, unsigned int backend)
{
	void *(*const roles[])(void *) = {
		stress_converter,
		stress_converter,
		stress_pinner,
		stress_mapper,
		stress_toucher,
		guest,
		guest,
		fault_reader,
		requester,
		stress_allocator,
		stress_querier,
	};
	enum { NROLES = sizeof(roles) / sizeof(roles[0]) };
	uintptr_t args[NROLES];
	int nguests = 0;

	vm = test_vm(type, backend);
	stress_open(vm, &(struct stress_file){
				.npages = NPAGES,
				.converted = CONVERTED,
				.punched = PUNCHED,
				.allocated = CONVERTED,
				.touch_first = CONVERTED,
				.touch_pages = 8,
				.keep_may_be_refused = true,
			});
	bind_file();
	/* Guests get 100 + their index: their own page. */
	for (int i = 0; i < NROLES; i++)
		args[i] = roles[i] == guest ? 100 + nguests++ : i + 1;
	stress_run(roles, args, NROLES, RUN_MS);
	stress_end();
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
