// SPDX-License-Identifier: MIT
/*
 * The memfd backend, for kernels without a mappable guest_memfd.
 *
 * The bytes live in a memfd that only the library holds. The caller gets
 * an identity descriptor of the same size instead (identity_fd.c), which
 * answers read, write, lseek, ftruncate and fstat as the kernel's
 * guest_memfd does. A VM asked for with gmem_vm_opts.kvm_vm also holds a
 * real KVM VM, in which guest_memfd memslots become plain memslots over
 * the library's view of the file (memslot.c).
 */
#include <errno.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../identity_fd.h"
#include "backend.h"

static int memory_fd_create(uint64_t size)
{
	int fd = memfd_create("gmem-memory", MFD_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (ftruncate(fd, (off_t)size)) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int memfd_vm_init(struct backend_vm *bvm)
{
	bvm->kvm_vm_fd = -1;
	return 0;
}

/* The real VM a caller may have asked for (gmem_vm_opts.kvm_vm). */
static void memfd_vm_fini(struct backend_vm *bvm)
{
	backend_kvm_vm_destroy(bvm);
}

static int memfd_file_create(struct backend_vm *bvm, uint64_t size,
			     unsigned int folio_shift, bool mappable,
			     int *public_fd, int *memory_fd)
{
	int pub, mem;

	pub = identity_fd_create("gmem", size);
	if (pub < 0)
		return pub;
	if (folio_shift != 12)
		mem = huge_memory_create(bvm, size, folio_shift, mappable);
	else
		mem = memory_fd_create(size);
	return backend_file_fds(pub, mem, public_fd, memory_fd);
}

const struct backend_ops backend_memfd_ops = {
	.id = GMEM_BACKEND_MEMFD,
	.name = "memfd",
	.vm_init = memfd_vm_init,
	.vm_fini = memfd_vm_fini,
	.file_create = memfd_file_create,
};
