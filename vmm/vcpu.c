// SPDX-License-Identifier: MIT
/*
 * vCPUs: one thread each, one KVM_RUN loop, one switch on the exit reason.
 *
 * Every vCPU starts at the program's entry in flat 32-bit protected mode:
 * the segment registers are loaded directly through KVM_SET_SREGS (base 0,
 * limit 4 GiB, 32-bit), CR0.PE is set and paging is off, so no real-mode
 * trampoline and no GDT in guest memory are needed. The boot registers of
 * abi.h tell the program who it is and how to make hypercalls.
 *
 * Port I/O is the guest's only device: a table maps each port to its
 * handler. An exit handler returns VCPU_CONTINUE, VCPU_DONE when the
 * guest has reported its result, or -errno.
 *
 * Stopping: a vCPU is kicked out of KVM_RUN with SIGUSR1, whose handler
 * sets the thread's kvm_run.immediate_exit, so that a signal that arrives
 * while the thread is outside KVM_RUN still stops the next one. The main
 * thread kicks every vCPU on a timeout, and a vCPU that fails kicks the
 * others.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

#define X86_CR0_PE	 (1ULL << 0)
#define X86_CR0_PG	 (1ULL << 31)
#define X86_RFLAGS_FIXED (1ULL << 1)

enum { VCPU_CONTINUE = 0, VCPU_DONE = 1 };

static __thread struct kvm_run *kick_run;

static void kick_handler(int sig)
{
	(void)sig;
	if (kick_run)
		kick_run->immediate_exit = 1;
}

static void install_kick_handler(void)
{
	struct sigaction sa = { .sa_handler = kick_handler };

	/* No SA_RESTART: KVM_RUN must return EINTR. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
}

/* Make SIGUSR1 cut short the calling thread's KVM_RUN on `run`. */
void vcpu_arm_kick(struct kvm_run *run)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;

	pthread_once(&once, install_kick_handler);
	kick_run = run;
}

void vcpus_kick_all(struct vm *vm)
{
	atomic_store(&vm->stopping, true);
	for (unsigned int i = 0; i < vm->cfg.nr_vcpus; i++)
		if (atomic_load(&vm->vcpus[i].started))
			pthread_kill(vm->vcpus[i].thread, SIGUSR1);
}

/* ---- state ---- */

static void flat_segment(struct kvm_segment *seg, uint16_t selector,
			 uint8_t type)
{
	*seg = (struct kvm_segment){
		.base = 0,
		.limit = 0xffffffff,
		.selector = selector,
		.type = type,
		.present = 1,
		.s = 1,	 /* code or data */
		.db = 1, /* 32-bit */
		.g = 1,	 /* limit in pages */
	};
}

int vcpu_init_flat_mode(int vcpu_fd)
{
	struct kvm_sregs sregs;

	if (ioctl(vcpu_fd, KVM_GET_SREGS, &sregs))
		return -errno;
	flat_segment(&sregs.cs, 0x08, 0xb); /* execute/read, accessed */
	flat_segment(&sregs.ds, 0x10, 0x3); /* read/write, accessed */
	sregs.es = sregs.fs = sregs.gs = sregs.ss = sregs.ds;
	sregs.cr0 = (sregs.cr0 | X86_CR0_PE) & ~X86_CR0_PG;
	sregs.cr4 = 0;
	sregs.efer = 0;
	if (ioctl(vcpu_fd, KVM_SET_SREGS, &sregs))
		return -errno;
	return 0;
}

/*
 * The registers of a vCPU in an exit. With KVM_CAP_SYNC_REGS, KVM stores
 * them in kvm_run on every exit and loads them back on entry when marked
 * dirty, which saves the two ioctls that otherwise cost more than the
 * exit itself on this host.
 */
int vcpu_get_regs(struct vcpu *vcpu, struct kvm_regs *regs)
{
	if (vcpu->soft_regs) {
		*regs = *vcpu->soft_regs;
		return 0;
	}
	if (vcpu->sync_regs) {
		*regs = vcpu->run->s.regs.regs;
		return 0;
	}
	if (ioctl(vcpu->fd, KVM_GET_REGS, regs)) {
		pr_err("vCPU %u: KVM_GET_REGS: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

int vcpu_set_regs(struct vcpu *vcpu, const struct kvm_regs *regs)
{
	if (vcpu->soft_regs) {
		*vcpu->soft_regs = *regs;
		return 0;
	}
	if (vcpu->sync_regs) {
		vcpu->run->s.regs.regs = *regs;
		vcpu->run->kvm_dirty_regs |= KVM_SYNC_X86_REGS;
		return 0;
	}
	if (ioctl(vcpu->fd, KVM_SET_REGS, regs)) {
		pr_err("vCPU %u: KVM_SET_REGS: %s", vcpu->id, strerror(errno));
		return -errno;
	}
	return 0;
}

static int vcpu_boot_regs(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	struct kvm_regs regs = {
		.rip = GVM_LOAD_ADDR,
		.rflags = X86_RFLAGS_FIXED, /* interrupts off */
		.rax = GVM_BOOT_MAGIC,
		.rbx = vcpu->id,
		.rcx = vm->cfg.nr_vcpus,
		.rdx = vm->mem.size,
		.rsi = (uint64_t)vm->transport,
		.rdi = (uint32_t)vm->cfg.type,
		.rbp = vm->cfg.arg,
	};

	return vcpu_set_regs(vcpu, &regs);
}

static int vcpu_create(struct vm *vm, unsigned int id)
{
	struct vcpu *vcpu = &vm->vcpus[id];
	int err;

	vcpu->vm = vm;
	vcpu->id = id;
	vcpu->fd = ioctl(vm->kvm_vm, KVM_CREATE_VCPU, id);
	if (vcpu->fd < 0) {
		pr_err("KVM_CREATE_VCPU %u: %s", id, strerror(errno));
		return -errno;
	}
	vcpu->run = mmap(NULL, (size_t)vm->kvm.vcpu_mmap_size,
			 PROT_READ | PROT_WRITE, MAP_SHARED, vcpu->fd, 0);
	if (vcpu->run == MAP_FAILED) {
		vcpu->run = NULL;
		pr_err("mmap of vCPU %u: %s", id, strerror(errno));
		return -errno;
	}
	err = vcpu_init_flat_mode(vcpu->fd);
	if (err) {
		pr_err("vCPU %u: protected mode: %s", id, strerror(-err));
		return err;
	}
	err = vcpu_boot_regs(vcpu);
	if (!err && vm->kvm.sync_regs) {
		/* From the first exit on, which fills kvm_run's copy. */
		vcpu->run->kvm_valid_regs = KVM_SYNC_X86_REGS;
		vcpu->sync_regs = true;
	}
	return err;
}

int vcpus_create(struct vm *vm)
{
	for (unsigned int i = 0; i < vm->cfg.nr_vcpus; i++) {
		int err = vcpu_create(vm, i);

		if (err)
			return err;
	}
	return 0;
}

void vcpus_destroy(struct vm *vm)
{
	for (unsigned int i = 0; i < GVM_MAX_VCPUS; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (vcpu->run)
			munmap(vcpu->run, (size_t)vm->kvm.vcpu_mmap_size);
		if (vcpu->fd >= 0)
			close(vcpu->fd);
		vcpu->run = NULL;
		vcpu->fd = -1;
	}
}

/* ---- exits ---- */

/* GVM_PORT_EXIT: the guest's result; any status but 0 is a failure. */
static int exit_port_out(struct vcpu *vcpu, const void *data, size_t len)
{
	uint32_t status = 0;

	memcpy(&status, data, len < sizeof(status) ? len : sizeof(status));
	console_flush(vcpu);
	vcpu->status = status <= INT_MAX ? (int)status : 1;
	if (status)
		say(vcpu->vm, "vmm", "vCPU %u reports a failure (status %u)",
		    vcpu->id, status);
	return VCPU_DONE;
}

static const struct ioport {
	uint16_t port;
	int (*out)(struct vcpu *vcpu, const void *data, size_t len);
} ioports[] = {
	{ GVM_PORT_CONSOLE, console_out },
	{ GVM_PORT_EXIT, exit_port_out },
	{ GVM_PORT_HYPERCALL, hypercall_from_port },
	{ GVM_PORT_TESTDEV, testdev_out },
};

/* A guest's `out` to `port`: the device's answer (VCPU_CONTINUE,
 * VCPU_DONE or -errno). Also the software guest's way in. */
int vcpu_port_out(struct vcpu *vcpu, uint16_t port, const void *data,
		  size_t len)
{
	for (size_t i = 0; i < sizeof(ioports) / sizeof(ioports[0]); i++)
		if (ioports[i].port == port)
			return ioports[i].out(vcpu, data, len);
	pr_err("vCPU %u: write to port %#x, which gmem-vm does not have",
	       vcpu->id, port);
	return -EIO;
}

static int vcpu_io(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	const uint8_t *data = (const uint8_t *)run + run->io.data_offset;

	if (run->io.direction != KVM_EXIT_IO_OUT) {
		pr_err("vCPU %u: read of port %#x, which gmem-vm does not have",
		       vcpu->id, run->io.port);
		return -EIO;
	}
	return vcpu_port_out(vcpu, run->io.port, data,
			     (size_t)run->io.size * run->io.count);
}

static void vcpu_dump(struct vcpu *vcpu)
{
	struct kvm_regs r;

	if (ioctl(vcpu->fd, KVM_GET_REGS, &r))
		return;
	pr_err("vCPU %u: eip %#llx esp %#llx eax %#llx ebx %#llx ecx %#llx edx "
	       "%#llx",
	       vcpu->id, r.rip, r.rsp, r.rax, r.rbx, r.rcx, r.rdx);
}

/* kvm_run's memory_fault member (Linux 6.8), which older <linux/kvm.h>
 * lacks; like every exit's member it starts the union. */
struct memory_fault_exit {
	__u64 flags;
	__u64 gpa;
	__u64 size;
};

static void vcpu_memory_fault(struct vcpu *vcpu)
{
	const struct memory_fault_exit *f = (const void *)&vcpu->run->mmio;

	pr_err("vCPU %u: %s access to gpa %#llx +%llu, which is not", vcpu->id,
	       f->flags & KVM_MEMORY_EXIT_FLAG_PRIVATE ? "private" : "shared",
	       f->gpa, f->size);
}

/* The one switch on the exit reason. */
static int vcpu_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	switch (run->exit_reason) {
	case KVM_EXIT_IO:
		return vcpu_io(vcpu);
	case KVM_EXIT_HYPERCALL:
		return hypercall_from_exit(vcpu);
	case KVM_EXIT_HLT:
		pr_err("vCPU %u halted without reporting a result", vcpu->id);
		break;
	case KVM_EXIT_MMIO:
		pr_err("vCPU %u: %s of %u bytes at gpa %#llx, outside RAM",
		       vcpu->id, run->mmio.is_write ? "write" : "read",
		       run->mmio.len, run->mmio.phys_addr);
		break;
	case KVM_EXIT_MEMORY_FAULT:
		vcpu_memory_fault(vcpu);
		break;
	case KVM_EXIT_SHUTDOWN:
		pr_err("vCPU %u shut down (a triple fault)", vcpu->id);
		break;
	case KVM_EXIT_INTERNAL_ERROR:
		pr_err("vCPU %u: KVM internal error, suberror %u%s", vcpu->id,
		       run->internal.suberror,
		       run->internal.suberror == KVM_INTERNAL_ERROR_EMULATION
			       ? " (emulation failed)"
			       : "");
		break;
	case KVM_EXIT_FAIL_ENTRY:
		pr_err("vCPU %u: entry failed, reason %#llx", vcpu->id,
		       run->fail_entry.hardware_entry_failure_reason);
		break;
	default:
		pr_err("vCPU %u: unexpected exit reason %u", vcpu->id,
		       run->exit_reason);
		break;
	}
	vcpu_dump(vcpu);
	return -EIO;
}

static int vcpu_loop(struct vcpu *vcpu)
{
	for (;;) {
		int ret;

		if (atomic_load(&vcpu->vm->stopping))
			return -EINTR;
		if (ioctl(vcpu->fd, KVM_RUN, 0) < 0) {
			if (errno != EINTR) {
				pr_err("vCPU %u: KVM_RUN: %s", vcpu->id,
				       strerror(errno));
				return -errno;
			}
			vcpu->run->immediate_exit = 0;
			continue;
		}
		ret = vcpu_exit(vcpu);
		if (ret)
			return ret < 0 ? ret : 0;
	}
}

static void *vcpu_thread(void *arg)
{
	struct vcpu *vcpu = arg;
	struct vm *vm = vcpu->vm;
	int ret;

	vcpu_arm_kick(vcpu->run);
	ret = vcpu_loop(vcpu);
	console_flush(vcpu);
	if (ret)
		vcpu->status = ret;
	if (ret && ret != -EINTR)
		vcpus_kick_all(vm);
	pthread_mutex_lock(&vm->lock);
	vm->running--;
	pthread_cond_signal(&vm->done);
	pthread_mutex_unlock(&vm->lock);
	return NULL;
}

/* Wait for every vCPU, at most the configured timeout: whether it ran
 * out (and the vCPUs were stopped). */
static bool vcpus_wait(struct vm *vm)
{
	struct timespec deadline;
	int err = 0;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += vm->cfg.timeout_s;
	pthread_mutex_lock(&vm->lock);
	while (vm->running && err != ETIMEDOUT)
		err = vm->cfg.timeout_s
			      ? pthread_cond_timedwait(&vm->done, &vm->lock,
						       &deadline)
			      : pthread_cond_wait(&vm->done, &vm->lock);
	pthread_mutex_unlock(&vm->lock);
	if (err != ETIMEDOUT)
		return false;
	pr_err("the guest did not finish in %u s", vm->cfg.timeout_s);
	vcpus_kick_all(vm);
	return true;
}

static int vcpu_start(struct vcpu *vcpu)
{
	struct vm *vm = vcpu->vm;
	int err;

	vcpu->status = 0;
	pthread_mutex_lock(&vm->lock);
	vm->running++;
	pthread_mutex_unlock(&vm->lock);
	err = pthread_create(&vcpu->thread, NULL, vcpu_thread, vcpu);
	if (err) {
		pr_err("vCPU %u: pthread_create: %s", vcpu->id, strerror(err));
		pthread_mutex_lock(&vm->lock);
		vm->running--;
		pthread_mutex_unlock(&vm->lock);
		vcpu->status = -err;
		return -err;
	}
	atomic_store(&vcpu->started, true);
	return 0;
}

/*
 * The VM's result from its vCPUs': an error of the VMM first (not the
 * -EINTR of a vCPU stopped because of another), then a guest that did
 * not finish in time or reported a failure (1), else 0.
 */
static int vcpus_result(struct vm *vm, bool timed_out)
{
	int result = timed_out ? 1 : 0;

	for (unsigned int i = 0; i < vm->cfg.nr_vcpus; i++) {
		int status = vm->vcpus[i].status;

		if (status < 0 && status != -EINTR)
			return status;
		if (status > 0)
			result = 1;
		else if (status == -EINTR && !timed_out && !result)
			result = -EINTR;
	}
	return result;
}

int vcpus_run(struct vm *vm)
{
	bool timed_out;

	atomic_store(&vm->stopping, false);
	for (unsigned int i = 0; i < vm->cfg.nr_vcpus; i++) {
		if (vcpu_start(&vm->vcpus[i])) {
			vcpus_kick_all(vm);
			break;
		}
	}
	timed_out = vcpus_wait(vm);
	for (unsigned int i = 0; i < vm->cfg.nr_vcpus; i++) {
		struct vcpu *vcpu = &vm->vcpus[i];

		if (atomic_load(&vcpu->started))
			pthread_join(vcpu->thread, NULL);
		atomic_store(&vcpu->started, false);
	}
	return vcpus_result(vm, timed_out);
}
