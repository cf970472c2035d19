// SPDX-License-Identifier: MIT
/*
 * Launch measurements, SHA-384.
 *
 * The digest belongs to its VM's launch state, whose mutex serialises
 * every call here. A streamed digest reads as the hash of what was
 * extended so far: the running context is copied and the copy finalised,
 * so reading never ends the measurement.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <string.h>

#include "launch_digest.h"

void launch_digest_init(struct launch_digest *d)
{
	memset(d, 0, sizeof(*d));
}

void launch_digest_destroy(struct launch_digest *d)
{
	EVP_MD_CTX_free(d->ctx);
	launch_digest_init(d);
}

int launch_digest_start(struct launch_digest *d, bool stream)
{
	EVP_MD_CTX *ctx = NULL;

	if (stream) {
		ctx = EVP_MD_CTX_new();
		if (!ctx)
			return -ENOMEM;
		if (!EVP_DigestInit_ex(ctx, EVP_sha384(), NULL)) {
			EVP_MD_CTX_free(ctx);
			return -EIO;
		}
	}
	launch_digest_destroy(d);
	d->stream = stream;
	d->ctx = ctx;
	return 0;
}

int launch_digest_chain(struct launch_digest *d, const void *record, size_t len)
{
	unsigned int out = 0;

	if (!EVP_Digest(record, len, d->value, &out, EVP_sha384(), NULL) ||
	    out != LAUNCH_DIGEST_BYTES)
		return -EIO;
	return 0;
}

int launch_digest_extend(struct launch_digest *d, const void *buf, size_t len)
{
	return EVP_DigestUpdate(d->ctx, buf, len) ? 0 : -EIO;
}

int launch_digest_read(const struct launch_digest *d,
		       uint8_t out[LAUNCH_DIGEST_BYTES])
{
	EVP_MD_CTX *copy;
	unsigned int len = 0;
	int ok;

	if (!d->stream || !d->ctx) {
		memcpy(out, d->value, LAUNCH_DIGEST_BYTES);
		return 0;
	}
	copy = EVP_MD_CTX_new();
	if (!copy)
		return -ENOMEM;
	ok = EVP_MD_CTX_copy_ex(copy, d->ctx) &&
	     EVP_DigestFinal_ex(copy, out, &len) && len == LAUNCH_DIGEST_BYTES;
	EVP_MD_CTX_free(copy);
	return ok ? 0 : -ENOMEM;
}
