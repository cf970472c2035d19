/* SPDX-License-Identifier: MIT */
/*
 * A launch measurement: SHA-384 through OpenSSL's libcrypto, in the two
 * shapes the firmware use. SEV-SNP chains: each record holds the digest so
 * far, and the new digest is the hash of the record. TDX streams: MRTD is
 * one SHA-384 over every record extended since TDH.MNG.INIT, finalised
 * when the TD is. The records themselves are the platforms' (snp.c,
 * tdx.c); docs/LAUNCH.md gives their layouts.
 */
#ifndef GMEM_LAUNCH_DIGEST_H
#define GMEM_LAUNCH_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAUNCH_DIGEST_BYTES 48

struct launch_digest {
	bool stream;			    /* TDX: a running hash */
	uint8_t value[LAUNCH_DIGEST_BYTES]; /* SNP: the chain so far */
	void *ctx;			    /* TDX: the EVP_MD_CTX */
};

/* A digest of zeros (SNP before LAUNCH_START, TDX before INIT_VM). */
void launch_digest_init(struct launch_digest *d);
void launch_digest_destroy(struct launch_digest *d);

/* Start the measurement: the chain at zero, or a fresh hash. 0, -ENOMEM
 * or -EIO. */
int launch_digest_start(struct launch_digest *d, bool stream);

/* SNP: value = SHA-384(record). 0 or -EIO. */
int launch_digest_chain(struct launch_digest *d, const void *record,
			size_t len);
/* TDX: feed the running hash. 0 or -EIO. */
int launch_digest_extend(struct launch_digest *d, const void *buf, size_t len);

/* The measurement now: the chain, or the running hash finalised on a copy
 * (the hash itself goes on). 0 or -ENOMEM. */
int launch_digest_read(const struct launch_digest *d,
		       uint8_t out[LAUNCH_DIGEST_BYTES]);

#endif
