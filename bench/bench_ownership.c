// SPDX-License-Identifier: MIT
/*
 * What the ownership check costs a conversion. Before a conversion maps
 * over a recorded host mapping, the library asks the kernel which file is
 * mapped there (one PROCMAP_QUERY ioctl per vma of the window on Linux
 * 6.11 and later; the text of /proc/self/maps before); what it maps
 * there is remapped from a source that is MADV_DONTFORK already, so no
 * advice follows. Each row times exactly those calls for one window
 * against the whole conversion they are part of, interleaved, so the
 * ratio is the share of a conversion the check adds: 4 KiB and 2 MiB,
 * shared-to-private with PRESERVE and private-to-shared with ZERO, on a
 * mapped, populated range; and the candidate not chosen, a stat() of
 * /proc/self/map_files. The goals that bound a conversion (4 KiB
 * shared-to-private <= 0.8x the legacy conversion, ...) are measured by
 * bench_legacy with the check inside.
 */
#include <stdio.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <gmem/gmem.h>

#include "bench.h"
#include "vma_query.h"

#define FILE_SIZE (256 * BENCH_MIB)
#define PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define ZERO	  KVM_SET_MEMORY_ATTRIBUTES2_ZERO

struct own_ctx {
	int vm, fd;
	char *map;
	uint64_t len, off;
	bool to_private;
};

static void pick(struct own_ctx *c)
{
	c->off = bench_rand() % (FILE_SIZE / c->len) * c->len;
}

/* The range starts in the state the conversion leaves, populated when
 * shared. */
static void prepare(struct own_ctx *c)
{
	pick(c);
	bench_convert(c->fd, c->off, c->len, !c->to_private, PRESERVE);
	if (c->to_private)
		bench_populate(c->map + c->off, c->len);
}

static double op_convert(void *arg, unsigned int rep)
{
	struct own_ctx *c = arg;
	double t0;

	(void)rep;
	prepare(c);
	t0 = bench_now();
	bench_convert(c->fd, c->off, c->len, c->to_private,
		      c->to_private ? PRESERVE : ZERO);
	return bench_now() - t0;
}

/* The calls the check adds for one window of one vma. */
static double op_check(void *arg, unsigned int rep)
{
	struct own_ctx *c = arg;
	struct vma v;
	double t0;

	(void)rep;
	prepare(c);
	t0 = bench_now();
	if (vma_query((uintptr_t)(c->map + c->off), &v))
		bench_die("ownership check");
	return bench_now() - t0;
}

/* The candidate not chosen: stat() of /proc/self/map_files/<start>-<end>,
 * which names the file behind a vma but needs the vma's exact bounds
 * (asked here outside the clock). */
static double op_map_files(void *arg, unsigned int rep)
{
	struct own_ctx *c = arg;
	char path[64];
	struct stat st;
	struct vma v;
	double t0;

	(void)rep;
	prepare(c);
	if (vma_query((uintptr_t)(c->map + c->off), &v))
		bench_die("vma_query");
	snprintf(path, sizeof(path), "/proc/self/map_files/%lx-%lx",
		 (unsigned long)v.start, (unsigned long)v.end);
	t0 = bench_now();
	if (stat(path, &st))
		bench_die("stat map_files");
	return bench_now() - t0;
}

static void map_files_row(struct own_ctx *c, const char *backend)
{
	struct bench_row r = {
		.name = "stat of /proc/self/map_files (not chosen), 4 KiB "
			"shared→private PRESERVE",
		.backend = backend,
		.unit = BENCH_NS,
		.baseline_name = "the whole conversion",
		.goal = { BENCH_GOAL_NONE, 0, NULL },
	};

	c->len = 4 * BENCH_KIB;
	c->to_private = true;
	bench_pair(bench_reps(400), op_map_files, c, op_convert, c, &r.figure,
		   &r.baseline);
	bench_print(&r);
}

static void rows(struct own_ctx *c, const char *backend)
{
	static const uint64_t lens[] = { 4 * BENCH_KIB, 2 * BENCH_MIB };
	static const struct bench_goal none = { BENCH_GOAL_NONE, 0, NULL };
	char name[96];

	for (int text = 0; text < 2; text++) {
		vma_query_force_text(text);
		for (size_t i = 0; i < 2; i++) {
			for (int dir = 0; dir < 2; dir++) {
				struct bench_row r = {
					.name = name,
					.backend = backend,
					.unit = BENCH_NS,
					.baseline_name = "the whole conversion",
					.goal = none,
				};

				c->len = lens[i];
				c->to_private = !dir;
				snprintf(name, sizeof(name),
					 "check (%s) of %s %s",
					 text ? "maps text" : "PROCMAP_QUERY",
					 dir ? "private→shared ZERO"
					     : "shared→private PRESERVE",
					 i ? "2 MiB" : "4 KiB");
				bench_pair(bench_reps(400), op_check, c,
					   op_convert, c, &r.figure,
					   &r.baseline);
				bench_print(&r);
			}
		}
	}
	vma_query_force_text(false);
	map_files_row(c, backend);
}

static void run_backend(unsigned int backend)
{
	const char *missing = bench_backend_missing(backend);
	struct own_ctx c = { 0 };

	if (!missing) {
		c.vm = bench_vm(backend);
		c.fd = bench_gmem(c.vm, FILE_SIZE);
		c.map = bench_map(c.fd, FILE_SIZE);
	}
	bench_unmeasured(missing);
	rows(&c, gmem_backend_name((int)backend));
	bench_unmeasured(NULL);
	if (!missing) {
		gmem_munmap(c.map, FILE_SIZE);
		gmem_close(c.fd);
		gmem_close(c.vm);
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv,
		   "bench_ownership: the cost of checking a mapping is ours");
	bench_table("The check's calls against the conversion, one window");
	bench_for_each_backend(run_backend);
	bench_note("Ratio: the share of a conversion the check adds. One "
		   "window of one vma; a window the program split into n vmas "
		   "(mprotect) costs n queries.");
	return bench_finish();
}
