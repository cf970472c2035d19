// SPDX-License-Identifier: MIT
/*
 * Description: PRESERVE conversions to private race the end of an SEV-SNP
 * or TDX launch (R114), and each answer agrees with the launch as it was
 * when the conversion was judged. Three threads convert the pages of a
 * shared, mapped guest_memfd one by one with PRESERVE while a fourth
 * finishes the launch (LAUNCH_FINISH, FINALIZE_VM) and then at once
 * writes every page through the host's mapping. A conversion that
 * succeeded was judged before the finish: the launch was not finished
 * when it was asked, and its page was private before the finish returned,
 * so the host's write after the finish met SIGBUS there. A conversion
 * refused with EOPNOTSUPP was judged after: the launch was finished when
 * it returned, and no later conversion of the same thread succeeds.
 * (The bug this pins: the finished flag was read without the launch lock,
 * so a conversion judged before the finish could take effect after it,
 * over bytes the host wrote once the launch was over.) Meant to run clean
 * under ThreadSanitizer, which also reports a lock-order inversion.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include "testutil.h"

#define GPA	   0x100000ULL
#define NPAGES	   48
#define CONVERTERS 3
#define ROUNDS	   25
#define MBO	   (1ULL << 17) /* the SNP policy bit that must be one */
#define PRESERVE   KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE

/* What one conversion saw. */
struct answer {
	int phase_before, phase_after;
	int err; /* 0 or the errno */
};

struct race {
	unsigned long type;
	int vm, fd;
	char *host;
	atomic_int started;
	unsigned int finish_delay_ns;
	struct answer answers[NPAGES];
	int written_after[NPAGES]; /* host_write() after the finish */
};

static int failures;

static void fail(const struct race *r, int page, const char *what)
{
	fprintf(stderr, "FAIL: %s page %d: %s (err %d, phase %d -> %d)\n",
		r->type == KVM_X86_SNP_VM ? "snp" : "tdx", page, what,
		r->answers[page].err, r->answers[page].phase_before,
		r->answers[page].phase_after);
	failures++;
}

static int encrypt_op(const struct race *r, uint32_t id, void *data)
{
	if (r->type == KVM_X86_SNP_VM) {
		struct kvm_sev_cmd cmd = { .id = id, .data = (uintptr_t)data };

		return gmem_ioctl(r->vm, KVM_MEMORY_ENCRYPT_OP, &cmd);
	} else {
		struct kvm_tdx_cmd cmd = { .id = id, .data = (uintptr_t)data };

		return gmem_ioctl(r->vm, KVM_MEMORY_ENCRYPT_OP, &cmd);
	}
}

/* INIT2 and LAUNCH_START, or INIT_VM: the launch is measuring. */
static int launch_begin(struct race *r)
{
	struct kvm_sev_init init = { 0 };
	struct kvm_sev_snp_launch_start start = { .policy = MBO };
	struct kvm_tdx_init_vm *tdx_init;
	int ret;

	if (r->type == KVM_X86_SNP_VM)
		return encrypt_op(r, KVM_SEV_INIT2, &init) ||
		       encrypt_op(r, KVM_SEV_SNP_LAUNCH_START, &start);
	tdx_init = calloc(1, sizeof(*tdx_init) +
				     256 * sizeof(struct kvm_cpuid_entry2));
	if (!tdx_init)
		return -1;
	ret = encrypt_op(r, KVM_TDX_INIT_VM, tdx_init);
	free(tdx_init);
	return ret;
}

static int launch_finish(struct race *r)
{
	struct kvm_sev_snp_launch_finish finish = { 0 };

	if (r->type == KVM_X86_SNP_VM)
		return encrypt_op(r, KVM_SEV_SNP_LAUNCH_FINISH, &finish);
	return encrypt_op(r, KVM_TDX_FINALIZE_VM, NULL);
}

static int race_open(struct race *r, unsigned long type)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = GMEM_BACKEND_MEMFD);

	*r = (struct race){ .type = type, .vm = -1, .fd = -1 };
	r->vm = gmem_create_vm_opts(type, &o);
	if (r->vm < 0)
		return -1;
	r->fd = test_gmem_mapped(
		r->vm, NPAGES * PAGE,
		GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED, &r->host);
	test_bind(r->vm, r->fd, GPA, NPAGES * PAGE);
	r->finish_delay_ns = (unsigned int)(rand() % 400) * 1000;
	return launch_begin(r);
}

static void race_close(struct race *r)
{
	test_close_mapped(r->vm, r->fd, r->host, NPAGES * PAGE);
}

static void wait_for_start(struct race *r)
{
	atomic_fetch_add(&r->started, 1);
	while (atomic_load(&r->started) < CONVERTERS + 1)
		;
}

struct converter {
	struct race *race;
	int first; /* pages first, first + CONVERTERS, ... */
};

static void *convert_pages(void *arg)
{
	struct converter *c = arg;
	struct race *r = c->race;

	wait_for_start(r);
	for (int p = c->first; p < NPAGES; p += CONVERTERS) {
		struct answer *a = &r->answers[p];

		a->phase_before = gmem_get_launch_state(r->vm);
		a->err = test_convert(r->fd, p * PAGE, PAGE, true, PRESERVE,
				      NULL)
				 ? errno
				 : 0;
		a->phase_after = gmem_get_launch_state(r->vm);
	}
	return NULL;
}

static void *finish_then_write(void *arg)
{
	struct race *r = arg;
	struct timespec delay = { 0, r->finish_delay_ns };

	wait_for_start(r);
	nanosleep(&delay, NULL);
	if (launch_finish(r)) {
		fprintf(stderr, "FAIL: the finish: errno %d\n", errno);
		failures++;
	}
	for (int p = 0; p < NPAGES; p++)
		r->written_after[p] = host_write(r->host + p * PAGE, 0x5a) == 0;
	return NULL;
}

/* One conversion's answer against the launch around it, and the host's
 * write after the finish against the page's fate. */
static void check_page(const struct race *r, int p, bool *refused)
{
	const struct answer *a = &r->answers[p];
	int t = p % CONVERTERS;

	if (a->err == 0) {
		if (a->phase_before == GMEM_LAUNCH_FINISHED)
			fail(r, p, "PRESERVE took after the finish");
		if (refused[t])
			fail(r, p, "PRESERVE took after its thread's refusal");
		if (r->written_after[p])
			fail(r, p,
			     "the host wrote the page after the finish, "
			     "then it turned private");
		if (!(attributes_at(r->fd, p * PAGE) &
		      KVM_MEMORY_ATTRIBUTE_PRIVATE))
			fail(r, p, "converted, yet shared");
	} else if (a->err == EOPNOTSUPP) {
		if (a->phase_after != GMEM_LAUNCH_FINISHED)
			fail(r, p, "refused before the finish");
		refused[t] = true;
	} else {
		fail(r, p, "an unexpected errno");
	}
}

static void round_run(unsigned long type)
{
	struct converter conv[CONVERTERS];
	pthread_t threads[CONVERTERS + 1];
	bool refused[CONVERTERS] = { false };
	struct race r;

	if (race_open(&r, type)) {
		fprintf(stderr, "FAIL: setting up the launch: errno %d\n",
			errno);
		failures++;
		return;
	}
	for (int t = 0; t < CONVERTERS; t++) {
		conv[t] = (struct converter){ &r, t };
		pthread_create(&threads[t], NULL, convert_pages, &conv[t]);
	}
	pthread_create(&threads[CONVERTERS], NULL, finish_then_write, &r);
	for (int t = 0; t <= CONVERTERS; t++)
		pthread_join(threads[t], NULL);
	for (int p = 0; p < NPAGES; p++)
		check_page(&r, p, refused);
	race_close(&r);
}

int main(void)
{
	static const unsigned long types[] = { KVM_X86_SNP_VM, KVM_X86_TDX_VM };

	srand((unsigned int)time(NULL));
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
		for (int round = 0; round < ROUNDS; round++)
			round_run(types[i]);
	printf("%s: %d rounds on SNP and TDX\n", failures ? "FAIL" : "ok",
	       ROUNDS);
	return failures ? 1 : 0;
}
