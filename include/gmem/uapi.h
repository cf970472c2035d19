/* SPDX-License-Identifier: MIT */
/*
 * The kernel uAPI that gmem mirrors: the names, numbers and structs of
 * <linux/kvm.h> that guest_memfd and in-place conversion use.
 *
 * Every definition is guarded, so that newer system headers, which know
 * these names already, win. Numbers that only exist in the in-place
 * conversion series (RFC v4) live here and nowhere else: they moved between
 * revisions of the series, and one place is easy to change.
 */
#ifndef GMEM_UAPI_H
#define GMEM_UAPI_H

#include <linux/types.h>
#include <linux/ioctl.h>
#include <linux/kvm.h>

#ifndef KVMIO
#define KVMIO 0xAE
#endif

/* KVM_X86_SEV_VM came with KVM_SEV_INIT2 and struct kvm_sev_init (6.10):
 * noted here, before the guards below define the VM types. */
#ifdef KVM_X86_SEV_VM
#define __GMEM_SYSTEM_HAS_SEV_INIT2 1
#endif

/* ---- VM types (arch/x86/include/uapi/asm/kvm.h, arm64 pKVM) ---- */
#ifndef KVM_X86_DEFAULT_VM
#define KVM_X86_DEFAULT_VM 0
#endif
#ifndef KVM_X86_SW_PROTECTED_VM
#define KVM_X86_SW_PROTECTED_VM 1
#endif
#ifndef KVM_X86_SEV_VM
#define KVM_X86_SEV_VM 2
#endif
#ifndef KVM_X86_SEV_ES_VM
#define KVM_X86_SEV_ES_VM 3
#endif
#ifndef KVM_X86_SNP_VM
#define KVM_X86_SNP_VM 4
#endif
#ifndef KVM_X86_TDX_VM
#define KVM_X86_TDX_VM 5
#endif
#ifndef KVM_VM_TYPE_ARM_PROTECTED
#define KVM_VM_TYPE_ARM_PROTECTED (1UL << 31)
#endif

/* ---- capabilities ---- */
#ifndef KVM_CAP_EXIT_HYPERCALL
#define KVM_CAP_EXIT_HYPERCALL 201
#endif
#ifndef KVM_CAP_USER_MEMORY2
#define KVM_CAP_USER_MEMORY2 231
#endif
#ifndef KVM_CAP_MEMORY_FAULT_INFO
#define KVM_CAP_MEMORY_FAULT_INFO 232
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES
#define KVM_CAP_MEMORY_ATTRIBUTES 233
#endif
#ifndef KVM_CAP_GUEST_MEMFD
#define KVM_CAP_GUEST_MEMFD 234
#endif
#ifndef KVM_CAP_VM_TYPES
#define KVM_CAP_VM_TYPES 235
#endif
#ifndef KVM_CAP_GUEST_MEMFD_FLAGS
#define KVM_CAP_GUEST_MEMFD_FLAGS 244
#endif
/* The conversion series, RFC v4 numbering. */
#ifndef KVM_CAP_MEMORY_ATTRIBUTES2
#define KVM_CAP_MEMORY_ATTRIBUTES2 248
#endif
#ifndef KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES
#define KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES 249
#endif
#ifndef KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS
#define KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS 250
#endif

/* ---- guest_memfd creation ---- */
#ifndef KVM_CREATE_GUEST_MEMFD
struct kvm_create_guest_memfd {
	__u64 size;
	__u64 flags;
	__u64 reserved[6];
};
#define KVM_CREATE_GUEST_MEMFD _IOWR(KVMIO, 0xd4, struct kvm_create_guest_memfd)
#endif
#ifndef GUEST_MEMFD_FLAG_MMAP
#define GUEST_MEMFD_FLAG_MMAP (1ULL << 0)
#endif
#ifndef GUEST_MEMFD_FLAG_INIT_SHARED
#define GUEST_MEMFD_FLAG_INIT_SHARED (1ULL << 1)
#endif
/*
 * Huge folios, from the hugetlb guest_memfd series ("KVM: guest_memfd: 1G
 * page support", RFC v2, May 2025): a flag bit clear of MMAP and
 * INIT_SHARED, and the folio size as its base-2 logarithm in the top six
 * bits of the flags, as mmap(2) and memfd_create(2) encode a huge page
 * size. 0 there means the default, 2 MiB.
 */
#ifndef GUEST_MEMFD_FLAG_HUGETLB
#define GUEST_MEMFD_FLAG_HUGETLB (1ULL << 2)
#endif
#ifndef GUESTMEM_HUGETLB_FLAG_SHIFT
#define GUESTMEM_HUGETLB_FLAG_SHIFT 58
#define GUESTMEM_HUGETLB_FLAG_MASK  0x3fULL
#define GUESTMEM_HUGETLB_FLAG_2MB   (21ULL << GUESTMEM_HUGETLB_FLAG_SHIFT)
#define GUESTMEM_HUGETLB_FLAG_1GB   (30ULL << GUESTMEM_HUGETLB_FLAG_SHIFT)
#endif

/* ---- memslots ---- */
#ifndef KVM_SET_USER_MEMORY_REGION2
struct kvm_userspace_memory_region2 {
	__u32 slot;
	__u32 flags;
	__u64 guest_phys_addr;
	__u64 memory_size;
	__u64 userspace_addr;
	__u64 guest_memfd_offset;
	__u32 guest_memfd;
	__u32 pad1;
	__u64 pad2[14];
};
#define KVM_SET_USER_MEMORY_REGION2                                            \
	_IOW(KVMIO, 0x49, struct kvm_userspace_memory_region2)
#endif
#ifndef KVM_MEM_LOG_DIRTY_PAGES
#define KVM_MEM_LOG_DIRTY_PAGES (1U << 0)
#endif
#ifndef KVM_MEM_READONLY
#define KVM_MEM_READONLY (1U << 1)
#endif
#ifndef KVM_MEM_GUEST_MEMFD
#define KVM_MEM_GUEST_MEMFD (1U << 2)
#endif

/* ---- memory attributes ---- */
#ifndef KVM_SET_MEMORY_ATTRIBUTES
struct kvm_memory_attributes {
	__u64 address;
	__u64 size;
	__u64 attributes;
	__u64 flags;
};
#define KVM_SET_MEMORY_ATTRIBUTES                                              \
	_IOW(KVMIO, 0xd2, struct kvm_memory_attributes)
#endif
#ifndef KVM_MEMORY_ATTRIBUTE_PRIVATE
#define KVM_MEMORY_ATTRIBUTE_PRIVATE (1ULL << 3)
#endif

#ifndef KVM_SET_MEMORY_ATTRIBUTES2
/* RFC v4, after patch 10/44 split error_offset out of reserved[]. */
struct kvm_memory_attributes2 {
	union {
		__u64 address;
		__u64 offset;
	};
	__u64 size;
	__u64 attributes;
	__u64 flags;
	__u64 error_offset;
	__u64 reserved[11];
};
#define KVM_SET_MEMORY_ATTRIBUTES2                                             \
	_IOWR(KVMIO, 0xd2, struct kvm_memory_attributes2)
#endif

/* Content modes (RFC v3/v4): flags of KVM_SET_MEMORY_ATTRIBUTES2. */
#ifndef KVM_SET_MEMORY_ATTRIBUTES2_MODE_UNSPECIFIED
#define KVM_SET_MEMORY_ATTRIBUTES2_MODE_UNSPECIFIED 0
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define KVM_SET_MEMORY_ATTRIBUTES2_ZERO (1ULL << 0)
#endif
#ifndef KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE (1ULL << 1)
#endif

/* ---- exits and hypercalls ---- */
#ifndef KVM_EXIT_MEMORY_FAULT
#define KVM_EXIT_MEMORY_FAULT 39
#endif
#ifndef KVM_MEMORY_EXIT_FLAG_PRIVATE
#define KVM_MEMORY_EXIT_FLAG_PRIVATE (1ULL << 3)
#endif
#ifndef KVM_HC_MAP_GPA_RANGE
#define KVM_HC_MAP_GPA_RANGE 12
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_4K
#define KVM_MAP_GPA_RANGE_PAGE_SZ_4K 0
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_2M
#define KVM_MAP_GPA_RANGE_PAGE_SZ_2M (1 << 0)
#endif
#ifndef KVM_MAP_GPA_RANGE_PAGE_SZ_1G
#define KVM_MAP_GPA_RANGE_PAGE_SZ_1G (1 << 1)
#endif
#ifndef KVM_MAP_GPA_RANGE_ENCRYPTED
#define KVM_MAP_GPA_RANGE_ENCRYPTED (1 << 4)
#endif
#ifndef KVM_MAP_GPA_RANGE_DECRYPTED
#define KVM_MAP_GPA_RANGE_DECRYPTED (0 << 4)
#endif

/* ---- launch: KVM_MEMORY_ENCRYPT_OP (arch/x86/include/uapi/asm/kvm.h) ----
 * struct kvm_sev_cmd has been there since SEV; the SNP commands and
 * structs came in 6.11 (INIT2 in 6.10), the TDX ones in 6.16. Each family
 * is guarded by a macro it brought, so that newer headers win. Older
 * headers name the SEV command ids in an enum; the values are the same.
 */
#ifndef KVM_MEMORY_ENCRYPT_OP
struct kvm_sev_cmd {
	__u32 id;
	__u32 pad0;
	__u64 data;
	__u32 error;
	__u32 sev_fd;
};
#define KVM_MEMORY_ENCRYPT_OP _IOWR(KVMIO, 0xba, unsigned long)
#endif

#ifndef KVM_SEV_SNP_PAGE_TYPE_NORMAL
#if !defined(__GMEM_SYSTEM_HAS_SEV_INIT2)
struct kvm_sev_init {
	__u64 vmsa_features;
	__u32 flags;
	__u16 ghcb_version;
	__u16 pad1;
	__u32 pad2[8];
};
#define KVM_SEV_INIT2 22
#endif
#define KVM_SEV_SNP_LAUNCH_START  100
#define KVM_SEV_SNP_LAUNCH_UPDATE 101
#define KVM_SEV_SNP_LAUNCH_FINISH 102

struct kvm_sev_snp_launch_start {
	__u64 policy;
	__u8 gosvw[16];
	__u16 flags;
	__u8 pad0[6];
	__u64 pad1[4];
};

#define KVM_SEV_PAGE_TYPE_INVALID	 0x0
#define KVM_SEV_SNP_PAGE_TYPE_NORMAL	 0x1
#define KVM_SEV_SNP_PAGE_TYPE_ZERO	 0x3
#define KVM_SEV_SNP_PAGE_TYPE_UNMEASURED 0x4
#define KVM_SEV_SNP_PAGE_TYPE_SECRETS	 0x5
#define KVM_SEV_SNP_PAGE_TYPE_CPUID	 0x6

struct kvm_sev_snp_launch_update {
	__u64 gfn_start;
	__u64 uaddr;
	__u64 len;
	__u8 type;
	__u8 pad0;
	__u16 flags;
	__u32 pad1;
	__u64 pad2[4];
};

#define KVM_SEV_SNP_ID_BLOCK_SIZE    96
#define KVM_SEV_SNP_ID_AUTH_SIZE     4096
#define KVM_SEV_SNP_FINISH_DATA_SIZE 32

struct kvm_sev_snp_launch_finish {
	__u64 id_block_uaddr;
	__u64 id_auth_uaddr;
	__u8 id_block_en;
	__u8 auth_key_en;
	__u8 vcek_disabled;
	__u8 host_data[KVM_SEV_SNP_FINISH_DATA_SIZE];
	__u8 pad0[3];
	__u16 flags;
	__u64 pad1[4];
};
#endif

#ifndef KVM_TDX_MEASURE_MEMORY_REGION
#define KVM_TDX_CAPABILITIES	0
#define KVM_TDX_INIT_VM		1
#define KVM_TDX_INIT_VCPU	2
#define KVM_TDX_INIT_MEM_REGION 3
#define KVM_TDX_FINALIZE_VM	4
#define KVM_TDX_GET_CPUID	5

struct kvm_tdx_cmd {
	__u32 id;
	__u32 flags;
	__u64 data;
	__u64 hw_error;
};

struct kvm_tdx_init_vm {
	__u64 attributes;
	__u64 xfam;
	__u64 mrconfigid[6];
	__u64 mrowner[6];
	__u64 mrownerconfig[6];
	__u64 reserved[12];
	struct kvm_cpuid2 cpuid;
};

#define KVM_TDX_MEASURE_MEMORY_REGION (1ULL << 0)

struct kvm_tdx_init_mem_region {
	__u64 source_addr;
	__u64 gpa;
	__u64 nr_pages;
};
#endif

#endif /* GMEM_UAPI_H */
