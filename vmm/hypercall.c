// SPDX-License-Identifier: MIT
/*
 * KVM_HC_MAP_GPA_RANGE, the guest's conversion request, by either road.
 *
 * The real hypercall: with KVM_CAP_EXIT_HYPERCALL enabled for
 * KVM_HC_MAP_GPA_RANGE, KVM turns a guest's VMCALL into KVM_EXIT_HYPERCALL
 * with the three arguments in kvm_run, and writes hypercall.ret to RAX
 * when the vCPU runs again. Where the capability is missing, or where the
 * exit never arrives (on the software-virtualised KVM of our development
 * machines a VMCALL never completes: the vCPU stays on the instruction),
 * the guest makes the same request with `out %eax, $GVM_PORT_HYPERCALL`
 * and the arguments in the same registers.
 *
 * hypercall_probe() finds out which, once, before any guest runs: it
 * runs a VMCALL in a scratch VM and waits for the exit at most
 * PROBE_TIMEOUT_MS. Both roads end in hypercall_handle(), and from there
 * in convert(); only the reading of arguments and writing of results
 * differ. The extra registers (ESI in, EBX/ECX out) go through
 * vcpu_get_regs()/vcpu_set_regs() on both.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "vmm.h"

#ifndef sigev_notify_thread_id
#define sigev_notify_thread_id _sigev_un._tid
#endif

#define PROBE_TIMEOUT_MS	 100
#define PROBE_MEM_SIZE		 0x2000
#define MAP_GPA_RANGE_ATTRIBUTES 0x1f /* page size (3:0), encrypted (4) */

struct hypercall {
	uint64_t nr;
	uint64_t gpa;
	uint64_t npages;
	uint64_t attributes;
	uint32_t expected; /* ESI: GVM_MODE_*, GVM_HC_DRY_RUN */
	struct conversion_result result;
};

static void hypercall_handle(struct vcpu *vcpu, struct hypercall *hc)
{
	struct conversion c = {
		.gpa = hc->gpa,
		.npages = hc->npages,
		.to_private = hc->attributes & KVM_MAP_GPA_RANGE_ENCRYPTED,
		.expected = hc->expected,
		.by_guest = true,
	};

	if (hc->nr != KVM_HC_MAP_GPA_RANGE) {
		hc->result = (struct conversion_result){ .ret = -ENOSYS };
		return;
	}
	if (hc->attributes & ~(uint64_t)MAP_GPA_RANGE_ATTRIBUTES) {
		hc->result = (struct conversion_result){ .ret = -EINVAL };
		return;
	}
	convert(vcpu, &c, &hc->result);
}

static bool has_error_offset(int ret)
{
	return ret == -EAGAIN || ret == -EOPNOTSUPP || ret == -ENOMEM;
}

/* EAX = 0 or -errno; EBX and ECX change only with an error_offset. */
static void hypercall_regs_out(const struct hypercall *hc,
			       struct kvm_regs *regs)
{
	regs->rax = (uint64_t)(int64_t)hc->result.ret;
	if (!has_error_offset(hc->result.ret))
		return;
	regs->rbx = hc->result.error_offset;
	regs->rcx = hc->result.error_gpa;
}

/* `out %eax, $GVM_PORT_HYPERCALL`: every argument is in a register. */
int hypercall_from_port(struct vcpu *vcpu, const void *data, size_t len)
{
	struct hypercall hc;
	struct kvm_regs regs;
	int err;

	(void)data; /* EAX, which KVM_GET_REGS gives too */
	(void)len;
	err = vcpu_get_regs(vcpu, &regs);
	if (err)
		return err;
	hc = (struct hypercall){
		.nr = (uint32_t)regs.rax,
		.gpa = (uint32_t)regs.rbx,
		.npages = (uint32_t)regs.rcx,
		.attributes = (uint32_t)regs.rdx,
		.expected = (uint32_t)regs.rsi,
	};
	hypercall_handle(vcpu, &hc);
	hypercall_regs_out(&hc, &regs);
	return vcpu_set_regs(vcpu, &regs);
}

/* KVM_EXIT_HYPERCALL: KVM gives the arguments and returns
 * hypercall.ret in RAX; the spare registers still need the vCPU's. */
int hypercall_from_exit(struct vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;
	struct hypercall hc;
	struct kvm_regs regs;
	int err;

	err = vcpu_get_regs(vcpu, &regs);
	if (err)
		return err;
	hc = (struct hypercall){
		.nr = run->hypercall.nr,
		.gpa = run->hypercall.args[0],
		.npages = run->hypercall.args[1],
		.attributes = run->hypercall.args[2],
		.expected = (uint32_t)regs.rsi,
	};
	hypercall_handle(vcpu, &hc);
	run->hypercall.ret = (uint64_t)(int64_t)hc.result.ret;
	if (!has_error_offset(hc.result.ret))
		return 0;
	hypercall_regs_out(&hc, &regs);
	regs.rax = run->hypercall.nr; /* KVM writes the result on entry */
	return vcpu_set_regs(vcpu, &regs);
}

/* Ask KVM to report KVM_HC_MAP_GPA_RANGE to userspace on a VM. */
static int hypercall_enable_on(int vm_fd)
{
	struct kvm_enable_cap cap = {
		.cap = KVM_CAP_EXIT_HYPERCALL,
		.args = { 1ULL << KVM_HC_MAP_GPA_RANGE },
	};

	return ioctl(vm_fd, KVM_ENABLE_CAP, &cap) ? -errno : 0;
}

int hypercall_enable(struct vm *vm)
{
	int err;

	if (vm->transport != GVM_TRANSPORT_VMCALL)
		return 0;
	err = hypercall_enable_on(vm->kvm_vm);
	if (err)
		pr_err("KVM_ENABLE_CAP(KVM_CAP_EXIT_HYPERCALL): %s",
		       strerror(-err));
	return err;
}

/* ---- the probe ---- */

/* mov $12,%eax; mov $0x1000,%ebx; mov $1,%ecx; xor %edx,%edx; vmcall; hlt */
static const uint8_t probe_code[] = {
	0xb8, 0x0c, 0x00, 0x00, 0x00, 0xbb, 0x00, 0x10, 0x00, 0x00, 0xb9,
	0x01, 0x00, 0x00, 0x00, 0x31, 0xd2, 0x0f, 0x01, 0xc1, 0xf4,
};

/* A SIGUSR1 to this thread in PROBE_TIMEOUT_MS, to end a KVM_RUN. */
static int probe_watchdog(timer_t *timer)
{
	struct sigevent sev = {
		.sigev_notify = SIGEV_THREAD_ID,
		.sigev_signo = SIGUSR1,
	};
	struct itimerspec its = {
		.it_value.tv_nsec = PROBE_TIMEOUT_MS * 1000000L,
	};

	sev.sigev_notify_thread_id = gettid();
	if (timer_create(CLOCK_MONOTONIC, &sev, timer))
		return -errno;
	if (timer_settime(*timer, 0, &its, NULL)) {
		timer_delete(*timer);
		return -errno;
	}
	return 0;
}

/* Run the probe's vCPU: 1 if its VMCALL reached us as KVM_EXIT_HYPERCALL. */
static int probe_run(int vcpu_fd, struct kvm_run *run)
{
	timer_t timer;
	int err, ret;

	err = probe_watchdog(&timer);
	if (err)
		return err;
	vcpu_arm_kick(run);
	ret = ioctl(vcpu_fd, KVM_RUN, 0);
	vcpu_arm_kick(NULL);
	timer_delete(timer);
	return !ret && run->exit_reason == KVM_EXIT_HYPERCALL &&
	       run->hypercall.nr == KVM_HC_MAP_GPA_RANGE;
}

static int probe_vm(struct kvm *kvm, int vm_fd, void *mem)
{
	struct kvm_userspace_memory_region slot = {
		.memory_size = PROBE_MEM_SIZE,
		.userspace_addr = (uintptr_t)mem,
	};
	struct kvm_regs regs = { .rip = 0x1000, .rflags = 2 };
	struct kvm_run *run;
	int vcpu_fd, ret;

	memcpy((uint8_t *)mem + 0x1000, probe_code, sizeof(probe_code));
	if (ioctl(vm_fd, KVM_SET_USER_MEMORY_REGION, &slot) ||
	    hypercall_enable_on(vm_fd))
		return -errno;
	vcpu_fd = ioctl(vm_fd, KVM_CREATE_VCPU, 0);
	if (vcpu_fd < 0)
		return -errno;
	run = mmap(NULL, (size_t)kvm->vcpu_mmap_size, PROT_READ | PROT_WRITE,
		   MAP_SHARED, vcpu_fd, 0);
	if (run == MAP_FAILED) {
		ret = -errno;
		goto close_vcpu;
	}
	ret = vcpu_init_flat_mode(vcpu_fd);
	if (!ret && ioctl(vcpu_fd, KVM_SET_REGS, &regs))
		ret = -errno;
	if (!ret)
		ret = probe_run(vcpu_fd, run);
	munmap(run, (size_t)kvm->vcpu_mmap_size);
close_vcpu:
	close(vcpu_fd);
	return ret;
}

/*
 * How guests make hypercalls here: GVM_TRANSPORT_VMCALL if a VMCALL in a
 * scratch VM reached userspace as KVM_EXIT_HYPERCALL within
 * PROBE_TIMEOUT_MS, else GVM_TRANSPORT_PORT (also when KVM does not offer
 * the exit at all). 0 or -errno.
 */
int hypercall_probe(struct kvm *kvm, int *transport)
{
	int vm_fd, ret;
	void *mem;

	*transport = GVM_TRANSPORT_PORT;
	if (!kvm->exit_hypercall)
		return 0;
	vm_fd = ioctl(kvm->fd, KVM_CREATE_VM, 0);
	if (vm_fd < 0)
		return -errno;
	mem = mmap(NULL, PROBE_MEM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ret = mem == MAP_FAILED ? -errno : probe_vm(kvm, vm_fd, mem);
	if (mem != MAP_FAILED)
		munmap(mem, PROBE_MEM_SIZE);
	close(vm_fd);
	if (ret < 0)
		return ret;
	if (ret)
		*transport = GVM_TRANSPORT_VMCALL;
	return 0;
}
