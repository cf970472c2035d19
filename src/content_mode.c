// SPDX-License-Identifier: MIT
/*
 * Content modes.
 *
 * A mode is checked under the conversion lock before anything else
 * happens (R54), and applied after the platform invalidated the pages and
 * before the new attributes are stored (R71), to the whole requested range
 * whether or not its attributes change (R69), and only where memory is
 * allocated (R70): an unallocated page reads zero on first use anyway, and
 * touching it would allocate it.
 *
 * The platform decides which modes it offers and what mode 0 does (zero,
 * scramble, or nothing); ZERO and PRESERVE mean the same everywhere.
 * Applying a mode cannot fail in userspace: there is no poisoned memory
 * (C7); a view that cannot be mapped leaves the bytes as they are.
 */
#include <string.h>
#include <sys/random.h>

#include "allocation.h"
#include "content_mode.h"
#include "gmem_file.h"
#include "view.h"

#define CONTENT_MODES                                                   \
	(KVM_SET_MEMORY_ATTRIBUTES2_ZERO | KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)

bool content_mode_flags_valid(uint64_t flags)
{
	return !(flags & ~CONTENT_MODES) && flags != CONTENT_MODES;
}

bool content_mode_supported(const struct gmem_vm *vm, uint64_t mode,
			    bool to_private)
{
	if (!mode)
		return true;
	/* The VMM is not trusted to zero private memory for the guest. */
	if (mode == KVM_SET_MEMORY_ATTRIBUTES2_ZERO && to_private)
		return false;
	return (vm->platform->content_modes & mode) == mode;
}

static enum content_action content_action_of(const struct gmem_vm *vm,
					     uint64_t mode)
{
	switch (mode) {
	case KVM_SET_MEMORY_ATTRIBUTES2_ZERO:
		return CONTENT_ZERO;
	case KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE:
		return CONTENT_KEEP;
	default:
		return vm->platform->unspecified;
	}
}

/* xorshift64*: scrambling needs bytes nobody can predict from the old
 * contents, not cryptographic strength; the seed comes from the kernel. */
static void scramble(char *p, uint64_t len)
{
	uint64_t x = 0x9e3779b97f4a7c15ULL, word;

	if (getrandom(&x, sizeof(x), 0) != sizeof(x) || !x)
		x ^= (uint64_t)(uintptr_t)p | 1;
	for (uint64_t i = 0; i < len; i += sizeof(word)) {
		x ^= x >> 12;
		x ^= x << 25;
		x ^= x >> 27;
		word = x * 0x2545f4914f6cdd1dULL;
		memcpy(p + i, &word, sizeof(word));
	}
}

static int apply_to_run(struct gmem_file *f, uint64_t start, uint64_t end,
			void *arg)
{
	enum content_action action = *(enum content_action *)arg;
	uint64_t len = (end - start) << GMEM_PAGE_SHIFT;
	struct view v;

	if (view_map(f, start << GMEM_PAGE_SHIFT, len, &v))
		return 0;
	if (action == CONTENT_ZERO)
		memset(v.base, 0, len);
	else
		scramble(v.base, len);
	view_unmap(&v);
	return 0;
}

void content_mode_apply(struct gmem_file *f, uint64_t first, uint64_t end,
			uint64_t mode)
{
	enum content_action action = content_action_of(f->vm, mode);

	gmem_assert_write_held(&f->convert_lock);
	if (action == CONTENT_KEEP)
		return;
	allocation_for_each(f, first, end, apply_to_run, &action);
}
