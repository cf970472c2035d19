// SPDX-License-Identifier: MIT
/*
 * Memslots: KVM_SET_USER_MEMORY_REGION2, binding guest_memfd ranges to
 * guest physical addresses, and the way from a guest physical address to
 * the file behind it.
 *
 * The checks follow the kernel's order: flags, slot id, alignment
 * and overflow (kvm_set_memory_region); then delete, create or change
 * (__kvm_set_memory_region: a guest_memfd slot is immutable, R35); a new
 * slot must not overlap another's guest physical range (EEXIST) and its
 * guest_memfd range must be a guest_memfd of this VM, inside the file, not
 * bound already (kvm_gmem_bind, R33).
 *
 * A binding holds no reference on its file (R36): a lookup skips a file
 * on its way out, and the file's end unbinds it before the file goes.
 *
 * Where the VM holds a real KVM VM, the slot is also made there, so that
 * real vCPUs see the memory; the kernel then has the last word. On the
 * kvm backend a guest_memfd slot stays one. On the memfd backend (a VM
 * made with gmem_vm_opts.kvm_vm: a kernel without a mappable guest_memfd)
 * it becomes a plain slot over the library's view of the file: KVM then
 * sees all of the range, private pages included, as a confidential
 * guest sees its private memory, while the host's own mappings of
 * private pages stay revoked. A KVM without KVM_SET_USER_MEMORY_REGION2
 * (before Linux 6.8) gets plain slots through KVM_SET_USER_MEMORY_REGION.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "alloc.h"
#include "backend/backend.h"
#include "gmem_file.h"
#include "memslot.h"

#define MEMSLOT_ID_MAX 32764u		 /* KVM_USER_MEM_SLOTS on x86 */
#define USER_ADDR_END  0x7ffffffff000ULL /* TASK_SIZE_MAX on x86-64 */
#define GPA_LIMIT      (1ULL << 52)	 /* kvm_mmu_max_gfn() + 1, x86-64 */

static int memslot_check_args(const struct kvm_userspace_memory_region2 *r)
{
	uint32_t valid = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY |
			 KVM_MEM_GUEST_MEMFD;

	/* Neither pad1 nor pad2 is checked: the kernel here accepts both. */
	if (r->flags & ~valid)
		return -EINVAL;
	if ((r->flags & KVM_MEM_GUEST_MEMFD) &&
	    (r->flags & (KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY)))
		return -EINVAL;
	if ((r->slot & 0xffff) >= MEMSLOT_ID_MAX || (r->slot >> 16))
		return -EINVAL;
	if (!page_aligned(r->memory_size) || !page_aligned(r->guest_phys_addr))
		return -EINVAL;
	if (!page_aligned(r->userspace_addr) ||
	    r->userspace_addr + r->memory_size < r->userspace_addr ||
	    r->userspace_addr + r->memory_size > USER_ADDR_END)
		return -EINVAL;
	if ((r->flags & KVM_MEM_GUEST_MEMFD) &&
	    (!page_aligned(r->guest_memfd_offset) ||
	     r->guest_memfd_offset + r->memory_size < r->guest_memfd_offset))
		return -EINVAL;
	if (r->guest_phys_addr + r->memory_size < r->guest_phys_addr)
		return -EINVAL;
	return 0;
}

static bool fd_is_open(int fd)
{
	return fd >= 0 && fcntl(fd, F_GETFD) >= 0;
}

void memslots_init(struct memslots *m, const struct gmem_vm *vm,
		   const struct backend_vm *backend)
{
	*m = (struct memslots){ .vm = vm, .backend = backend };
	gmem_mutex_init(&m->lock);
}

void memslots_destroy(struct memslots *m)
{
	gmem_free(m->slots);
	gmem_mutex_destroy(&m->lock);
}

static int memslot_info_cmp(const void *a, const void *b)
{
	const struct memslot_info *x = a, *y = b;

	return x->gpa < y->gpa ? -1 : x->gpa > y->gpa;
}

size_t memslots_list(struct memslots *m, struct memslot_info *out, size_t max)
{
	size_t n;

	gmem_mutex_lock(&m->lock);
	n = m->nslots;
	for (size_t i = 0; i < n && i < max; i++) {
		const struct memslot *s = &m->slots[i];

		out[i] = (struct memslot_info){
			.slot = s->slot,
			.flags = s->flags,
			.gpa = s->gpa,
			.size = s->size,
			.gmem_offset = s->gmem_offset,
			.has_file = s->file != NULL,
		};
	}
	gmem_mutex_unlock(&m->lock);
	qsort(out, n < max ? n : max, sizeof(*out), memslot_info_cmp);
	return n;
}

static struct memslot *memslot_find(struct memslots *m, uint32_t id)
{
	gmem_assert_mutex_held(&m->lock);
	for (size_t i = 0; i < m->nslots; i++)
		if (m->slots[i].slot == id)
			return &m->slots[i];
	return NULL;
}

/* Whether [gpa, gpa + size) meets a slot other than `except`. */
static bool memslot_gpa_overlaps(struct memslots *m, uint64_t gpa,
				 uint64_t size, const struct memslot *except)
{
	gmem_assert_mutex_held(&m->lock);
	for (size_t i = 0; i < m->nslots; i++) {
		const struct memslot *s = &m->slots[i];

		if (s != except && gpa < s->gpa + s->size &&
		    s->gpa < gpa + size)
			return true;
	}
	return false;
}

static bool memslot_file_range_bound(struct memslots *m, struct gmem_file *f,
				     uint64_t offset, uint64_t size)
{
	gmem_assert_mutex_held(&m->lock);
	for (size_t i = 0; i < m->nslots; i++) {
		const struct memslot *s = &m->slots[i];

		if (s->file == f && offset < s->gmem_offset + s->size &&
		    s->gmem_offset < offset + size)
			return true;
	}
	return false;
}

/* kvm_gmem_bind(): the file behind the slot, with a reference for the
 * length of the call. */
static int memslot_bind(struct memslots *m,
			const struct kvm_userspace_memory_region2 *r,
			struct gmem_file **out)
{
	struct gmem_file *f;

	if (!fd_is_open((int)r->guest_memfd))
		return -EBADF;
	f = gmem_file_lookup((int)r->guest_memfd);
	if (!f)
		return -EINVAL;
	if (f->vm != m->vm || r->guest_memfd_offset >= f->size ||
	    r->guest_memfd_offset + r->memory_size > f->size ||
	    memslot_file_range_bound(m, f, r->guest_memfd_offset,
				     r->memory_size)) {
		gmem_file_put(f);
		return -EINVAL;
	}
	*out = f;
	return 0;
}

/* The real VM's memslot ioctl: the 2 form where KVM has it, else the
 * original, whose struct is the 2 form's first fields. */
static int memslot_set_real(struct memslots *m,
			    const struct kvm_userspace_memory_region2 *real)
{
	struct kvm_userspace_memory_region old = {
		.slot = real->slot,
		.flags = real->flags,
		.guest_phys_addr = real->guest_phys_addr,
		.memory_size = real->memory_size,
		.userspace_addr = real->userspace_addr,
	};
	int ret;

	if (m->backend->kvm_user_memory2)
		ret = ioctl(m->backend->kvm_vm_fd, KVM_SET_USER_MEMORY_REGION2,
			    real);
	else if (real->flags & KVM_MEM_GUEST_MEMFD)
		return -EINVAL; /* unreachable: guest_memfd needs the 2 form */
	else
		ret = ioctl(m->backend->kvm_vm_fd, KVM_SET_USER_MEMORY_REGION,
			    &old);
	return ret ? -errno : 0;
}

/* Without the kernel's guest_memfd, a guest_memfd slot is a plain slot
 * over the library's view: its userspace_addr is not the caller's. */
static bool memslot_real_is_plain(const struct memslots *m)
{
	return m->backend->ops->id != GMEM_BACKEND_KVM;
}

/*
 * Mirror the change in the real VM. A guest_memfd slot bound without a
 * userspace_addr (a gmem-only slot, as upstream allows), and every
 * guest_memfd slot made plain, gets the library's own view of the file:
 * KVM reaches guest memory through userspace_addr, and that mapping,
 * unlike the host's, is never revoked. Sharing the view's page tables
 * with KVM also means the pages a guest touched need no fault when a
 * content mode is applied.
 */
static int memslot_mirror(struct memslots *m,
			  const struct kvm_userspace_memory_region2 *r,
			  struct gmem_file *f, struct view *kvm_view)
{
	struct kvm_userspace_memory_region2 real = *r;
	bool plain = f && memslot_real_is_plain(m);
	struct view v = { 0 };
	int err;

	if (f && !plain) {
		/* Never another file at the number: R123. */
		int fd = gmem_file_memory_fd(f);

		if (fd < 0)
			return fd;
		real.guest_memfd = (uint32_t)fd;
	} else {
		real.guest_memfd = 0;
	}
	if (plain) {
		real.flags &= ~KVM_MEM_GUEST_MEMFD;
		real.guest_memfd_offset = 0;
		real.userspace_addr = 0;
	}
	if (f && !real.userspace_addr && r->memory_size) {
		err = view_map(f, r->guest_memfd_offset, r->memory_size, &v);
		if (err)
			return err;
		real.userspace_addr = (uint64_t)(uintptr_t)v.base;
	}
	err = memslot_set_real(m, &real);
	if (err) {
		view_unmap(&v);
		return err;
	}
	if (kvm_view)
		*kvm_view = v;
	return 0;
}

/* Delete the real VM's copy of a slot and let go of its view. */
static void memslot_unmirror(struct memslots *m, struct memslot *s)
{
	struct kvm_userspace_memory_region2 r = { .slot = s->slot };

	if (s->kvm_slot)
		memslot_set_real(m, &r);
	s->kvm_slot = false;
	view_unmap(&s->kvm_view);
	s->kvm_view = (struct view){ 0 };
}

static int memslot_delete(struct memslots *m, struct memslot *s)
{
	size_t i = (size_t)(s - m->slots);

	gmem_assert_mutex_held(&m->lock);
	memslot_unmirror(m, s);
	memmove(s, s + 1, (m->nslots - i - 1) * sizeof(*s));
	m->nslots--;
	return 0;
}

static int memslot_make_room(struct memslots *m)
{
	size_t cap = m->cap ? m->cap * 2 : 8;
	struct memslot *slots;

	if (m->nslots < m->cap)
		return 0;
	slots = gmem_calloc(cap, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	if (m->nslots)
		memcpy(slots, m->slots, m->nslots * sizeof(*slots));
	gmem_free(m->slots);
	m->slots = slots;
	m->cap = cap;
	return 0;
}

static int memslot_create(struct memslots *m,
			  const struct kvm_userspace_memory_region2 *r)
{
	struct gmem_file *f = NULL;
	struct view kvm_view = { 0 };
	bool mirror = m->backend->kvm_vm_fd >= 0;
	int err;

	gmem_assert_mutex_held(&m->lock);
	if (memslot_gpa_overlaps(m, r->guest_phys_addr, r->memory_size, NULL))
		return -EEXIST;
	if (r->flags & KVM_MEM_GUEST_MEMFD) {
		err = memslot_bind(m, r, &f);
		if (err)
			return err;
	}
	/* kvm_arch_prepare_memory_region(): inside the guest's address
	 * space. */
	err = r->guest_phys_addr + r->memory_size > GPA_LIMIT ? -EINVAL : 0;
	if (!err)
		err = memslot_make_room(m);
	if (!err && mirror)
		err = memslot_mirror(m, r, f, &kvm_view);
	if (f)
		gmem_file_put(f);
	if (err)
		return err;
	m->slots[m->nslots++] = (struct memslot){
		.slot = r->slot,
		.flags = r->flags,
		.gpa = r->guest_phys_addr,
		.size = r->memory_size,
		.userspace_addr = r->userspace_addr,
		.gmem_offset = r->guest_memfd_offset,
		.file = f,
		.gmem_only = f && (f->flags & GUEST_MEMFD_FLAG_MMAP),
		.kvm_slot = mirror,
		.kvm_view = kvm_view,
	};
	return 0;
}

/* A change to an existing slot: never for guest_memfd slots (R35); plain
 * slots may move or change their dirty logging, not their size, address
 * or read-only flag. */
static int memslot_change(struct memslots *m, struct memslot *s,
			  const struct kvm_userspace_memory_region2 *r)
{
	int err;

	gmem_assert_mutex_held(&m->lock);
	if ((s->flags | r->flags) & KVM_MEM_GUEST_MEMFD)
		return -EINVAL;
	/* Read-only is for the life of the slot. */
	if ((s->flags ^ r->flags) & KVM_MEM_READONLY)
		return -EINVAL;
	if (r->memory_size != s->size || r->userspace_addr != s->userspace_addr)
		return -EINVAL;
	if (memslot_gpa_overlaps(m, r->guest_phys_addr, r->memory_size, s))
		return -EEXIST;
	if (s->kvm_slot) {
		err = memslot_mirror(m, r, NULL, NULL);
		if (err)
			return err;
	}
	s->gpa = r->guest_phys_addr;
	s->flags = r->flags;
	return 0;
}

int memslot_set_region2(struct memslots *m,
			const struct kvm_userspace_memory_region2 *r)
{
	struct memslot *s;
	int err = memslot_check_args(r);

	if (err)
		return err;
	gmem_mutex_lock(&m->lock);
	s = memslot_find(m, r->slot);
	if (!r->memory_size)
		err = s ? memslot_delete(m, s) : -EINVAL;
	else if (s)
		err = memslot_change(m, s, r);
	else
		err = memslot_create(m, r);
	gmem_mutex_unlock(&m->lock);
	return err;
}

struct gmem_file *memslot_gpa_to_file(struct memslots *m, uint64_t gpa,
				      uint64_t *offset, uint64_t *slot_end)
{
	struct gmem_file *f = NULL;

	gmem_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nslots && !f; i++) {
		const struct memslot *s = &m->slots[i];

		if (gpa < s->gpa || gpa - s->gpa >= s->size || !s->file)
			continue;
		/* The file may be on its way out (R36). */
		if (!gmem_object_tryget(&s->file->obj))
			break;
		f = s->file;
		*offset = s->gmem_offset + (gpa - s->gpa);
		*slot_end = s->gpa + s->size;
	}
	gmem_mutex_unlock(&m->lock);
	return f;
}

int memslot_gpa_to_hva(struct memslots *m, uint64_t gpa, uint64_t *hva)
{
	int err = -ENOENT;

	gmem_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nslots && err; i++) {
		const struct memslot *s = &m->slots[i];

		if (gpa < s->gpa || gpa - s->gpa >= s->size ||
		    !(s->flags & KVM_MEM_GUEST_MEMFD) || s->gmem_only)
			continue;
		*hva = s->userspace_addr + (gpa - s->gpa);
		err = 0;
	}
	gmem_mutex_unlock(&m->lock);
	return err;
}

/*
 * The slots stay, unbound (R36). A real slot that reached the file through
 * the library's view goes now, before the view does: its address must not
 * lead KVM into whatever is mapped there next.
 */
void memslot_unbind_file(struct memslots *m, struct gmem_file *f)
{
	gmem_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->nslots; i++) {
		struct memslot *s = &m->slots[i];

		if (s->file != f)
			continue;
		s->file = NULL;
		if (s->kvm_view.base)
			memslot_unmirror(m, s);
	}
	gmem_mutex_unlock(&m->lock);
}
