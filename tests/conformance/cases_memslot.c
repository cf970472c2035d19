// SPDX-License-Identifier: MIT
/*
 * Binding a guest_memfd to guest physical addresses with
 * KVM_SET_USER_MEMORY_REGION2 (docs/SEMANTICS.md R32..R36).
 *
 * A case is a short script of memslot calls on one default VM with one
 * 4-page guest_memfd; its outcome lists the answer of every call.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "conformance.h"

#define G KVM_MEM_GUEST_MEMFD
#define SHARED (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define GPA 0x100000ULL
#define FILE_PAGES 4
#define ANON_PAGES 8

/* What the guest_memfd field of a step names. */
enum fd_kind {
	FD_GMEM,	/* the case's guest_memfd */
	FD_GMEM2,	/* a second guest_memfd of the same VM */
	FD_OTHER_VM,	/* a guest_memfd of another VM */
	FD_CLOSED,	/* an fd number that is not open */
	FD_MINUS1,	/* (u32)-1 */
	FD_MEMFD,	/* a memfd */
	FD_SYSTEM,	/* the system (/dev/kvm) fd */
	FD_VM,		/* the VM fd itself */
	FD_BOGUS,	/* 12345, not open */
};

/* What the userspace_addr field of a step holds. */
enum ua_kind {
	UA_ZERO,	/* 0 */
	UA_ANON,	/* a page-aligned anonymous mapping */
	UA_UNALIGNED,	/* that mapping + 1 */
	UA_KERNEL,	/* a kernel address */
};

enum slot_act {
	S_END,
	S_SET,		/* KVM_SET_USER_MEMORY_REGION2 */
	S_CLOSE_GMEM,	/* close the case's guest_memfd */
	S_BAD_POINTER,	/* KVM_SET_USER_MEMORY_REGION2 with a bad pointer */
};

struct slot_step {
	enum slot_act act;
	uint32_t slot;
	uint32_t flags;
	uint64_t gpa;
	uint64_t pages;		/* memory_size in pages */
	uint64_t bytes;		/* added to memory_size */
	uint64_t off;		/* guest_memfd_offset in bytes */
	enum fd_kind fd;
	enum ua_kind ua;
	uint32_t pad1;
	int pad2_at;		/* 1 + index of a pad2 word set to 1; 0 none */
};

struct slot_env {
	struct env *e;
	int vm;
	int gmem;
	uint8_t *anon;
	uint64_t size;
};

static int other_vm_gmem(struct slot_env *s)
{
	return env_vm_gmem(s->e, FILE_PAGES * PAGE, SHARED, NULL);
}

static int step_fd(struct slot_env *s, enum fd_kind kind)
{
	switch (kind) {
	case FD_GMEM: return s->gmem;
	case FD_GMEM2: return env_gmem(s->e, s->vm, FILE_PAGES * PAGE, SHARED);
	case FD_OTHER_VM: return other_vm_gmem(s);
	case FD_CLOSED: return closed_fd();
	case FD_MINUS1: return -1;
	case FD_MEMFD: return env_memfd(s->e, FILE_PAGES * PAGE);
	case FD_SYSTEM: return env_track(s->e, s->e->d->open_system());
	case FD_VM: return s->vm;
	case FD_BOGUS: return 12345;
	}
	return -1;
}

static uint64_t step_ua(const struct slot_env *s, enum ua_kind kind)
{
	switch (kind) {
	case UA_ZERO: return 0;
	case UA_ANON: return (uintptr_t)s->anon;
	case UA_UNALIGNED: return (uintptr_t)s->anon + 1;
	case UA_KERNEL: return 0xffff800000000000ULL;
	}
	return 0;
}

static void step_set(struct slot_env *s, const struct slot_step *t,
		     struct outcome *o)
{
	struct kvm_userspace_memory_region2 r;

	memset(&r, 0, sizeof(r));
	r.slot = t->slot;
	r.flags = t->flags;
	r.guest_phys_addr = t->gpa;
	r.memory_size = t->pages * PAGE + t->bytes;
	r.userspace_addr = step_ua(s, t->ua);
	r.guest_memfd_offset = t->off;
	r.guest_memfd = (uint32_t)step_fd(s, t->fd);
	r.pad1 = t->pad1;
	if (t->pad2_at)
		r.pad2[t->pad2_at - 1] = 1;
	out_ret(o, s->e->d->ioctl(s->vm, KVM_SET_USER_MEMORY_REGION2,
				  (unsigned long)&r));
}

static void step_run(struct slot_env *s, const struct slot_step *t,
		     struct outcome *o)
{
	switch (t->act) {
	case S_SET:
		step_set(s, t, o);
		break;
	case S_CLOSE_GMEM:
		out_ret(o, env_close(s->e, s->gmem));
		break;
	case S_BAD_POINTER:
		out_ret(o, s->e->d->ioctl(s->vm, KVM_SET_USER_MEMORY_REGION2,
					  (unsigned long)bad_pointer()));
		break;
	case S_END:
		break;
	}
}

/* size: the guest_memfd's size (default 4 pages); data: the script. */
static void run_slots(struct env *e, const struct conf_case *c,
		      struct outcome *o)
{
	struct slot_env s = { .e = e, .size = c->size };
	const struct slot_step *t;

	if (!s.size)
		s.size = FILE_PAGES * PAGE;
	s.gmem = env_vm_gmem(e, s.size, SHARED, &s.vm);
	NEED(o, s.gmem >= 0, "create");
	s.anon = env_anon(e, ANON_PAGES * PAGE);
	NEED(o, s.anon != MAP_FAILED, "anon mmap");
	for (t = c->data; t->act != S_END; t++)
		step_run(&s, t, o);
}

#define STEPS(...) ((const struct slot_step[]){ __VA_ARGS__, { .act = S_END } })
/* Bind slot sl at gpa to pages [off, off + n) of the file. */
#define BIND(sl, gpa_, n, off_) \
	{ .act = S_SET, .slot = sl, .flags = G, .gpa = gpa_, .pages = n, \
	  .off = (off_) * PAGE }
#define DELETE(sl, gpa_, off_) \
	{ .act = S_SET, .slot = sl, .flags = G, .gpa = gpa_, .pages = 0, \
	  .off = (off_) * PAGE }
#define SLOT(n, r, x, ...) \
	{ .name = "memslot/" n, .rule = r, .expect = x, .run = run_slots, \
	  .data = STEPS(__VA_ARGS__) }

static const struct conf_case cases[] = {
	SLOT("bind", "R33", "0", BIND(0, GPA, 2, 0)),
	SLOT("bind whole file", "R33", "0", BIND(0, GPA, 4, 0)),
	SLOT("bind with anon userspace_addr", "R34", "0",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .ua = UA_ANON }),
	SLOT("second file of the VM", "R33", "0, 0", BIND(0, GPA, 2, 0),
	     { .act = S_SET, .slot = 1, .flags = G, .gpa = 2 * GPA,
	       .pages = 2, .fd = FD_GMEM2 }),
	SLOT("fd -1", "R33", "-1 EBADF",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .fd = FD_MINUS1 }),
	SLOT("closed fd", "R33", "-1 EBADF",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .fd = FD_CLOSED }),
	SLOT("memfd", "R33", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .fd = FD_MEMFD }),
	SLOT("system fd", "R33", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .fd = FD_SYSTEM }),
	SLOT("VM fd", "R33", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2, .fd = FD_VM }),
	SLOT("other VM's guest_memfd", "R33", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .fd = FD_OTHER_VM }),
	SLOT("offset unaligned", "R33", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 1, .off = 100 }),
	SLOT("offset+size beyond size", "R33", "-1 EINVAL", BIND(0, GPA, 2, 3)),
	SLOT("offset == size", "R33", "-1 EINVAL", BIND(0, GPA, 1, 4)),
	SLOT("offset negative", "R33", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 1,
	       .off = 1ULL << 63 }),
	SLOT("overlapping file range", "R33", "0, -1 EINVAL",
	     BIND(0, GPA, 2, 0), BIND(1, 2 * GPA, 2, 1)),
	SLOT("identical file range, other slot", "R33", "0, -1 EINVAL",
	     BIND(0, GPA, 2, 0), BIND(1, 2 * GPA, 2, 0)),
	SLOT("adjacent file ranges", "R33", "0, 0", BIND(0, GPA, 2, 0),
	     BIND(1, 2 * GPA, 2, 2)),
	SLOT("GPA overlap", "R34", "0, -1 EEXIST", BIND(0, GPA, 2, 0),
	     BIND(1, GPA + PAGE, 2, 2)),
	SLOT("+LOG_DIRTY_PAGES", "R34", "-1 EINVAL",
	     { .act = S_SET, .flags = G | KVM_MEM_LOG_DIRTY_PAGES, .gpa = GPA,
	       .pages = 2 }),
	SLOT("+READONLY", "R34", "-1 EINVAL",
	     { .act = S_SET, .flags = G | KVM_MEM_READONLY, .gpa = GPA,
	       .pages = 2 }),
	SLOT("userspace_addr unaligned", "R34", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .ua = UA_UNALIGNED }),
	SLOT("userspace_addr kernel", "R34", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .ua = UA_KERNEL }),
	SLOT("pad1 non-zero", "R34", "0",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2, .pad1 = 1 }),
	/*
	 * An early reading had pad2 != 0 as EINVAL, but the 6.18 kernel
	 * accepts it: pad2 is not checked, as pad1 is not (R34).
	 */
	SLOT("pad2[0] non-zero", "R34", "0",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2, .pad2_at = 1 }),
	SLOT("pad2[13] non-zero", "R34", "0",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 2,
	       .pad2_at = 14 }),
	SLOT("GPA unaligned", "R34", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA + 100, .pages = 2 }),
	SLOT("memory_size unaligned", "R34", "-1 EINVAL",
	     { .act = S_SET, .flags = G, .gpa = GPA, .pages = 1,
	       .bytes = 100 }),
	SLOT("flag absent ignores guest_memfd", "R32", "0",
	     { .act = S_SET, .flags = 0, .gpa = GPA, .pages = 2, .off = 100 }),
	SLOT("flag absent, bogus fd", "R32", "0",
	     { .act = S_SET, .flags = 0, .gpa = GPA, .pages = 2,
	       .fd = FD_BOGUS }),
	SLOT("re-issue identical", "R35", "0, -1 EINVAL", BIND(0, GPA, 2, 0),
	     BIND(0, GPA, 2, 0)),
	SLOT("move", "R35", "0, -1 EINVAL", BIND(0, GPA, 2, 0),
	     BIND(0, 2 * GPA, 2, 0)),
	SLOT("flag change (GUEST_MEMFD dropped)", "R35", "0, -1 EINVAL",
	     BIND(0, GPA, 2, 0),
	     { .act = S_SET, .slot = 0, .flags = 0, .gpa = GPA, .pages = 2 }),
	SLOT("delete a slot that does not exist", "R35", "-1 EINVAL",
	     DELETE(3, GPA, 0)),
	SLOT("delete, rebind range elsewhere", "R35", "0, 0, 0",
	     BIND(0, GPA, 2, 0), DELETE(0, GPA, 0), BIND(1, 2 * GPA, 2, 0)),
	SLOT("delete, re-add slot", "R35", "0, 0, 0", BIND(0, GPA, 2, 0),
	     DELETE(0, GPA, 0), BIND(0, GPA, 2, 0)),
	SLOT("close gmem while bound, delete", "R36", "0, 0, 0",
	     BIND(0, GPA, 2, 0), { .act = S_CLOSE_GMEM }, DELETE(0, GPA, 0)),
	SLOT("bad pointer", "R33", "-1 EFAULT", { .act = S_BAD_POINTER }),
	{ .name = "memslot/last page of a 2^62-byte file", .rule = "R33",
	  .expect = "0", .run = run_slots, .size = 1ULL << 62,
	  .data = STEPS({ .act = S_SET, .flags = G, .gpa = GPA, .pages = 1,
			  .off = (1ULL << 62) - PAGE }) },
	{ .name = "memslot/offset 2^62 of a 2^62-byte file", .rule = "R33",
	  .expect = "-1 EINVAL", .run = run_slots, .size = 1ULL << 62,
	  .data = STEPS({ .act = S_SET, .flags = G, .gpa = GPA, .pages = 1,
			  .off = 1ULL << 62 }) },
};

const struct case_group group_memslot = {
	.name = "memslot",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
