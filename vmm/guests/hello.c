// SPDX-License-Identifier: MIT
/*
 * hello: the smallest guest. Each vCPU says hello on the console and
 * passes; it checks that the VMM booted it the way ../abi.h promises.
 */
#include "guest.h"

int guest_main(u32 cpu)
{
	gvm_printf(
		"hello from vCPU %u of %u (%u KiB of RAM, hypercalls by %s)\n",
		cpu, gvm_boot.nr_vcpus, gvm_boot.ram_size >> 10,
		gvm_boot.transport == GVM_TRANSPORT_VMCALL ? "vmcall" : "port");
	gvm_expect(gvm_boot.ram_size >= GVM_RAM_SIZE_MIN,
		   "RAM is at least %u KiB", GVM_RAM_SIZE_MIN >> 10);
	return 0;
}
