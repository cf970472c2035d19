// SPDX-License-Identifier: MIT
/*
 * Guest RAM: one guest_memfd, made and converted through libgmem.
 *
 * The file is created shared (GUEST_MEMFD_FLAG_INIT_SHARED) so that the
 * loader can write the program into it, and bound at guest physical
 * address 0 with KVM_SET_USER_MEMORY_REGION2, KVM_MEM_GUEST_MEMFD and
 * userspace_addr 0. The slot then has two kinds of mappings:
 *
 *  - KVM's: libgmem mirrors the slot into the real VM with a mapping of
 *    its own, which conversions never revoke, because KVM here reaches
 *    guest memory through userspace_addr. It is the guest's view.
 *  - the host's (mem->host, from gmem_mmap): what the VMM itself sees.
 *    Conversions to private revoke it, and touching a private page through
 *    it raises SIGBUS, as on the kernel.
 *
 * The slot maps gpa [mem->gpa, mem->gpa + size) to file offset [0, size);
 * gmem-vm puts RAM at gpa 0, so a guest_memfd offset equals its gpa, but
 * the helpers below translate anyway, so that the rule lives in one place.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "vmm.h"

#define MEMORY_SLOT 0

int memory_init(struct vm *vm)
{
	struct memory *mem = &vm->mem;
	struct kvm_create_guest_memfd gmem = {
		.size = mem->size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 slot = {
		.slot = MEMORY_SLOT,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = mem->gpa,
		.memory_size = mem->size,
		.userspace_addr =
			0, /* libgmem maps it for KVM, never revoked */
		.guest_memfd_offset = 0,
	};
	int err;

	mem->gmem_fd = gmem_ioctl(vm->gmem_vm, KVM_CREATE_GUEST_MEMFD, &gmem);
	if (mem->gmem_fd < 0) {
		err = -errno;
		pr_err("KVM_CREATE_GUEST_MEMFD of %llu bytes: %s",
		       (unsigned long long)mem->size, strerror(errno));
		return err;
	}
	slot.guest_memfd = (uint32_t)mem->gmem_fd;
	if (gmem_ioctl(vm->gmem_vm, KVM_SET_USER_MEMORY_REGION2, &slot)) {
		err = -errno;
		pr_err("KVM_SET_USER_MEMORY_REGION2: %s", strerror(errno));
		goto close_gmem;
	}
	mem->host = gmem_mmap(NULL, mem->size, PROT_READ | PROT_WRITE,
			      MAP_SHARED, mem->gmem_fd, 0);
	if (mem->host == MAP_FAILED) {
		err = -errno;
		pr_err("gmem_mmap of guest RAM: %s", strerror(errno));
		goto close_gmem;
	}
	return 0;

close_gmem:
	gmem_close(mem->gmem_fd);
	mem->gmem_fd = -1;
	return err;
}

void memory_exit(struct vm *vm)
{
	struct memory *mem = &vm->mem;

	if (mem->host && mem->host != MAP_FAILED)
		gmem_munmap(mem->host, mem->size);
	mem->host = NULL;
	if (mem->gmem_fd >= 0)
		gmem_close(mem->gmem_fd);
	mem->gmem_fd = -1;
}

/* -EINVAL unless [gpa, gpa + len) is non-empty, page-aligned, in RAM. */
int memory_gpa_to_offset(const struct memory *mem, uint64_t gpa, uint64_t len,
			 uint64_t *offset)
{
	if (!len || (gpa | len) & (GVM_PAGE_SIZE - 1))
		return -EINVAL;
	if (gpa < mem->gpa || gpa - mem->gpa >= mem->size ||
	    len > mem->size - (gpa - mem->gpa))
		return -EINVAL;
	*offset = gpa - mem->gpa;
	return 0;
}

uint64_t memory_offset_to_gpa(const struct memory *mem, uint64_t offset)
{
	return mem->gpa + offset;
}

/* Where the host's view shows gpa (in RAM: memory_gpa_to_offset()). */
uint8_t *memory_host_ptr(struct vm *vm, uint64_t gpa)
{
	return vm->mem.host + (gpa - vm->mem.gpa);
}

/*
 * KVM_SET_MEMORY_ATTRIBUTES2 on the guest_memfd: the range becomes private
 * or shared with content mode `flags`. 0 or -errno; *error_offset is the
 * kernel's error_offset after EAGAIN, EOPNOTSUPP or ENOMEM.
 */
int memory_set_attributes(struct vm *vm, uint64_t gpa, uint64_t len,
			  bool to_private, uint64_t flags,
			  uint64_t *error_offset)
{
	struct kvm_memory_attributes2 attr = {
		.size = len,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = flags,
	};
	uint64_t offset;
	int err;

	*error_offset = 0;
	err = memory_gpa_to_offset(&vm->mem, gpa, len, &offset);
	if (err)
		return err;
	attr.offset = offset;
	if (!gmem_ioctl(vm->mem.gmem_fd, KVM_SET_MEMORY_ATTRIBUTES2, &attr))
		return 0;
	err = -errno;
	if (err == -EAGAIN || err == -EOPNOTSUPP || err == -ENOMEM)
		*error_offset = attr.error_offset;
	return err;
}

/*
 * Whether the host may look at [gpa, gpa + len) without a SIGBUS. The
 * attribute tree merges equal neighbours, so the range is all shared
 * exactly when it is one range, and that one is not private.
 */
bool memory_is_shared(struct vm *vm, uint64_t gpa, uint64_t len)
{
	struct gmem_attr_range range;
	uint64_t offset;

	if (memory_gpa_to_offset(&vm->mem, gpa, len, &offset))
		return false;
	return gmem_get_attribute_ranges(vm->mem.gmem_fd, offset, len, &range,
					 1) == 1 &&
	       !(range.attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE);
}

int memory_pin(struct vm *vm, uint64_t gpa, uint64_t len, bool pin)
{
	uint64_t offset;
	int err;

	err = memory_gpa_to_offset(&vm->mem, gpa, len, &offset);
	if (err)
		return err;
	if (pin ? gmem_pin(vm->mem.gmem_fd, offset, len)
		: gmem_unpin(vm->mem.gmem_fd, offset, len))
		return -errno;
	return 0;
}

/*
 * The physical frame behind the host's view of a shared page, from
 * /proc/self/pagemap: proof that a conversion kept the page rather than
 * copying it. 0 where the kernel does not tell (it needs CAP_SYS_ADMIN).
 */
uint64_t memory_host_pfn(struct vm *vm, uint64_t gpa)
{
	const volatile uint8_t *p = memory_host_ptr(vm, gpa);
	uint64_t entry = 0;
	int fd;

	(void)*p; /* fault it in */
	fd = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	if (pread(fd, &entry, sizeof(entry),
		  (off_t)((uintptr_t)p / GVM_PAGE_SIZE * sizeof(entry))) !=
	    sizeof(entry))
		entry = 0;
	close(fd);
	if (!(entry & (1ULL << 63))) /* not present */
		return 0;
	return entry & ((1ULL << 55) - 1);
}

/* The attribute map of guest RAM, one line a range. */
void memory_print_map(struct vm *vm)
{
	struct gmem_attr_range r[64];
	ssize_t n;

	n = gmem_get_attribute_ranges(vm->mem.gmem_fd, 0, vm->mem.size, r,
				      sizeof(r) / sizeof(r[0]));
	if (n < 0) {
		pr_err("gmem_get_attribute_ranges: %s", strerror(errno));
		return;
	}
	say(vm, "vmm", "attribute map of guest RAM (%zd range%s):", n,
	    n == 1 ? "" : "s");
	for (ssize_t i = 0; i < n && i < (ssize_t)(sizeof(r) / sizeof(r[0]));
	     i++) {
		uint64_t gpa = memory_offset_to_gpa(&vm->mem, r[i].offset);

		say(vm, "vmm", "  gpa 0x%07llx-0x%07llx  %-7s (%llu page%s)",
		    (unsigned long long)gpa,
		    (unsigned long long)(gpa + r[i].size - 1),
		    r[i].attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE ? "private"
								   : "shared",
		    (unsigned long long)(r[i].size / GVM_PAGE_SIZE),
		    r[i].size == GVM_PAGE_SIZE ? "" : "s");
	}
}
