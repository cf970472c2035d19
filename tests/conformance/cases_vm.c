// SPDX-License-Identifier: MIT
/*
 * VM creation and KVM_CHECK_EXTENSION (docs/SEMANTICS.md R0.2, R0.3), as
 * measured on 6.18.
 *
 * Only what the library and the 6.18 kernel must answer alike is here: VM
 * type 0 and unknown types (the library also accepts 1, 4, 5 and 1UL << 31
 * by design), and the kernel's own capabilities. The conversion series'
 * capabilities (248..250) are the library's alone and not compared.
 */
#include <errno.h>
#include <sys/ioctl.h>

#include "conformance.h"

/* arg: the VM type. */
static void run_create_vm(struct env *e, const struct conf_case *c,
			  struct outcome *o)
{
	int vm = env_track(e, e->d->create_vm(c->arg));

	out_fd(o, vm);
}

/* Where to ask: mode 0 the system fd, 1 a default VM's fd. */
static int cap_fd(struct env *e, const struct conf_case *c)
{
	if (c->mode)
		return env_vm(e);
	return env_track(e, e->d->open_system());
}

/* arg: the capability; the answer in decimal. */
static void run_cap(struct env *e, const struct conf_case *c,
		    struct outcome *o)
{
	int fd = cap_fd(e, c);
	int ret;

	NEED(o, fd >= 0, c->mode ? "create_vm" : "open_system");
	ret = e->d->ioctl(fd, KVM_CHECK_EXTENSION, c->arg);
	out_ret(o, ret);
}

/* arg: the capability; whether bit 0 (the default VM type) is set. */
static void run_cap_bit0(struct env *e, const struct conf_case *c,
			 struct outcome *o)
{
	int fd = cap_fd(e, c);
	int ret;

	NEED(o, fd >= 0, c->mode ? "create_vm" : "open_system");
	ret = e->d->ioctl(fd, KVM_CHECK_EXTENSION, c->arg);
	if (ret < 0)
		out_ret(o, ret);
	else
		out_set(o, "bit0 %d", ret & 1);
}

#define VM_TYPE(n, t, x) \
	{ .name = n, .rule = "R0.3", .expect = x, .run = run_create_vm, \
	  .arg = t }
#define CAP(n, cap, on_vm, x) \
	{ .name = n, .rule = "R0.2", .expect = x, .run = run_cap, \
	  .arg = cap, .mode = on_vm }

static const struct conf_case cases[] = {
	VM_TYPE("vm/type 0 (DEFAULT)", KVM_X86_DEFAULT_VM, "fd"),
	VM_TYPE("vm/type 2 (SEV, unknown)", 2, "-1 EINVAL"),
	VM_TYPE("vm/type 3 (SEV_ES, unknown)", 3, "-1 EINVAL"),
	VM_TYPE("vm/type 6 (unknown)", 6, "-1 EINVAL"),

	CAP("cap/system USER_MEMORY2 (231)", KVM_CAP_USER_MEMORY2, 0, "1"),
	CAP("cap/vm USER_MEMORY2 (231)", KVM_CAP_USER_MEMORY2, 1, "1"),
	CAP("cap/system MEMORY_FAULT_INFO (232)", KVM_CAP_MEMORY_FAULT_INFO, 0,
	    "1"),
	CAP("cap/vm MEMORY_FAULT_INFO (232)", KVM_CAP_MEMORY_FAULT_INFO, 1,
	    "1"),
	CAP("cap/system MEMORY_ATTRIBUTES (233)", KVM_CAP_MEMORY_ATTRIBUTES, 0,
	    "0"),
	CAP("cap/vm MEMORY_ATTRIBUTES (233)", KVM_CAP_MEMORY_ATTRIBUTES, 1,
	    "0"),
	CAP("cap/system GUEST_MEMFD (234)", KVM_CAP_GUEST_MEMFD, 0, "1"),
	CAP("cap/vm GUEST_MEMFD (234)", KVM_CAP_GUEST_MEMFD, 1, "1"),
	{ .name = "cap/system VM_TYPES (235) has DEFAULT", .rule = "R0.2",
	  .expect = "bit0 1", .run = run_cap_bit0, .arg = KVM_CAP_VM_TYPES },
	{ .name = "cap/vm VM_TYPES (235) has DEFAULT", .rule = "R0.2",
	  .expect = "bit0 1", .run = run_cap_bit0, .arg = KVM_CAP_VM_TYPES,
	  .mode = 1 },
	CAP("cap/system GUEST_MEMFD_FLAGS (244)", KVM_CAP_GUEST_MEMFD_FLAGS, 0,
	    "3"),
	CAP("cap/vm GUEST_MEMFD_FLAGS (244)", KVM_CAP_GUEST_MEMFD_FLAGS, 1,
	    "3"),
	CAP("cap/system EXIT_HYPERCALL (201)", KVM_CAP_EXIT_HYPERCALL, 0,
	    "4096"),
	CAP("cap/vm EXIT_HYPERCALL (201)", KVM_CAP_EXIT_HYPERCALL, 1, "4096"),
};

const struct case_group group_vm = {
	.name = "vm",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
