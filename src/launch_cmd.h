/* SPDX-License-Identifier: MIT */
/*
 * One launch command (KVM_MEMORY_ENCRYPT_OP), as a platform reads it and
 * the launch engine (launch.c) carries it out: the platform knows its
 * structs, its checks and its answers; the engine knows the VM, its
 * memory and its phase. Only the platform's read() and answer() look at
 * the raw structs kept here.
 */
#ifndef GMEM_LAUNCH_CMD_H
#define GMEM_LAUNCH_CMD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gmem/uapi.h>

/* Launch commands work on 4 KiB pages. */
#define LAUNCH_PAGE_BYTES 4096ULL
#define LAUNCH_PAGE_SHIFT 12

/* The phases of a launch, as gmem_get_launch_state() reports them. */
enum launch_phase {
	LAUNCH_CREATED = 0, /* no INIT2 / INIT_VM yet */
	LAUNCH_INITIALIZED, /* SNP: INIT2 done, no LAUNCH_START yet */
	LAUNCH_MEASURING,   /* SNP: LAUNCH_START, TDX: INIT_VM done */
	LAUNCH_FINISHED,    /* LAUNCH_FINISH / FINALIZE_VM done */
};

enum launch_op {
	LAUNCH_OP_NONE,	  /* nothing to do (SNP: a NULL argument) */
	LAUNCH_OP_INIT,	  /* to LAUNCH_INITIALIZED */
	LAUNCH_OP_START,  /* to LAUNCH_MEASURING: the digest starts */
	LAUNCH_OP_UPDATE, /* populate pages */
	LAUNCH_OP_FINISH, /* to LAUNCH_FINISHED: the digest freezes */
};

/* What a populated page holds before it is encrypted. */
enum launch_fill {
	LAUNCH_FILL_SOURCE, /* the source page, or the page itself in place */
	LAUNCH_FILL_ZERO,   /* zeros (SNP's ZERO pages) */
	LAUNCH_FILL_RANDOM, /* the firmware's own secrets (SNP's SECRETS) */
};

struct launch_cmd {
	enum launch_op op;

	/* LAUNCH_OP_UPDATE, as read */
	uint64_t gpa;		/* first page */
	uint64_t src;		/* source address; 0 = in place */
	uint64_t npages;	/* > 0 */
	unsigned int page_type; /* the platform's, for its record */
	enum launch_fill fill;
	bool measure_contents; /* the contents go into the record (hash) */
	bool clamp_to_slot;    /* SNP: stop quietly at the first slot's end */
	/* The errno for an in-place populate (no source) on a VM whose
	 * attributes are tracked per VM, not in guest_memfd. */
	int in_place_refused;
	/* SNP after LAUNCH_FINISH: the firmware refuses each page with
	 * this status (EIO); 0 when it takes them. */
	uint32_t firmware_refuses;

	/* LAUNCH_OP_UPDATE, as done */
	uint64_t done; /* pages populated, from the first */
	int page_err;  /* -errno that stopped the walk, or 0 */

	/* The answer's words: the firmware status (SNP `error`, TDX
	 * `hw_error`), and whether the command header goes back. */
	uint32_t fw_error;
	bool answer_header;

	/* The raw structs, for the answer. */
	union {
		struct kvm_sev_cmd sev;
		struct kvm_tdx_cmd tdx;
	} hdr;
	union {
		struct kvm_sev_snp_launch_update snp_update;
		struct kvm_tdx_init_mem_region tdx_region;
	} arg;
};

/* Every byte of a padding field is zero. */
static inline bool launch_all_zero(const void *p, size_t len)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < len; i++)
		if (b[i])
			return false;
	return true;
}

#endif
