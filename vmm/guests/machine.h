/* SPDX-License-Identifier: MIT */
/*
 * The machine under the guest runtime: what runtime.c needs and cannot
 * write in portable C. Two machines implement it: x86.c, a real vCPU of
 * gmem-vm (port I/O, VMCALL, memory by address), and ../software.c, the
 * software guest that gmem-vm --demo runs where there is no /dev/kvm
 * (calls into the VMM's port handlers, memory through gmem_guest_read()
 * and gmem_guest_write()).
 */
#ifndef GVM_MACHINE_H
#define GVM_MACHINE_H

#include "guest.h"

/* The registers a port exit or hypercall carries, both ways. */
struct gvm_regs {
	u32 eax, ebx, ecx, edx, esi;
};

void machine_console(const char *buf, u32 len);
void machine_hypercall(struct gvm_regs *r);
void machine_testdev(struct gvm_regs *r);
void machine_read(u32 gpa, void *buf, u32 len);
void machine_write(u32 gpa, const void *buf, u32 len);
u32 machine_this_cpu(void);

/* The boot registers of ../abi.h, in the order start.S stores them. */
struct gvm_entry {
	u32 magic;     /* EAX */
	u32 cpu;       /* EBX */
	u32 nr_vcpus;  /* ECX */
	u32 ram_size;  /* EDX */
	u32 transport; /* ESI */
	u32 vm_type;   /* EDI */
	u32 arg;       /* EBP */
};

/* Sets gvm_boot, runs guest_main(): the vCPU's exit status. */
u32 gvm_run(const struct gvm_entry *e);

#endif /* GVM_MACHINE_H */
