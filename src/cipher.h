/* SPDX-License-Identifier: MIT */
/*
 * The memory-encryption engine of SEV-SNP and TDX, modelled: AES-128-XTS
 * with a key per VM and the page's file index as the tweak, so the same
 * plaintext encrypts differently in every page and every VM.
 */
#ifndef GMEM_CIPHER_H
#define GMEM_CIPHER_H

#include <stdint.h>

struct gmem_cipher;

/* A cipher with a fresh random key. NULL on failure (-ENOMEM in *err). */
struct gmem_cipher *cipher_create(int *err);
/* Forget the key (the memory that held it is cleansed). */
void cipher_destroy(struct gmem_cipher *c);

/* One 4 KiB page, in place or not: 0 or -EIO. */
int cipher_encrypt_page(struct gmem_cipher *c, uint64_t index, const void *in,
			void *out);
int cipher_decrypt_page(struct gmem_cipher *c, uint64_t index, const void *in,
			void *out);

#endif
