// SPDX-License-Identifier: MIT
/*
 * AMD SEV-SNP: private memory is encrypted at rest. ZERO is done in
 * software for private-to-shared; PRESERVE is refused, except to private
 * before the launch finishes, for loading an image in place (R82, R114).
 *
 * The launch commands are the kernel's KVM_MEMORY_ENCRYPT_OP with struct
 * kvm_sev_cmd: INIT2, SNP_LAUNCH_START, SNP_LAUNCH_UPDATE and
 * SNP_LAUNCH_FINISH, checked in the order sev.c checks them and answered
 * with its errnos (R115..R118). There is no firmware: sev_fd is not used,
 * and where the firmware would refuse (a second LAUNCH_FINISH, an update
 * after it), the answer is its status, INVALID_GUEST_STATE, with EIO.
 *
 * The launch digest is the firmware's chain: for each page a PAGE_INFO
 * record (SEV-SNP Firmware ABI, "PAGE_INFO") holding the digest so far,
 * and the new digest is its SHA-384 (docs/LAUNCH.md).
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <gmem/gmem.h>

#include "platform.h"

/* The firmware's status for a command in the wrong guest state. */
#define SEV_RET_INVALID_GUEST_STATE 2

#define GHCB_VERSION_MAX 2
#define GHCB_VERSION_SNP 2 /* SNP needs version 2 at least */

/* SNP guest policy: the bits KVM accepts (ABI minor and major, SMT,
 * the must-be-one bit 17, DEBUG, SINGLE_SOCKET, CXL_ALLOW,
 * MEM_AES_256_XTS, RAPL_DIS, CIPHERTEXT_HIDING, PAGE_SWAP_DISABLE); bit 18
 * (MIGRATE_MA) is not among them. */
#define SNP_POLICY_MBO	 (1ULL << 17)
#define SNP_POLICY_VALID (0x3ffffULL | (0x7fULL << 19))

/* PAGE_INFO, as the firmware hashes it: 0x70 bytes. */
struct snp_page_info {
	uint8_t digest_cur[LAUNCH_DIGEST_BYTES];
	uint8_t contents[LAUNCH_DIGEST_BYTES];
	uint16_t length;
	uint8_t page_type;
	uint8_t imi_page;
	uint8_t vmpl3_perms;
	uint8_t vmpl2_perms;
	uint8_t vmpl1_perms;
	uint8_t reserved;
	uint64_t gpa;
} __attribute__((packed));

_Static_assert(sizeof(struct snp_page_info) == 0x70, "PAGE_INFO is 0x70");

static int read_arg(enum uaccess_mode mode, const struct launch_cmd *c,
		    void *dst, size_t len)
{
	return copy_from_user_as(mode, dst, (void *)(uintptr_t)c->hdr.sev.data,
				 len);
}

/* KVM_SEV_INIT2 (sev_guest_init2, __sev_guest_init). Padding is the
 * library's check (R115). */
static int snp_read_init2(enum uaccess_mode mode, struct launch_cmd *c)
{
	struct kvm_sev_init init;

	/* A second INIT2 never gets here: it is EPERM (snp_read). */
	if (read_arg(mode, c, &init, sizeof(init)))
		return -EFAULT;
	/* No VMSA feature is modelled, so none is supported. */
	if (init.flags || init.vmsa_features || init.pad1 ||
	    !launch_all_zero(init.pad2, sizeof(init.pad2)))
		return -EINVAL;
	if (init.ghcb_version > GHCB_VERSION_MAX)
		return -EINVAL;
	if (init.ghcb_version && init.ghcb_version < GHCB_VERSION_SNP)
		return -EINVAL;
	c->op = LAUNCH_OP_INIT;
	return 0;
}

/* KVM_SEV_SNP_LAUNCH_START (snp_launch_start). */
static int snp_read_start(enum uaccess_mode mode, enum launch_phase phase,
			  struct launch_cmd *c)
{
	struct kvm_sev_snp_launch_start start;

	if (phase == LAUNCH_CREATED)
		return -ENOTTY;
	if (read_arg(mode, c, &start, sizeof(start)))
		return -EFAULT;
	/* One context per VM: a second start is EINVAL, even after finish. */
	if (phase != LAUNCH_INITIALIZED || start.flags)
		return -EINVAL;
	if (!launch_all_zero(start.pad0, sizeof(start.pad0)) ||
	    !launch_all_zero(start.pad1, sizeof(start.pad1)))
		return -EINVAL;
	if ((start.policy & ~SNP_POLICY_VALID) ||
	    !(start.policy & SNP_POLICY_MBO))
		return -EINVAL;
	c->op = LAUNCH_OP_START;
	return 0;
}

static bool snp_page_type_valid(uint8_t type)
{
	switch (type) {
	case KVM_SEV_SNP_PAGE_TYPE_NORMAL:
	case KVM_SEV_SNP_PAGE_TYPE_ZERO:
	case KVM_SEV_SNP_PAGE_TYPE_UNMEASURED:
	case KVM_SEV_SNP_PAGE_TYPE_SECRETS:
	case KVM_SEV_SNP_PAGE_TYPE_CPUID:
		return true;
	default:
		return false;
	}
}

static enum launch_fill snp_fill(uint8_t type)
{
	switch (type) {
	case KVM_SEV_SNP_PAGE_TYPE_ZERO:
		return LAUNCH_FILL_ZERO;
	case KVM_SEV_SNP_PAGE_TYPE_SECRETS:
		return LAUNCH_FILL_RANDOM;
	default:
		return LAUNCH_FILL_SOURCE;
	}
}

/* KVM_SEV_SNP_LAUNCH_UPDATE (snp_launch_update). A uaddr of 0 is the
 * in-place flow (R89); a ZERO page reads no source. */
static int snp_read_update(enum uaccess_mode mode, enum launch_phase phase,
			   struct launch_cmd *c)
{
	struct kvm_sev_snp_launch_update *u = &c->arg.snp_update;

	if (phase < LAUNCH_MEASURING)
		return -EINVAL;
	if (read_arg(mode, c, u, sizeof(*u)))
		return -EFAULT;
	if (!u->len || (u->len & (LAUNCH_PAGE_BYTES - 1)) || u->flags ||
	    !snp_page_type_valid(u->type))
		return -EINVAL;
	if (u->pad0 || u->pad1 || !launch_all_zero(u->pad2, sizeof(u->pad2)))
		return -EINVAL;
	if (u->type != KVM_SEV_SNP_PAGE_TYPE_ZERO &&
	    (u->uaddr & (LAUNCH_PAGE_BYTES - 1)))
		return -EINVAL;
	c->op = LAUNCH_OP_UPDATE;
	c->gpa = u->gfn_start << LAUNCH_PAGE_SHIFT;
	c->src = u->type == KVM_SEV_SNP_PAGE_TYPE_ZERO ? 0 : u->uaddr;
	c->npages = u->len / LAUNCH_PAGE_BYTES;
	c->page_type = u->type;
	c->fill = snp_fill(u->type);
	c->measure_contents = u->type == KVM_SEV_SNP_PAGE_TYPE_NORMAL;
	c->clamp_to_slot = true;
	c->in_place_refused = -EINVAL;
	if (phase == LAUNCH_FINISHED)
		c->firmware_refuses = SEV_RET_INVALID_GUEST_STATE;
	/* A gfn past the guest physical space is in no memslot. */
	return u->gfn_start >> 52 ? -EINVAL : 0;
}

/* The ID block and its authentication, as psp_copy_user_blob() reads
 * them: only their readability matters without firmware. */
static int snp_read_id_blobs(enum uaccess_mode mode,
			     const struct kvm_sev_snp_launch_finish *f)
{
	uint8_t blob[KVM_SEV_SNP_ID_AUTH_SIZE];

	if (!f->id_block_en)
		return 0;
	if (copy_from_user_as(mode, blob, (void *)(uintptr_t)f->id_block_uaddr,
			      KVM_SEV_SNP_ID_BLOCK_SIZE) ||
	    copy_from_user_as(mode, blob, (void *)(uintptr_t)f->id_auth_uaddr,
			      KVM_SEV_SNP_ID_AUTH_SIZE))
		return -EFAULT;
	return 0;
}

/* KVM_SEV_SNP_LAUNCH_FINISH (snp_launch_finish). */
static int snp_read_finish(enum uaccess_mode mode, enum launch_phase phase,
			   struct launch_cmd *c)
{
	struct kvm_sev_snp_launch_finish f;
	int err;

	if (phase == LAUNCH_CREATED)
		return -ENOTTY;
	if (phase == LAUNCH_INITIALIZED)
		return -EINVAL;
	if (read_arg(mode, c, &f, sizeof(f)))
		return -EFAULT;
	if (f.flags || !launch_all_zero(f.pad0, sizeof(f.pad0)) ||
	    !launch_all_zero(f.pad1, sizeof(f.pad1)))
		return -EINVAL;
	err = snp_read_id_blobs(mode, &f);
	if (err)
		return err;
	if (phase == LAUNCH_FINISHED) {
		c->fw_error = SEV_RET_INVALID_GUEST_STATE;
		return -EIO;
	}
	c->op = LAUNCH_OP_FINISH;
	c->fw_error = 0;
	return 0;
}

/* sev_mem_enc_ioctl(): the header, the SNP-only rule, the dispatch. */
static int snp_read(enum uaccess_mode mode, void *uarg, enum launch_phase phase,
		    struct launch_cmd *c)
{
	if (!uarg) /* the kernel answers a NULL argument with 0 */
		return 0;
	if (copy_from_user_as(mode, &c->hdr.sev, uarg, sizeof(c->hdr.sev)))
		return -EFAULT;
	c->fw_error = c->hdr.sev.error;
	/* Once INIT2 made it an SNP guest, only SNP commands. */
	if (phase != LAUNCH_CREATED && c->hdr.sev.id < KVM_SEV_SNP_LAUNCH_START)
		return -EPERM;
	c->answer_header = true;
	switch (c->hdr.sev.id) {
	case KVM_SEV_INIT2:
		return snp_read_init2(mode, c);
	case KVM_SEV_SNP_LAUNCH_START:
		return snp_read_start(mode, phase, c);
	case KVM_SEV_SNP_LAUNCH_UPDATE:
		return snp_read_update(mode, phase, c);
	case KVM_SEV_SNP_LAUNCH_FINISH:
		return snp_read_finish(mode, phase, c);
	default:
		/* Legacy SEV commands are not modelled (R83). */
		c->answer_header = false;
		return -EINVAL;
	}
}

/* The progress of a populate, written back as snp_launch_update() does:
 * after any page, the range that is left. A failure before the first
 * page is EIO with the firmware's status, whatever stopped it. */
static int snp_answer_update(enum uaccess_mode mode, const struct launch_cmd *c,
			     struct kvm_sev_cmd *hdr)
{
	struct kvm_sev_snp_launch_update u = c->arg.snp_update;

	if (c->page_err && !c->done) {
		hdr->error = c->fw_error;
		return -EIO;
	}
	u.gfn_start += c->done;
	u.len -= c->done * LAUNCH_PAGE_BYTES;
	/* An in-place source stays 0, so that a retry stays in place. */
	if (u.type != KVM_SEV_SNP_PAGE_TYPE_ZERO && u.uaddr)
		u.uaddr += c->done * LAUNCH_PAGE_BYTES;
	if (copy_to_user_as(mode, (void *)(uintptr_t)hdr->data, &u, sizeof(u)))
		return -EFAULT;
	return 0;
}

static int snp_answer(enum uaccess_mode mode, void *uarg,
		      const struct launch_cmd *c, int err)
{
	struct kvm_sev_cmd hdr = c->hdr.sev;

	hdr.error = c->fw_error;
	if (!err && c->op == LAUNCH_OP_UPDATE)
		err = snp_answer_update(mode, c, &hdr);
	if (c->answer_header && copy_to_user_as(mode, uarg, &hdr, sizeof(hdr)))
		err = -EFAULT;
	return err;
}

static int snp_measure(struct launch_digest *d, const struct launch_cmd *c,
		       uint64_t gpa, const void *page)
{
	struct snp_page_info info = {
		.length = sizeof(info),
		.page_type = (uint8_t)c->page_type,
		.gpa = gpa,
	};
	int err = 0;

	memcpy(info.digest_cur, d->value, sizeof(info.digest_cur));
	if (c->measure_contents) {
		struct launch_digest contents = { 0 };

		err = launch_digest_chain(&contents, page, LAUNCH_PAGE_BYTES);
		memcpy(info.contents, contents.value, sizeof(info.contents));
	}
	return err ? err : launch_digest_chain(d, &info, sizeof(info));
}

static const struct launch_ops snp_launch = {
	.read = snp_read,
	.answer = snp_answer,
	.measure = snp_measure,
	.digest_stream = false,
};

const struct gmem_platform platform_snp = {
	.name = "snp",
	.vm_type = KVM_X86_SNP_VM,
	.has_private_mem = true,
	.content_modes = KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
			 GMEM_ATTRIBUTES2_ENCRYPTED | GMEM_ATTRIBUTES2_DESTROY,
	.unspecified = CONTENT_KEEP,
	.encrypted = true,
	.preserve_to_private_before_launch = true,
	.launch = &snp_launch,
};
