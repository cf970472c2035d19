// SPDX-License-Identifier: MIT
/*
 * fallocate and ftruncate of a guest_memfd (docs/SEMANTICS.md R12,
 * R25..R29).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <linux/falloc.h>

#include "conformance.h"

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif

#define SHARED (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define FSIZE (4 * (int64_t)PAGE)	/* the file of every case here */
#define KEEP FALLOC_FL_KEEP_SIZE
#define PUNCH (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)
#define TIB (1LL << 40)
#define BIG 0x7ffffffffffff000LL	/* BIG + 2 pages overflows loff_t */

/* mode, off, len: one fallocate on a 4-page MMAP|INIT_SHARED file. */
static void run_falloc(struct env *e, const struct conf_case *c,
		       struct outcome *o)
{
	int fd = env_vm_gmem(e, FSIZE, SHARED, NULL);

	NEED(o, fd >= 0, "create");
	out_ret(o, e->d->fallocate(fd, c->mode, c->off, c->len));
}

/* mode | (1 << bit) for every bit 2..31, on the first page. */
static void run_mode_sweep(struct env *e, const struct conf_case *c,
			   struct outcome *o)
{
	int fd = env_vm_gmem(e, FSIZE, SHARED, NULL);
	struct sweep s = { 0 };
	int bit;

	NEED(o, fd >= 0, "create");
	for (bit = 2; bit < 32; bit++) {
		struct outcome one = { "" };
		int mode = c->mode | (int)(1U << bit);

		out_ret(&one, e->d->fallocate(fd, mode, 0, PAGE));
		sweep_note(&s, bit, &one);
	}
	sweep_out(o, &s);
}

/*
 * R29: pages 0..2 written through a mapping, page 1 punched: it reads 0
 * through the same mapping, its neighbours keep their bytes, and it can be
 * written again.
 */
static void run_punch_data(struct env *e, const struct conf_case *c,
			   struct outcome *o)
{
	int fd = env_vm_gmem(e, FSIZE, SHARED, NULL);
	uint8_t *p;
	int i;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	for (i = 0; i < 3; i++)
		NEED(o, !touch_write(p + i * PAGE + 1, 0x11 * (i + 1)), "write");
	out_ret(o, e->d->fallocate(fd, c->mode, c->off, c->len));
	for (i = 0; i < 3; i++)
		out_read(o, p + i * PAGE + 1);
	out_write(o, p + PAGE + 1, 0x77);
	out_read(o, p + PAGE + 1);
}

/* R28: allocating does not change what a page reads. */
static void run_alloc_keeps_data(struct env *e, const struct conf_case *c,
				 struct outcome *o)
{
	int fd = env_vm_gmem(e, FSIZE, SHARED, NULL);
	uint8_t *p;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, FSIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	NEED(o, !touch_write(p + 9, 0x42), "write");
	out_ret(o, e->d->fallocate(fd, c->mode, c->off, c->len));
	out_read(o, p + 9);
	out_read(o, p + FSIZE - 1);
}

/* len: ftruncate through the driver, then the size fstat reports. */
static void run_ftruncate(struct env *e, const struct conf_case *c,
			  struct outcome *o)
{
	int fd = env_vm_gmem(e, FSIZE, SHARED, NULL);
	struct stat st;

	NEED(o, fd >= 0, "create");
	out_ret(o, e->d->ftruncate(fd, c->len));
	NEED(o, !fstat(fd, &st), "fstat");
	out_add(o, "size %lld", (long long)st.st_size);
}

#define FA(n, r, m, o_, l, x) \
	{ .name = "fallocate/" n, .rule = r, .expect = x, .run = run_falloc, \
	  .mode = m, .off = o_, .len = l }
#define TRUNC(n, l) \
	{ .name = "ftruncate/" n, .rule = "R12", \
	  .expect = "-1 EINVAL, size 16384", .run = run_ftruncate, .len = l }

static const struct conf_case cases[] = {
	FA("mode 0", "R25", 0, 0, PAGE, "-1 EOPNOTSUPP"),
	FA("mode 0 unaligned", "R25", 0, 100, PAGE, "-1 EOPNOTSUPP"),
	FA("mode 0 len 0", "R26", 0, 0, 0, "-1 EINVAL"),
	FA("KEEP first page", "R28", KEEP, 0, PAGE, "0"),
	FA("KEEP last page", "R28", KEEP, FSIZE - PAGE, PAGE, "0"),
	FA("KEEP whole file", "R28", KEEP, 0, FSIZE, "0"),
	FA("KEEP at EOF", "R28", KEEP, FSIZE, PAGE, "-1 EINVAL"),
	FA("KEEP past EOF", "R28", KEEP, 2 * FSIZE, PAGE, "-1 EINVAL"),
	FA("KEEP straddling EOF", "R28", KEEP, FSIZE - PAGE, 2 * PAGE,
	   "-1 EINVAL"),
	FA("KEEP unaligned offset", "R27", KEEP, 100, PAGE, "-1 EINVAL"),
	FA("KEEP unaligned len", "R27", KEEP, 0, 100, "-1 EINVAL"),
	FA("KEEP unaligned past EOF", "R27", KEEP, 2 * FSIZE + 100, PAGE,
	   "-1 EINVAL"),
	FA("KEEP len 0", "R26", KEEP, 0, 0, "-1 EINVAL"),
	FA("KEEP len -4096", "R26", KEEP, 0, -4096, "-1 EINVAL"),
	FA("KEEP offset -4096", "R26", KEEP, -4096, PAGE, "-1 EINVAL"),
	FA("KEEP overflow", "R26", KEEP, BIG, 2 * PAGE, "-1 EFBIG"),
	FA("KEEP overflow unaligned", "R26", KEEP, BIG + 1, 2 * PAGE,
	   "-1 EFBIG"),
	FA("PUNCH in range", "R29", PUNCH, PAGE, PAGE, "0"),
	FA("PUNCH whole file", "R29", PUNCH, 0, FSIZE, "0"),
	FA("PUNCH at EOF", "R29", PUNCH, FSIZE, PAGE, "0"),
	FA("PUNCH past EOF", "R29", PUNCH, 2 * FSIZE, PAGE, "0"),
	FA("PUNCH 1 TiB past EOF", "R29", PUNCH, TIB, PAGE, "0"),
	FA("PUNCH straddling EOF", "R29", PUNCH, FSIZE - PAGE, 4 * PAGE, "0"),
	FA("PUNCH unaligned offset", "R27", PUNCH, 100, PAGE, "-1 EINVAL"),
	FA("PUNCH unaligned len", "R27", PUNCH, 0, 100, "-1 EINVAL"),
	FA("PUNCH unaligned past EOF", "R27", PUNCH, 2 * FSIZE, 100,
	   "-1 EINVAL"),
	FA("PUNCH len 0", "R26", PUNCH, 0, 0, "-1 EINVAL"),
	FA("PUNCH offset -4096", "R26", PUNCH, -4096, PAGE, "-1 EINVAL"),
	FA("PUNCH overflow", "R26", PUNCH, BIG, 2 * PAGE, "-1 EFBIG"),
	FA("PUNCH_HOLE without KEEP", "R25", FALLOC_FL_PUNCH_HOLE, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("ZERO_RANGE", "R25", FALLOC_FL_ZERO_RANGE, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("ZERO_RANGE|KEEP", "R25", FALLOC_FL_ZERO_RANGE | KEEP, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("COLLAPSE_RANGE", "R25", FALLOC_FL_COLLAPSE_RANGE, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("INSERT_RANGE", "R25", FALLOC_FL_INSERT_RANGE, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("UNSHARE_RANGE", "R25", FALLOC_FL_UNSHARE_RANGE, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("UNSHARE_RANGE|KEEP", "R25", FALLOC_FL_UNSHARE_RANGE | KEEP, 0,
	   PAGE, "-1 EOPNOTSUPP"),
	FA("WRITE_ZEROES", "R25", FALLOC_FL_WRITE_ZEROES, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	FA("unknown bit 0x100|KEEP", "R25", 0x100 | KEEP, 0, PAGE,
	   "-1 EOPNOTSUPP"),
	{ .name = "fallocate/mode bits 2..31 alone", .rule = "R25",
	  .expect = "all -1 EOPNOTSUPP", .run = run_mode_sweep },
	{ .name = "fallocate/mode bits 2..31 | KEEP", .rule = "R25",
	  .expect = "all -1 EOPNOTSUPP", .run = run_mode_sweep, .mode = KEEP },
	{ .name = "fallocate/punched page reads 0", .rule = "R29",
	  .expect = "0, ok 0x11, ok 0x00, ok 0x33, ok, ok 0x77",
	  .run = run_punch_data, .mode = PUNCH, .off = PAGE, .len = PAGE },
	{ .name = "fallocate/punch past EOF keeps data", .rule = "R29",
	  .expect = "0, ok 0x11, ok 0x22, ok 0x33, ok, ok 0x77",
	  .run = run_punch_data, .mode = PUNCH, .off = FSIZE, .len = PAGE },
	{ .name = "fallocate/allocate keeps data", .rule = "R28",
	  .expect = "0, ok 0x42, ok 0x00", .run = run_alloc_keeps_data,
	  .mode = KEEP, .off = 0, .len = FSIZE },
	TRUNC("same size", FSIZE),
	TRUNC("larger", 2 * FSIZE),
	TRUNC("smaller", PAGE),
	TRUNC("0", 0),
	TRUNC("-1", -1),
};

const struct case_group group_fallocate = {
	.name = "fallocate",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
