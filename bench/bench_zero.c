// SPDX-License-Identifier: MIT
/*
 * ZERO content mode on allocated memory, against memset of the same bytes.
 *
 * The measured call is KVM_SET_MEMORY_ATTRIBUTES2 asking for shared with
 * KVM_SET_MEMORY_ATTRIBUTES2_ZERO on a range that is already shared and
 * fully allocated: the attributes do not change, so the call is the
 * content mode alone (step 5 of the conversion: the mode applies anyway).
 * Ranges of 4 KiB, 2 MiB and 1 GiB, at random aligned offsets of a 1 GiB
 * file, so that the bytes are as cold as the baseline's.
 *
 * Baselines, measured in the same run and interleaved with the call:
 *  - memset(0) of the same bytes through a host mapping already faulted
 *    in (the goal: ZERO <= 1.2x this);
 *  - non-temporal (streaming) stores of the same bytes, the fastest way
 *    to zero memory that nobody reads next;
 *  - and the other way round, the way never to zero: punching a hole and
 *    faulting the pages back in, which makes the kernel zero them (20-40x
 *    memset on these machines).
 * At 4 KiB the goal's baseline is memset plus one null system call (the
 * least a kernel's own ZERO would cost). "private→shared ZERO, touched
 * memory" is the real conversion: private pages the host had touched
 * (allocated by its faults, not by fallocate(), so the library asks the
 * kernel which pages hold memory) made shared with ZERO.
 * One more row measures ZERO when the library's own view of the pages is
 * not faulted in yet (the pages were punched and re-faulted by the host),
 * which is the state right after a guest wrote them through KVM.
 */
#include <emmintrin.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "bench.h"

#define FILE_SIZE BENCH_GIB
#define ZERO	  KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define PUNCH	  (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)

#define TRUSTED_SIZE (64 * BENCH_MIB)

struct zero_ctx {
	int vm, fd;
	int trusted_vm, trusted_fd; /* TRUSTED_SIZE, with trusted_pointers */
	char *map;		    /* the host's mapping, faulted in */
	uint64_t len;		    /* bytes per operation */
};

static uint64_t pick(const struct zero_ctx *z)
{
	return bench_rand() % (FILE_SIZE / z->len) * z->len;
}

static void punch(const struct zero_ctx *z, uint64_t off)
{
	if (gmem_fallocate(z->fd, PUNCH, (off_t)off, (off_t)z->len))
		bench_die("gmem_fallocate(PUNCH_HOLE)");
}

/* SSE2 streaming stores, 64 bytes a step, then a fence so that the
 * stores are done when the clock is read. */
static void stream_zero(char *p, uint64_t len)
{
	__m128i z = _mm_setzero_si128();

	for (uint64_t i = 0; i < len; i += 64) {
		_mm_stream_si128((__m128i *)(p + i), z);
		_mm_stream_si128((__m128i *)(p + i + 16), z);
		_mm_stream_si128((__m128i *)(p + i + 32), z);
		_mm_stream_si128((__m128i *)(p + i + 48), z);
	}
	_mm_sfence();
}

/* One measured operation: an untimed step that sets the range up, if
 * any, then the timed one, on a random aligned range of the file (of the
 * trusted VM's file when `trusted`). Every figure and every baseline of
 * this benchmark is one of these, so they are timed alike. */
struct zero_op {
	struct zero_ctx *z;
	bool trusted;
	void (*prepare)(const struct zero_ctx *z, uint64_t off);
	void (*timed)(const struct zero_ctx *z, uint64_t off);
};

static double op_run(void *arg, unsigned int rep)
{
	const struct zero_op *op = arg;
	const struct zero_ctx *z = op->z;
	uint64_t off = op->trusted
			       ? bench_rand() % (TRUSTED_SIZE / z->len) * z->len
			       : pick(z);
	double t0;

	(void)rep;
	if (op->prepare)
		op->prepare(z, off);
	t0 = bench_now();
	op->timed(z, off);
	return bench_now() - t0;
}

/* Shared to shared with ZERO: the content mode alone. */
static void zero(const struct zero_ctx *z, uint64_t off)
{
	bench_convert(z->fd, off, z->len, false, ZERO);
}

/* The same on the VM with trusted_pointers: no checked copy. */
static void zero_trusted(const struct zero_ctx *z, uint64_t off)
{
	bench_convert(z->trusted_fd, off, z->len, false, ZERO);
}

static void clear(const struct zero_ctx *z, uint64_t off)
{
	memset(z->map + off, 0, z->len);
	__asm__ volatile("" ::: "memory");
}

/* memset plus one null system call: what a kernel's own ZERO of one page
 * would cost at best, the 4 KiB goal's unit. */
static void clear_syscall(const struct zero_ctx *z, uint64_t off)
{
	syscall(SYS_getppid);
	clear(z, off);
}

static void stream(const struct zero_ctx *z, uint64_t off)
{
	stream_zero(z->map + off, z->len);
}

/* Punched, then allocated again by the host's faults (not by
 * fallocate(), so the library asks the kernel which pages hold memory):
 * the kernel zeroes them, and the library's view of them has no page
 * table entries any more. */
static void punch_refault(const struct zero_ctx *z, uint64_t off)
{
	punch(z, off);
	bench_touch(z->map + off, z->len);
}

/* Private memory the host touched and the library zeroed before (its
 * view is warm). */
static void touched_private(const struct zero_ctx *z, uint64_t off)
{
	punch_refault(z, off);
	zero(z, off);
	bench_convert(z->fd, off, z->len, true,
		      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
}

struct zero_size {
	const char *label;
	uint64_t len;
	unsigned int reps, punch_reps;
};

static const struct zero_size sizes[] = {
	{ "4 KiB", 4 * BENCH_KIB, 3000, 1000 },
	{ "2 MiB", 2 * BENCH_MIB, 300, 60 },
	{ "1 GiB", BENCH_GIB, 11, 3 },
};

static const struct bench_goal goal_memset = { BENCH_GOAL_RATIO_MAX, 1.2,
					       "≤ 1.2× memset" };
static const struct bench_goal goal_memset_syscall = {
	BENCH_GOAL_RATIO_MAX, 2.0, "≤ 2× (memset + a null syscall)"
};
static const struct bench_goal goal_never_punch = {
	BENCH_GOAL_NONE, 0, "never zero this way (20–40×)"
};
static const struct bench_goal no_goal = { BENCH_GOAL_NONE, 0, NULL };

static void run_size(struct zero_ctx *z, const struct zero_size *sz,
		     const char *backend)
{
	struct zero_op op_zero = { z, false, NULL, zero },
		       op_zero_trusted = { z, true, NULL, zero_trusted },
		       op_memset = { z, false, NULL, clear },
		       op_memset_syscall = { z, false, NULL, clear_syscall },
		       op_stream = { z, false, NULL, stream },
		       op_punch_refault = { z, false, NULL, punch_refault },
		       op_zero_cold_view = { z, false, punch_refault, zero },
		       op_zero_to_shared_touched = { z, false, touched_private,
						     zero };
	struct bench_stats fig, mset, stream_s, punch_s, mset2, cold, mset3;
	char name[96];

	z->len = sz->len;
	if (sz->len == BENCH_PAGE) {
		bench_pair(bench_reps(sz->reps), op_run, &op_zero, op_run,
			   &op_memset_syscall, &fig, &mset);
		bench_print_times("ZERO 4 KiB", backend, &fig,
				  "memset + null syscall", &mset,
				  goal_memset_syscall);
		bench_pair(bench_reps(sz->reps), op_run, &op_zero_trusted,
			   op_run, &op_memset_syscall, &fig, &mset);
		bench_print_times("ZERO 4 KiB, trusted_pointers", backend, &fig,
				  "memset + null syscall", &mset,
				  goal_memset_syscall);
	}
	bench_pair(bench_reps(sz->reps), op_run, &op_zero, op_run, &op_memset,
		   &fig, &mset);
	snprintf(name, sizeof(name), "ZERO %s", sz->label);
	bench_print_times(name, backend, &fig, "memset", &mset,
			  sz->len == BENCH_PAGE ? no_goal : goal_memset);
	if (sz->len < BENCH_GIB) {
		bench_pair(bench_reps(sz->punch_reps), op_run,
			   &op_zero_to_shared_touched, op_run, &op_memset,
			   &cold, &mset3);
		snprintf(name, sizeof(name),
			 "private→shared ZERO %s, touched memory", sz->label);
		bench_print_times(name, backend, &cold, "memset", &mset3,
				  no_goal);
	}
	bench_pair(bench_reps(sz->reps), op_run, &op_stream, op_run, &op_memset,
		   &stream_s, &mset2);
	snprintf(name, sizeof(name), "streaming stores %s", sz->label);
	bench_print_times(name, backend, &stream_s, "memset", &mset2, no_goal);
	bench_pair(bench_reps(sz->punch_reps), op_run, &op_punch_refault,
		   op_run, &op_memset, &punch_s, &mset3);
	snprintf(name, sizeof(name), "punch hole + re-fault %s", sz->label);
	bench_print_times(name, backend, &punch_s, "memset", &mset3,
			  goal_never_punch);
	if (sz->len >= BENCH_GIB)
		return;
	bench_pair(bench_reps(sz->punch_reps), op_run, &op_zero_cold_view,
		   op_run, &op_memset, &cold, &mset3);
	snprintf(name, sizeof(name), "ZERO %s, library view cold", sz->label);
	bench_print_times(name, backend, &cold, "memset", &mset3, goal_memset);
}

/* A 1 GiB file, allocated, mapped and faulted in by the host, and
 * zeroed once so that the library's view is warm, as a long-running VM's
 * is. */
static void zero_open(struct zero_ctx *z, unsigned int backend)
{
	z->vm = bench_vm(backend);
	z->fd = bench_gmem(z->vm, FILE_SIZE);
	z->map = bench_map(z->fd, FILE_SIZE);
	if (gmem_fallocate(z->fd, FALLOC_FL_KEEP_SIZE, 0, FILE_SIZE))
		bench_die("gmem_fallocate");
	bench_populate(z->map, FILE_SIZE);
	bench_convert(z->fd, 0, FILE_SIZE, false, ZERO);
	z->trusted_vm = bench_vm_trusting(backend, true);
	z->trusted_fd = bench_gmem(z->trusted_vm, TRUSTED_SIZE);
	if (gmem_fallocate(z->trusted_fd, FALLOC_FL_KEEP_SIZE, 0, TRUSTED_SIZE))
		bench_die("gmem_fallocate");
	bench_convert(z->trusted_fd, 0, TRUSTED_SIZE, false, ZERO);
}

static void zero_close(struct zero_ctx *z)
{
	gmem_munmap(z->map, FILE_SIZE);
	gmem_close(z->fd);
	gmem_close(z->vm);
	gmem_close(z->trusted_fd);
	gmem_close(z->trusted_vm);
}

static void run_backend(unsigned int backend)
{
	const char *missing = bench_backend_missing(backend);
	struct zero_ctx z = { 0 };

	if (!missing)
		zero_open(&z, backend);
	bench_unmeasured(missing);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		run_size(&z, &sizes[i], gmem_backend_name((int)backend));
	bench_unmeasured(NULL);
	if (!missing)
		zero_close(&z);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv, "bench_zero: the ZERO content mode");
	bench_table("ZERO against memset of the same allocated bytes");
	bench_for_each_backend(run_backend);
	bench_note("ratio = figure / baseline; figures are per call, on "
		   "random aligned ranges of a 1 GiB file that is fully "
		   "allocated and mapped by the host.");
	return bench_finish();
}
