// SPDX-License-Identifier: MIT
/*
 * The software guest: a guest program run as host code, for the demo
 * where there is no /dev/kvm.
 *
 * This is the second machine under guests/runtime.c (the first is a real
 * vCPU, guests/x86.c). Its "port I/O" calls the VMM's own port handlers
 * through vcpu_port_out(), with the registers in the vCPU's soft_regs, so
 * the hypercall, the test device and the console take the very paths a
 * real guest's exits take. Its memory accesses are the trusted guest's
 * own, gmem_guest_read() and gmem_guest_write(), which fail on a page
 * whose attribute is not the one the access claims: like a confidential
 * guest's page tables, the software guest remembers which pages it made
 * private (private_pages), from the results of its own hypercalls.
 *
 * There is one software vCPU at a time: the machine's functions take no
 * context, as the instructions they stand for take none.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "guests/machine.h"
#include "vmm.h"

static struct vcpu *soft_vcpu;
static uint8_t *private_pages; /* one byte a page: made private */
static int soft_error;	       /* the first error of the VMM, or 0 */

/* The guest's `out`: a real vCPU would stop on an error of the VMM; the
 * software guest carries on, and the run ends with the error. */
static void soft_out(uint16_t port, const void *data, size_t len)
{
	int ret = vcpu_port_out(soft_vcpu, port, data, len);

	if (ret < 0 && !soft_error)
		soft_error = ret;
}

static void soft_port(uint16_t port, struct gvm_regs *r)
{
	struct kvm_regs regs = {
		.rax = r->eax,
		.rbx = r->ebx,
		.rcx = r->ecx,
		.rdx = r->edx,
		.rsi = r->esi,
	};

	soft_vcpu->soft_regs = &regs;
	soft_out(port, &r->eax, sizeof(r->eax));
	soft_vcpu->soft_regs = NULL;
	r->eax = (u32)regs.rax;
	r->ebx = (u32)regs.rbx;
	r->ecx = (u32)regs.rcx;
}

void machine_console(const char *buf, u32 len)
{
	soft_out(GVM_PORT_CONSOLE, buf, len);
}

void machine_hypercall(struct gvm_regs *r)
{
	const struct gvm_regs in = *r;
	uint64_t first = in.ebx / GVM_PAGE_SIZE;

	soft_port(GVM_PORT_HYPERCALL, r);
	if (r->eax || in.eax != GVM_HC_MAP_GPA_RANGE ||
	    (in.esi & GVM_HC_DRY_RUN))
		return;
	memset(private_pages + first, !!(in.edx & GVM_MAP_GPA_RANGE_ENCRYPTED),
	       in.ecx);
}

void machine_testdev(struct gvm_regs *r)
{
	soft_port(GVM_PORT_TESTDEV, r);
}

static unsigned int access_flags(u32 gpa)
{
	return private_pages[gpa / GVM_PAGE_SIZE] ? GMEM_GUEST_PRIVATE : 0;
}

/* Page by page: each access states the attribute of its page. */
void machine_read(u32 gpa, void *buf, u32 len)
{
	while (len) {
		u32 n = GVM_PAGE_SIZE - gpa % GVM_PAGE_SIZE;

		n = n < len ? n : len;
		if (gmem_guest_read(soft_vcpu->vm->gmem_vm, gpa, buf, n,
				    access_flags(gpa)) != (ssize_t)n) {
			pr_err("software guest: reading gpa %#x: %s", gpa,
			       strerror(errno));
			memset(buf, 0, n);
		}
		gpa += n;
		buf = (uint8_t *)buf + n;
		len -= n;
	}
}

void machine_write(u32 gpa, const void *buf, u32 len)
{
	while (len) {
		u32 n = GVM_PAGE_SIZE - gpa % GVM_PAGE_SIZE;

		n = n < len ? n : len;
		if (gmem_guest_write(soft_vcpu->vm->gmem_vm, gpa, buf, n,
				     access_flags(gpa)) != (ssize_t)n)
			pr_err("software guest: writing gpa %#x: %s", gpa,
			       strerror(errno));
		gpa += n;
		buf = (const uint8_t *)buf + n;
		len -= n;
	}
}

u32 machine_this_cpu(void)
{
	return 0;
}

/* Run the software guest linked into gmem-vm on a VM made with
 * cfg.software: 0 if it passed, 1 if it failed, -errno. */
int software_run(struct vm *vm)
{
	const struct gvm_entry entry = {
		.magic = GVM_BOOT_MAGIC,
		.cpu = 0,
		.nr_vcpus = 1,
		.ram_size = (u32)vm->mem.size,
		.transport = GVM_TRANSPORT_PORT,
		.vm_type = (u32)vm->cfg.type,
		.arg = vm->cfg.arg,
	};
	u32 status;

	private_pages = calloc(vm->mem.size / GVM_PAGE_SIZE, 1);
	if (!private_pages)
		return -ENOMEM;
	soft_vcpu = &vm->vcpus[0];
	*soft_vcpu = (struct vcpu){ .vm = vm, .id = 0, .fd = -1 };
	soft_error = 0;
	status = gvm_run(&entry);
	soft_out(GVM_PORT_EXIT, &status, sizeof(status));
	free(private_pages);
	private_pages = NULL;
	soft_vcpu = NULL;
	if (soft_error)
		return soft_error;
	return vm->vcpus[0].status != 0;
}
