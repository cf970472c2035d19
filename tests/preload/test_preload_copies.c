// SPDX-License-Identifier: MIT
/*
 * Description: descriptors and mappings the program copies or moves
 * under the preload stay the library's. A copy of a guest_memfd or VM
 * descriptor (dup, dup2, dup3, F_DUPFD_CLOEXEC) keeps naming it after the
 * original is closed, as a copy of a kernel file does; dup2 onto a
 * library descriptor ends that one; a mapping moved with mremap(2) still
 * faults where a page turns private and shows the bytes again after.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "preload_test.h"

static void copies_outlive_the_original(int kvm)
{
	int vm = create_sw_vm(kvm), gmem, vm_copy, gmem_copy, third;

	CHECK(vm >= 0);
	gmem = create_gmem(vm, 2);
	CHECK(gmem >= 0);
	vm_copy = fcntl(vm, F_DUPFD_CLOEXEC, 100);
	gmem_copy = dup(gmem);
	CHECK(vm_copy >= 100 && gmem_copy >= 0);
	CHECK(!close(vm) && !close(gmem));
	CHECK(ioctl(vm_copy, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD) == 1);
	CHECK(!convert(gmem_copy, 0, 1, true,
		       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
	third = create_gmem(vm_copy, 1);
	CHECK(third >= 0);
	/* dup2 onto a guest_memfd ends it: the number is the VM's now. */
	CHECK(dup2(vm_copy, third) == third);
	CHECK(ioctl(third, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD) == 1);
	CHECK(convert(third, 0, 1, true, 0) == -1 && errno == ENOTTY);
	CHECK(dup3(gmem_copy, third, O_CLOEXEC) == third);
	CHECK(!convert(third, 0, 1, false, KVM_SET_MEMORY_ATTRIBUTES2_ZERO));
	CHECK(!close(third) && !close(gmem_copy) && !close(vm_copy));
}

static void moved_mapping_follows(int kvm)
{
	int vm = create_sw_vm(kvm), gmem;
	unsigned char *mem, *moved, *target;

	CHECK(vm >= 0);
	gmem = create_gmem(vm, 2);
	CHECK(gmem >= 0);
	mem = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);
	target = mmap(NULL, 2 * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	CHECK(mem != MAP_FAILED && target != MAP_FAILED);
	mem[PAGE] = 0x3c;
	moved = mremap(mem, 2 * PAGE, 2 * PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       target);
	CHECK(moved == target);
	CHECK(!convert(gmem, 1, 1, true, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
	CHECK(faults(moved + PAGE));
	CHECK(!faults(moved));
	CHECK(!convert(gmem, 1, 1, false, KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE));
	CHECK(moved[PAGE] == 0x3c);
	CHECK(!munmap(moved, 2 * PAGE) && !close(gmem) && !close(vm));
}

int main(void)
{
	int kvm = open_kvm_or_skip("preload-copies");

	copies_outlive_the_original(kvm);
	moved_mapping_follows(kvm);
	CHECK(!close(kvm));
	printf("preload-copies: ok\n");
	return 0;
}
