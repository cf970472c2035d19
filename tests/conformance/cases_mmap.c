// SPDX-License-Identifier: MIT
/*
 * mmap of a guest_memfd and touching the mapping (docs/SEMANTICS.md
 * R17..R24).
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/falloc.h>

#include "conformance.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif
#ifndef MAP_SHARED_VALIDATE
#define MAP_SHARED_VALIDATE 0x03
#endif

#define SHARED (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define RW (PROT_READ | PROT_WRITE)
#define GIB (1L << 30)

/*
 * One step of a touch script: read or write a byte of the mapping, or act
 * on the file or the mapping in between.
 */
enum touch_op {
	T_END,
	T_READ,		/* out: "ok 0xNN" or the signal */
	T_WRITE,	/* out: "ok" or the signal */
	T_ALLOC,	/* fallocate(KEEP_SIZE) of the page at 'at' */
	T_MADVISE,	/* madvise(val) of the page at 'at' */
	T_MSYNC,	/* msync(MS_SYNC) of the page at 'at' */
	T_MLOCK,	/* mlock of the page at 'at' */
	T_MPROTECT,	/* mprotect(val) of the whole mapping */
};

struct touch {
	enum touch_op op;
	long at;	/* byte offset in the mapping */
	int val;
};

#define SCRIPT(...) ((const struct touch[]){ __VA_ARGS__, { T_END, 0, 0 } })

/* size, gflags: the file; len, mode (prot), mflags, off: the mapping. */
static void run_mmap(struct env *e, const struct conf_case *c,
		     struct outcome *o)
{
	int fd = env_vm_gmem(e, c->size, c->gflags, NULL);
	void *p;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, c->len, c->mode, c->mflags, fd, c->off);
	out_map(o, p);
}

static void touch_step(struct env *e, int fd, uint8_t *p, size_t len,
		       const struct touch *t, struct outcome *o)
{
	uint8_t *at = p + t->at;

	switch (t->op) {
	case T_READ:
		out_read(o, at);
		break;
	case T_WRITE:
		out_write(o, at, t->val);
		break;
	case T_ALLOC:
		out_ret(o, e->d->fallocate(fd, FALLOC_FL_KEEP_SIZE, t->at,
					   PAGE));
		break;
	case T_MADVISE:
		out_ret(o, madvise(at, PAGE, t->val));
		break;
	case T_MSYNC:
		out_ret(o, msync(at, PAGE, MS_SYNC));
		break;
	case T_MLOCK:
		/* The raw call: AddressSanitizer makes mlock() a no-op. */
		out_ret(o, syscall(SYS_mlock, at, PAGE));
		munlock(at, PAGE);
		break;
	case T_MPROTECT:
		out_ret(o, mprotect(p, len, t->val));
		break;
	case T_END:
		break;
	}
}

/* As run_mmap, then the script in data (file offsets = mapping offsets). */
static void run_touch(struct env *e, const struct conf_case *c,
		      struct outcome *o)
{
	int fd = env_vm_gmem(e, c->size, c->gflags, NULL);
	const struct touch *t;
	uint8_t *p;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, c->len, c->mode, c->mflags, fd, c->off);
	NEED(o, p != MAP_FAILED, "mmap");
	for (t = c->data; t->op != T_END; t++)
		touch_step(e, fd, p, c->len, t, o);
}

/* R23: what was written is there after munmap and a new mmap. */
static void run_persist(struct env *e, const struct conf_case *c,
			struct outcome *o)
{
	int fd = env_vm_gmem(e, c->size, c->gflags, NULL);
	uint8_t *p;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, c->size, RW, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	out_write(o, p + PAGE + 7, 0x5a);
	out_ret(o, env_munmap(e, p));
	p = env_mmap(e, c->size, PROT_READ, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap again");
	out_read(o, p + PAGE + 7);
	out_read(o, p);
}

/* R23: two mappings, the second at file offset off, see the same bytes. */
static void run_coherent(struct env *e, const struct conf_case *c,
			 struct outcome *o)
{
	int fd = env_vm_gmem(e, c->size, c->gflags, NULL);
	uint8_t *a, *b;

	NEED(o, fd >= 0, "create");
	a = env_mmap(e, c->size, RW, MAP_SHARED, fd, 0);
	b = env_mmap(e, c->size - c->off, RW, MAP_SHARED, fd, c->off);
	NEED(o, a != MAP_FAILED && b != MAP_FAILED, "mmap");
	out_write(o, a + c->off + 3, 0x5a);
	out_read(o, b + 3);
	out_write(o, b + 5, 0xa5);
	out_read(o, a + c->off + 5);
}

/* R24: mremap of a mapping to a bigger size. */
static void run_mremap(struct env *e, const struct conf_case *c,
		       struct outcome *o)
{
	int fd = env_vm_gmem(e, c->size, c->gflags, NULL);
	uint8_t *p, *q;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, PAGE, RW, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	NEED(o, !touch_write(p, 0x33), "write");
	q = mremap(p, PAGE, c->size, MREMAP_MAYMOVE);
	out_map(o, q);
	NEED(o, q != MAP_FAILED, "mremap");
	/* p was the last mapping made: cleanup now releases q instead */
	e->maps[e->nmaps - 1].addr = q;
	e->maps[e->nmaps - 1].len = c->size;
	out_read(o, q);
	out_read(o, q + c->size - 1);
}

#define MAP(n, r, sz, gf, l, pr, mf, o_, x) \
	{ .name = "mmap/" n, .rule = r, .expect = x, .run = run_mmap, \
	  .size = sz, .gflags = gf, .len = l, .mode = pr, .mflags = mf, \
	  .off = o_ }
#define TOUCH(n, r, sz, gf, l, pr, o_, x, ...) \
	{ .name = "touch/" n, .rule = r, .expect = x, .run = run_touch, \
	  .size = sz, .gflags = gf, .len = l, .mode = pr, \
	  .mflags = MAP_SHARED, .off = o_, .data = SCRIPT(__VA_ARGS__) }

static const struct conf_case cases[] = {
	MAP("no MMAP flag, MAP_SHARED", "R17", 2 * PAGE, 0, 2 * PAGE, RW,
	    MAP_SHARED, 0, "MAP_FAILED ENODEV"),
	MAP("no MMAP flag, MAP_PRIVATE", "R17", 2 * PAGE, 0, 2 * PAGE, RW,
	    MAP_PRIVATE, 0, "MAP_FAILED ENODEV"),
	MAP("INIT_SHARED without MMAP", "R17", 2 * PAGE,
	    GUEST_MEMFD_FLAG_INIT_SHARED, 2 * PAGE, RW, MAP_SHARED, 0,
	    "MAP_FAILED ENODEV"),
	MAP("MAP_PRIVATE", "R18", 2 * PAGE, SHARED, 2 * PAGE, RW, MAP_PRIVATE,
	    0, "MAP_FAILED EINVAL"),
	MAP("MAP_PRIVATE PROT_READ", "R18", 2 * PAGE, SHARED, 2 * PAGE,
	    PROT_READ, MAP_PRIVATE, 0, "MAP_FAILED EINVAL"),
	MAP("MAP_SHARED RW", "R18", 2 * PAGE, SHARED, 2 * PAGE, RW, MAP_SHARED,
	    0, "mapped"),
	MAP("MAP_SHARED PROT_READ", "R18", 2 * PAGE, SHARED, 2 * PAGE,
	    PROT_READ, MAP_SHARED, 0, "mapped"),
	MAP("MAP_SHARED PROT_NONE", "R18", 2 * PAGE, SHARED, 2 * PAGE,
	    PROT_NONE, MAP_SHARED, 0, "mapped"),
	MAP("MAP_SHARED_VALIDATE", "R18", 2 * PAGE, SHARED, 2 * PAGE, RW,
	    MAP_SHARED_VALIDATE, 0, "mapped"),
	MAP("MMAP without INIT_SHARED", "R22", 2 * PAGE,
	    GUEST_MEMFD_FLAG_MMAP, 2 * PAGE, RW, MAP_SHARED, 0, "mapped"),
	MAP("PROT_EXEC", "R19", 2 * PAGE, SHARED, 2 * PAGE,
	    PROT_READ | PROT_EXEC, MAP_SHARED, 0, "MAP_FAILED EPERM"),
	MAP("PROT_EXEC RW", "R19", 2 * PAGE, SHARED, 2 * PAGE,
	    RW | PROT_EXEC, MAP_SHARED, 0, "MAP_FAILED EPERM"),
	MAP("offset 100", "R19", 2 * PAGE, SHARED, PAGE, RW, MAP_SHARED, 100,
	    "MAP_FAILED EINVAL"),
	MAP("length 0", "R19", 2 * PAGE, SHARED, 0, RW, MAP_SHARED, 0,
	    "MAP_FAILED EINVAL"),
	MAP("offset == size", "R20", 2 * PAGE, SHARED, PAGE, RW, MAP_SHARED,
	    2 * PAGE, "mapped"),
	MAP("offset 1 GiB", "R20", 2 * PAGE, SHARED, PAGE, RW, MAP_SHARED, GIB,
	    "mapped"),
	MAP("length 16x size", "R20", 2 * PAGE, SHARED, 32 * PAGE, RW,
	    MAP_SHARED, 0, "mapped"),

	TOUCH("fresh pages read 0", "R23", 2 * PAGE, SHARED, 2 * PAGE, RW, 0,
	      "ok 0x00, ok 0x00", { T_READ, 0, 0 }, { T_READ, 2 * PAGE - 1, 0 }),
	TOUCH("write then read", "R23", 2 * PAGE, SHARED, 2 * PAGE, RW, 0,
	      "ok, ok 0x5a, ok 0x00", { T_WRITE, 10, 0x5a }, { T_READ, 10, 0 },
	      { T_READ, 11, 0 }),
	TOUCH("read at EOF", "R21", 2 * PAGE, SHARED, 4 * PAGE, RW, 0,
	      "SIGBUS", { T_READ, 2 * PAGE, 0 }),
	TOUCH("write at EOF", "R21", 2 * PAGE, SHARED, 4 * PAGE, RW, 0,
	      "SIGBUS", { T_WRITE, 2 * PAGE, 1 }),
	TOUCH("read past EOF", "R21", 2 * PAGE, SHARED, 4 * PAGE, RW, 0,
	      "SIGBUS", { T_READ, 3 * PAGE + 100, 0 }),
	TOUCH("last byte before EOF", "R21", 2 * PAGE, SHARED, 4 * PAGE, RW, 0,
	      "ok, ok 0x07", { T_WRITE, 2 * PAGE - 1, 7 },
	      { T_READ, 2 * PAGE - 1, 0 }),
	TOUCH("mapping at offset == size", "R21", 2 * PAGE, SHARED, PAGE, RW,
	      2 * PAGE, "SIGBUS, SIGBUS", { T_READ, 0, 0 }, { T_WRITE, 0, 1 }),
	TOUCH("mapping at 1 GiB", "R21", 2 * PAGE, SHARED, PAGE, RW, GIB,
	      "SIGBUS", { T_READ, 0, 0 }),
	TOUCH("16x mapping, last page", "R21", 2 * PAGE, SHARED, 32 * PAGE,
	      RW, 0, "ok 0x00, SIGBUS", { T_READ, PAGE, 0 },
	      { T_READ, 31 * PAGE, 0 }),
	TOUCH("PROT_READ read", "R23", 2 * PAGE, SHARED, 2 * PAGE, PROT_READ,
	      0, "ok 0x00", { T_READ, 0, 0 }),
	TOUCH("PROT_READ write", "R23", 2 * PAGE, SHARED, 2 * PAGE, PROT_READ,
	      0, "SIGSEGV", { T_WRITE, 0, 1 }),
	TOUCH("PROT_NONE read", "R18", 2 * PAGE, SHARED, 2 * PAGE, PROT_NONE,
	      0, "SIGSEGV", { T_READ, 0, 0 }),
	TOUCH("PROT_READ mprotect RW", "R23", 2 * PAGE, SHARED, 2 * PAGE,
	      PROT_READ, 0, "0, ok, ok 0x44", { T_MPROTECT, 0, RW },
	      { T_WRITE, 0, 0x44 }, { T_READ, 0, 0 }),
	TOUCH("no INIT_SHARED read", "R22", 2 * PAGE, GUEST_MEMFD_FLAG_MMAP,
	      2 * PAGE, RW, 0, "SIGBUS", { T_READ, 0, 0 }),
	TOUCH("no INIT_SHARED write", "R22", 2 * PAGE, GUEST_MEMFD_FLAG_MMAP,
	      2 * PAGE, RW, 0, "SIGBUS", { T_WRITE, PAGE, 1 }),
	TOUCH("no INIT_SHARED after fallocate", "R22", 2 * PAGE,
	      GUEST_MEMFD_FLAG_MMAP, 2 * PAGE, RW, 0, "0, SIGBUS, SIGBUS",
	      { T_ALLOC, 0, 0 }, { T_READ, 0, 0 }, { T_WRITE, 0, 1 }),
	TOUCH("fallocated page reads 0", "R28", 2 * PAGE, SHARED, 2 * PAGE,
	      RW, 0, "0, ok 0x00", { T_ALLOC, PAGE, 0 }, { T_READ, PAGE, 0 }),
	TOUCH("MADV_DONTNEED keeps data", "R24", 2 * PAGE, SHARED, 2 * PAGE,
	      RW, 0, "ok, 0, ok 0x66", { T_WRITE, 0, 0x66 },
	      { T_MADVISE, 0, MADV_DONTNEED }, { T_READ, 0, 0 }),
	TOUCH("MADV_REMOVE zeroes", "R24", 2 * PAGE, SHARED, 2 * PAGE, RW, 0,
	      "ok, ok, 0, ok 0x00, ok 0x67", { T_WRITE, 0, 0x66 },
	      { T_WRITE, PAGE, 0x67 }, { T_MADVISE, 0, MADV_REMOVE },
	      { T_READ, 0, 0 }, { T_READ, PAGE, 0 }),
	TOUCH("MADV_POPULATE_READ past EOF", "R24", 2 * PAGE, SHARED,
	      4 * PAGE, RW, 0, "-1 EFAULT",
	      { T_MADVISE, 2 * PAGE, MADV_POPULATE_READ }),
	TOUCH("MADV_POPULATE_WRITE private", "R24", 2 * PAGE,
	      GUEST_MEMFD_FLAG_MMAP, 2 * PAGE, RW, 0, "-1 EFAULT",
	      { T_MADVISE, 0, MADV_POPULATE_WRITE }),
	TOUCH("MADV_POPULATE_WRITE in range", "R24", 2 * PAGE, SHARED,
	      2 * PAGE, RW, 0, "0, ok 0x00",
	      { T_MADVISE, 0, MADV_POPULATE_WRITE }, { T_READ, 0, 0 }),
	/* msync(2) is not wrapped: on the memfd backend it syncs a memfd. */
	{ .name = "touch/msync", .rule = "R13", .expect = "ok, -1 EINVAL",
	  .run = run_touch, .size = 2 * PAGE, .gflags = SHARED,
	  .len = 2 * PAGE, .mode = RW, .mflags = MAP_SHARED, .off = 0,
	  .data = SCRIPT({ T_WRITE, 0, 1 }, { T_MSYNC, 0, 0 }),
	  .unpromised_way = "gmem-memfd",
	  .unpromised_why = "plain msync of a memfd mapping" },
	TOUCH("mlock past EOF", "R24", 2 * PAGE, SHARED, 4 * PAGE, RW, 0,
	      "-1 ENOMEM", { T_MLOCK, 2 * PAGE, 0 }),
	{ .name = "touch/persists across munmap+mmap", .rule = "R23",
	  .expect = "ok, 0, ok 0x5a, ok 0x00", .run = run_persist,
	  .size = 2 * PAGE, .gflags = SHARED },
	{ .name = "touch/two mappings coherent", .rule = "R23",
	  .expect = "ok, ok 0x5a, ok, ok 0xa5", .run = run_coherent,
	  .size = 2 * PAGE, .gflags = SHARED },
	{ .name = "touch/offset mapping coherent", .rule = "R23",
	  .expect = "ok, ok 0x5a, ok, ok 0xa5", .run = run_coherent,
	  .size = 3 * PAGE, .gflags = SHARED, .off = PAGE },
	{ .name = "touch/mremap grow", .rule = "R24",
	  .expect = "mapped, ok 0x33, ok 0x00", .run = run_mremap,
	  .size = 2 * PAGE, .gflags = SHARED },
};

const struct case_group group_mmap = {
	.name = "mmap",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
