// SPDX-License-Identifier: MIT
/*
 * Guest accesses.
 *
 * An access walks its range a page at a time: the memslot that binds the
 * page gives the file and offset, the page's attribute (the file's, or the
 * VM's in vm_memory_attributes mode) must match the kind of access, and
 * the bytes move through the library's own view, which conversions never
 * revoke. A mismatch stops the walk with EFAULT and a memory fault record,
 * as KVM_RUN stops with KVM_EXIT_MEMORY_FAULT (R78), so that the VMM can
 * convert and run the guest again. With the VM's attributes, shared
 * accesses to a guest_memfd that cannot be mapped go to the slot's
 * userspace_addr instead, as KVM's do.
 *
 * Each page is accessed under its file's conversion lock held shared, so a
 * conversion never sees half an access, and an access never sees half a
 * conversion.
 *
 * On encrypted platforms a private page holds ciphertext: a read decrypts
 * the page, a write decrypts, changes and encrypts it again. A private
 * page the guest has not used yet (it holds no data, in memory or swap) is
 * cleared and encrypted on that first use, as the kernel's fault path
 * clears a page before it prepares it (R80).
 */
#include <errno.h>
#include <string.h>

#include <gmem/gmem.h>

#include "allocation.h"
#include "cipher.h"
#include "gmem_file.h"
#include "guest_access.h"
#include "uaccess.h"
#include "view.h"
#include "vm.h"

struct page_access {
	struct gmem_vm *vm;
	struct gmem_file *file;
	uint64_t offset; /* file offset of the first byte */
	char *buf;	 /* the caller's bytes */
	size_t len;	 /* bytes within this page */
	bool write;
	bool private;
};

static int copy_plain(struct page_access *a, char *memory)
{
	return a->write ? copy_from_user(memory, a->buf, a->len)
			: copy_to_user(a->buf, memory, a->len);
}

static int copy_encrypted(struct page_access *a, char *memory)
{
	char *page = memory - (a->offset & (GMEM_PAGE_SIZE - 1));
	uint64_t index = page_index(a->offset);
	char plain[GMEM_PAGE_SIZE];
	char *at = plain + (a->offset & (GMEM_PAGE_SIZE - 1));
	bool has_data, first_use;
	/* A page the library cannot tell about is not taken for a new one,
	 * whose zeros would be written over the guest's data. */
	int err = allocation_page_has_data(a->file, index, &has_data);

	if (err)
		return err;
	first_use = !has_data;
	if (first_use)
		memset(plain, 0, sizeof(plain));
	else
		err = cipher_decrypt_page(a->vm->cipher, index, page, plain);
	if (!err)
		err = copy_plain(a, at);
	/* A first use, read or write, gives the page its memory and its
	 * zeros at rest, as the kernel's fault clears and prepares it. */
	if (!err && (a->write || first_use))
		err = cipher_encrypt_page(a->vm->cipher, index, plain, page);
	if (!err && (a->write || first_use))
		vm_stats_add(&a->vm->stats, VM_STAT_BYTES_ENCRYPTED,
			     GMEM_PAGE_SIZE);
	explicit_bzero(plain, sizeof(plain));
	return err;
}

/* One page's worth of an access to the file's bytes. Caller holds the
 * file's convert_lock. */
static int access_file_page(struct page_access *a)
{
	struct view v;
	int err;

	gmem_assert_held(&a->file->convert_lock);
	err = view_map(a->file, a->offset, a->len, &v);
	if (err)
		return err;
	if (a->private && a->vm->cipher)
		err = copy_encrypted(a, v.base);
	else
		err = copy_plain(a, v.base);
	view_unmap(&v);
	return err;
}

static int access_file(struct page_access *a)
{
	int err;

	gmem_rwlock_read_lock(&a->file->convert_lock);
	err = access_file_page(a);
	gmem_rwlock_read_unlock(&a->file->convert_lock);
	return err;
}

/* A shared access served from the process's own memory at `hva`, both
 * ends user memory: through a bounce buffer, each copy checked. */
static int access_user(struct page_access *a, uint64_t hva)
{
	char bounce[GMEM_PAGE_SIZE];
	void *at = (void *)(uintptr_t)hva;
	int err;

	if (a->write) {
		err = copy_from_user(bounce, a->buf, a->len);
		if (!err)
			err = copy_to_user(at, bounce, a->len);
	} else {
		err = copy_from_user(bounce, at, a->len);
		if (!err)
			err = copy_to_user(a->buf, bounce, a->len);
	}
	return err;
}

/* Per-file attributes: a page no bound guest_memfd slot reaches faults
 * without a record (nothing to convert); a page of the other kind is a
 * memory fault (R78). */
static int access_by_file_attributes(struct page_access *a, uint64_t gpa)
{
	bool private;
	int err = -EFAULT;

	if (!a->file)
		return -EFAULT;
	gmem_rwlock_read_lock(&a->file->convert_lock);
	private = gmem_file_page_attributes(a->file, page_index(a->offset)) &
		  KVM_MEMORY_ATTRIBUTE_PRIVATE;
	if (private != a->private)
		guest_exit_record_fault(&a->vm->exits, gpa, a->private);
	else
		err = access_file_page(a);
	gmem_rwlock_read_unlock(&a->file->convert_lock);
	return err;
}

/*
 * Per-VM attributes, as KVM's fault path takes them: the VM's attribute
 * of the gpa first (a mismatch is a memory fault); then a private access
 * needs a guest_memfd slot bound to a file, and without one KVM exits
 * with KVM_EXIT_MEMORY_FAULT as well (a plain slot, a deleted slot, a
 * closed file). A shared access goes to the guest_memfd only if it was
 * made with GUEST_MEMFD_FLAG_MMAP; otherwise KVM serves it from the
 * slot's userspace_addr, so guest and host see the same bytes there.
 */
static int access_by_vm_attributes(struct page_access *a, uint64_t gpa)
{
	uint64_t attributes = 0, hva;

	vm_attributes_get(&a->vm->attributes, &a->vm->slots, gpa, &attributes);
	if (!!(attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE) != a->private ||
	    (a->private && !a->file)) {
		guest_exit_record_fault(&a->vm->exits, gpa, a->private);
		return -EFAULT;
	}
	if (!a->private && !memslot_gpa_to_hva(&a->vm->slots, gpa, &hva))
		return access_user(a, hva);
	return a->file ? access_file(a) : -EFAULT;
}

ssize_t guest_access(struct gmem_vm *vm, uint64_t gpa, void *buf, size_t len,
		     unsigned int flags, bool write)
{
	struct page_access a = { .vm = vm,
				 .write = write,
				 .private = flags & GMEM_GUEST_PRIVATE };
	uint64_t slot_end;
	size_t done;
	int err = 0;

	if (flags & ~GMEM_GUEST_PRIVATE)
		return -EINVAL;
	for (done = 0; done < len && !err; done += a.len) {
		uint64_t at = gpa + done;

		a.file = memslot_gpa_to_file(&vm->slots, at, &a.offset,
					     &slot_end);
		a.buf = (char *)buf + done;
		a.len = GMEM_PAGE_SIZE - (at & (GMEM_PAGE_SIZE - 1));
		if (a.len > len - done)
			a.len = len - done;
		err = vm_gmem_attributes(vm) ? access_by_file_attributes(&a, at)
					     : access_by_vm_attributes(&a, at);
		if (a.file)
			gmem_file_put(a.file);
	}
	return err ? err : (ssize_t)len;
}
