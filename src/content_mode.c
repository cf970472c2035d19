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
 * The platform decides which modes it offers, what mode 0 does (zero,
 * scramble, or nothing), and whether keeping the contents needs the
 * guest's own request (pKVM). ZERO, PRESERVE and the experimental policies
 * mean the same everywhere they are offered. Applying a mode cannot fail
 * in userspace: there is no poisoned memory (C7), and what DESTROY records
 * is reserved beforehand.
 */
#include <fcntl.h>
#include <linux/falloc.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "allocation.h"
#include "content_mode.h"
#include "gmem_file.h"
#include "view.h"
#include "vm.h"

#define KERNEL_MODES                                                           \
	(KVM_SET_MEMORY_ATTRIBUTES2_ZERO | KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE)
#define EXPERIMENTAL_MODES                                                     \
	(GMEM_ATTRIBUTES2_READABLE | GMEM_ATTRIBUTES2_ENCRYPTED |              \
	 GMEM_ATTRIBUTES2_DESTROY)

static uint64_t known_modes(const struct gmem_vm *vm)
{
	return KERNEL_MODES |
	       (vm->experimental_policies ? EXPERIMENTAL_MODES : 0);
}

bool content_mode_flags_valid(const struct gmem_vm *vm, uint64_t flags)
{
	/* Modes exclude each other: ZERO|PRESERVE is EINVAL (R46). */
	return !(flags & ~known_modes(vm)) && !(flags & (flags - 1));
}

uint64_t content_modes_of(const struct gmem_vm *vm)
{
	return vm->platform->content_modes & known_modes(vm);
}

/* Modes that keep what was there, for someone to read afterwards. */
static bool mode_keeps_contents(uint64_t mode)
{
	return mode == KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE ||
	       mode == GMEM_ATTRIBUTES2_READABLE;
}

bool content_mode_supported(const struct conversion *c)
{
	struct gmem_file *f = c->file;

	gmem_assert_write_held(&f->convert_lock);
	if (!c->mode)
		return true;
	/* The VMM is not trusted to zero private memory for the guest, and
	 * ciphertext is only ever kept on the way out. */
	if (c->to_private && (c->mode == KVM_SET_MEMORY_ATTRIBUTES2_ZERO ||
			      c->mode == GMEM_ATTRIBUTES2_ENCRYPTED))
		return false;
	if (!(content_modes_of(f->vm) & c->mode))
		return false;
	if (mode_keeps_contents(c->mode) &&
	    f->vm->platform->keep_needs_guest_request)
		return guest_exit_requested(
			&f->vm->exits, f, c->first << GMEM_PAGE_SHIFT,
			(c->end - c->first) << GMEM_PAGE_SHIFT, c->to_private,
			false);
	return true;
}

static enum content_action content_action_of(const struct conversion *c)
{
	switch (c->mode) {
	case KVM_SET_MEMORY_ATTRIBUTES2_ZERO:
		return CONTENT_ZERO;
	case GMEM_ATTRIBUTES2_DESTROY:
		return CONTENT_DESTROY;
	case 0:
		return c->file->vm->platform->unspecified;
	default: /* PRESERVE, READABLE, ENCRYPTED */
		return CONTENT_KEEP;
	}
}

int content_mode_prepare(const struct conversion *c,
			 struct range_tree_reservation *res)
{
	struct gmem_file *f = c->file;

	if (content_action_of(c) != CONTENT_DESTROY)
		return 0;
	gmem_mutex_lock(&f->state_lock);
	int err = range_tree_reserve(&f->fallocated, res);
	gmem_mutex_unlock(&f->state_lock);
	return err;
}

/*
 * Scrambling: the old bytes encrypted in place with AES-128-CTR under a
 * key made for this call and then forgotten, which is random to anyone
 * and runs at the cipher's speed (AES-NI), several times faster than a
 * software generator. Should OpenSSL fail, zeros serve the same purpose:
 * nobody can rely on the old contents.
 */
#define SCRAMBLE_CHUNK (1ULL << 30) /* EVP lengths are ints */

static bool scramble_with(EVP_CIPHER_CTX *ctx, char *p, uint64_t len)
{
	unsigned char key[16], iv[16];
	bool ok = RAND_bytes(key, sizeof(key)) == 1 &&
		  RAND_bytes(iv, sizeof(iv)) == 1 &&
		  EVP_EncryptInit_ex(ctx, EVP_aes_128_ctr(), NULL, key, iv);

	OPENSSL_cleanse(key, sizeof(key));
	for (uint64_t done = 0; ok && done < len; done += SCRAMBLE_CHUNK) {
		int n = (int)(len - done < SCRAMBLE_CHUNK ? len - done
							  : SCRAMBLE_CHUNK);
		int out = 0;

		ok = EVP_EncryptUpdate(ctx, (unsigned char *)p + done, &out,
				       (unsigned char *)p + done, n) &&
		     out == n;
	}
	return ok;
}

static void scramble(char *p, uint64_t len)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx || !scramble_with(ctx, p, len))
		memset(p, 0, len);
	EVP_CIPHER_CTX_free(ctx);
}

/*
 * Zeroing. Runs from a quarter MiB up to 16 MiB are written with streaming
 * stores, which skip the cache: about 0.7x memset here for 2 MiB. Smaller
 * runs are faster through the cache, and larger ones lose to memset's own
 * large-size path, so they keep it.
 */
#define STREAM_MIN (256ULL << 10)
#define STREAM_MAX (16ULL << 20)

static void zero_bytes(char *p, uint64_t len)
{
#if defined(__x86_64__)
	if (len >= STREAM_MIN && len <= STREAM_MAX) {
		__m128i zero = _mm_setzero_si128();

		/* Runs are whole pages, so 16-byte aligned. */
		for (uint64_t i = 0; i < len; i += 64) {
			_mm_stream_si128((__m128i *)(p + i), zero);
			_mm_stream_si128((__m128i *)(p + i + 16), zero);
			_mm_stream_si128((__m128i *)(p + i + 32), zero);
			_mm_stream_si128((__m128i *)(p + i + 48), zero);
		}
		_mm_sfence();
		return;
	}
#endif
	memset(p, 0, len);
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
		zero_bytes(v.base, len);
	else
		scramble(v.base, len);
	view_unmap(&v);
	return 0;
}

/* DESTROY: the pages go back to the system; they read zero when used
 * again, as a punched hole does, and count as unallocated. */
static void destroy_range(const struct conversion *c,
			  struct range_tree_reservation *res)
{
	struct gmem_file *f = c->file;

	fallocate(f->memory_fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
		  (off_t)(c->first << GMEM_PAGE_SHIFT),
		  (off_t)((c->end - c->first) << GMEM_PAGE_SHIFT));
	gmem_mutex_lock(&f->state_lock);
	range_tree_store(&f->fallocated, c->first, c->end, 0, res);
	gmem_mutex_unlock(&f->state_lock);
}

void content_mode_apply(const struct conversion *c,
			struct range_tree_reservation *res)
{
	enum content_action action = content_action_of(c);

	gmem_assert_write_held(&c->file->convert_lock);
	if (action == CONTENT_KEEP)
		return;
	if (action == CONTENT_DESTROY)
		destroy_range(c, res);
	else
		allocation_for_each(c->file, c->first, c->end, apply_to_run,
				    &action);
}

void content_mode_complete(const struct conversion *c)
{
	struct gmem_file *f = c->file;

	/* Only a platform that checks requests needs them used up. */
	if (!f->vm->platform->keep_needs_guest_request)
		return;
	guest_exit_requested(&f->vm->exits, f, c->first << GMEM_PAGE_SHIFT,
			     (c->end - c->first) << GMEM_PAGE_SHIFT,
			     c->to_private, true);
}
