// SPDX-License-Identifier: MIT
/*
 * What the hardened mode (gmem_vm_opts.hardening, docs/PRIVACY.md) costs.
 * GMEM_HARDEN_NONDUMPABLE changes the process, not the data path: its
 * price is two prctl(2) calls when the first hardened VM begins and the
 * last one ends. Each row times a hardened VM against a default one, on
 * the memfd backend (the one the mode is for), interleaved: creating and
 * closing a VM alone (the first and last, so both prctl calls are in the
 * figure), and converting 4 KiB and 2 MiB both ways on a mapped,
 * populated range. The ratio is hardened / default.
 */
#include <stdio.h>

#include <gmem/gmem.h>

#include "bench.h"

#define FILE_SIZE (64 * BENCH_MIB)
#define PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define ZERO	  KVM_SET_MEMORY_ATTRIBUTES2_ZERO

struct mode_ctx {
	unsigned int hardening;
	int vm, fd;
	char *map;
	uint64_t len, off;
	bool to_private;
};

static int mode_vm(unsigned int hardening)
{
	struct gmem_vm_opts opts = {
		.sz = sizeof(opts),
		.backend = GMEM_BACKEND_MEMFD,
		.hardening = hardening,
	};
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);

	if (vm < 0)
		bench_die("gmem_create_vm_opts");
	return vm;
}

static double op_create(void *arg, unsigned int rep)
{
	struct mode_ctx *c = arg;
	double t0 = bench_now();

	(void)rep;
	gmem_close(mode_vm(c->hardening));
	return bench_now() - t0;
}

static double op_convert(void *arg, unsigned int rep)
{
	struct mode_ctx *c = arg;
	double t0;

	(void)rep;
	c->off = bench_rand() % (FILE_SIZE / c->len) * c->len;
	bench_convert(c->fd, c->off, c->len, !c->to_private, PRESERVE);
	if (c->to_private)
		bench_populate(c->map + c->off, c->len);
	t0 = bench_now();
	bench_convert(c->fd, c->off, c->len, c->to_private,
		      c->to_private ? PRESERVE : ZERO);
	return bench_now() - t0;
}

static void open_mode(struct mode_ctx *c, unsigned int hardening)
{
	c->hardening = hardening;
	c->vm = mode_vm(hardening);
	c->fd = bench_gmem(c->vm, FILE_SIZE);
	c->map = bench_map(c->fd, FILE_SIZE);
}

static void close_mode(struct mode_ctx *c)
{
	gmem_munmap(c->map, FILE_SIZE);
	gmem_close(c->fd);
	gmem_close(c->vm);
}

static void row(const char *name, bench_fn fn, struct mode_ctx *hard,
		struct mode_ctx *plain, unsigned int reps)
{
	struct bench_row r = {
		.name = name,
		.backend = "memfd",
		.unit = BENCH_NS,
		.baseline_name = "the same in the default mode",
		.goal = { BENCH_GOAL_NONE, 0, NULL },
	};

	bench_pair(bench_reps(reps), fn, hard, fn, plain, &r.figure,
		   &r.baseline);
	bench_print(&r);
}

static void conversion_rows(void)
{
	static const uint64_t lens[] = { 4 * BENCH_KIB, 2 * BENCH_MIB };
	struct mode_ctx hard, plain;
	char name[96];

	open_mode(&hard, GMEM_HARDEN_NONDUMPABLE);
	open_mode(&plain, 0);
	for (size_t i = 0; i < 2; i++) {
		for (int dir = 0; dir < 2; dir++) {
			hard.len = plain.len = lens[i];
			hard.to_private = plain.to_private = !dir;
			snprintf(name, sizeof(name), "convert %s %s",
				 dir ? "private→shared ZERO"
				     : "shared→private PRESERVE",
				 i ? "2 MiB" : "4 KiB");
			row(name, op_convert, &hard, &plain, 400);
		}
	}
	close_mode(&hard);
	close_mode(&plain);
}

int main(int argc, char **argv)
{
	struct mode_ctx hard = { .hardening = GMEM_HARDEN_NONDUMPABLE };
	struct mode_ctx plain = { .hardening = 0 };

	bench_init(argc, argv,
		   "bench_hardening: the cost of the hardened mode");
	bench_table("A hardened VM (GMEM_HARDEN_NONDUMPABLE) against a "
		    "default one");
	if (bench_backend_wanted(GMEM_BACKEND_MEMFD)) {
		row("create and close a VM, the only one", op_create, &hard,
		    &plain, 2000);
		conversion_rows();
	}
	bench_note("Ratio: hardened / default. The mode costs two prctl(2) "
		   "calls when the first hardened VM begins and the last "
		   "ends, and nothing on the data path.");
	return bench_finish();
}
