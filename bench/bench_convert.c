// SPDX-License-Identifier: MIT
/*
 * One conversion, with PRESERVE: 4 KiB shared-to-private and back, with
 * and without a host mapping, against mprotect() of the same page; then
 * 1 GiB.
 *
 * A shared-to-private conversion of a mapped range revokes it: the range
 * is covered, MAP_FIXED, by a mapping that raises SIGBUS. The closest
 * thing the host can do by itself is mprotect(PROT_NONE), which also
 * rewrites the page tables of the range, so that is the baseline; back to
 * shared against mprotect(PROT_READ | PROT_WRITE). Before each sample the
 * page is shared and faulted in by the host, as memory a VMM uses is.
 * A second baseline is the system calls the library makes for the call,
 * made directly: its fd check and argument copy, its ownership check,
 * and one mremap(2) over the range (from a mapping of the empty file or
 * of the memory, as the library remaps). The project's performance goal that
 * applies is "revoking a host mapping costs one call per contiguous mapped
 * range, not one per page": at 1 GiB the revocation costs about one such call
 * (one call a page would be 262144 of them).
 *
 * A range made shared again is mapped afresh, so the host's next touch
 * of each page faults (mprotect keeps the page tables): rows "first touch
 * after" measure that cost too.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "bench.h"

#define FILE_SIZE BENCH_GIB
#define PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define RW	  (PROT_READ | PROT_WRITE)

struct conv_ctx {
	int vm;	      /* the VM of the files */
	int fd;	      /* a 1 GiB guest_memfd */
	char *map;    /* its host mapping, or NULL */
	char *plain;  /* a faulted-in memfd mapping for the baselines */
	int plain_fd; /* its memfd */
	int empty_fd; /* an empty memfd: mapping it raises SIGBUS */
	char *plain_source, *empty_source; /* what the remaps copy from */
	uint64_t len;			   /* bytes per operation */
	uint64_t off;			   /* offset of the current sample */
};

static uint64_t pick(struct conv_ctx *c)
{
	c->off = bench_rand() % (FILE_SIZE / c->len) * c->len;
	return c->off;
}

/* The host uses the range again after it became shared. */
static void host_touch(struct conv_ctx *c)
{
	if (c->map)
		bench_populate(c->map + c->off, c->len);
}

static double timed_convert(struct conv_ctx *c, bool to_private)
{
	double t0 = bench_now();

	bench_convert(c->fd, c->off, c->len, to_private, PRESERVE);
	return bench_now() - t0;
}

static double op_to_private(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t;

	(void)rep;
	pick(c);
	t = timed_convert(c, true);
	bench_convert(c->fd, c->off, c->len, false, PRESERVE);
	host_touch(c);
	return t;
}

static double op_to_shared(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t;

	(void)rep;
	pick(c);
	bench_convert(c->fd, c->off, c->len, true, PRESERVE);
	t = timed_convert(c, false);
	host_touch(c);
	return t;
}

static double op_round_trip(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t;

	(void)rep;
	pick(c);
	t = timed_convert(c, true) + timed_convert(c, false);
	host_touch(c);
	return t;
}

/* The host's first touch of every page after private-to-shared. */
static double op_touch_after(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t0;

	(void)rep;
	pick(c);
	bench_convert(c->fd, c->off, c->len, true, PRESERVE);
	bench_convert(c->fd, c->off, c->len, false, PRESERVE);
	t0 = bench_now();
	bench_touch(c->map + c->off, c->len);
	return bench_now() - t0;
}

static void xmprotect(char *p, uint64_t len, int prot)
{
	if (mprotect(p, len, prot))
		bench_die("mprotect");
}

static double timed_mprotect(struct conv_ctx *c, int prot)
{
	double t0 = bench_now();

	xmprotect(c->plain + c->off, c->len, prot);
	return bench_now() - t0;
}

static double op_mprotect_none(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t;

	(void)rep;
	pick(c);
	t = timed_mprotect(c, PROT_NONE);
	xmprotect(c->plain + c->off, c->len, RW);
	return t;
}

static double op_mprotect_rw(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;

	(void)rep;
	pick(c);
	xmprotect(c->plain + c->off, c->len, PROT_NONE);
	return timed_mprotect(c, RW);
}

static double op_mprotect_round_trip(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;

	(void)rep;
	pick(c);
	return timed_mprotect(c, PROT_NONE) + timed_mprotect(c, RW);
}

static double op_touch_after_mprotect(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t0;

	(void)rep;
	pick(c);
	xmprotect(c->plain + c->off, c->len, PROT_NONE);
	xmprotect(c->plain + c->off, c->len, RW);
	t0 = bench_now();
	bench_touch(c->plain + c->off, c->len);
	return bench_now() - t0;
}

/*
 * The system calls the library makes for one conversion of a mapped page,
 * on the plain mapping: its fd check, its copy of the argument, and the
 * remap (revoking: the empty file over the page; restoring: the file
 * again).
 */
static void remap(struct conv_ctx *c, bool empty)
{
	bench_remap(c->plain + c->off, c->len,
		    (empty ? c->empty_source : c->plain_source) + c->off);
}

static double op_floor_revoke(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t0, t;

	(void)rep;
	pick(c);
	t0 = bench_now();
	bench_call_floor(c->plain_fd, false);
	remap(c, true);
	t = bench_now() - t0;
	remap(c, false);
	bench_populate(c->plain + c->off, c->len);
	return t;
}

static double op_floor_restore(void *arg, unsigned int rep)
{
	struct conv_ctx *c = arg;
	double t0, t;

	(void)rep;
	pick(c);
	remap(c, true);
	t0 = bench_now();
	bench_call_floor(c->plain_fd, false);
	remap(c, false);
	t = bench_now() - t0;
	bench_populate(c->plain + c->off, c->len);
	return t;
}

struct conv_case {
	const char *what;
	bench_fn fn, base;
	const char *base_name;
	bool needs_map;
};

static const struct conv_case cases[] = {
	{ "shared→private", op_to_private, op_mprotect_none,
	  "mprotect(PROT_NONE)", false },
	{ "shared→private", op_to_private, op_floor_revoke,
	  "its syscalls: fstat, lseek, pwrite, PROCMAP_QUERY, mremap", true },
	{ "private→shared", op_to_shared, op_mprotect_rw,
	  "mprotect(read-write)", false },
	{ "private→shared", op_to_shared, op_floor_restore,
	  "its syscalls: fstat, lseek, pwrite, PROCMAP_QUERY, mremap", true },
	{ "round trip", op_round_trip, op_mprotect_round_trip,
	  "mprotect round trip", false },
	{ "first touch of every page after", op_touch_after,
	  op_touch_after_mprotect, "touch after mprotect round trip", true },
};

/* One call a contiguous range: at 1 GiB the revocation costs what one
 * mmap(MAP_FIXED) of the range costs; a call a page would be 262144. */
static struct bench_goal goal_for(const struct conv_case *k,
				  const struct conv_ctx *c)
{
	struct bench_goal g = { BENCH_GOAL_NONE, 0, NULL };

	if (c->map && c->len == FILE_SIZE && k->base == op_floor_revoke)
		g = (struct bench_goal){ BENCH_GOAL_RATIO_MAX, 1.5,
					 "one call a range (≤ 1.5× one call)" };
	return g;
}

static void run_case(struct conv_ctx *c, const struct conv_case *k,
		     unsigned int reps, const char *backend)
{
	struct bench_stats fig, base;
	struct bench_row r = { .backend = backend, .unit = BENCH_NS };
	char name[128];

	if (k->needs_map && !c->map)
		return;
	bench_pair(reps, k->fn, c, k->base, c, &fig, &base);
	snprintf(name, sizeof(name), "%s %s, %s", k->what,
		 c->len == FILE_SIZE ? "1 GiB" : "4 KiB",
		 c->map ? "host mapping" : "no mapping");
	r.name = name;
	r.figure = fig;
	r.baseline_name = k->base_name;
	r.baseline = base;
	r.goal = goal_for(k, c);
	bench_print(&r);
}

static void run_size(struct conv_ctx *c, uint64_t len, unsigned int reps,
		     const char *backend)
{
	c->len = len;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(c, &cases[i], bench_reps(reps), backend);
}

/* The baselines' side: a faulted-in memfd mapping, and an empty memfd. */
static void plain_init(struct conv_ctx *c)
{
	c->plain_fd = memfd_create("bench-plain", MFD_CLOEXEC);
	c->empty_fd = memfd_create("bench-empty", MFD_CLOEXEC);
	if (c->plain_fd < 0 || c->empty_fd < 0 ||
	    ftruncate(c->plain_fd, FILE_SIZE))
		bench_die("memfd_create");
	c->plain = bench_map_like_library(c->plain_fd, FILE_SIZE);
	c->plain_source = bench_map_like_library(c->plain_fd, FILE_SIZE);
	c->empty_source = bench_map_like_library(c->empty_fd, FILE_SIZE);
	bench_populate(c->plain, FILE_SIZE);
}

static void plain_fini(struct conv_ctx *c)
{
	munmap(c->plain, FILE_SIZE);
	munmap(c->plain_source, FILE_SIZE);
	munmap(c->empty_source, FILE_SIZE);
	close(c->plain_fd);
	close(c->empty_fd);
}

/* Two files of the backend: one the host maps and faults in, one it never
 * maps. */
static void conv_open(struct conv_ctx *mapped, struct conv_ctx *bare,
		      unsigned int backend)
{
	mapped->vm = bench_vm(backend);
	mapped->fd = bench_gmem(mapped->vm, FILE_SIZE);
	bare->fd = bench_gmem(mapped->vm, FILE_SIZE);
	mapped->map = bench_map(mapped->fd, FILE_SIZE);
	bench_populate(mapped->map, FILE_SIZE);
}

static void conv_close(struct conv_ctx *mapped, struct conv_ctx *bare)
{
	gmem_munmap(mapped->map, FILE_SIZE);
	gmem_close(mapped->fd);
	gmem_close(bare->fd);
	gmem_close(mapped->vm);
}

static void run_backend(unsigned int backend, const struct conv_ctx *plain)
{
	const char *name = gmem_backend_name((int)backend);
	const char *missing = bench_backend_missing(backend);
	struct conv_ctx mapped = *plain, bare = *plain;

	if (!missing)
		conv_open(&mapped, &bare, backend);
	else /* the rows' names need a mapping, never touched */
		mapped.map = plain->plain;
	bench_unmeasured(missing);
	run_size(&mapped, BENCH_PAGE, 2000, name);
	run_size(&bare, BENCH_PAGE, 2000, name);
	run_size(&mapped, FILE_SIZE, 7, name);
	run_size(&bare, FILE_SIZE, 7, name);
	bench_unmeasured(NULL);
	if (!missing)
		conv_close(&mapped, &bare);
}

int main(int argc, char **argv)
{
	struct conv_ctx plain = { 0 };

	bench_init(argc, argv, "bench_convert: one PRESERVE conversion");
	plain_init(&plain);
	bench_table("Conversions with PRESERVE against mprotect()");
	for (size_t i = 0; i < 2; i++)
		if (bench_backend_wanted(bench_backends[i]))
			run_backend(bench_backends[i], &plain);
	bench_note("4 KiB: a random page of a 1 GiB file, shared and "
		   "faulted in by the host before each sample. Baselines on a "
		   "faulted-in 1 GiB memfd mapping.");
	plain_fini(&plain);
	return bench_finish();
}
