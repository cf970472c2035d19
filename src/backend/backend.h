/* SPDX-License-Identifier: MIT */
/*
 * Where a guest_memfd's bytes live. Two backends with one interface:
 *
 *  - kvm: the running kernel's own guest_memfd, created on a real
 *    default-type VM that the library holds. The kernel's file is always
 *    made with MMAP|INIT_SHARED (6.18 has no per-range attributes, so a
 *    private file could never be touched by the host); privacy is the
 *    library's to enforce. The caller's descriptor is the kernel's own.
 *  - memfd: a memfd holds the bytes; the caller's descriptor is a
 *    memfd_secret() file of the same size, which answers read, write,
 *    lseek, ftruncate and fstat as the kernel's guest_memfd does.
 *
 * Everything else (allocate, punch, map) is the same call on the memory
 * descriptor for both, so it lives above this interface.
 */
#ifndef GMEM_BACKEND_H
#define GMEM_BACKEND_H

#include <stdbool.h>
#include <stdint.h>
#include <unistd.h>

#include <gmem/gmem.h>

struct backend_ops;

/* A VM's handle on its backend. */
struct backend_vm {
	const struct backend_ops *ops;
	/* The real VM that runs the caller's vCPUs and mirrors the memslots:
	 * always on kvm (its files are made on it), on memfd when asked
	 * (gmem_vm_opts.kvm_vm); else -1. */
	int kvm_vm_fd;
	/* It offers KVM_SET_USER_MEMORY_REGION2 (KVM_CAP_USER_MEMORY2,
	 * Linux 6.8); else only KVM_SET_USER_MEMORY_REGION. */
	bool kvm_user_memory2;
	/* Where huge files' memory comes from (enum gmem_huge_source), and
	 * the directory of a hugetlbfs or tmpfs source (owned), else NULL. */
	unsigned int huge_source;
	char *huge_dir;
};

struct backend_ops {
	enum gmem_backend id;
	const char *name;
	int (*vm_init)(struct backend_vm *bvm);
	void (*vm_fini)(struct backend_vm *bvm);
	/* A file of `size` bytes (validated) in folios of 1 << folio_shift
	 * bytes (12: plain pages; else a huge file, which the host may map
	 * when `mappable`): the caller's descriptor and a close-on-exec
	 * descriptor of its memory. 0 or -errno. */
	int (*file_create)(struct backend_vm *bvm, uint64_t size,
			   unsigned int folio_shift, bool mappable,
			   int *public_fd, int *memory_fd);
};

/*
 * The end of both file_create()s: the caller's descriptor was made, and
 * `memory` is the memory's descriptor, or -errno if it could not be made;
 * then the caller's is closed again and the error returned, so that a
 * failure leaves nothing open.
 */
static inline int backend_file_fds(int public_fd, int memory, int *public_out,
				   int *memory_out)
{
	if (memory < 0) {
		close(public_fd);
		return memory;
	}
	*public_out = public_fd;
	*memory_out = memory;
	return 0;
}

extern const struct backend_ops backend_kvm_ops;
extern const struct backend_ops backend_memfd_ops;

/* The backend for a request (enum gmem_backend, AUTO honouring the
 * GMEM_BACKEND environment variable). NULL with *err = -ENODEV if the kvm
 * backend was asked for and is not here, -EINVAL for an unknown one. */
const struct backend_ops *backend_select(unsigned int requested, int *err);

/* A real default-type VM in bvm->kvm_vm_fd, its memslot ioctls probed:
 * 0, -ENODEV without /dev/kvm, or the kernel's error. */
int backend_kvm_vm_create(struct backend_vm *bvm);
void backend_kvm_vm_destroy(struct backend_vm *bvm);

/* The system's /dev/kvm, opened once; -errno if there is none. */
int backend_kvm_system_fd(void);

/* The memory of a huge file (GUEST_MEMFD_FLAG_HUGETLB) of `size` bytes
 * in folios of 1 << folio_shift bytes, from bvm's huge source, reserved
 * whole where the source can reserve: a close-on-exec descriptor, or
 * -EINVAL for a source that cannot give that folio size or cannot be
 * mapped by the host page by page when `mappable`, -ENOMEM where no
 * huge folios are to be had (huge_memory.c). */
int huge_memory_create(const struct backend_vm *bvm, uint64_t size,
		       unsigned int folio_shift, bool mappable);

/* Whether the kernel offers guest_memfd with GUEST_MEMFD_FLAG_MMAP. */
bool backend_kvm_available(void);

#endif
