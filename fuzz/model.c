// SPDX-License-Identifier: MIT
/*
 * The reference model (see model.h). Written from docs/SEMANTICS.md (rule
 * numbers Rn below), docs/CONTENT-MODES.md and the man pages; it never looks at
 * src/. It favours the obvious over the fast: a page at a time, arrays instead
 * of trees.
 */
#include <errno.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include <gmem/gmem.h>

#include "model.h"

#define PAGE	       MODEL_PAGE
#define PRIVATE_ATTR   KVM_MEMORY_ATTRIBUTE_PRIVATE
#define MODE_ZERO      KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define MODE_PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define MODE_READABLE  GMEM_ATTRIBUTES2_READABLE
#define MODE_ENCRYPTED GMEM_ATTRIBUTES2_ENCRYPTED
#define MODE_DESTROY   GMEM_ATTRIBUTES2_DESTROY

/* A window of the forbidden bytes counts as a leak when it has at least
 * this many nonzero forbidden bytes and the reader saw every forbidden
 * byte of it: random or enciphered bytes match 16 given bytes with a
 * chance of 2^-128, so a hit means the old plaintext survived. */
#define LEAK_WINDOW    64
#define LEAK_MIN_BYTES 16

/* What a content mode does to the bytes of one allocated page. */
enum effect {
	KEEP,	  /* PRESERVE, READABLE where allowed */
	NOTHING,  /* mode 0 where the platform does nothing (default, SNP, TDX)
		   */
	ZERO,	  /* software zeroing */
	SCRAMBLE, /* SW_PROTECTED mode 0: random bytes */
	DESTROY,  /* experimental: freed */
};

static struct model_result ok(long ret)
{
	return (struct model_result){ .ret = ret };
}

static struct model_result fail(int err)
{
	return (struct model_result){ .ret = -1, .err = err };
}

/* EOPNOTSUPP, ENOMEM and EAGAIN copy the struct back with error_offset. */
static struct model_result fail_at(int err, uint64_t error_offset)
{
	return (struct model_result){ .ret = -1,
				      .err = err,
				      .copied_back = true,
				      .error_offset = error_offset };
}

static bool aligned(uint64_t x)
{
	return x % PAGE == 0;
}

bool model_encrypted(const struct model *m)
{
	return m->platform == MODEL_SNP || m->platform == MODEL_TDX;
}

/* R49: only VM types with private memory accept PRIVATE. */
static uint64_t supported_attributes(const struct model *m)
{
	return m->platform == MODEL_DEFAULT ? 0 : PRIVATE_ATTR;
}

/* ---- bytes ---- */

static void bytes_zero(struct model_bytes *b)
{
	memset(b->val, 0, sizeof(b->val));
	memset(b->known, 1, sizeof(b->known));
	b->all = b->any = true;
}

static void bytes_unknown(struct model_bytes *b)
{
	memset(b->known, 0, sizeof(b->known));
	b->all = b->any = false;
}

/* Lay what src knows over dst (forbidden bytes accumulate). */
static void bytes_overlay(struct model_bytes *dst,
			  const struct model_bytes *src)
{
	if (!src->any)
		return;
	if (src->all) {
		*dst = *src;
		return;
	}
	for (size_t i = 0; i < PAGE; i++) {
		if (src->known[i]) {
			dst->val[i] = src->val[i];
			dst->known[i] = 1;
		}
	}
	dst->any = true;
}

/* On SNP/TDX the two views differ; elsewhere both are view 0. Only
 * data pages have them. */
static struct model_bytes *view_of(const struct model *m, struct model_page *p,
				   enum model_view v)
{
	return &p->d->view[model_encrypted(m) ? v : 0];
}

static struct model_bytes *forbid_of(const struct model *m,
				     struct model_page *p, enum model_view v)
{
	return &p->d->forbid[model_encrypted(m) ? v : 0];
}

/* A page without memory: it reads zeros on first use (R23, R29). */
static void page_reset(struct model_page *p)
{
	p->allocated = false;
	p->fresh = true;
	p->raw_fragile = false;
	for (int v = 0; p->d && v < 2; v++) {
		bytes_zero(&p->d->view[v]);
		bytes_unknown(&p->d->forbid[v]);
	}
}

/*
 * A use of the page through `v`: it gets memory if it has none. On the
 * encrypted platforms the first use clears the page in the view used, so
 * the other view (the same zeros through the cipher) is unknown.
 */
static void page_use(const struct model *m, struct model_page *p,
		     enum model_view v)
{
	p->allocated = true;
	if (!model_encrypted(m))
		return;
	if (p->fresh) {
		if (p->d)
			bytes_unknown(&p->d->view[!v]);
		p->fresh = false;
	}
	if (v == MODEL_PRIVATE && p->raw_fragile) {
		if (p->d)
			bytes_unknown(&p->d->view[MODEL_SHARED]);
		p->raw_fragile = false;
	}
}

static void page_write(const struct model *m, struct model_page *p,
		       enum model_view v, uint64_t off, uint64_t len,
		       const uint8_t *data)
{
	struct model_bytes *b, *f;

	page_use(m, p, v);
	if (!p->d)
		return;
	b = view_of(m, p, v);
	f = forbid_of(m, p, v);
	memcpy(b->val + off, data, len);
	memset(b->known + off, 1, len);
	b->any = true;
	/* Freshly written bytes are the writer's own, not an old secret. */
	memset(f->known + off, 0, len);
	f->all = false;
	/* Through the cipher, the other view changes unpredictably. */
	if (model_encrypted(m))
		bytes_unknown(&p->d->view[!v]);
}

/* ---- VMs and files ---- */

bool model_vm_type(unsigned long type, enum model_platform *platform)
{
	switch (type) {
	case KVM_X86_DEFAULT_VM:
		*platform = MODEL_DEFAULT;
		return true;
	case KVM_X86_SW_PROTECTED_VM:
		*platform = MODEL_SW_PROTECTED;
		return true;
	case KVM_X86_SNP_VM:
		*platform = MODEL_SNP;
		return true;
	case KVM_X86_TDX_VM:
		*platform = MODEL_TDX;
		return true;
	case KVM_VM_TYPE_ARM_PROTECTED:
		*platform = MODEL_PKVM;
		return true;
	default:
		return false; /* SEV, SEV-ES and unknown types: EINVAL */
	}
}

void model_init(struct model *m, enum model_platform platform,
		bool experimental, bool legacy, uint64_t gpa_base)
{
	m->platform = platform;
	m->experimental = experimental;
	m->legacy = legacy;
	m->gpa_base = gpa_base;
	for (int v = 0; v < MODEL_MAX_VMS; v++) {
		m->vm[v].v6 = false;
		m->vm[v].nreq = 0;
		m->vm[v].fault.pending = false;
		memset(m->vm[v].gpa_private, 0, sizeof(m->vm[v].gpa_private));
	}
	for (int f = 0; f < MODEL_MAX_FILES; f++)
		m->file[f].live = m->file[f].open = false;
	for (int s = 0; s < MODEL_MAX_SLOTS; s++)
		m->slot[s].used = false;
}

/* KVM_CAP_GUEST_MEMFD_FLAGS: 6.18 offers INIT_SHARED only to VMs without
 * private memory; with per-file attributes every VM may start shared. */
static uint64_t file_flags(const struct model *m)
{
	uint64_t flags = GUEST_MEMFD_FLAG_MMAP;

	if (m->platform == MODEL_DEFAULT || !m->legacy)
		flags |= GUEST_MEMFD_FLAG_INIT_SHARED;
	return flags;
}

/* R2, R3, R4: flags outside what CAP 244 reports, then size; reserved
 * words are not checked. */
struct model_result model_create_file(const struct model *m, uint64_t size,
				      uint64_t flags)
{
	if (flags & ~file_flags(m))
		return fail(EINVAL);
	if ((int64_t)size <= 0 || !aligned(size))
		return fail(EINVAL);
	return ok(0);
}

/* R9: every page starts private, or shared with INIT_SHARED. */
void model_add_file(struct model *m, int file, int vm, uint64_t size,
		    uint64_t flags)
{
	struct model_file *f = &m->file[file];

	f->live = f->open = true;
	f->vm = vm;
	f->mmap_ok = flags & GUEST_MEMFD_FLAG_MMAP;
	f->npages = size / PAGE;
	for (uint64_t i = 0; i < f->npages; i++) {
		struct model_page *p = &f->page[i];

		p->d = i < MODEL_DATA_PAGES ? &f->data[i] : NULL;
		page_reset(p);
		p->private = !(flags & GUEST_MEMFD_FLAG_INIT_SHARED);
		p->pins = 0;
	}
}

/* The content modes a VM reports (CONTENT-MODES.md, "The capability"). */
static uint64_t platform_modes(const struct model *m)
{
	switch (m->platform) {
	case MODEL_SW_PROTECTED:
	case MODEL_PKVM:
		return MODE_ZERO | MODE_PRESERVE;
	case MODEL_SNP:
	case MODEL_TDX:
		return MODE_ZERO;
	default:
		return 0;
	}
}

/* gmem(7) "Capabilities"; in the legacy mode the VM-level attribute
 * capabilities answer and the guest_memfd ones read 0 (R43). -2 for a
 * capability whose value the documents leave open. */
long model_check_extension(const struct model *m, int vm, long cap)
{
	/* v6+ has neither capability (R95). */
	if (m->vm[vm].v6 && (cap == KVM_CAP_MEMORY_ATTRIBUTES2 ||
			     cap == KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS))
		return 0;
	switch (cap) {
	case KVM_CAP_USER_MEMORY2:
	case KVM_CAP_MEMORY_FAULT_INFO:
	case KVM_CAP_GUEST_MEMFD:
		return 1;
	case KVM_CAP_MEMORY_ATTRIBUTES:
	case KVM_CAP_MEMORY_ATTRIBUTES2:
		return m->legacy ? (long)supported_attributes(m) : 0;
	case KVM_CAP_GUEST_MEMFD_FLAGS:
		return (long)file_flags(m);
	case KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES:
		return m->legacy ? 0 : (long)supported_attributes(m);
	case KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS:
		if (m->legacy)
			return 0;
		/* Whether experimental policies show here is not said. */
		return m->experimental ? -2 : (long)platform_modes(m);
	case KVM_CAP_EXIT_HYPERCALL:
		return 1L << KVM_HC_MAP_GPA_RANGE;
	case KVM_CAP_VM_TYPES:
		return (1L << KVM_X86_DEFAULT_VM) |
		       (1L << KVM_X86_SW_PROTECTED_VM) |
		       (1L << KVM_X86_SNP_VM) | (1L << KVM_X86_TDX_VM);
	default:
		return 0;
	}
}

/* ---- guest requests (pKVM's rule) ---- */

static int find_request(const struct model *m, int file, uint64_t offset,
			uint64_t size, bool to_private)
{
	const struct model_vm *vm = &m->vm[m->file[file].vm];

	for (unsigned int i = 0; i < vm->nreq; i++) {
		const struct model_request *r = &vm->req[i];

		if (r->file == file && r->offset == offset && r->size == size &&
		    r->to_private == to_private)
			return (int)i;
	}
	return -1;
}

static void drop_request(struct model_vm *vm, unsigned int i)
{
	memmove(&vm->req[i], &vm->req[i + 1],
		(vm->nreq - i - 1) * sizeof(vm->req[0]));
	vm->nreq--;
}

/* A mapping keeps the file (R8): as in the kernel, whose mapping holds a
 * reference on the struct file, nothing else changes. A file that goes
 * away takes its requests with it, and its slots stay, unbound (R36). */
void model_close_file(struct model *m, int file, bool mapped)
{
	struct model_vm *vm = &m->vm[m->file[file].vm];

	m->file[file].open = false;
	if (mapped)
		return;
	for (unsigned int i = vm->nreq; i-- > 0;)
		if (vm->req[i].file == file)
			drop_request(vm, i);
	for (int s = 0; s < MODEL_MAX_SLOTS; s++)
		if (m->slot[s].used && m->slot[s].file == file)
			m->slot[s].file = -1;
	m->file[file].live = false;
}

/* ---- the conversion ---- */

/* Unknown bits, and more than one mode at once, are EINVAL (R45, R46).
 * The experimental policies exist only on VMs that asked for them; v6+
 * knows no mode at all (R93). */
static bool flags_valid(const struct model *m, bool v6, uint64_t flags)
{
	uint64_t known = MODE_ZERO | MODE_PRESERVE;

	if (v6)
		return flags == 0;
	if (m->experimental)
		known |= MODE_READABLE | MODE_ENCRYPTED | MODE_DESTROY;
	if (flags & ~known)
		return false;
	return (flags & (flags - 1)) == 0;
}

/* R54 and CONTENT-MODES.md's table: whether the VM accepts the mode. */
static bool mode_supported(const struct model *m, int file, uint64_t offset,
			   uint64_t size, uint64_t mode, bool to_private)
{
	bool asked = find_request(m, file, offset, size, to_private) >= 0;

	if (mode == 0)
		return true;
	if (mode == MODE_ZERO && to_private)
		return false;
	switch (m->platform) {
	case MODEL_SW_PROTECTED:
		return mode != MODE_ENCRYPTED;
	case MODEL_PKVM:
		if (mode == MODE_PRESERVE || mode == MODE_READABLE)
			return asked;
		return mode == MODE_ZERO || mode == MODE_DESTROY;
	case MODEL_SNP:
		if (mode == MODE_ENCRYPTED)
			return !to_private;
		/* PRESERVE to private, before launch (R93), as TDX */
		__attribute__((fallthrough));
	case MODEL_TDX:
		if (mode == MODE_PRESERVE)
			return to_private;
		return mode == MODE_ZERO || mode == MODE_DESTROY;
	default:
		return false;
	}
}

static enum effect mode_effect(const struct model *m, bool v6, uint64_t mode)
{
	/* v6+: the bytes stay; the encrypted platforms show them through
	 * the cipher, as their mode 0 always did (R94). */
	if (v6)
		return NOTHING;
	switch (mode) {
	case MODE_ZERO:
		return ZERO;
	case MODE_PRESERVE:
	case MODE_READABLE:
		/* On SNP and TDX the kept bytes meet the cipher: the guest
		 * reads them decrypted (R93: until populated). */
		return model_encrypted(m) ? NOTHING : KEEP;
	case MODE_DESTROY:
		return DESTROY;
	case MODE_ENCRYPTED:
		return NOTHING;
	default:
		break;
	}
	switch (m->platform) {
	case MODEL_SW_PROTECTED:
		return SCRAMBLE;
	case MODEL_PKVM:
		return ZERO; /* pKVM's safe default (R86) */
	default:
		return NOTHING;
	}
}

/* The mode on one allocated page whose attribute goes to to_private. */
static void apply_effect(const struct model *m, struct model_page *p,
			 enum effect e, bool to_private)
{
	if (!p->d) {
		if (e == DESTROY)
			page_reset(p);
		else if (e == ZERO && model_encrypted(m))
			p->fresh = false, p->raw_fragile = true;
		return;
	}
	switch (e) {
	case KEEP:
		break;
	case NOTHING:
		if (!model_encrypted(m) || p->private == to_private)
			break;
		/* The new reader sees the other side of the cipher: never
		 * the bytes the old reader saw. */
		if (to_private)
			bytes_overlay(&p->d->forbid[MODEL_PRIVATE],
				      &p->d->view[MODEL_SHARED]);
		else
			bytes_overlay(&p->d->forbid[MODEL_SHARED],
				      &p->d->view[MODEL_PRIVATE]);
		break;
	case ZERO:
		bytes_zero(view_of(m, p, MODEL_SHARED));
		bytes_unknown(forbid_of(m, p, MODEL_SHARED));
		if (model_encrypted(m)) {
			bytes_unknown(&p->d->view[MODEL_PRIVATE]);
			p->fresh = false;
			p->raw_fragile = true;
		}
		break;
	case SCRAMBLE:
		bytes_overlay(&p->d->forbid[0], &p->d->view[0]);
		bytes_unknown(&p->d->view[0]);
		break;
	case DESTROY:
		page_reset(p);
		break;
	}
}

static bool range_has(const struct model_file *f, uint64_t first, uint64_t n,
		      bool private)
{
	for (uint64_t i = first; i < first + n; i++)
		if (f->page[i].private != private)
			return false;
	return true;
}

/* Conversion step 2 of docs/SEMANTICS.md: EFAULT, then EINVAL for a
 * malformed request; neither writes anything back (R44..R53). */
static int convert_validate(const struct model *m, const struct model_file *f,
			    uint64_t offset, uint64_t size, uint64_t attributes,
			    uint64_t flags, uint64_t error_offset,
			    bool reserved_set, enum model_arg arg)
{
	uint64_t fsize = f->npages * PAGE;

	bool v6 = m->vm[f->vm].v6;

	if (arg == MODEL_ARG_UNREADABLE)
		return EFAULT;
	/* v6+ never reads error_offset (R96), and v8 refuses a VM without
	 * private memory whatever it asks (R98). */
	if (!flags_valid(m, v6, flags) || (error_offset && !v6) || reserved_set)
		return EINVAL;
	if (v6 && !supported_attributes(m))
		return EINVAL;
	if (attributes & ~supported_attributes(m))
		return EINVAL;
	if (size == 0 || offset + size < offset)
		return EINVAL;
	if (!aligned(offset) || !aligned(size))
		return EINVAL;
	if (offset >= fsize || offset + size > fsize)
		return EINVAL;
	return 0;
}

/* Steps 8 to 10: the mode on every allocated page of the whole range,
 * then the attributes; a matching guest request is used up. */
static void convert_commit(struct model *m, int file, uint64_t offset,
			   uint64_t size, bool to_private, uint64_t mode)
{
	struct model_file *f = &m->file[file];
	enum effect e = mode_effect(m, m->vm[f->vm].v6, mode);
	int r = find_request(m, file, offset, size, to_private);

	/* v6+ on pKVM: the hypervisor clears what the host takes back
	 * without the guest's share (R122). */
	if (m->vm[f->vm].v6 && m->platform == MODEL_PKVM && !to_private &&
	    r < 0)
		e = ZERO;

	for (uint64_t i = offset / PAGE; i < (offset + size) / PAGE; i++) {
		struct model_page *p = &f->page[i];

		if (p->allocated)
			apply_effect(m, p, e, to_private);
		p->private = to_private;
	}
	if (r >= 0)
		drop_request(&m->vm[f->vm], (unsigned int)r);
}

struct model_result model_convert(struct model *m, int file, uint64_t offset,
				  uint64_t size, uint64_t attributes,
				  uint64_t flags, uint64_t error_offset,
				  bool reserved_set, enum model_arg arg,
				  bool commit)
{
	struct model_file *f = &m->file[file];
	bool to_private = attributes & PRIVATE_ATTR;
	struct model_result r = ok(0);
	int err;

	/* R43: the guest_memfd ioctl is dead in the legacy mode. */
	if (m->legacy)
		return fail(ENOTTY);
	err = convert_validate(m, f, offset, size, attributes, flags,
			       error_offset, reserved_set, arg);
	if (err)
		return fail(err);
	if (!mode_supported(m, file, offset, size, flags, to_private)) {
		r = fail_at(EOPNOTSUPP, offset);
	} else if (to_private &&
		   !range_has(f, offset / PAGE, size / PAGE, true)) {
		/* Step 7: the first allocated page still referenced. */
		for (uint64_t i = offset / PAGE; i < (offset + size) / PAGE;
		     i++) {
			if (f->page[i].allocated && f->page[i].pins) {
				r = fail_at(EAGAIN, i * PAGE);
				break;
			}
		}
	}
	/* R59: a write-back that cannot be written is EFAULT. */
	if (r.copied_back && arg == MODEL_ARG_READONLY)
		return fail(EFAULT);
	if (r.ret == 0 && commit)
		convert_commit(m, file, offset, size, to_private, flags);
	return r;
}

/* ---- fallocate (R25..R30) ---- */

/* The VFS's own checks of vfs_fallocate(), before guest_memfd's. */
static int vfs_fallocate_check(int mode, int64_t offset, int64_t len)
{
	const int mode_mask = FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |
			      FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |
			      FALLOC_FL_UNSHARE_RANGE | 0x80 /* WRITE_ZEROES */;

	if (offset < 0 || len <= 0)
		return EINVAL;
	if (mode & ~(mode_mask | FALLOC_FL_KEEP_SIZE))
		return EOPNOTSUPP;
	switch (mode & mode_mask) {
	case 0:
	case FALLOC_FL_UNSHARE_RANGE:
	case FALLOC_FL_ZERO_RANGE:
		break;
	case FALLOC_FL_PUNCH_HOLE:
		if (!(mode & FALLOC_FL_KEEP_SIZE))
			return EOPNOTSUPP;
		break;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case 0x80:
		if (mode & FALLOC_FL_KEEP_SIZE)
			return EOPNOTSUPP;
		break;
	default:
		return EOPNOTSUPP;
	}
	if ((uint64_t)offset + (uint64_t)len > (uint64_t)INT64_MAX)
		return EFBIG;
	return 0;
}

struct model_result model_fallocate(struct model *m, int file, int mode,
				    int64_t offset, int64_t len, bool commit)
{
	struct model_file *f = &m->file[file];
	uint64_t fsize = f->npages * PAGE;
	bool punch = mode & FALLOC_FL_PUNCH_HOLE;
	int err = vfs_fallocate_check(mode, offset, len);

	if (err)
		return fail(err);
	if (!(mode & FALLOC_FL_KEEP_SIZE) ||
	    (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)))
		return fail(EOPNOTSUPP);
	if (!aligned((uint64_t)offset) || !aligned((uint64_t)len))
		return fail(EINVAL);
	if (!punch && (uint64_t)offset + (uint64_t)len > fsize)
		return fail(EINVAL);
	if (!commit)
		return ok(0);
	for (uint64_t i = (uint64_t)offset / PAGE;
	     i < f->npages && i < ((uint64_t)offset + (uint64_t)len) / PAGE;
	     i++) {
		struct model_page *p = &f->page[i];

		/* R30: never an attribute; pins stay with the offset. */
		if (punch)
			page_reset(p);
		else
			p->allocated = true;
	}
	return ok(0);
}

/* ---- pins (gmem_pin(3)) ---- */

static bool range_valid(const struct model_file *f, uint64_t offset,
			uint64_t len)
{
	uint64_t fsize = f->npages * PAGE;

	return len && aligned(offset) && aligned(len) && offset < fsize &&
	       len <= fsize - offset;
}

struct model_result model_pin(struct model *m, int file, uint64_t offset,
			      uint64_t len, bool commit)
{
	struct model_file *f = &m->file[file];

	if (!range_valid(f, offset, len))
		return fail(EINVAL);
	if (!range_has(f, offset / PAGE, len / PAGE, false))
		return fail(EFAULT);
	if (!commit)
		return ok(0);
	for (uint64_t i = offset / PAGE; i < (offset + len) / PAGE; i++) {
		/* Faulted in for writing, as get_user_pages() would. */
		page_use(m, &f->page[i], MODEL_SHARED);
		f->page[i].pins++;
	}
	return ok(0);
}

struct model_result model_unpin(struct model *m, int file, uint64_t offset,
				uint64_t len, bool commit)
{
	struct model_file *f = &m->file[file];

	if (!range_valid(f, offset, len))
		return fail(EINVAL);
	for (uint64_t i = offset / PAGE; i < (offset + len) / PAGE; i++)
		if (!f->page[i].pins)
			return fail(EINVAL);
	if (commit)
		for (uint64_t i = offset / PAGE; i < (offset + len) / PAGE; i++)
			f->page[i].pins--;
	return ok(0);
}

/* ---- host mappings (R17..R23, gmem_mmap(3)) ---- */

struct model_result model_mmap(const struct model *m, int file, int prot,
			       int flags, int64_t offset, uint64_t len)
{
	int type = flags & MAP_TYPE;

	if (!aligned((uint64_t)offset) || len == 0)
		return fail(EINVAL);
	if (type != MAP_SHARED && type != MAP_PRIVATE &&
	    type != MAP_SHARED_VALIDATE)
		return fail(EINVAL);
	if (prot & PROT_EXEC)
		return fail(EPERM);
	if (!m->file[file].mmap_ok)
		return fail(ENODEV);
	if (type == MAP_PRIVATE)
		return fail(EINVAL);
	return ok(0);
}

/* A touch of [offset, offset + len) of the file, inside one page, through
 * a mapping with `prot`: the protection first (SIGSEGV), then the end of
 * the file and private pages (SIGBUS). */
enum model_touch model_host_touch(struct model *m, int file, uint64_t offset,
				  uint64_t len, int prot, bool write,
				  const uint8_t *data, bool commit)
{
	struct model_file *f = &m->file[file];
	uint64_t i = offset / PAGE;

	if (!(prot & PROT_READ) || (write && !(prot & PROT_WRITE)))
		return MODEL_TOUCH_SIGSEGV;
	if (i >= f->npages || f->page[i].private)
		return MODEL_TOUCH_SIGBUS;
	if (commit) {
		if (write)
			page_write(m, &f->page[i], MODEL_SHARED, offset % PAGE,
				   len, data);
		else
			page_use(m, &f->page[i], MODEL_SHARED);
	}
	return MODEL_TOUCH_OK;
}

/* ---- the VM's attributes (legacy mode, R43) ---- */

static bool in_window(const struct model *m, uint64_t gpa)
{
	return gpa >= m->gpa_base &&
	       (gpa - m->gpa_base) / PAGE < MODEL_GPA_PAGES;
}

/* kvm_vm_ioctl_set_mem_attributes(): the VM ioctl is dead unless the VM
 * holds the attributes; then no flags, known attributes, a non-empty
 * aligned range inside the guest's frame numbers. The 2 form's extra
 * words must be zero. Pages outside the window are not modelled: the
 * fuzzer never reaches them. */
struct model_result model_set_vm_attributes(struct model *m, int vm, bool two,
					    uint64_t address, uint64_t size,
					    uint64_t attributes, uint64_t flags,
					    bool extra_words_set,
					    enum model_arg arg, bool commit)
{
	/* v6+ has no VM-level form 2 (R95). */
	if (!m->legacy || (two && m->vm[vm].v6))
		return fail(ENOTTY);
	if (arg == MODEL_ARG_UNREADABLE)
		return fail(EFAULT);
	if (extra_words_set || flags || (attributes & ~supported_attributes(m)))
		return fail(EINVAL);
	if (!size || address + size < address)
		return fail(EINVAL);
	if (!aligned(address) || !aligned(size))
		return fail(EINVAL);
	if ((address + size - 1) / PAGE >= 1ULL << 52)
		return fail(EINVAL);
	for (uint64_t a = address; commit && a < address + size; a += PAGE) {
		if (!in_window(m, a)) {
			if (a > m->gpa_base)
				break;
			continue;
		}
		m->vm[vm].gpa_private[(a - m->gpa_base) / PAGE] =
			attributes != 0;
	}
	return ok(0);
}

/* ---- memslots ---- */

static uint64_t slot_end(const struct model_slot *s)
{
	return s->gpa + s->npages * PAGE;
}

static bool gpa_overlaps(const struct model *m, int slot, uint64_t gpa,
			 uint64_t size)
{
	int vm = slot / MODEL_SLOTS_PER_VM;

	for (int i = vm * MODEL_SLOTS_PER_VM; i < (vm + 1) * MODEL_SLOTS_PER_VM;
	     i++) {
		const struct model_slot *s = &m->slot[i];

		if (i != slot && s->used && gpa < slot_end(s) &&
		    s->gpa < gpa + size)
			return true;
	}
	return false;
}

/* Whether [offset, offset + size) of the file is bound by a slot already
 * (R33: EINVAL, adjacent ranges are fine). */
static bool file_range_bound(const struct model *m, int file, uint64_t offset,
			     uint64_t size)
{
	for (int i = 0; i < MODEL_MAX_SLOTS; i++) {
		const struct model_slot *s = &m->slot[i];

		if (s->used && s->file == file &&
		    offset < s->offset + s->npages * PAGE &&
		    s->offset < offset + size)
			return true;
	}
	return false;
}

/* kvm_gmem_bind(): a guest_memfd of this VM, the range inside it, not
 * bound yet (R33). */
static int slot_bind_check(const struct model *m, int slot,
			   const struct model_slot_args *a)
{
	const struct model_file *f;

	if (a->fd == MODEL_FD_CLOSED)
		return EBADF;
	if (a->fd == MODEL_FD_NOT_GMEM)
		return EINVAL;
	f = &m->file[a->file];
	if (f->vm != slot / MODEL_SLOTS_PER_VM ||
	    a->offset >= f->npages * PAGE ||
	    a->offset + a->size > f->npages * PAGE ||
	    file_range_bound(m, a->file, a->offset, a->size))
		return EINVAL;
	return 0;
}

/* A change of an existing slot: never of a guest_memfd slot (R35); a
 * plain slot may move, keeping its size, address and read-only flag. */
static struct model_result slot_change(struct model *m, int slot,
				       const struct model_slot_args *a,
				       bool commit)
{
	struct model_slot *s = &m->slot[slot];

	if (s->gmem || (a->flags & KVM_MEM_GUEST_MEMFD))
		return fail(EINVAL);
	if ((s->flags ^ a->flags) & KVM_MEM_READONLY)
		return fail(EINVAL);
	if (a->size != s->npages * PAGE || a->user != s->user)
		return fail(EINVAL);
	if (gpa_overlaps(m, slot, a->gpa, a->size))
		return fail(EEXIST);
	if (commit) {
		s->gpa = a->gpa;
		s->flags = a->flags;
	}
	return ok(0);
}

/* KVM_SET_USER_MEMORY_REGION2 with the arguments the fuzzer makes
 * (aligned, flags from GUEST_MEMFD, READONLY and LOG_DIRTY_PAGES). */
struct model_result model_memslot(struct model *m, int slot,
				  const struct model_slot_args *a, bool commit)
{
	const uint32_t others = KVM_MEM_LOG_DIRTY_PAGES | KVM_MEM_READONLY;
	bool gmem = a->flags & KVM_MEM_GUEST_MEMFD;
	struct model_slot *s = &m->slot[slot];
	int err;

	if (gmem && (a->flags & others))
		return fail(EINVAL);
	if (!a->size) {
		if (!s->used)
			return fail(EINVAL);
		if (commit)
			s->used = false;
		return ok(0);
	}
	if (s->used)
		return slot_change(m, slot, a, commit);
	if (gpa_overlaps(m, slot, a->gpa, a->size))
		return fail(EEXIST);
	err = gmem ? slot_bind_check(m, slot, a) : 0;
	if (!err && a->gpa + a->size > 1ULL << 52)
		err = EINVAL;
	if (err)
		return fail(err);
	if (commit)
		*s = (struct model_slot){
			.used = true,
			.flags = a->flags,
			.gmem = gmem,
			.gmem_only = gmem && m->file[a->file].mmap_ok,
			.user = a->user,
			.file = gmem ? a->file : -1,
			.gpa = a->gpa,
			.offset = a->offset,
			.npages = a->size / PAGE,
		};
	return ok(0);
}

/* ---- the guest ---- */

int model_gpa_slot(const struct model *m, int vm, uint64_t gpa)
{
	for (int i = vm * MODEL_SLOTS_PER_VM; i < (vm + 1) * MODEL_SLOTS_PER_VM;
	     i++) {
		const struct model_slot *s = &m->slot[i];

		if (s->used && gpa >= s->gpa && gpa < slot_end(s))
			return i;
	}
	return -1;
}

int model_gpa_page(const struct model *m, int vm, uint64_t gpa, uint64_t *page)
{
	int i = model_gpa_slot(m, vm, gpa);
	const struct model_slot *s = &m->slot[i < 0 ? 0 : i];

	if (i < 0 || !s->gmem || s->file < 0)
		return -1;
	*page = (s->offset + (gpa - s->gpa)) / PAGE;
	return s->file;
}

bool model_gpa_private(const struct model *m, int vm, uint64_t gpa)
{
	uint64_t page;
	int file;

	if (m->legacy)
		return in_window(m, gpa) &&
		       m->vm[vm].gpa_private[(gpa - m->gpa_base) / PAGE];
	file = model_gpa_page(m, vm, gpa, &page);
	return file >= 0 && m->file[file].page[page].private;
}

bool model_page_gpa(const struct model *m, int file, uint64_t page,
		    uint64_t *gpa)
{
	uint64_t off = page * PAGE;

	for (int i = 0; i < MODEL_MAX_SLOTS; i++) {
		const struct model_slot *s = &m->slot[i];

		if (s->used && s->file == file && off >= s->offset &&
		    off < s->offset + s->npages * PAGE) {
			*gpa = s->gpa + (off - s->offset);
			return true;
		}
	}
	return false;
}

static void record_fault(struct model *m, int vm, uint64_t gpa, bool private,
			 bool commit)
{
	if (commit)
		m->vm[vm].fault = (struct model_fault){
			.pending = true,
			.gpa = gpa - gpa % PAGE,
			.size = PAGE,
			.flags = private ? KVM_MEMORY_EXIT_FLAG_PRIVATE : 0,
		};
}

/*
 * Where one page of a guest access goes: 0 with the file page (*file >=
 * 0) or the slot's user memory (*file -1, *slot), or the errno, having
 * recorded the memory fault KVM_RUN would report.
 *
 * With per-file attributes a gpa reaches memory only through a bound
 * guest_memfd slot; a page of the other kind is a memory fault (R78).
 * With per-VM attributes (the kernel's kvm_mmu_faultin_pfn()) the VM's
 * attribute is checked first, then a private access needs a guest_memfd
 * slot (a memory fault otherwise, as kvm_handle_noslot_fault() and
 * kvm_mmu_faultin_pfn_gmem() report it), and a shared access goes to the
 * file only for a guest_memfd made with MMAP, else to the slot's
 * userspace_addr.
 */
static int guest_target(struct model *m, int vm, uint64_t at, bool private,
			bool commit, int *file, int *slot, uint64_t *page)
{
	int i = model_gpa_slot(m, vm, at);
	const struct model_slot *s = i >= 0 ? &m->slot[i] : NULL;
	bool bound = s && s->gmem && s->file >= 0;

	*file = -1;
	*slot = i;
	if (!m->legacy) {
		if (!bound)
			return EFAULT;
		*file = model_gpa_page(m, vm, at, page);
		if (m->file[*file].page[*page].private != private) {
			record_fault(m, vm, at, private, commit);
			return EFAULT;
		}
		return 0;
	}
	if (model_gpa_private(m, vm, at) != private || (private && !bound)) {
		record_fault(m, vm, at, private, commit);
		return EFAULT;
	}
	if (!s || !s->gmem)
		return EFAULT;
	if (private || s->gmem_only) {
		if (!bound)
			return EFAULT;
		*file = model_gpa_page(m, vm, at, page);
		return 0;
	}
	*page = (at - s->gpa) / PAGE;
	return s->user && *page < MODEL_USER_PAGES ? 0 : EFAULT;
}

/* gmem_guest_read(3): a page at a time; the pages before a failure have
 * been accessed. */
struct model_result model_guest_access(struct model *m, int vm, uint64_t gpa,
				       uint64_t len, unsigned int flags,
				       bool write, const uint8_t *data,
				       struct model_access *out, bool commit)
{
	bool private = flags & GMEM_GUEST_PRIVATE;
	enum model_view v = private ? MODEL_PRIVATE : MODEL_SHARED;
	uint64_t done = 0;

	out->nchunks = 0;
	if (flags & ~GMEM_GUEST_PRIVATE)
		return fail(EINVAL);
	while (done < len) {
		uint64_t at = gpa + done, page;
		uint64_t chunk = PAGE - at % PAGE;
		int file, slot;
		int err = guest_target(m, vm, at, private, commit, &file, &slot,
				       &page);

		if (chunk > len - done)
			chunk = len - done;
		if (err)
			return fail(err);
		if (commit && file >= 0) {
			struct model_page *p = &m->file[file].page[page];

			if (write)
				page_write(m, p, v, at % PAGE, chunk,
					   data + done);
			else
				page_use(m, p, v);
		} else if (commit && write) {
			memcpy(m->user[slot] + page * PAGE + at % PAGE,
			       data + done, chunk);
		}
		if (out->nchunks < MODEL_MAX_CHUNKS)
			out->chunk[out->nchunks++] = (struct model_chunk){
				.file = file,
				.slot = slot,
				.page = page,
				.off = at % PAGE,
				.len = chunk,
				.buf_off = done,
			};
		done += chunk;
	}
	return ok((long)len);
}

/* gmem_guest_request(3): recorded by file range; 64 kept per VM. */
struct model_result model_guest_request(struct model *m, int vm, uint64_t gpa,
					uint64_t len, bool to_private,
					bool commit)
{
	struct model_vm *v = &m->vm[vm];
	const struct model_slot *s;
	uint64_t page;
	int file, i;

	if (len == 0 || !aligned(gpa) || !aligned(len) || gpa + len < gpa)
		return fail(EINVAL);
	file = model_gpa_page(m, vm, gpa, &page);
	if (file < 0)
		return fail(EFAULT);
	i = model_gpa_slot(m, vm, gpa);
	s = &m->slot[i];
	if (gpa + len > slot_end(s))
		return fail(EFAULT);
	if (!commit)
		return ok(0);
	if (v->nreq == MODEL_MAX_REQUESTS)
		drop_request(v, 0);
	v->req[v->nreq++] = (struct model_request){
		.file = file,
		.offset = page * PAGE,
		.size = len,
		.to_private = to_private,
	};
	return ok(0);
}

struct model_result model_get_fault(struct model *m, int vm,
				    struct model_fault *f, bool commit)
{
	if (!m->vm[vm].fault.pending)
		return fail(ENOENT);
	*f = m->vm[vm].fault;
	if (commit)
		m->vm[vm].fault.pending = false;
	return ok(0);
}

/* ---- queries ---- */

static bool query_range_valid(const struct model_file *f, uint64_t offset,
			      uint64_t len)
{
	uint64_t fsize = f->npages * PAGE;

	return aligned(offset) && aligned(len) && offset <= fsize &&
	       len <= fsize - offset;
}

struct model_result model_attribute_ranges(const struct model *m, int file,
					   uint64_t offset, uint64_t len,
					   struct model_range *r, size_t max)
{
	const struct model_file *f = &m->file[file];
	long n = 0;

	if (!query_range_valid(f, offset, len))
		return fail(EINVAL);
	for (uint64_t i = offset / PAGE; i < (offset + len) / PAGE; i++) {
		uint64_t a = f->page[i].private ? PRIVATE_ATTR : 0;

		/* Equal neighbours are one range (R39). */
		if (i > offset / PAGE &&
		    f->page[i - 1].private == f->page[i].private) {
			if (r && (size_t)n <= max)
				r[n - 1].size += PAGE;
			continue;
		}
		if (r && (size_t)n < max)
			r[n] = (struct model_range){ i * PAGE, PAGE, a };
		n++;
	}
	return ok(n);
}

struct model_result model_attributes(const struct model *m, int file,
				     uint64_t offset, uint64_t *attributes)
{
	const struct model_file *f = &m->file[file];

	if (offset >= f->npages * PAGE)
		return fail(EINVAL);
	*attributes = f->page[offset / PAGE].private ? PRIVATE_ATTR : 0;
	return ok(0);
}

struct model_result model_allocation(const struct model *m, int file,
				     uint64_t offset, uint64_t len,
				     bool vec_null, unsigned char *vec)
{
	const struct model_file *f = &m->file[file];

	if (!query_range_valid(f, offset, len))
		return fail(EINVAL);
	if (len && vec_null)
		return fail(EFAULT);
	for (uint64_t i = 0; i < len / PAGE; i++)
		vec[i] = f->page[offset / PAGE + i].allocated;
	return ok(0);
}

/* ---- observations ---- */

/* Whether the reader saw the forbidden bytes of some window. */
static bool leaked(const struct model_bytes *f, uint64_t off, uint64_t len,
		   const uint8_t *seen, uint64_t *where)
{
	if (!f->any)
		return false;
	for (uint64_t w = off - off % LEAK_WINDOW; w < off + len;
	     w += LEAK_WINDOW) {
		unsigned int nonzero = 0;
		bool all = true;

		for (uint64_t i = w; i < w + LEAK_WINDOW && i < PAGE; i++) {
			if (i < off || i >= off + len || !f->known[i])
				continue;
			if (seen[i - off] != f->val[i]) {
				all = false;
				break;
			}
			nonzero += f->val[i] != 0;
		}
		if (all && nonzero >= LEAK_MIN_BYTES) {
			*where = w;
			return true;
		}
	}
	return false;
}

bool model_observe(struct model *m, int file, uint64_t page,
		   enum model_view view, uint64_t off, uint64_t len,
		   const uint8_t *seen, char *why, size_t whylen)
{
	struct model_page *p = &m->file[file].page[page];
	struct model_bytes *b;
	bool fast;
	uint64_t where;

	if (!p->d)
		return true; /* bytes not modelled past the data pages */
	b = view_of(m, p, view);
	fast = b->all && !memcmp(b->val + off, seen, len);

	for (uint64_t i = off; !fast && i < off + len; i++) {
		if (b->known[i] && b->val[i] != seen[i - off]) {
			snprintf(why, whylen,
				 "file %d page %llu byte %llu (%s view): "
				 "model 0x%02x, engine 0x%02x",
				 file, (unsigned long long)page,
				 (unsigned long long)i,
				 view == MODEL_PRIVATE ? "private" : "shared",
				 b->val[i], seen[i - off]);
			return false;
		}
	}
	if (leaked(forbid_of(m, p, view), off, len, seen, &where)) {
		snprintf(why, whylen,
			 "file %d page %llu bytes %llu.. (%s view): the old "
			 "plaintext survived a conversion that may not keep it",
			 file, (unsigned long long)page,
			 (unsigned long long)where,
			 view == MODEL_PRIVATE ? "private" : "shared");
		return false;
	}
	for (uint64_t i = off; !fast && i < off + len; i++) {
		if (!b->known[i]) {
			b->val[i] = seen[i - off];
			b->known[i] = 1;
		}
	}
	b->any = true;
	if (off == 0 && len == PAGE)
		b->all = true;
	return true;
}

bool model_page_checkable(const struct model *m, int file, uint64_t page)
{
	const struct model_page *p = &m->file[file].page[page];

	return p->d && p->allocated && !(model_encrypted(m) && p->fresh);
}

bool model_page_has_data(const struct model *m, int file, uint64_t page)
{
	return page < m->file[file].npages && m->file[file].page[page].d;
}
