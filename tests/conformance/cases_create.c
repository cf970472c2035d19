// SPDX-License-Identifier: MIT
/*
 * KVM_CREATE_GUEST_MEMFD (docs/SEMANTICS.md R1..R6, R8).
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/falloc.h>

#include "conformance.h"

#define MMAP_SHARED_FLAGS (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

static int create(struct env *e, int vm, struct kvm_create_guest_memfd *args)
{
	return env_track(e, e->d->ioctl(vm, KVM_CREATE_GUEST_MEMFD,
					(unsigned long)args));
}

/* size, gflags: one creation on a default VM. */
static void run_create(struct env *e, const struct conf_case *c,
		       struct outcome *o)
{
	int vm = env_vm(e);
	int fd;

	NEED(o, vm >= 0, "create_vm");
	fd = env_gmem(e, vm, c->size, c->gflags);
	out_fd(o, fd);
}

/* The VM ioctl issued on the system fd. */
static void run_create_on_system(struct env *e, const struct conf_case *c,
				 struct outcome *o)
{
	int sys = env_track(e, e->d->open_system());
	struct kvm_create_guest_memfd args = {
		.size = c->size,
		.flags = c->gflags,
	};

	NEED(o, sys >= 0, "open_system");
	out_fd(o, create(e, sys, &args));
}

static void run_create_bad_pointer(struct env *e, const struct conf_case *c,
				   struct outcome *o)
{
	int vm = env_vm(e);
	int fd;

	(void)c;
	NEED(o, vm >= 0, "create_vm");
	fd = env_track(e, e->d->ioctl(vm, KVM_CREATE_GUEST_MEMFD,
				      (unsigned long)bad_pointer()));
	out_fd(o, fd);
}

/* size; gflags is OR-ed to each unknown bit 2..63 in turn. */
static void run_flag_sweep(struct env *e, const struct conf_case *c,
			   struct outcome *o)
{
	struct sweep s = { 0 };
	int vm = env_vm(e);
	int bit;

	NEED(o, vm >= 0, "create_vm");
	for (bit = 2; bit < 64; bit++) {
		struct kvm_create_guest_memfd args = {
			.size = c->size,
			.flags = c->gflags | (1ULL << bit),
		};
		int fd = create(e, vm, &args);
		struct outcome one = { "" };

		out_fd(&one, fd);
		sweep_note(&s, bit, &one);
		if (fd >= 0)
			env_close(e, fd);
	}
	sweep_out(o, &s);
}

/* size, gflags; reserved[i] = 1 for each i in turn. */
static void run_reserved_sweep(struct env *e, const struct conf_case *c,
			       struct outcome *o)
{
	struct sweep s = { 0 };
	int vm = env_vm(e);
	int i;

	NEED(o, vm >= 0, "create_vm");
	for (i = 0; i < 6; i++) {
		struct kvm_create_guest_memfd args = {
			.size = c->size,
			.flags = c->gflags,
		};
		struct outcome one = { "" };
		int fd;

		args.reserved[i] = 1;
		fd = create(e, vm, &args);
		out_fd(&one, fd);
		sweep_note(&s, i, &one);
		if (fd >= 0)
			env_close(e, fd);
	}
	sweep_out(o, &s);
}

/* R8: with the VM fd closed the file still allocates, maps and keeps data. */
static void run_outlives_vm(struct env *e, const struct conf_case *c,
			    struct outcome *o)
{
	int vm, fd = env_vm_gmem(e, c->size, c->gflags, &vm);
	uint8_t *p;

	NEED(o, fd >= 0, "create");
	out_ret(o, env_close(e, vm));
	out_ret(o, e->d->fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, c->size));
	p = env_mmap(e, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	out_map(o, p);
	NEED(o, p != MAP_FAILED, "mmap");
	out_write(o, p, 0x5a);
	out_ret(o, env_munmap(e, p));
	p = env_mmap(e, c->size, PROT_READ, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap again");
	out_read(o, p);
}

/* R8: a mapping keeps working after the guest_memfd fd is closed. */
static void run_mapping_outlives_fd(struct env *e, const struct conf_case *c,
				    struct outcome *o)
{
	int fd = env_vm_gmem(e, c->size, c->gflags, NULL);
	uint8_t *p;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, c->size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	NEED(o, !touch_write(p, 9), "write");
	out_ret(o, env_close(e, fd));
	out_read(o, p);
	out_write(o, p + 1, 10);
}

#define SIZE(n, sz, x) \
	{ .name = "create/size " n, .rule = "R3", .expect = x, \
	  .run = run_create, .size = sz, .gflags = MMAP_SHARED_FLAGS }
#define FLAGS(n, fl, x) \
	{ .name = "create/flags " n, .rule = "R6", .expect = x, \
	  .run = run_create, .size = 2 * PAGE, .gflags = fl }

static const struct conf_case cases[] = {
	{ .name = "create/on system fd", .rule = "R1", .expect = "-1 EINVAL",
	  .run = run_create_on_system, .size = 2 * PAGE,
	  .gflags = MMAP_SHARED_FLAGS },
	SIZE("0", 0, "-1 EINVAL"),
	SIZE("1", 1, "-1 EINVAL"),
	SIZE("4095", 4095, "-1 EINVAL"),
	SIZE("4096", 4096, "fd"),
	SIZE("4097", 4097, "-1 EINVAL"),
	SIZE("6144", 6144, "-1 EINVAL"),
	SIZE("1<<63", 1ULL << 63, "-1 EINVAL"),
	SIZE("-4096", -4096ULL, "-1 EINVAL"),
	SIZE("1<<40", 1ULL << 40, "fd"),
	SIZE("1<<62", 1ULL << 62, "fd"),
	SIZE("(1<<63)-4096", (1ULL << 63) - 4096, "fd"),
	FLAGS("0", 0, "fd"),
	FLAGS("MMAP", GUEST_MEMFD_FLAG_MMAP, "fd"),
	FLAGS("INIT_SHARED (no MMAP)", GUEST_MEMFD_FLAG_INIT_SHARED, "fd"),
	FLAGS("MMAP|INIT_SHARED", MMAP_SHARED_FLAGS, "fd"),
	{ .name = "create/flag bits 2..63 alone", .rule = "R2",
	  .expect = "all -1 EINVAL", .run = run_flag_sweep, .size = 2 * PAGE },
	{ .name = "create/flag bits 2..63 | MMAP|INIT_SHARED", .rule = "R2",
	  .expect = "all -1 EINVAL", .run = run_flag_sweep, .size = 2 * PAGE,
	  .gflags = MMAP_SHARED_FLAGS },
	{ .name = "create/reserved[0..5] = 1", .rule = "R4",
	  .expect = "all fd", .run = run_reserved_sweep, .size = 2 * PAGE,
	  .gflags = MMAP_SHARED_FLAGS },
	{ .name = "create/bad pointer", .rule = "R5", .expect = "-1 EFAULT",
	  .run = run_create_bad_pointer },
	{ .name = "create/usable after VM fd closed", .rule = "R8",
	  .expect = "0, 0, mapped, ok, 0, ok 0x5a", .run = run_outlives_vm,
	  .size = 2 * PAGE, .gflags = MMAP_SHARED_FLAGS },
	{ .name = "create/mapping outlives gmem fd", .rule = "R8",
	  .expect = "0, ok 0x09, ok", .run = run_mapping_outlives_fd,
	  .size = 2 * PAGE, .gflags = MMAP_SHARED_FLAGS },
};

const struct case_group group_create = {
	.name = "create",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
