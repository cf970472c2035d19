// SPDX-License-Identifier: MIT
/*
 * Intel TDX: private memory is encrypted at rest. ZERO is done in
 * software for private-to-shared (the TDX module only zeroes pages it
 * unmaps from the Secure-EPT); PRESERVE is refused, except to private
 * before the TD is finalized, for loading an image in place (R82, R114).
 *
 * The launch commands are the kernel's KVM_MEMORY_ENCRYPT_OP with struct
 * kvm_tdx_cmd: INIT_VM, INIT_MEM_REGION and FINALIZE_VM, checked in the
 * order tdx.c checks them and answered with its errnos (R119..R120). The
 * kernel takes INIT_MEM_REGION on a vCPU fd; the library has no vCPU
 * fds and takes it on the VM fd, its one deviation.
 *
 * MRTD is the TDX module's: one SHA-384 over a 128-byte MEM.PAGE.ADD
 * record per page added and, when the region is measured, a 128-byte
 * MR.EXTEND record and the 256 bytes it covers for each chunk of the
 * page (docs/LAUNCH.md).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <gmem/gmem.h>

#include "platform.h"

/* KVM_MAX_CPUID_ENTRIES, the most INIT_VM takes. */
#define TDX_MAX_CPUID_ENTRIES 256
/* The one TD attribute KVM supports (KVM_SUPPORTED_TD_ATTRS). */
#define TDX_TD_ATTR_SEPT_VE_DISABLE (1ULL << 28)
/* Without a CPUID list that asks for 5-level paging the guest physical
 * address width is 48, and bit 47 marks a shared gpa. */
#define TDX_SHARED_BIT (1ULL << 47)

#define TDX_RECORD_BYTES 128
#define TDX_EXTEND_CHUNK 256

/* The CPUID entries, read only to check that they can be. */
static int tdx_read_cpuid(enum uaccess_mode mode, const void *entries,
			  uint32_t nent)
{
	struct kvm_cpuid_entry2 e;

	for (uint32_t i = 0; i < nent; i++)
		if (copy_from_user_as(mode, &e,
				      (const struct kvm_cpuid_entry2 *)entries +
					      i,
				      sizeof(e)))
			return -EFAULT;
	return 0;
}

/* KVM_TDX_INIT_VM (tdx_td_init). */
static int tdx_read_init_vm(enum uaccess_mode mode, enum launch_phase phase,
			    struct launch_cmd *c)
{
	struct kvm_tdx_init_vm init;
	const char *uinit = (const char *)(uintptr_t)c->hdr.tdx.data;
	int err;

	if (phase != LAUNCH_CREATED || c->hdr.tdx.flags)
		return -EINVAL;
	if (copy_from_user_as(mode, &init, uinit, sizeof(init)))
		return -EFAULT;
	if (init.cpuid.nent > TDX_MAX_CPUID_ENTRIES)
		return -E2BIG;
	err = tdx_read_cpuid(mode, uinit + sizeof(init), init.cpuid.nent);
	if (err)
		return err;
	if (!launch_all_zero(init.reserved, sizeof(init.reserved)) ||
	    init.cpuid.padding)
		return -EINVAL;
	if (init.attributes & ~TDX_TD_ATTR_SEPT_VE_DISABLE)
		return -EINVAL;
	c->op = LAUNCH_OP_START;
	return 0;
}

static bool tdx_private_gpa(uint64_t gpa)
{
	return !(gpa & TDX_SHARED_BIT);
}

/* KVM_TDX_INIT_MEM_REGION (tdx_vcpu_init_mem_region). A source_addr of
 * 0 is the in-place flow (R89). */
static int tdx_read_mem_region(enum uaccess_mode mode, enum launch_phase phase,
			       struct launch_cmd *c)
{
	struct kvm_tdx_init_mem_region *r = &c->arg.tdx_region;
	uint64_t end;

	/* The vCPU ioctl: no TD key yet, or finalized already. */
	c->answer_header = false;
	if (phase != LAUNCH_MEASURING)
		return -EINVAL;
	if (c->hdr.tdx.flags & ~KVM_TDX_MEASURE_MEMORY_REGION)
		return -EINVAL;
	if (copy_from_user_as(mode, r, (void *)(uintptr_t)c->hdr.tdx.data,
			      sizeof(*r)))
		return -EFAULT;
	end = r->gpa + (r->nr_pages << LAUNCH_PAGE_SHIFT);
	if ((r->source_addr | r->gpa) & (LAUNCH_PAGE_BYTES - 1) ||
	    !r->nr_pages || r->nr_pages >> (64 - LAUNCH_PAGE_SHIFT) ||
	    end <= r->gpa || !tdx_private_gpa(r->gpa) ||
	    !tdx_private_gpa(end - 1))
		return -EINVAL;
	c->op = LAUNCH_OP_UPDATE;
	c->gpa = r->gpa;
	c->src = r->source_addr;
	c->npages = r->nr_pages;
	c->fill = LAUNCH_FILL_SOURCE;
	c->in_place_refused = -EOPNOTSUPP;
	c->measure_contents = c->hdr.tdx.flags & KVM_TDX_MEASURE_MEMORY_REGION;
	return 0;
}

/* KVM_TDX_FINALIZE_VM (tdx_td_finalize). */
static int tdx_read_finalize(enum launch_phase phase, struct launch_cmd *c)
{
	if (phase != LAUNCH_MEASURING)
		return -EINVAL;
	c->op = LAUNCH_OP_FINISH;
	return 0;
}

/* tdx_vm_ioctl() and tdx_get_cmd(): hw_error is the kernel's to write. */
static int tdx_read(enum uaccess_mode mode, void *uarg, enum launch_phase phase,
		    struct launch_cmd *c)
{
	if (copy_from_user_as(mode, &c->hdr.tdx, uarg, sizeof(c->hdr.tdx)))
		return -EFAULT;
	if (c->hdr.tdx.hw_error)
		return -EINVAL;
	c->answer_header = true;
	switch (c->hdr.tdx.id) {
	case KVM_TDX_INIT_VM:
		return tdx_read_init_vm(mode, phase, c);
	case KVM_TDX_INIT_MEM_REGION:
		return tdx_read_mem_region(mode, phase, c);
	case KVM_TDX_FINALIZE_VM:
		return tdx_read_finalize(phase, c);
	default:
		c->answer_header = false;
		return -EINVAL;
	}
}

/* The region left, written back whatever happened, as
 * tdx_vcpu_init_mem_region() does; an in-place source stays 0. */
static int tdx_answer_region(enum uaccess_mode mode, const struct launch_cmd *c,
			     int err)
{
	struct kvm_tdx_init_mem_region r = c->arg.tdx_region;

	if (r.source_addr)
		r.source_addr += c->done * LAUNCH_PAGE_BYTES;
	r.gpa += c->done * LAUNCH_PAGE_BYTES;
	r.nr_pages -= c->done;
	if (copy_to_user_as(mode, (void *)(uintptr_t)c->hdr.tdx.data, &r,
			    sizeof(r)))
		return -EFAULT;
	return err ? err : c->page_err;
}

static int tdx_answer(enum uaccess_mode mode, void *uarg,
		      const struct launch_cmd *c, int err)
{
	struct kvm_tdx_cmd hdr = c->hdr.tdx;

	if (c->op == LAUNCH_OP_UPDATE)
		return tdx_answer_region(mode, c, err);
	hdr.hw_error = 0;
	if (c->answer_header && copy_to_user_as(mode, uarg, &hdr, sizeof(hdr)))
		err = -EFAULT;
	return err;
}

/* A 128-byte record: its name, then the gpa at byte 16. */
static int tdx_extend_record(struct launch_digest *d, const char *name,
			     uint64_t gpa)
{
	uint8_t record[TDX_RECORD_BYTES] = { 0 };

	memcpy(record, name, strlen(name));
	memcpy(record + 16, &gpa, sizeof(gpa));
	return launch_digest_extend(d, record, sizeof(record));
}

static int tdx_measure(struct launch_digest *d, const struct launch_cmd *c,
		       uint64_t gpa, const void *page)
{
	int err = tdx_extend_record(d, "MEM.PAGE.ADD", gpa);

	for (uint64_t at = 0;
	     !err && c->measure_contents && at < LAUNCH_PAGE_BYTES;
	     at += TDX_EXTEND_CHUNK) {
		err = tdx_extend_record(d, "MR.EXTEND", gpa + at);
		if (!err)
			err = launch_digest_extend(d, (const char *)page + at,
						   TDX_EXTEND_CHUNK);
	}
	return err;
}

static const struct launch_ops tdx_launch = {
	.read = tdx_read,
	.answer = tdx_answer,
	.measure = tdx_measure,
	.digest_stream = true,
};

const struct gmem_platform platform_tdx = {
	.name = "tdx",
	.vm_type = KVM_X86_TDX_VM,
	.has_private_mem = true,
	.content_modes =
		KVM_SET_MEMORY_ATTRIBUTES2_ZERO | GMEM_ATTRIBUTES2_DESTROY,
	.unspecified = CONTENT_KEEP,
	.encrypted = true,
	.preserve_to_private_before_launch = true,
	.launch = &tdx_launch,
};
