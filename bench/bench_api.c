// SPDX-License-Identifier: MIT
/*
 * The public API's own cost: attribute lookups through gmem_get_attributes()
 * with 1e3, 1e5 and 1e6 ranges in a file, and what any call pays before it
 * does its work.
 *
 * To answer as the kernel does, the library checks on every call that the
 * fd is still the file it was made for (the fstat system call: a
 * descriptor closed behind its back and reused must read as foreign), and
 * by default copies arguments through a page of a memfd of its own
 * (pwrite(2) in, pread(2) out), so that a bad pointer is EFAULT instead of
 * a crash; process_vm_readv() on its own pid, which it used before, is
 * measured beside. A VM made with gmem_vm_opts.trusted_pointers copies
 * with memcpy instead.
 *
 * Baselines, interleaved with the figure:
 *  - lookups: a flat per-page byte array (the fastest lookup), and the
 *    system calls the call makes (fstat, lseek, pread of 8 bytes),
 *    which is its floor;
 *  - a KVM_SET_MEMORY_ATTRIBUTES2 that has nothing to do (4 KiB,
 *    unallocated, already shared, mode 0), by default and with
 *    trusted_pointers, and each system call the library makes, against
 *    one null system call (getppid); the goal is <= 6x;
 *  - the per-call floor itself, the library's system calls made directly
 *    (goal: <= 0.5 us).
 * The file is a 16 GiB guest with ranges at random offsets, made through
 * the API (every other range converted to private, in address order).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "bench.h"

#define FILE_SIZE (16 * BENCH_GIB)
#define NPAGES	  (FILE_SIZE / BENCH_PAGE)
#define NIDX	  4096u
#define BATCH	  2000u

struct api_ctx {
	int vm, fd;
	int trusted_vm, trusted_fd; /* the same, with trusted_pointers */
	uint8_t *bytes;		    /* attribute of each page */
	uint64_t *idx;		    /* NIDX random pages */
	uint64_t sink;
	char *mapped; /* one mapped page, for mincore */
	int memfd;    /* a sparse memfd, for SEEK_DATA */
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		bench_die("calloc");
	return p;
}

static double op_api_lookup(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();
	uint64_t a = 0;

	for (unsigned int i = 0; i < BATCH; i++) {
		uint64_t page = c->idx[(rep * BATCH + i) % NIDX];

		if (gmem_get_attributes(c->fd, page * BENCH_PAGE, &a))
			bench_die("gmem_get_attributes");
		c->sink += a;
	}
	return (bench_now() - t0) / BATCH;
}

static double op_bytes(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	for (unsigned int i = 0; i < BATCH; i++)
		c->sink += c->bytes[c->idx[(rep * BATCH + i) % NIDX]];
	return (bench_now() - t0) / BATCH;
}

/* The system calls gmem_get_attributes() makes, and nothing else. */
static void lookup_syscalls(int fd, uint64_t *out)
{
	uint64_t v = 0;

	bench_identity_check(fd);
	bench_copy_out(out, &v, sizeof(v));
}

static double op_floor(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();
	uint64_t a;

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		lookup_syscalls(c->fd, &a);
	return (bench_now() - t0) / BATCH;
}

static double op_null(void *arg, unsigned int rep)
{
	double t0 = bench_now();

	(void)arg;
	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		syscall(SYS_getppid);
	return (bench_now() - t0) / BATCH;
}

/* Mode 0 on the file's last page: shared, never touched. */
static void noop_convert(int fd)
{
	bench_convert(fd, FILE_SIZE - BENCH_PAGE, BENCH_PAGE, false, 0);
}

static double op_noop_convert(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		noop_convert(c->fd);
	return (bench_now() - t0) / BATCH;
}

static double op_noop_convert_trusted(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		noop_convert(c->trusted_fd);
	return (bench_now() - t0) / BATCH;
}

static double op_fstat(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		bench_identity_check(c->fd);
	return (bench_now() - t0) / BATCH;
}

static double op_call_floor(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		bench_call_floor(c->fd, false);
	return (bench_now() - t0) / BATCH;
}

static double op_call_floor_trusted(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		bench_call_floor(c->fd, true);
	return (bench_now() - t0) / BATCH;
}

/* What the allocation scan asks a memfd: is this page data. */
static double op_seek_data(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		lseek(c->memfd, BENCH_PAGE, SEEK_DATA);
	return (bench_now() - t0) / BATCH;
}

/* copy_from_user() of a struct kvm_memory_attributes2, pid known. */
static double op_readv(void *arg, unsigned int rep)
{
	struct kvm_memory_attributes2 src = { 0 }, dst;
	struct iovec local = { &dst, sizeof(dst) };
	struct iovec remote = { &src, sizeof(src) };
	pid_t pid = getpid();
	double t0 = bench_now();

	(void)arg;
	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		process_vm_readv(pid, &local, 1, &remote, 1, 0);
	return (bench_now() - t0) / BATCH;
}

/* copy_from_user() of a struct kvm_memory_attributes2, as the library
 * makes it. */
static double op_copy_in(void *arg, unsigned int rep)
{
	struct kvm_memory_attributes2 src = { 0 }, dst;
	double t0 = bench_now();

	(void)arg;
	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		bench_copy_in(&dst, &src, sizeof(dst));
	return (bench_now() - t0) / BATCH;
}

/* What the allocation scan of a content mode asks the kernel. */
static double op_mincore(void *arg, unsigned int rep)
{
	struct api_ctx *c = arg;
	unsigned char vec;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		mincore(c->mapped, BENCH_PAGE, &vec);
	return (bench_now() - t0) / BATCH;
}

static const struct bench_goal no_goal = { BENCH_GOAL_NONE, 0, NULL };

static void fill_bytes(uint8_t *bytes, const uint64_t *starts, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		uint64_t end = i + 1 < n ? starts[i + 1] : NPAGES;

		memset(bytes + starts[i],
		       i & 1 ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		       end - starts[i]);
	}
}

static void lookup_rows(struct api_ctx *c, size_t n, const char *backend)
{
	uint64_t *starts = NULL;
	struct bench_stats api, bytes, api2, floor;
	unsigned int reps = bench_reps(15);
	char name[64];

	if (bench_measuring()) {
		starts = bench_boundaries(NPAGES, n);
		bench_fill_ranges(c->fd, NPAGES, starts, n);
		fill_bytes(c->bytes, starts, n);
	}
	bench_pair(reps, op_api_lookup, c, op_bytes, c, &api, &bytes);
	bench_pair(reps, op_api_lookup, c, op_floor, c, &api2, &floor);
	snprintf(name, sizeof(name), "gmem_get_attributes, %zu ranges", n);
	bench_print_times(name, backend, &api, "per-page byte array", &bytes,
			  no_goal);
	bench_print_times(name, backend, &api2,
			  "its syscalls: fstat, lseek, pread", &floor, no_goal);
	/* Back to one shared range for the next count. */
	if (bench_measuring())
		bench_convert(c->fd, 0, FILE_SIZE, false,
			      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	free(starts);
}

struct floor_case {
	const char *name;
	bench_fn fn;
	double goal; /* ratio to a null system call; 0: none */
};

static const struct floor_case floor_cases[] = {
	{ "KVM_SET_MEMORY_ATTRIBUTES2 with nothing to do (4 KiB, unallocated, "
	  "shared, mode 0)",
	  op_noop_convert, 6 },
	{ "the same, trusted_pointers", op_noop_convert_trusted, 6 },
	{ "fstat system call (fd identity check)", op_fstat, 0 },
	{ "pwrite of 128 B into a memfd + read (copy_from_user)", op_copy_in,
	  0 },
	{ "process_vm_readv of 128 B (copy_from_user before)", op_readv, 0 },
	{ "lseek SEEK_DATA of 1 page (allocation scan, memfd)", op_seek_data,
	  0 },
	{ "mincore of 1 page (allocation scan, kvm)", op_mincore, 0 },
};

/* The floor against its goal: an absolute bound, in nanoseconds. */
static void floor_goal_rows(struct api_ctx *c, const char *backend)
{
	static const struct bench_goal goal = { BENCH_GOAL_ABS_MAX, 500,
						"≤ 0.5 µs" };
	struct bench_stats fig, null;

	bench_pair(bench_reps(15), op_call_floor, c, op_null, c, &fig, &null);
	bench_print_times("per-call floor: fstat + lseek + pwrite", backend,
			  &fig, "null syscall", &null, goal);
	bench_pair(bench_reps(15), op_call_floor_trusted, c, op_null, c, &fig,
		   &null);
	bench_print_times("per-call floor, trusted_pointers: fstat + memcpy",
			  backend, &fig, "null syscall", &null, goal);
}

static void floor_rows(struct api_ctx *c, const char *backend)
{
	struct bench_stats fig, null;

	for (size_t i = 0; i < sizeof(floor_cases) / sizeof(floor_cases[0]);
	     i++) {
		const struct floor_case *k = &floor_cases[i];
		struct bench_goal goal = { BENCH_GOAL_NONE, 0, NULL };

		if (k->goal)
			goal = (struct bench_goal){ BENCH_GOAL_RATIO_MAX,
						    k->goal,
						    "≤ 6× a null syscall" };
		bench_pair(bench_reps(15), k->fn, c, op_null, c, &fig, &null);
		bench_print_times(k->name, backend, &fig, "null syscall", &null,
				  goal);
	}
	floor_goal_rows(c, backend);
}

static void api_open(struct api_ctx *c, unsigned int backend)
{
	c->vm = bench_vm(backend);
	c->fd = bench_gmem(c->vm, FILE_SIZE);
	c->bytes = xcalloc(NPAGES, 1);
	c->idx = xcalloc(NIDX, sizeof(*c->idx));
	for (unsigned int i = 0; i < NIDX; i++)
		c->idx[i] = bench_rand() % NPAGES;
	c->mapped = bench_map(c->fd, BENCH_PAGE);
	c->mapped[0] = 1;
	c->trusted_vm = bench_vm_trusting(backend, true);
	c->trusted_fd = bench_gmem(c->trusted_vm, FILE_SIZE);
	c->memfd = memfd_create("bench-seek", MFD_CLOEXEC);
	if (c->memfd < 0 || ftruncate(c->memfd, (off_t)FILE_SIZE))
		bench_die("memfd_create");
}

static void api_close(struct api_ctx *c)
{
	if (c->sink == 42)
		printf(" ");
	gmem_munmap(c->mapped, BENCH_PAGE);
	free(c->bytes);
	free(c->idx);
	gmem_close(c->fd);
	gmem_close(c->vm);
	gmem_close(c->trusted_fd);
	gmem_close(c->trusted_vm);
	close(c->memfd);
}

static void run_backend(unsigned int backend)
{
	static const size_t counts[] = { 1000, 100000, 1000000 };
	const char *name = gmem_backend_name((int)backend);
	const char *missing = bench_backend_missing(backend);
	struct api_ctx c = { 0 };

	if (!missing)
		api_open(&c, backend);
	bench_unmeasured(missing);
	for (size_t i = 0; i < 3; i++)
		lookup_rows(&c, counts[i], name);
	floor_rows(&c, name);
	bench_unmeasured(NULL);
	if (!missing)
		api_close(&c);
}

int main(int argc, char **argv)
{
	bench_init(argc, argv,
		   "bench_api: public-API lookups and the cost of a call");
	bench_table("gmem_get_attributes and the per-call floor, 16 GiB file");
	bench_for_each_backend(run_backend);
	bench_note("Figures per call, %u calls a sample. The tree's own "
		   "lookup is in bench_lookup.",
		   BATCH);
	return bench_finish();
}
