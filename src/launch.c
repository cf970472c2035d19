// SPDX-License-Identifier: MIT
/*
 * The launch engine.
 *
 * A launch command is read and checked by its platform (platform/snp.c,
 * platform/tdx.c), carried out here, and answered by the platform again,
 * all under the VM's launch lock, as the kernel holds kvm->lock. The
 * platforms know their structs, their rules and their records; this file
 * knows the VM: its phase, its memslots, its files and its key.
 *
 * Populating a page is the platform loading it: KVM never
 * touches the contents, and the engine only stands in for the firmware.
 * Page by page, in the order of kvm_gmem_populate(): the source page is
 * read (legacy flow) or the page is taken as it is (in-place flow, no
 * source); the destination must be bound by a guest_memfd memslot and be
 * private as KVM tracks it (R90: populate never converts), and not yet
 * private as the trusted entity tracks it (R91); then the page is marked
 * prepared, measured on its plaintext and encrypted in place with the
 * VM's key. The file's conversion lock is held exclusive for each page,
 * as the kernel holds the filemap invalidate lock, so no conversion,
 * fault or guest access sees a page half loaded. A walk that stops after
 * some pages reports how many; the platform writes the progress back.
 */
#include <errno.h>
#include <openssl/rand.h>
#include <string.h>

#include <gmem/gmem.h>

#include "alloc.h"
#include "cipher.h"
#include "gmem_file.h"
#include "launch.h"
#include "prepared.h"
#include "uaccess.h"
#include "view.h"
#include "vm.h"

struct populate {
	struct gmem_vm *vm;
	const struct launch_ops *ops;
	struct launch_cmd *c;
	unsigned char plain[LAUNCH_PAGE_BYTES];
};

/* Private as KVM tracks it, by the file's attribute or, in the legacy
 * VM-attribute mode, the VM's (read before the file's lock: that lock
 * nests inside the VM's attribute lock, never around it). */
static bool vm_says_private(struct gmem_vm *vm, uint64_t gpa)
{
	uint64_t attributes = 0;

	vm_attributes_get(&vm->attributes, &vm->slots, gpa, &attributes);
	return attributes & KVM_MEMORY_ATTRIBUTE_PRIVATE;
}

static int fill_plaintext(struct populate *p, const char *page)
{
	switch (p->c->fill) {
	case LAUNCH_FILL_ZERO:
		memset(p->plain, 0, sizeof(p->plain));
		return 0;
	case LAUNCH_FILL_RANDOM:
		return RAND_bytes(p->plain, sizeof(p->plain)) == 1 ? 0 : -EIO;
	default:
		/* In place: the bytes the host loaded while the page was
		 * shared, kept by the conversion (R89). */
		if (!p->c->src)
			memcpy(p->plain, page, sizeof(p->plain));
		return 0;
	}
}

/* The page is prepared before its bytes change: marking is the one step
 * that can fail for want of memory, and then nothing has changed. */
static int load_page(struct populate *p, struct gmem_file *f, uint64_t gpa,
		     uint64_t index)
{
	struct view v;
	int err;

	gmem_assert_write_held(&f->convert_lock);
	err = view_map(f, index << LAUNCH_PAGE_SHIFT, LAUNCH_PAGE_BYTES, &v);
	if (err)
		return err;
	err = fill_plaintext(p, v.base);
	if (!err)
		err = prepared_mark(f, index);
	if (!err)
		err = p->ops->measure(&p->vm->launch.digest, p->c, gpa,
				      p->plain);
	if (!err)
		launch_state_count_page(&p->vm->launch);
	if (!err)
		err = cipher_encrypt_page(p->vm->cipher, index, p->plain,
					  v.base);
	if (!err)
		vm_stats_add(&p->vm->stats, VM_STAT_BYTES_ENCRYPTED,
			     GMEM_PAGE_SIZE);
	view_unmap(&v);
	return err;
}

/* One page under its file's lock: the checks of __kvm_gmem_populate()
 * and of the platform's post-populate step, then the load. */
static int __populate_page(struct populate *p, struct gmem_file *f,
			   uint64_t gpa, uint64_t index, bool vm_private)
{
	bool private;

	gmem_assert_write_held(&f->convert_lock);
	private = vm_gmem_attributes(p->vm)
			  ? gmem_file_page_attributes(f, index) &
				    KVM_MEMORY_ATTRIBUTE_PRIVATE
			  : vm_private;
	if (!private)
		return -EINVAL;
	if (prepared_test(f, index))
		return -EEXIST;
	if (p->c->firmware_refuses) {
		p->c->fw_error = p->c->firmware_refuses;
		return -EIO;
	}
	return load_page(p, f, gpa, index);
}

static int populate_page(struct populate *p, uint64_t i)
{
	struct launch_cmd *c = p->c;
	uint64_t gpa = c->gpa + (i << LAUNCH_PAGE_SHIFT), offset, slot_end;
	bool vm_private = false;
	struct gmem_file *f;
	int err;

	/* The legacy flow's source comes first, as get_user_pages_fast()
	 * does in kvm_gmem_populate(). */
	if (c->fill == LAUNCH_FILL_SOURCE && c->src &&
	    copy_from_user_as(p->vm->uaccess, p->plain,
			      (const char *)(uintptr_t)c->src +
				      (i << LAUNCH_PAGE_SHIFT),
			      LAUNCH_PAGE_BYTES))
		return -EFAULT;
	if (!vm_gmem_attributes(p->vm))
		vm_private = vm_says_private(p->vm, gpa);
	f = memslot_gpa_to_file(&p->vm->slots, gpa, &offset, &slot_end);
	if (!f)
		return -EINVAL;
	gmem_rwlock_write_lock(&f->convert_lock);
	err = __populate_page(p, f, gpa, page_index(offset), vm_private);
	gmem_rwlock_write_unlock(&f->convert_lock);
	gmem_file_put(f);
	return err;
}

/* The pages SNP walks: those of the first page's memslot (R117). */
static int clamp_to_slot(struct gmem_vm *vm, struct launch_cmd *c)
{
	uint64_t offset, slot_end, left;
	struct gmem_file *f =
		memslot_gpa_to_file(&vm->slots, c->gpa, &offset, &slot_end);

	if (!f)
		return -EINVAL;
	gmem_file_put(f);
	left = (slot_end - c->gpa) >> LAUNCH_PAGE_SHIFT;
	if (c->npages > left)
		c->npages = left;
	return 0;
}

static int launch_populate(struct gmem_vm *vm, const struct launch_ops *ops,
			   struct launch_cmd *c)
{
	struct populate *p;
	int err = 0;

	gmem_assert_mutex_held(&vm->launch.lock);
	/* In place needs the attributes in guest_memfd (R89, R94). */
	if (c->fill == LAUNCH_FILL_SOURCE && !c->src && !vm_gmem_attributes(vm))
		return c->in_place_refused;
	if (c->clamp_to_slot)
		err = clamp_to_slot(vm, c);
	if (err)
		return err;
	p = gmem_calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	*p = (struct populate){ .vm = vm, .ops = ops, .c = c };
	for (c->done = 0; c->done < c->npages; c->done++) {
		c->page_err = populate_page(p, c->done);
		if (c->page_err)
			break;
	}
	explicit_bzero(p->plain, sizeof(p->plain));
	gmem_free(p);
	return 0;
}

int launch_encrypt_op(struct gmem_vm *vm, void *uarg)
{
	const struct launch_ops *ops = vm->platform->launch;
	struct launch_cmd c = { 0 };
	int err;

	/* Intel's answer for a VM that is not a TD (vt_mem_enc_ioctl). */
	if (!ops)
		return -ENOTTY;
	launch_state_lock(&vm->launch);
	err = ops->read(vm->uaccess, uarg, vm->launch.phase, &c);
	if (!err && c.op == LAUNCH_OP_UPDATE)
		err = launch_populate(vm, ops, &c);
	else if (!err)
		err = launch_state_advance(&vm->launch, c.op,
					   ops->digest_stream);
	err = ops->answer(vm->uaccess, uarg, &c, err);
	launch_state_unlock(&vm->launch);
	return err;
}

ssize_t launch_get_digest(struct gmem_vm *vm, void *buf, size_t len)
{
	uint8_t digest[LAUNCH_DIGEST_BYTES];
	int err;

	if (!vm->platform->launch || len < sizeof(digest))
		return -EINVAL;
	err = launch_state_digest(&vm->launch, digest);
	if (!err)
		err = copy_to_user_as(vm->uaccess, buf, digest, sizeof(digest));
	return err ? err : (ssize_t)sizeof(digest);
}

int launch_get_phase(struct gmem_vm *vm)
{
	if (!vm->platform->launch)
		return -EINVAL;
	return (int)launch_state_phase(&vm->launch);
}
