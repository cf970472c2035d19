// SPDX-License-Identifier: MIT
/*
 * The real machine: a vCPU of gmem-vm in flat 32-bit protected mode.
 *
 * The console, the test device and the exit are I/O ports; the hypercall
 * is VMCALL where gmem-vm found that KVM reports it (KVM_EXIT_HYPERCALL)
 * and `out` to the hypercall port otherwise, with the same registers.
 * Memory is identity-mapped: a guest physical address is a pointer.
 *
 * A vCPU finds its number from its stack pointer (stacks are
 * GVM_STACK_SIZE apart below GVM_STACK_TOP), as i386 Linux once found its
 * thread_info.
 */
#include "machine.h"

void __attribute__((noreturn)) gvm_start(const struct gvm_entry *e);

/* Called by start.S with the boot registers. */
void gvm_start(const struct gvm_entry *e)
{
	u32 status = gvm_run(e);

	asm volatile("outl %0, %1" : : "a"(status), "i"(GVM_PORT_EXIT));
	for (;;)
		asm volatile("hlt");
}

u32 machine_this_cpu(void)
{
	u32 esp;

	asm("mov %%esp, %0" : "=r"(esp));
	return (GVM_STACK_TOP - 1 - esp) / GVM_STACK_SIZE;
}

/* One exit a line: the emulator hands a whole `rep outsb` to the VMM. */
void machine_console(const char *buf, u32 len)
{
	asm volatile("rep outsb"
		     : "+S"(buf), "+c"(len)
		     : "d"(GVM_PORT_CONSOLE)
		     : "memory");
}

void machine_hypercall(struct gvm_regs *r)
{
	if (gvm_boot.transport == GVM_TRANSPORT_VMCALL)
		asm volatile("vmcall"
			     : "+a"(r->eax), "+b"(r->ebx), "+c"(r->ecx)
			     : "d"(r->edx), "S"(r->esi)
			     : "memory");
	else
		asm volatile("outl %%eax, %[port]"
			     : "+a"(r->eax), "+b"(r->ebx), "+c"(r->ecx)
			     : "d"(r->edx),
			       "S"(r->esi), [port] "i"(GVM_PORT_HYPERCALL)
			     : "memory");
}

void machine_testdev(struct gvm_regs *r)
{
	asm volatile("outl %%eax, %[port]"
		     : "+a"(r->eax), "+b"(r->ebx), "+c"(r->ecx)
		     : "d"(r->edx), "S"(r->esi), [port] "i"(GVM_PORT_TESTDEV)
		     : "memory");
}

void machine_read(u32 gpa, void *buf, u32 len)
{
	memcpy(buf, (const void *)gpa, len);
}

void machine_write(u32 gpa, const void *buf, u32 len)
{
	memcpy((void *)gpa, buf, len);
}

/* String instructions: the emulator repeats them itself, instead of
 * decoding the instructions of a loop again on every iteration. */
void *memset(void *s, int c, unsigned int n)
{
	void *d = s;

	asm volatile("rep stosb" : "+D"(d), "+c"(n) : "a"(c) : "memory");
	return s;
}

void *memcpy(void *d, const void *s, unsigned int n)
{
	void *dd = d;

	asm volatile("rep movsb" : "+D"(dd), "+S"(s), "+c"(n) : : "memory");
	return d;
}
