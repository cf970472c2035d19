// SPDX-License-Identifier: MIT
/*
 * The wrapped syscalls on fds that are not a guest_memfd: one that is not
 * open, a VM fd, the system fd: the kernel's generic answers, measured on
 * 6.18, which the library's descriptor rule (docs/SEMANTICS.md R105) must
 * also give.
 */
#include <errno.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include <linux/falloc.h>

#include "conformance.h"

enum which_fd { FD_CLOSED, FD_VM, FD_SYSTEM };
enum fd_op { OP_FALLOCATE, OP_FTRUNCATE, OP_MMAP, OP_CHECK_EXT, OP_CREATE,
	     OP_SET_REGION, OP_CLOSE };

static int which_fd(struct env *e, enum which_fd which)
{
	switch (which) {
	case FD_CLOSED: return closed_fd();
	case FD_VM: return env_vm(e);
	case FD_SYSTEM: return env_track(e, e->d->open_system());
	}
	return -1;
}

static void fd_op(struct env *e, int fd, enum fd_op op, struct outcome *o)
{
	struct kvm_create_guest_memfd args = { .size = PAGE };
	struct kvm_userspace_memory_region2 region = {
		.memory_size = PAGE,
	};
	void *p;

	switch (op) {
	case OP_FALLOCATE:
		out_ret(o, e->d->fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, PAGE));
		break;
	case OP_FTRUNCATE:
		out_ret(o, e->d->ftruncate(fd, PAGE));
		break;
	case OP_MMAP:
		p = env_mmap(e, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		out_map(o, p);
		break;
	case OP_CHECK_EXT:
		out_ret(o, e->d->ioctl(fd, KVM_CHECK_EXTENSION,
				       KVM_CAP_GUEST_MEMFD));
		break;
	case OP_CREATE:
		out_fd(o, env_track(e, e->d->ioctl(fd, KVM_CREATE_GUEST_MEMFD,
						   (unsigned long)&args)));
		break;
	case OP_SET_REGION:
		out_ret(o, e->d->ioctl(fd, KVM_SET_USER_MEMORY_REGION2,
				       (unsigned long)&region));
		break;
	case OP_CLOSE:
		out_ret(o, e->d->close(fd));
		break;
	}
}

/* arg: which fd; mode: the operation. */
static void run_fd_op(struct env *e, const struct conf_case *c,
		      struct outcome *o)
{
	int fd = which_fd(e, c->arg);

	NEED(o, fd >= 0, "open");
	fd_op(e, fd, c->mode, o);
}

#define FDOP(n, which, op, x) \
	{ .name = "fds/" n, .rule = "R105", .expect = x, .run = run_fd_op, \
	  .arg = which, .mode = op }

static const struct conf_case cases[] = {
	FDOP("fallocate closed fd", FD_CLOSED, OP_FALLOCATE, "-1 EBADF"),
	FDOP("ftruncate closed fd", FD_CLOSED, OP_FTRUNCATE, "-1 EBADF"),
	FDOP("mmap closed fd", FD_CLOSED, OP_MMAP, "MAP_FAILED EBADF"),
	FDOP("CHECK_EXTENSION closed fd", FD_CLOSED, OP_CHECK_EXT,
	     "-1 EBADF"),
	FDOP("CREATE_GUEST_MEMFD closed fd", FD_CLOSED, OP_CREATE, "-1 EBADF"),
	FDOP("SET_USER_MEMORY_REGION2 closed fd", FD_CLOSED, OP_SET_REGION,
	     "-1 EBADF"),
	FDOP("close closed fd", FD_CLOSED, OP_CLOSE, "-1 EBADF"),
	FDOP("fallocate VM fd", FD_VM, OP_FALLOCATE, "-1 ENODEV"),
	FDOP("ftruncate VM fd", FD_VM, OP_FTRUNCATE, "-1 EINVAL"),
	FDOP("mmap VM fd", FD_VM, OP_MMAP, "MAP_FAILED ENODEV"),
	FDOP("fallocate system fd", FD_SYSTEM, OP_FALLOCATE, "-1 ENODEV"),
	FDOP("ftruncate system fd", FD_SYSTEM, OP_FTRUNCATE, "-1 EINVAL"),
	FDOP("mmap system fd", FD_SYSTEM, OP_MMAP, "MAP_FAILED ENODEV"),
	FDOP("SET_USER_MEMORY_REGION2 system fd", FD_SYSTEM, OP_SET_REGION,
	     "-1 EINVAL"),
};

const struct case_group group_fds = {
	.name = "fds",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
