// SPDX-License-Identifier: MIT
/*
 * The memory encryption of the SEV-SNP and TDX models (src/cipher.c)
 * against OpenSSL's own AES-128-XTS, white-box.
 *
 * Both sides encrypt (and decrypt) 4 KiB pages one at a time with the
 * page's index as the tweak, so that both pay the per-page tweak setup a
 * conversion pays; the baseline is a bare EVP context, with no lock and no
 * library around it. 256 pages (1 MiB) a sample, in and out of buffers
 * that stay in L2. The goal: the library's throughput at least 0.8x
 * OpenSSL's, that is a time ratio of at most 1.25.
 */
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "cipher.h"

#define PAGES 256u

struct cipher_ctx {
	struct gmem_cipher *lib;
	EVP_CIPHER_CTX *enc, *dec;
	unsigned char *in, *out;
};

static double op_lib(struct cipher_ctx *c, bool encrypt)
{
	double t0 = bench_now();

	for (unsigned int i = 0; i < PAGES; i++) {
		int err =
			encrypt ? cipher_encrypt_page(c->lib, i, c->in,
						      c->out + i * BENCH_PAGE)
				: cipher_decrypt_page(c->lib, i, c->in,
						      c->out + i * BENCH_PAGE);

		if (err)
			bench_die("cipher_page");
	}
	return (bench_now() - t0) / PAGES;
}

static double op_openssl(struct cipher_ctx *c, bool encrypt)
{
	EVP_CIPHER_CTX *ctx = encrypt ? c->enc : c->dec;
	double t0 = bench_now();

	for (uint64_t i = 0; i < PAGES; i++) {
		unsigned char tweak[16] = { 0 };
		int len = 0;

		memcpy(tweak, &i, sizeof(i));
		if (!EVP_CipherInit_ex(ctx, NULL, NULL, NULL, tweak, -1) ||
		    !EVP_CipherUpdate(ctx, c->out + i * BENCH_PAGE, &len, c->in,
				      BENCH_PAGE))
			bench_die("EVP_CipherUpdate");
	}
	return (bench_now() - t0) / PAGES;
}

static double op_lib_enc(void *arg, unsigned int rep)
{
	(void)rep;
	return op_lib(arg, true);
}

static double op_lib_dec(void *arg, unsigned int rep)
{
	(void)rep;
	return op_lib(arg, false);
}

static double op_ssl_enc(void *arg, unsigned int rep)
{
	(void)rep;
	return op_openssl(arg, true);
}

static double op_ssl_dec(void *arg, unsigned int rep)
{
	(void)rep;
	return op_openssl(arg, false);
}

static EVP_CIPHER_CTX *xts_context(const unsigned char *key, int enc)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();

	if (!ctx ||
	    !EVP_CipherInit_ex(ctx, EVP_aes_128_xts(), NULL, key, NULL, enc))
		bench_die("EVP_CipherInit_ex");
	return ctx;
}

static void cipher_open(struct cipher_ctx *c)
{
	unsigned char key[32];
	int err;

	c->lib = cipher_create(&err);
	if (!c->lib || RAND_bytes(key, sizeof(key)) != 1)
		bench_die("cipher_create");
	c->enc = xts_context(key, 1);
	c->dec = xts_context(key, 0);
	c->in = calloc(1, BENCH_PAGE);
	c->out = calloc(PAGES, BENCH_PAGE);
	if (!c->in || !c->out)
		bench_die("calloc");
	memset(c->in, 0x5a, BENCH_PAGE);
}

static void cipher_close(struct cipher_ctx *c)
{
	cipher_destroy(c->lib);
	EVP_CIPHER_CTX_free(c->enc);
	EVP_CIPHER_CTX_free(c->dec);
	free(c->in);
	free(c->out);
}

static void pair_row(struct cipher_ctx *c, const char *name, bench_fn lib,
		     bench_fn ssl)
{
	struct bench_row r = {
		.name = name,
		.backend = "-",
		.unit = BENCH_NS,
		.baseline_name = "OpenSSL AES-128-XTS, tweak per page",
		.goal = { BENCH_GOAL_RATIO_MAX, 1.25,
			  "≥ 0.8× OpenSSL (≤ 1.25× its time)" },
	};

	bench_pair(bench_reps(50), lib, c, ssl, c, &r.figure, &r.baseline);
	bench_print(&r);
}

int main(int argc, char **argv)
{
	struct cipher_ctx c;

	bench_init(argc, argv, "bench_cipher: SNP/TDX memory encryption");
	cipher_open(&c);
	bench_table("One 4 KiB page, AES-128-XTS with the page index as tweak");
	pair_row(&c, "encrypt a page (cipher_encrypt_page)", op_lib_enc,
		 op_ssl_enc);
	pair_row(&c, "decrypt a page (cipher_decrypt_page)", op_lib_dec,
		 op_ssl_dec);
	bench_note("Figures per page, %u pages a sample.", PAGES);
	cipher_close(&c);
	return bench_finish();
}
