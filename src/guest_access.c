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
 * convert and run the guest again.
 *
 * Each page is accessed under its file's conversion lock held shared, so a
 * conversion never sees half an access, and an access never sees half a
 * conversion.
 *
 * On encrypted platforms a private page holds ciphertext: a read decrypts
 * the page, a write decrypts, changes and encrypts it again. A private
 * page the guest has not used yet (not up to date in the page cache) is
 * cleared and encrypted on that first use, as the kernel's fault path
 * clears a page before it prepares it (R80).
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

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

static uint64_t access_attributes(struct page_access *a, uint64_t gpa)
{
	uint64_t attributes = 0;

	if (!vm_gmem_attributes(a->vm))
		vm_attributes_get(&a->vm->attributes, &a->vm->slots, gpa,
				  &attributes);
	else
		attributes = gmem_file_page_attributes(a->file,
						       page_index(a->offset));
	return attributes;
}

static int copy_plain(struct page_access *a, char *memory)
{
	return a->write ? copy_from_user(memory, a->buf, a->len)
			: copy_to_user(a->buf, memory, a->len);
}

/* Whether the page has been used (is up to date in the page cache). */
static bool page_in_use(char *page)
{
	unsigned char in = 0;

	return !mincore(page, GMEM_PAGE_SIZE, &in) && (in & 1);
}

static int copy_encrypted(struct page_access *a, char *memory)
{
	char *page = memory - (a->offset & (GMEM_PAGE_SIZE - 1));
	uint64_t index = page_index(a->offset);
	char plain[GMEM_PAGE_SIZE];
	char *at = plain + (a->offset & (GMEM_PAGE_SIZE - 1));
	bool first_use = !page_in_use(page);
	int err = 0;

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
	explicit_bzero(plain, sizeof(plain));
	return err;
}

/* One page's worth of an access. Caller holds the file's convert_lock. */
static int access_page(struct page_access *a, uint64_t gpa)
{
	struct view v;
	int err;

	gmem_assert_held(&a->file->convert_lock);
	if (!!(access_attributes(a, gpa) & KVM_MEMORY_ATTRIBUTE_PRIVATE) !=
	    a->private) {
		guest_exit_record_fault(&a->vm->exits, gpa, a->private);
		return -EFAULT;
	}
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
		if (!a.file)
			return -EFAULT;
		a.buf = (char *)buf + done;
		a.len = GMEM_PAGE_SIZE - (at & (GMEM_PAGE_SIZE - 1));
		if (a.len > len - done)
			a.len = len - done;
		gmem_rwlock_read_lock(&a.file->convert_lock);
		err = access_page(&a, at);
		gmem_rwlock_read_unlock(&a.file->convert_lock);
		gmem_file_put(a.file);
	}
	return err ? err : (ssize_t)len;
}
