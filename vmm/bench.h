/* SPDX-License-Identifier: MIT */
/*
 * The benchmark's cases, shared by the guest program that runs them
 * (guests/bench.c) and gmem-vm-bench, which times them (bench.c).
 *
 * A case is `iterations` round trips, each a conversion of the range to
 * private and one back to shared, asked by the guest through the
 * hypercall. Case 0 is the baseline: the same hypercall as a dry run,
 * which the VMM decodes and answers without converting. A "ZERO" round
 * trip goes to private with PRESERVE, which costs nothing, because ZERO is
 * never allowed on the way to private; its cost is the ZERO back to
 * shared. Plain types only: the header is built for both machines.
 */
#ifndef GVM_BENCH_H
#define GVM_BENCH_H

#include "abi.h"

#define BENCH_REPS     7
#define BENCH_PAGE_GPA (GVM_SCRATCH_GPA + 0x60000)

static const struct bench_case {
	const char *name;
	unsigned int gpa;
	unsigned int npages;
	unsigned int to_private; /* GVM_MODE_*, or GVM_HC_DRY_RUN */
	unsigned int to_shared;
	unsigned int iterations;
} bench_cases[] = {
	{ "do-nothing hypercall", BENCH_PAGE_GPA, 1, GVM_HC_DRY_RUN,
	  GVM_HC_DRY_RUN, 500 },
	{ "4 KiB unspecified", BENCH_PAGE_GPA, 1, GVM_MODE_UNSPECIFIED,
	  GVM_MODE_UNSPECIFIED, 500 },
	{ "4 KiB ZERO", BENCH_PAGE_GPA, 1, GVM_MODE_PRESERVE, GVM_MODE_ZERO,
	  500 },
	{ "4 KiB PRESERVE", BENCH_PAGE_GPA, 1, GVM_MODE_PRESERVE,
	  GVM_MODE_PRESERVE, 500 },
	{ "2 MiB unspecified", GVM_HUGE_GPA, GVM_HUGE_SIZE / GVM_PAGE_SIZE,
	  GVM_MODE_UNSPECIFIED, GVM_MODE_UNSPECIFIED, 50 },
	{ "2 MiB ZERO", GVM_HUGE_GPA, GVM_HUGE_SIZE / GVM_PAGE_SIZE,
	  GVM_MODE_PRESERVE, GVM_MODE_ZERO, 50 },
	{ "2 MiB PRESERVE", GVM_HUGE_GPA, GVM_HUGE_SIZE / GVM_PAGE_SIZE,
	  GVM_MODE_PRESERVE, GVM_MODE_PRESERVE, 50 },
};

#define BENCH_CASES (sizeof(bench_cases) / sizeof(bench_cases[0]))

#endif /* GVM_BENCH_H */
