/* SPDX-License-Identifier: MIT */
/*
 * A platform is what a VM type means for private memory: whether it has
 * any, which content modes a conversion may ask for, and what happens to
 * the bytes. One file per platform, one ops table each; the conversion
 * engine asks, the platform answers, and nothing here calls back up.
 */
#ifndef GMEM_PLATFORM_H
#define GMEM_PLATFORM_H

#include <stdbool.h>
#include <stdint.h>

#include "launch_cmd.h"
#include "launch_digest.h"
#include "uaccess.h"

/* What a platform does to the bytes for a content mode. */
enum content_action {
	CONTENT_KEEP,	  /* leave the bytes as they are */
	CONTENT_ZERO,	  /* software zeroing */
	CONTENT_SCRAMBLE, /* random bytes, so nobody relies on old contents */
	CONTENT_DESTROY,  /* free the memory: it reads zero when next used */
};

/*
 * The launch commands of a platform (KVM_MEMORY_ENCRYPT_OP), for the
 * engine in launch.c, which holds the VM's launch lock around all three.
 */
struct launch_ops {
	/* Copy in the command at `uarg` and what it points to, check it as
	 * the kernel does in `phase`, and fill `c`. 0 or -errno. */
	int (*read)(enum uaccess_mode mode, void *uarg, enum launch_phase phase,
		    struct launch_cmd *c);
	/* Copy the answer out (progress, the firmware's status) and give
	 * the call's errno, from `err` (read's or the engine's). */
	int (*answer)(enum uaccess_mode mode, void *uarg,
		      const struct launch_cmd *c, int err);
	/* Extend `d` with one populated page at `gpa` whose plaintext is
	 * `page`. 0 or -EIO. */
	int (*measure)(struct launch_digest *d, const struct launch_cmd *c,
		       uint64_t gpa, const void *page);
	/* The digest is a running hash (TDX), not a chain (SNP). */
	bool digest_stream;
};

struct gmem_platform {
	const char *name;
	unsigned long vm_type;
	/* kvm_arch_has_private_mem(): the PRIVATE attribute exists. */
	bool has_private_mem;
	/* The content modes this VM type supports (the arch set of RFC v4,
	 * and the experimental policies), as KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS
	 * reports them. */
	uint64_t content_modes;
	/* What mode 0 (no guarantee) does to allocated pages. */
	enum content_action unspecified;
	/* Keeping the contents (PRESERVE, READABLE) is only for a conversion
	 * the guest itself asked for (pKVM: EL2 checks the exit it saw). */
	bool keep_needs_guest_request;
	/* Private memory is encrypted at rest (SEV-SNP, TDX). */
	bool encrypted;
	/* PRESERVE to private is allowed until the launch finishes, for
	 * loading an image in place (RFC v5; R93). */
	bool preserve_to_private_before_launch;
	/* KVM_MEMORY_ENCRYPT_OP, or NULL where the VM type has none. */
	const struct launch_ops *launch;
};

extern const struct gmem_platform platform_default;
extern const struct gmem_platform platform_sw_protected;
extern const struct gmem_platform platform_pkvm;
extern const struct gmem_platform platform_snp;
extern const struct gmem_platform platform_tdx;

/* The platform of a VM type, or NULL if the type is unknown. */
const struct gmem_platform *platform_for_type(unsigned long type);

#endif
