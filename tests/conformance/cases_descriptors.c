// SPDX-License-Identifier: MIT
/*
 * The descriptors themselves (docs/SEMANTICS.md R92): the descriptor
 * flags (F_GETFD) and file status flags (F_GETFL) of the system fd, a VM
 * fd and a guest_memfd, and of their copies by dup(2) and
 * F_DUPFD_CLOEXEC: a copy has its own descriptor flags and shares the
 * open file's status flags (set O_NONBLOCK on the copy, read it on the
 * original).
 *
 * The system and VM cases need only /dev/kvm, so the kernel answers them
 * live on any host with KVM; the guest_memfd cases need the kernel's
 * guest_memfd, and elsewhere its recorded answers stand in.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "conformance.h"

enum which_obj { OBJ_SYSTEM, OBJ_VM, OBJ_GMEM };
enum copy_how { COPY_NONE, COPY_DUP, COPY_DUPFD_CLOEXEC };

static int object_fd(struct env *e, enum which_obj which)
{
	switch (which) {
	case OBJ_SYSTEM:
		return env_track(e, e->d->open_system());
	case OBJ_VM:
		return env_vm(e);
	case OBJ_GMEM:
		return env_vm_gmem(e, PAGE, GUEST_MEMFD_FLAG_MMAP, NULL);
	}
	return -1;
}

static void out_flags(struct outcome *o, int fd)
{
	out_add(o, "getfd %d getfl 0%o", fcntl(fd, F_GETFD),
		fcntl(fd, F_GETFL));
}

/* A copy made as `how` says, its flags, and the status flags it shares
 * with the original. */
static void out_copy(struct outcome *o, int fd, enum copy_how how)
{
	int copy = how == COPY_DUP ? dup(fd) : fcntl(fd, F_DUPFD_CLOEXEC, 0);
	int fl;

	NEED(o, copy >= 0, "copy");
	out_flags(o, copy);
	fl = fcntl(copy, F_GETFL);
	if (fcntl(copy, F_SETFL, fl | O_NONBLOCK))
		out_add(o, "F_SETFL failed");
	else
		out_add(o, "original getfl 0%o", fcntl(fd, F_GETFL));
	close(copy);
}

/* arg: which object; mode: how it is copied. */
static void run_flags(struct env *e, const struct conf_case *c,
		      struct outcome *o)
{
	int fd = object_fd(e, c->arg);

	NEED(o, fd >= 0, "object");
	if (c->mode == COPY_NONE)
		out_flags(o, fd);
	else
		out_copy(o, fd, c->mode);
}

/* A copy is the same object: a VM's copy answers the VM's ioctls (an
 * unknown capability reads 0 on every kernel; a file that is not a VM
 * answers ENOTTY). */
static void run_vm_copy_ioctl(struct env *e, const struct conf_case *c,
			      struct outcome *o)
{
	int vm = env_vm(e);
	int copy = vm < 0 ? -1 : env_track(e, dup(vm));

	(void)c;
	NEED(o, copy >= 0, "VM copy");
	out_ret(o, e->d->ioctl(copy, KVM_CHECK_EXTENSION, 0xffff));
}

/* A guest_memfd's copy maps the same memory. */
static void run_gmem_copy_mmap(struct env *e, const struct conf_case *c,
			       struct outcome *o)
{
	int fd = env_vm_gmem(
		e, PAGE, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
		NULL);
	int copy = fd < 0 ? -1 : env_track(e, dup(fd));
	uint8_t *p, *q;

	(void)c;
	NEED(o, copy >= 0, "guest_memfd copy");
	p = env_mmap(e, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	p[0] = 0x5a;
	q = env_mmap(e, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, copy, 0);
	out_map(o, q);
	if (q != MAP_FAILED)
		out_read(o, q);
}

#define FLAGS(n, obj, how, kvm_only, x)                                        \
	{                                                                      \
		.name = "desc/" n, .rule = "R92", .expect = x,                 \
		.run = run_flags, .arg = obj, .mode = how,                     \
		.kernel_kvm_only = kvm_only                                    \
	}

static const struct conf_case cases[] = {
	FLAGS("system fd (open O_RDWR)", OBJ_SYSTEM, COPY_NONE, true,
	      "getfd 0 getfl 0100002"),
	FLAGS("system fd dup", OBJ_SYSTEM, COPY_DUP, true,
	      "getfd 0 getfl 0100002, original getfl 0104002"),
	FLAGS("system fd F_DUPFD_CLOEXEC", OBJ_SYSTEM, COPY_DUPFD_CLOEXEC, true,
	      "getfd 1 getfl 0100002, original getfl 0104002"),
	FLAGS("VM fd", OBJ_VM, COPY_NONE, true, "getfd 1 getfl 02"),
	FLAGS("VM fd dup", OBJ_VM, COPY_DUP, true,
	      "getfd 0 getfl 02, original getfl 04002"),
	FLAGS("VM fd F_DUPFD_CLOEXEC", OBJ_VM, COPY_DUPFD_CLOEXEC, true,
	      "getfd 1 getfl 02, original getfl 04002"),
	FLAGS("guest_memfd", OBJ_GMEM, COPY_NONE, false,
	      "getfd 0 getfl 0100002"),
	FLAGS("guest_memfd dup", OBJ_GMEM, COPY_DUP, false,
	      "getfd 0 getfl 0100002, original getfl 0104002"),
	FLAGS("guest_memfd F_DUPFD_CLOEXEC", OBJ_GMEM, COPY_DUPFD_CLOEXEC,
	      false, "getfd 1 getfl 0100002, original getfl 0104002"),
	{ .name = "desc/VM fd dup answers KVM_CHECK_EXTENSION",
	  .rule = "R92",
	  .expect = "0",
	  .run = run_vm_copy_ioctl,
	  .kernel_kvm_only = true },
	{ .name = "desc/guest_memfd dup maps the same memory",
	  .rule = "R92",
	  .expect = "mapped, ok 0x5a",
	  .run = run_gmem_copy_mmap },
};

const struct case_group group_descriptors = {
	.name = "descriptors",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
