// SPDX-License-Identifier: MIT
/*
 * kvm-runs-vcpus: whether KVM runs a vCPU on this host, found out without
 * gmem-vm or libgmem, so that the test suite can hold gmem-vm to it.
 *
 * It runs one HLT in real mode, from a plain memslot of anonymous memory,
 * the least any KVM does. Exit status: 0 the vCPU ran and halted; 77 it
 * could not (the reason on stderr), as the test suites' "skipped".
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gmem/uapi.h>

#define PAGE	    4096
#define HLT	    0xf4
#define RUN_TIMEOUT 10 /* seconds; an emulated HLT takes microseconds */

static int no(const char *what)
{
	fprintf(stderr, "kvm-runs-vcpus: no: %s (%s)\n", what, strerror(errno));
	return 77;
}

static void on_alarm(int sig)
{
	(void)sig; /* KVM_RUN returns EINTR */
}

/* Real mode at gpa 0: the HLT is the first instruction. */
static int vcpu_at_zero(int vcpu)
{
	struct kvm_sregs sregs;
	struct kvm_regs regs = { .rip = 0, .rflags = 2 };

	if (ioctl(vcpu, KVM_GET_SREGS, &sregs))
		return -1;
	sregs.cs.base = 0;
	sregs.cs.selector = 0;
	if (ioctl(vcpu, KVM_SET_SREGS, &sregs) ||
	    ioctl(vcpu, KVM_SET_REGS, &regs))
		return -1;
	return 0;
}

static int run_hlt(int kvm, int vm, unsigned char *mem)
{
	struct kvm_userspace_memory_region slot = {
		.memory_size = PAGE,
		.userspace_addr = (uintptr_t)mem,
	};
	struct sigaction sa = { .sa_handler = on_alarm };
	struct kvm_run *run;
	int vcpu, size;

	mem[0] = HLT;
	if (ioctl(vm, KVM_SET_USER_MEMORY_REGION, &slot))
		return no("KVM_SET_USER_MEMORY_REGION");
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	size = ioctl(kvm, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (vcpu < 0 || size < (int)sizeof(*run))
		return no("KVM_CREATE_VCPU");
	run = mmap(NULL, (size_t)size, PROT_READ | PROT_WRITE, MAP_SHARED, vcpu,
		   0);
	if (run == MAP_FAILED || vcpu_at_zero(vcpu))
		return no("setting up the vCPU");
	sigaction(SIGALRM, &sa, NULL);
	alarm(RUN_TIMEOUT);
	if (ioctl(vcpu, KVM_RUN, 0))
		return no("KVM_RUN");
	alarm(0);
	if (run->exit_reason != KVM_EXIT_HLT) {
		errno = EPROTO;
		return no("the vCPU did not halt");
	}
	return 0;
}

int main(void)
{
	unsigned char *mem;
	int kvm, vm;

	kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm < 0)
		return no("/dev/kvm");
	vm = ioctl(kvm, KVM_CREATE_VM, 0);
	if (vm < 0)
		return no("KVM_CREATE_VM");
	mem = mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED)
		return no("mmap");
	if (run_hlt(kvm, vm, mem))
		return 77;
	printf("kvm-runs-vcpus: yes\n");
	return 0;
}
