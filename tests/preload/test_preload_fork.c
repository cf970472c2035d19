// SPDX-License-Identifier: MIT
/*
 * Description: a child of fork() under the preload (R110). The VM and
 * guest_memfd it inherited answer EIO, whether the call is one the
 * library serves (KVM_CREATE_GUEST_MEMFD, a conversion, fallocate) or
 * one passed on to the real VM beneath (KVM_CREATE_VCPU, a capability of
 * KVM's own), as the kernel refuses a VM ioctl from another process; it
 * closes them with 0; the system descriptor serves it, and it creates,
 * converts and runs a vCPU of its own VM. The parent's VM is untouched.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "preload_test.h"

static bool eio(int ret)
{
	return ret == -1 && errno == EIO;
}

static void child_inherited(int vm, int gmem)
{
	struct kvm_create_guest_memfd args = { .size = PAGE };

	CHECK(eio(ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args)));
	CHECK(eio(ioctl(vm, KVM_CREATE_VCPU, 0)));
	CHECK(eio(ioctl(vm, KVM_CHECK_EXTENSION, KVM_CAP_USER_MEMORY)));
	CHECK(eio(convert(gmem, 0, 1, true,
			  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)));
	CHECK(eio(fallocate(gmem, FALLOC_FL_KEEP_SIZE, 0, PAGE)));
	CHECK(!close(gmem));
	CHECK(!close(vm));
}

static void child_own(int kvm)
{
	int vm = create_sw_vm(kvm), gmem, vcpu;
	unsigned char *mem;

	CHECK(vm >= 0);
	gmem = create_gmem(vm, 2);
	CHECK(gmem >= 0);
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);
	CHECK(mem != MAP_FAILED);
	mem[0] = 0x5a;
	CHECK(!convert(gmem, 0, 1, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
	CHECK(faults(mem));
	CHECK(!convert(gmem, 0, 1, false, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
	CHECK(mem[0] == 0x5a);
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	CHECK(vcpu >= 0);
	CHECK(!close(vcpu) && !munmap(mem, 2 * PAGE));
	CHECK(!close(gmem) && !close(vm));
}

int main(void)
{
	int kvm = open_kvm_or_skip("preload-fork"), vm, gmem, status, vcpu;
	pid_t pid;

	vm = create_sw_vm(kvm);
	CHECK(vm >= 0);
	gmem = create_gmem(vm, 2);
	CHECK(gmem >= 0);
	pid = fork();
	CHECK(pid >= 0);
	if (pid == 0) {
		child_inherited(vm, gmem);
		child_own(kvm);
		_exit(0);
	}
	CHECK(waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	/* The child's close ended nothing of the parent's. */
	CHECK(!convert(gmem, 0, 1, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
	vcpu = ioctl(vm, KVM_CREATE_VCPU, 0);
	CHECK(vcpu >= 0);
	CHECK(!close(vcpu) && !close(gmem) && !close(vm) && !close(kvm));
	printf("preload-fork: the child sees EIO on what it inherited and "
	       "runs its own VM: ok\n");
	return 0;
}
