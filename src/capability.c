// SPDX-License-Identifier: MIT
/*
 * Capabilities.
 *
 * The kernel's own numbers answer as the 6.18 kernel here does. The
 * conversion series' capabilities (RFC v4 numbers, defined in uapi.h only)
 * answer per VM type and per attribute mode: exactly one of the VM-level
 * attribute ioctl and the guest_memfd one is live (R43), so the capability
 * of the other reads 0. The system fd answers as the default mode does
 * (attributes in guest_memfd).
 *
 * KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS, which RFC v3 left open and RFC v4 added
 * (R75): the content modes a VM type supports, ZERO|PRESERVE on the system
 * fd. It cannot say that ZERO is never accepted for a to-private request;
 * that rule is fixed (R54) and userspace must know it.
 *
 * A VM that follows v6+ (R95) has neither 248 nor 250: both read 0, and
 * 249 alone says that the guest_memfd ioctl exists (v6 and v7 numbered it
 * 249, v8 250; the library keeps one number, uapi.h's). The system fd
 * answers for the generation GMEM_UAPI names.
 */
#include <gmem/gmem.h>

#include "capability.h"
#include "content_mode.h"
#include "uapi_generation.h"
#include "vm.h"

#define SYSTEM_VM_TYPES                                                        \
	((1 << KVM_X86_DEFAULT_VM) | (1 << KVM_X86_SW_PROTECTED_VM) |          \
	 (1 << KVM_X86_SNP_VM) | (1 << KVM_X86_TDX_VM))

static int system_capability(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_MEMORY_FAULT_INFO:
	case KVM_CAP_GUEST_MEMFD:
		return 1;
	case KVM_CAP_VM_TYPES:
		return SYSTEM_VM_TYPES;
	case KVM_CAP_EXIT_HYPERCALL:
		return 1 << KVM_HC_MAP_GPA_RANGE;
	case KVM_CAP_GUEST_MEMFD_FLAGS:
		return GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED;
	case KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES:
		return KVM_MEMORY_ATTRIBUTE_PRIVATE;
	case KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS:
		if (uapi_generation_default() == GMEM_UAPI_V6)
			return 0;
		return KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
		       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
	default:
		return 0;
	}
}

static int vm_capability(const struct gmem_vm *vm, long cap)
{
	switch (cap) {
	case KVM_CAP_GUEST_MEMFD_FLAGS:
		return (int)vm_gmem_flags(vm);
	case KVM_CAP_MEMORY_ATTRIBUTES2:
		/* Gone in v6 (R95): 248 became an s390 capability. */
		if (vm_uapi_v6(vm))
			return 0;
		/* fall through */
	case KVM_CAP_MEMORY_ATTRIBUTES:
		return vm_gmem_attributes(vm)
			       ? 0
			       : (int)vm_supported_attributes(vm);
	case KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES:
		return vm_gmem_attributes(vm) ? (int)vm_supported_attributes(vm)
					      : 0;
	case KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS:
		return vm_gmem_attributes(vm) ? (int)content_modes_of(vm) : 0;
	default:
		return system_capability(cap);
	}
}

int capability_check(const struct gmem_vm *vm, long cap)
{
	return vm ? vm_capability(vm, cap) : system_capability(cap);
}

bool capability_modelled(long cap)
{
	switch (cap) {
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_MEMORY_FAULT_INFO:
	case KVM_CAP_MEMORY_ATTRIBUTES:
	case KVM_CAP_GUEST_MEMFD:
	case KVM_CAP_VM_TYPES:
	case KVM_CAP_EXIT_HYPERCALL:
	case KVM_CAP_GUEST_MEMFD_FLAGS:
	case KVM_CAP_MEMORY_ATTRIBUTES2:
	case KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES:
	case KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS:
		return true;
	default:
		return false;
	}
}
