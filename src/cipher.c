// SPDX-License-Identifier: MIT
/*
 * AES-XTS through OpenSSL's libcrypto.
 *
 * XTS is what storage and memory encryption use for data that is
 * encrypted in place in fixed-size units: no room for an IV or a tag, and
 * a tweak (here the page index) that makes each unit's ciphertext
 * different. The key lives only in this struct and in OpenSSL's context
 * on the heap, never in guest memory or any mapping the host is given, and
 * it is cleansed when the VM goes.
 *
 * A context is not safe to share between threads; guest accesses of one VM
 * run side by side under the conversion lock held shared, so each call
 * takes the cipher's own mutex for the few hundred nanoseconds a page
 * costs.
 */
#include <errno.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <string.h>

#include "alloc.h"
#include "cipher.h"
#include "lock.h"

#define PAGE_BYTES    4096
#define XTS_KEY_BYTES 32 /* two AES-128 keys */

struct gmem_cipher {
	struct gmem_mutex lock;
	EVP_CIPHER_CTX *enc; /* lock */
	EVP_CIPHER_CTX *dec; /* lock */
};

static EVP_CIPHER_CTX *cipher_context(const unsigned char *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (ctx &&
	    !EVP_CipherInit_ex(ctx, EVP_aes_128_xts(), NULL, key, NULL, enc)) {
		EVP_CIPHER_CTX_free(ctx);
		ctx = NULL;
	}
	return ctx;
}

struct gmem_cipher *cipher_create(int *err)
{
	struct gmem_cipher *c = gmem_calloc(1, sizeof(*c));
	unsigned char key[XTS_KEY_BYTES];

	*err = -ENOMEM;
	if (!c)
		return NULL;
	/* XTS refuses two equal halves; RAND_bytes never gives them. */
	if (RAND_bytes(key, sizeof(key)) == 1) {
		c->enc = cipher_context(key, 1);
		c->dec = cipher_context(key, 0);
	}
	OPENSSL_cleanse(key, sizeof(key));
	if (!c->enc || !c->dec) {
		EVP_CIPHER_CTX_free(c->enc);
		EVP_CIPHER_CTX_free(c->dec);
		gmem_free(c);
		return NULL;
	}
	gmem_mutex_init(&c->lock);
	*err = 0;
	return c;
}

void cipher_destroy(struct gmem_cipher *c)
{
	if (!c)
		return;
	/* Freeing a context cleanses its expanded key. */
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	gmem_mutex_destroy(&c->lock);
	gmem_free(c);
}

static int cipher_page(struct gmem_cipher *c, EVP_CIPHER_CTX *ctx,
		       uint64_t index, const void *in, void *out)
{
	unsigned char tweak[16] = { 0 };
	int len = 0, ok;

	memcpy(tweak, &index, sizeof(index));
	gmem_mutex_lock(&c->lock);
	ok = EVP_CipherInit_ex(ctx, NULL, NULL, NULL, tweak, -1) &&
	     EVP_CipherUpdate(ctx, out, &len, in, PAGE_BYTES) &&
	     len == PAGE_BYTES;
	gmem_mutex_unlock(&c->lock);
	return ok ? 0 : -EIO;
}

int cipher_encrypt_page(struct gmem_cipher *c, uint64_t index, const void *in,
			void *out)
{
	return cipher_page(c, c->enc, index, in, out);
}

int cipher_decrypt_page(struct gmem_cipher *c, uint64_t index, const void *in,
			void *out)
{
	return cipher_page(c, c->dec, index, in, out);
}
