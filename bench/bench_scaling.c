// SPDX-License-Identifier: MIT
/*
 * Scaling: the time of one 4 KiB conversion against the number of ranges
 * in the file's attribute tree, from 1e2 to 1e6, through the public API.
 *
 * Each file is a 16 GiB guest whose ranges (random offsets) were made by
 * converting every other one to private, in address order. A sample
 * converts one page strictly inside a range to the other attribute (the
 * range splits in three) and back (they merge again), with PRESERVE and
 * no host mapping, so that the tree is what grows; the figure is the mean
 * of the two calls.
 *
 * The baseline is the same conversion on a file with 1e2 ranges, kept
 * open and measured interleaved with each larger one. O(log n) means the
 * ratio stays under log(n) / log(1e2): 3 at 1e6. Both sides carry the
 * same constant floor (the call's system calls), which flatters that
 * ratio; a second row per count takes the floor, measured beside it, off
 * both sides, so that it is the tree's own growth. The tree's update cost
 * by itself is in bench_lookup.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include <gmem/gmem.h>

#include "bench.h"

#define FILE_SIZE (16 * BENCH_GIB)
#define NPAGES	  (FILE_SIZE / BENCH_PAGE)
#define NPICK	  4096u
#define PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE

struct scale_file {
	int fd;
	size_t n;
	uint64_t *pages; /* NPICK pages strictly inside a range */
	bool *private;	 /* the attribute of each */
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		bench_die("calloc");
	return p;
}

static void pick_pages(struct scale_file *s, const uint64_t *starts)
{
	s->pages = xcalloc(NPICK, sizeof(*s->pages));
	s->private = xcalloc(NPICK, sizeof(*s->private));
	for (unsigned int k = 0; k < NPICK;) {
		size_t i = bench_rand() % s->n;
		uint64_t end = i + 1 < s->n ? starts[i + 1] : NPAGES;
		uint64_t len = end - starts[i];

		if (len < 3)
			continue;
		s->pages[k] = starts[i] + 1 + bench_rand() % (len - 2);
		s->private[k++] = i & 1;
	}
}

static void scale_open(struct scale_file *s, int vm, size_t n)
{
	uint64_t *starts = bench_boundaries(NPAGES, n);

	s->n = n;
	s->fd = bench_gmem(vm, FILE_SIZE);
	bench_fill_ranges(s->fd, NPAGES, starts, n);
	pick_pages(s, starts);
	free(starts);
}

static void scale_close(struct scale_file *s)
{
	gmem_close(s->fd);
	free(s->pages);
	free(s->private);
}

static double op_split_merge(void *arg, unsigned int rep)
{
	struct scale_file *s = arg;
	unsigned int k = rep % NPICK;
	uint64_t off = s->pages[k] * BENCH_PAGE;
	double t0 = bench_now();

	bench_convert(s->fd, off, BENCH_PAGE, !s->private[k], PRESERVE);
	bench_convert(s->fd, off, BENCH_PAGE, s->private[k], PRESERVE);
	return (bench_now() - t0) / 2;
}

static double op_floor(void *arg, unsigned int rep)
{
	struct scale_file *s = arg;
	double t0 = bench_now();

	(void)rep;
	bench_call_floor(s->fd, false);
	return bench_now() - t0;
}

/* A median less the call's floor, as a one-sample statistic. */
static struct bench_stats less_floor(const struct bench_stats *t, double floor)
{
	double v = t->median - floor;

	return (struct bench_stats){ 1, v, v, v, v, v };
}

/* The same ratio with the per-call floor (the library's system calls,
 * measured beside it) taken off both sides: the tree's own growth. */
static void growth_row(const struct bench_row *total, struct scale_file *base,
		       size_t n)
{
	struct bench_row r = *total;
	struct bench_stats floor, ignored;
	char label[80];

	bench_pair(bench_reps(3000), op_floor, base, op_split_merge, base,
		   &floor, &ignored);
	r.figure = less_floor(&total->figure, floor.median);
	r.baseline = less_floor(&total->baseline, floor.median);
	r.baseline_name = "the same, 100 ranges, less the floor";
	snprintf(label, sizeof(label),
		 "the tree's growth: 4 KiB conversion less its floor, %zu "
		 "ranges",
		 n);
	r.name = label;
	bench_print(&r);
}

static void run_backend(unsigned int backend)
{
	static const size_t counts[] = { 1000, 10000, 100000, 1000000 };
	const char *name = gmem_backend_name((int)backend);
	const char *missing = bench_backend_missing(backend);
	int vm = missing ? -1 : bench_vm(backend);
	struct scale_file base, s;

	bench_unmeasured(missing);
	if (!missing)
		scale_open(&base, vm, 100);
	for (size_t i = 0; i < sizeof(counts) / sizeof(counts[0]); i++) {
		struct bench_row r = { .backend = name,
				       .unit = BENCH_NS,
				       .baseline_name =
					       "the same, 100 ranges" };
		char label[64], goal[64];
		double bound = log((double)counts[i]) / log(100.0);

		if (!missing)
			scale_open(&s, vm, counts[i]);
		bench_pair(bench_reps(3000), op_split_merge, &s, op_split_merge,
			   &base, &r.figure, &r.baseline);
		snprintf(label, sizeof(label), "4 KiB conversion, %zu ranges",
			 counts[i]);
		snprintf(goal, sizeof(goal), "O(log n): ≤ %.1f×", bound);
		r.name = label;
		r.goal = (struct bench_goal){ BENCH_GOAL_RATIO_MAX, bound,
					      goal };
		bench_print(&r);
		growth_row(&r, &base, counts[i]);
		if (!missing)
			scale_close(&s);
	}
	bench_unmeasured(NULL);
	if (!missing) {
		scale_close(&base);
		gmem_close(vm);
	}
}

int main(int argc, char **argv)
{
	bench_init(argc, argv,
		   "bench_scaling: conversion time against the tree's size");
	bench_table("One 4 KiB conversion against the number of ranges, "
		    "16 GiB file");
	bench_for_each_backend(run_backend);
	bench_note("Each sample splits a range and merges it back (PRESERVE, "
		   "no host mapping); figure per conversion.");
	return bench_finish();
}
