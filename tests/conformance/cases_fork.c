// SPDX-License-Identifier: MIT
/*
 * A child of fork() and the VM its parent made (docs/SEMANTICS.md R110).
 * The kernel answers every ioctl on a VM fd from a process other than the
 * one whose mm created the VM with EIO, whatever the request; /dev/kvm
 * serves every process, and a child may close what it inherited or make
 * a VM of its own. The kernel way runs live wherever /dev/kvm opens.
 */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "conformance.h"

typedef void child_fn(struct env *e, int fd, struct outcome *o);

/* `fn` in a child of this process, handed `fd`; the child's outcome. */
static void in_child(struct env *e, int fd, child_fn *fn, struct outcome *o)
{
	struct outcome child = { { 0 } };
	int pipefd[2], status;
	pid_t pid;

	NEED(o, pipe(pipefd) == 0, "pipe");
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		fn(e, fd, &child);
		_exit(write(pipefd[1], child.s, sizeof(child.s)) !=
		      (ssize_t)sizeof(child.s));
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		out_setup(o, "fork");
		return;
	}
	if (read(pipefd[0], child.s, sizeof(child.s)) != sizeof(child.s))
		strcpy(child.s, "(no outcome)");
	close(pipefd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	child.s[sizeof(child.s) - 1] = '\0';
	out_set(o, "%s", child.s);
}

static void child_check_extension(struct env *e, int fd, struct outcome *o)
{
	out_ret(o, e->d->ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2));
}

static void child_create_gmem(struct env *e, int fd, struct outcome *o)
{
	struct kvm_create_guest_memfd args = { .size = PAGE };

	out_ret(o,
		e->d->ioctl(fd, KVM_CREATE_GUEST_MEMFD, (unsigned long)&args));
}

static void child_set_region2(struct env *e, int fd, struct outcome *o)
{
	struct kvm_userspace_memory_region2 r = { .memory_size = 0 };

	out_ret(o, e->d->ioctl(fd, KVM_SET_USER_MEMORY_REGION2,
			       (unsigned long)&r));
}

static void child_close(struct env *e, int fd, struct outcome *o)
{
	out_ret(o, e->d->close(fd));
}

static void child_own_vm(struct env *e, int fd, struct outcome *o)
{
	int vm = e->d->create_vm(KVM_X86_DEFAULT_VM);

	(void)fd;
	if (vm < 0) {
		out_fd(o, vm);
		return;
	}
	out_ret(o, e->d->ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2));
	e->d->close(vm);
}

/* data: the child's half, on the parent's VM fd. */
static void run_on_parents_vm(struct env *e, const struct conf_case *c,
			      struct outcome *o)
{
	int vm = env_vm(e);

	NEED(o, vm >= 0, "create_vm");
	in_child(e, vm, (child_fn *)c->data, o);
}

/* data: the child's half, on the parent's system fd. */
static void run_on_parents_system(struct env *e, const struct conf_case *c,
				  struct outcome *o)
{
	int sys = env_track(e, e->d->open_system());

	NEED(o, sys >= 0, "open_system");
	in_child(e, sys, (child_fn *)c->data, o);
}

/* The child closes its copy of the VM fd; then the parent asks it. */
static void run_child_close_keeps_parents(struct env *e,
					  const struct conf_case *c,
					  struct outcome *o)
{
	struct outcome parent = { { 0 } };
	int vm = env_vm(e);

	(void)c;
	NEED(o, vm >= 0, "create_vm");
	in_child(e, vm, child_close, o);
	out_ret(&parent,
		e->d->ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY2));
	out_add(o, "parent %s", parent.s);
}

#define FORK_CASE(n, fn, child, x)                                             \
	{                                                                      \
		.name = n, .rule = "R110", .expect = x, .run = fn,             \
		.data = (const void *)(child), .kernel_kvm_only = true         \
	}

static const struct conf_case cases[] = {
	FORK_CASE("fork/child CHECK_EXTENSION on the parent's VM",
		  run_on_parents_vm, child_check_extension, "-1 EIO"),
	FORK_CASE("fork/child CREATE_GUEST_MEMFD on the parent's VM",
		  run_on_parents_vm, child_create_gmem, "-1 EIO"),
	FORK_CASE("fork/child SET_USER_MEMORY_REGION2 on the parent's VM",
		  run_on_parents_vm, child_set_region2, "-1 EIO"),
	FORK_CASE("fork/child CHECK_EXTENSION on the parent's system fd",
		  run_on_parents_system, child_check_extension, "1"),
	FORK_CASE("fork/child makes and asks its own VM", run_on_parents_system,
		  child_own_vm, "1"),
	FORK_CASE("fork/child closes the parent's VM, the parent's stays",
		  run_child_close_keeps_parents, NULL, "0, parent 1"),
};

const struct case_group group_fork = {
	.name = "fork",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
