/* SPDX-License-Identifier: MIT */
/*
 * What this host offers for guest memory: KVM or not, guest_memfd and its
 * flags. Read straight from /dev/kvm, never through libgmem, so that the
 * tests can tell what the library should be able to do here and
 * `gmemctl host` can say it.
 */
#ifndef GMEM_HOST_PROBE_H
#define GMEM_HOST_PROBE_H

#include <stdbool.h>
#include <stdint.h>

struct host_offer {
	int kvm_errno;	     /* 0 when /dev/kvm opened, else why not */
	int api_version;     /* KVM_GET_API_VERSION, or -1 */
	long vm_types;	     /* KVM_CAP_VM_TYPES: bit n = type n */
	long guest_memfd;    /* KVM_CAP_GUEST_MEMFD */
	uint64_t gmem_flags; /* KVM_CAP_GUEST_MEMFD_FLAGS */
};

/* What a test or a tool needs from the host. */
enum host_need {
	HOST_KVM,	  /* /dev/kvm opens */
	HOST_GUEST_MEMFD, /* KVM_CREATE_GUEST_MEMFD exists */
	/* guest_memfd with GUEST_MEMFD_FLAG_MMAP | _INIT_SHARED (Linux
	 * 6.18+): the kernel's files can be mapped, so libgmem's kvm backend
	 * runs and the kernel's answers can be compared with it. */
	HOST_GMEM_MMAP,
};

/* The host's offer, probed once (thread-safe). */
const struct host_offer *host_probe(void);

/* NULL when the host offers `need`; else one line saying what it lacks. */
const char *host_lacks(enum host_need need);

/* The host class of docs/SEMANTICS.md ("Hosts"): 'a' (no KVM), 'b' (KVM
 * without guest_memfd), 'c' (guest_memfd without MMAP), 'd' (with MMAP). */
char host_class(void);

#endif
