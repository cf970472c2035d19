// SPDX-License-Identifier: MIT
/*
 * Scrubbing: the byte-level work of the content modes that do not keep
 * the old contents (ZERO, and mode 0 where the platform zeroes or
 * scrambles). It runs on the library's view, under the conversion lock
 * its caller holds, and cannot fail: where the fast way is refused, a
 * slower one gives the same guarantee. Beside cipher.c, which encrypts
 * memory at rest with a key that lives as long as the VM; scrambling uses
 * a key that lives for one call.
 */
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdbool.h>
#include <string.h>
#if defined(__x86_64__)
#include <emmintrin.h>
#endif

#include "scrub.h"

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

void scrub_scramble(char *p, uint64_t len)
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

void scrub_zero(char *p, uint64_t len)
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
