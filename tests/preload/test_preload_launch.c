// SPDX-License-Identifier: MIT
/*
 * Description: a VM ioctl the library models reaches the library, not the
 * real VM beneath. KVM_MEMORY_ENCRYPT_OP's KVM_SEV_INIT2 on a
 * KVM_X86_SNP_VM made under the preload is the library's launch (0); the
 * real default-type VM beneath would answer ENOTTY. A second INIT2 is
 * the library's EPERM, as the kernel refuses to initialise twice.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "preload_test.h"

static int sev_init2(int vm)
{
	struct kvm_sev_init init = { 0 };
	struct kvm_sev_cmd cmd = {
		.id = KVM_SEV_INIT2,
		.data = (uintptr_t)&init,
	};

	return ioctl(vm, KVM_MEMORY_ENCRYPT_OP, &cmd);
}

int main(void)
{
	int kvm = open_kvm_or_skip("preload-launch");
	int vm = ioctl(kvm, KVM_CREATE_VM, KVM_X86_SNP_VM);

	CHECK(vm >= 0);
	CHECK(sev_init2(vm) == 0);
	CHECK(sev_init2(vm) == -1 && errno == EPERM);
	CHECK(!close(vm) && !close(kvm));
	printf("preload-launch: KVM_MEMORY_ENCRYPT_OP is the library's: ok\n");
	return 0;
}
