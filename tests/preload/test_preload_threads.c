// SPDX-License-Identifier: MIT
/*
 * Description: the preload is thread-safe. Threads of a program written
 * for the kernel's uAPI, under libgmem-preload.so, each make their own
 * VM, guest_memfd and mapping and convert it back and forth (PRESERVE
 * keeps their bytes, a private page faults), while all of them also
 * convert their own pages of one shared guest_memfd, copy and close its
 * descriptor, and create vCPUs on the shared VM (passed on to the real VM
 * beneath). Run under ThreadSanitizer by the test run.
 */
#include <fcntl.h>
#include <pthread.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "preload_test.h"

#define THREADS 4
#define ROUNDS	20
#define PAGES	8

struct shared {
	int kvm, vm, gmem;
	unsigned char *mem; /* THREADS pages of the shared guest_memfd */
};

struct worker {
	struct shared *s;
	unsigned int id;
};

/* A VM of the thread's own, converted back and forth. */
static void own_vm_rounds(int kvm, unsigned int id)
{
	int vm = create_sw_vm(kvm), gmem;
	unsigned char *mem;

	CHECK(vm >= 0);
	gmem = create_gmem(vm, PAGES);
	CHECK(gmem >= 0);
	mem = mmap(NULL, PAGES * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gmem,
		   0);
	CHECK(mem != MAP_FAILED);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		unsigned int page = r % PAGES;

		mem[page * PAGE] = (unsigned char)(id * 16 + r);
		CHECK(!convert(gmem, page, 1, true,
			       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
		CHECK(faults(mem + page * PAGE));
		CHECK(!convert(gmem, page, 1, false,
			       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
		CHECK(mem[page * PAGE] == (unsigned char)(id * 16 + r));
	}
	CHECK(!munmap(mem, PAGES * PAGE));
	CHECK(!close(gmem));
	CHECK(!close(vm));
}

/* The thread's page of the shared guest_memfd, through a copy of its
 * descriptor, and a vCPU of the shared VM. */
static void shared_vm_rounds(struct shared *s, unsigned int id)
{
	unsigned char *p = s->mem + id * PAGE;
	int copy, vcpu;

	vcpu = ioctl(s->vm, KVM_CREATE_VCPU, id);
	CHECK(vcpu >= 0);
	for (unsigned int r = 0; r < ROUNDS; r++) {
		copy = dup(s->gmem);
		CHECK(copy >= 0);
		*p = (unsigned char)r;
		CHECK(!convert(copy, id, 1, true,
			       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
		CHECK(!convert(copy, id, 1, false,
			       KVM_SET_MEMORY_ATTRIBUTES2_ZERO));
		CHECK(*p == 0);
		CHECK(!close(copy));
	}
	CHECK(!close(vcpu));
}

static void *worker(void *arg)
{
	struct worker *w = arg;

	own_vm_rounds(w->s->kvm, w->id);
	shared_vm_rounds(w->s, w->id);
	return NULL;
}

int main(void)
{
	struct shared s = { .kvm = open_kvm_or_skip("preload-threads") };
	struct worker w[THREADS];
	pthread_t t[THREADS];

	s.vm = create_sw_vm(s.kvm);
	CHECK(s.vm >= 0);
	s.gmem = create_gmem(s.vm, THREADS);
	CHECK(s.gmem >= 0);
	s.mem = mmap(NULL, THREADS * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED,
		     s.gmem, 0);
	CHECK(s.mem != MAP_FAILED);
	for (unsigned int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){ .s = &s, .id = i };
		CHECK(!pthread_create(&t[i], NULL, worker, &w[i]));
	}
	for (unsigned int i = 0; i < THREADS; i++)
		CHECK(!pthread_join(t[i], NULL));
	CHECK(!munmap(s.mem, THREADS * PAGE));
	CHECK(!close(s.gmem));
	CHECK(!close(s.vm));
	CHECK(!close(s.kvm));
	printf("preload-threads: %d threads, %d rounds each: ok\n", THREADS,
	       ROUNDS);
	return 0;
}
