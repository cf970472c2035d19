// SPDX-License-Identifier: MIT
/*
 * An out-of-tree program, built against the installed copy of libgmem
 * with `pkg-config --cflags --libs gmem`: it makes a guest_memfd, keeps
 * a byte across a PRESERVE round trip and prints "hello-gmem: ok".
 */
#include <stdio.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

int main(void)
{
	struct kvm_create_guest_memfd args = {
		.size = 4096,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_memory_attributes2 a = { .size = 4096 };
	int vm = gmem_create_vm(KVM_X86_SW_PROTECTED_VM), gmem;
	unsigned char *p;

	gmem = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
	p = gmem_mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, gmem, 0);
	if (vm < 0 || gmem < 0 || p == MAP_FAILED)
		return 1;
	p[0] = 0x42;
	a.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE;
	a.flags = KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	if (gmem_ioctl(gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a))
		return 1;
	a.attributes = 0;
	if (gmem_ioctl(gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a) || p[0] != 0x42)
		return 1;
	gmem_munmap(p, 4096);
	gmem_close(gmem);
	gmem_close(vm);
	printf("hello-gmem: ok\n");
	return 0;
}
