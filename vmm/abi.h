/* SPDX-License-Identifier: MIT */
/*
 * The contract between gmem-vm and its guest programs.
 *
 * Included by the VMM and by the freestanding guests, so it holds nothing
 * but numbers: no includes, no types.
 *
 * A guest is a flat 32-bit binary loaded at GVM_LOAD_ADDR and entered in
 * flat protected mode (every segment based at 0 with a 4 GiB limit, paging
 * off, interrupts off), every vCPU at the same entry point with:
 *
 *	EAX = GVM_BOOT_MAGIC	EBX = vCPU index	ECX = number of vCPUs
 *	EDX = RAM size		ESI = hypercall transport (GVM_TRANSPORT_*)
 *	EDI = the VM type the VMM models (KVM_X86_SW_PROTECTED_VM, ...)
 *	EBP = an argument for the program (0 if the VMM gives none)
 *
 * The conversion hypercall is KVM_HC_MAP_GPA_RANGE (12), with its
 * arguments: EBX = guest physical address, ECX = number of 4 KiB pages,
 * EDX = attributes (KVM_MAP_GPA_RANGE_ENCRYPTED: make private; else
 * shared). ESI, which the ABI leaves spare, names the content mode the
 * guest expects (GVM_MODE_*). It travels either as a real hypercall
 * (VMCALL, which KVM reports as KVM_EXIT_HYPERCALL) or, where that does not
 * reach the VMM, as `out %eax, $GVM_PORT_HYPERCALL` with the same
 * registers; the VMM says which at entry. On return EAX = 0 or -errno;
 * after EAGAIN, EOPNOTSUPP or ENOMEM, EBX = the error_offset that
 * KVM_SET_MEMORY_ATTRIBUTES2 reported (an offset in the guest_memfd) and
 * ECX = the guest physical address it corresponds to. Every other
 * register, and EBX and ECX after any other result, are left as they were.
 */
#ifndef GVM_ABI_H
#define GVM_ABI_H

/* ---- memory layout ---- */
#define GVM_PAGE_SIZE	 0x1000
#define GVM_HUGE_SIZE	 0x200000 /* 2 MiB */
#define GVM_LOAD_ADDR	 0x1000	  /* text, data and bss; page 0 stays unused */
#define GVM_IMAGE_MAX	 (GVM_STACK_BOTTOM - GVM_LOAD_ADDR)
#define GVM_STACK_TOP	 0x80000 /* vCPU n's stack ends at TOP - n * SIZE */
#define GVM_STACK_SIZE	 0x2000
#define GVM_MAX_VCPUS	 8
#define GVM_STACK_BOTTOM (GVM_STACK_TOP - GVM_MAX_VCPUS * GVM_STACK_SIZE)
#define GVM_SCRATCH_GPA	 0x100000 /* 1 MiB of pages for experiments */
#define GVM_SCRATCH_SIZE 0x100000
#define GVM_HUGE_GPA	 0x200000 /* one 2 MiB-aligned range */
#define GVM_RAM_SIZE_MIN 0x400000

/* ---- entry ---- */
#define GVM_BOOT_MAGIC	     0x4d564d47 /* "GMVM" */
#define GVM_TRANSPORT_PORT   0		/* out %eax, $GVM_PORT_HYPERCALL */
#define GVM_TRANSPORT_VMCALL 1		/* vmcall */

/* ---- I/O ports: 8-bit numbers, so OUT leaves EDX free for arguments ---- */
#define GVM_PORT_CONSOLE                                                       \
	0xe9			/* one byte a character (as Bochs' debug port) \
				 */
#define GVM_PORT_EXIT	   0xf4 /* 32-bit status: 0 passed, else failed */
#define GVM_PORT_HYPERCALL 0xe0 /* the hypercall, through an I/O exit */
#define GVM_PORT_TESTDEV   0xe4 /* asks the host to act: GVM_TESTDEV_* */

/* ---- hypercalls ---- */
#define GVM_HC_MAP_GPA_RANGE	     12 /* KVM_HC_MAP_GPA_RANGE */
#define GVM_MAP_GPA_RANGE_ENCRYPTED  (1 << 4)
#define GVM_MAP_GPA_RANGE_PAGE_SZ_2M (1 << 0)

/* The content mode a guest expects, in ESI. */
#define GVM_MODE_POLICY	     0 /* whatever the VMM's policy chooses */
#define GVM_MODE_UNSPECIFIED 1 /* KVM_SET_MEMORY_ATTRIBUTES2 flags 0 */
#define GVM_MODE_ZERO	     2 /* KVM_SET_MEMORY_ATTRIBUTES2_ZERO */
#define GVM_MODE_PRESERVE    3 /* KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE */
#define GVM_MODE_MASK	     0xff
/* Decode, validate and answer, but convert nothing: the do-nothing
 * hypercall that benchmarks use as their baseline. */
#define GVM_HC_DRY_RUN 0x100

/* ---- the test device: EAX = command, EBX/ECX/EDX = arguments ---- */
/* Host reads ECX bytes at EBX through its own mapping; all must be the
 * byte EDX. EAX = 0 if so, -EIO if not, -EACCES if the range is private. */
#define GVM_TESTDEV_EXPECT_BYTE 1
/* The same, against gvm_pattern(EDX, i) for byte i. */
#define GVM_TESTDEV_EXPECT_PATTERN 2
/* gmem_pin() / gmem_unpin() of ECX bytes at EBX. EAX = 0 or -errno. */
#define GVM_TESTDEV_PIN	  3
#define GVM_TESTDEV_UNPIN 4
/* A child process of the host reads the byte at EBX through the host's
 * mapping. EAX = the signal that killed it (SIGBUS is 7), or 0. */
#define GVM_TESTDEV_TOUCH 5
/* The host converts on its own, not at the guest's request: EBX = gpa,
 * ECX = pages, EDX = MAP_GPA_RANGE attributes, ESI = GVM_MODE_*. Results
 * as the hypercall's. */
#define GVM_TESTDEV_CONVERT 6
/* The physical frame behind the host's mapping of the shared page at EBX,
 * truncated to 32 bits; 0 where the host cannot tell. */
#define GVM_TESTDEV_PFN 7
/* Benchmarks: a timestamp, labelled EBX (GVM_MARK_*), ECX and EDX. */
#define GVM_TESTDEV_MARK 8
/* EAX = 1 if the VM follows the series' v6+ uAPI (no content modes: the
 * VMM clears a range itself where the guest expects zeros), 0 for RFC
 * v4's. */
#define GVM_TESTDEV_UAPI 9

#define GVM_MARK_BEGIN 1 /* ECX = case, EDX = iterations */
#define GVM_MARK_END   2 /* ECX = case */

/* The bytes a guest fills a buffer with, and the host checks. */
#define gvm_pattern(seed, i) ((unsigned char)((seed) + (i)*7 + ((i) >> 8)))

#endif /* GVM_ABI_H */
