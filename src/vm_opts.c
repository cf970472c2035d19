// SPDX-License-Identifier: MIT
/*
 * Options structs, the libbpf way.
 *
 * The caller sets sz to sizeof() of the struct it was built with. A field
 * that ends within sz is read; fields past sz (an older caller's struct is
 * smaller) read as zero. Every other byte within sz must be zero: padding
 * between and after the known fields, the part of a field that sz cuts,
 * and a newer caller's fields past the struct this library knows. A
 * non-zero byte there is a request this library would silently ignore, so
 * it is refused (E2BIG, the kernel's answer for a bpf_attr tail). GMEM_OPTS
 * (gmem.h) zeroes padding so that callers pass the check.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "uaccess.h"
#include "vm_opts.h"

/* Larger than any struct a caller could mean: a garbage sz. */
#define OPTS_MAX (1 << 20)

struct opts_field {
	size_t offset, size;
};

#define OPTS_FIELD(f)                                                          \
	{                                                                      \
		offsetof(struct gmem_vm_opts, f),                              \
			sizeof(((struct gmem_vm_opts *)0)->f)                  \
	}

/* Every field this library knows; a new field is a new row. */
static const struct opts_field vm_opts_fields[] = {
	OPTS_FIELD(sz),
	OPTS_FIELD(backend),
	OPTS_FIELD(vm_memory_attributes),
	OPTS_FIELD(experimental_policies),
	OPTS_FIELD(kvm_vm),
	OPTS_FIELD(hardening),
	OPTS_FIELD(trusted_pointers),
	OPTS_FIELD(uapi),
	OPTS_FIELD(huge_dir),
	OPTS_FIELD(huge_source),
	OPTS_FIELD(introspect_path),
};

#define NFIELDS (sizeof(vm_opts_fields) / sizeof(vm_opts_fields[0]))

/* Whether the caller's bytes [from, to) of `in` are all zero. */
static int opts_tail_zero(const char *in, size_t from, size_t to)
{
	char chunk[64], zero[64] = { 0 };

	for (size_t at = from; at < to; at += sizeof(chunk)) {
		size_t n = to - at < sizeof(chunk) ? to - at : sizeof(chunk);

		if (copy_from_user(chunk, in + at, n))
			return -EFAULT;
		if (memcmp(chunk, zero, n))
			return -E2BIG;
	}
	return 0;
}

/* Move the fields that end within `len` from `raw` to `out`, zeroing them
 * in `raw`; what is left of raw[0, len) must then be zero. */
static int opts_take_fields(char *raw, size_t len, struct gmem_vm_opts *out)
{
	for (size_t i = 0; i < NFIELDS; i++) {
		const struct opts_field *f = &vm_opts_fields[i];

		if (f->offset + f->size > len)
			continue;
		memcpy((char *)out + f->offset, raw + f->offset, f->size);
		memset(raw + f->offset, 0, f->size);
	}
	for (size_t at = 0; at < len; at++)
		if (raw[at])
			return -E2BIG;
	return 0;
}

int vm_opts_read(const struct gmem_vm_opts *in, struct gmem_vm_opts *out)
{
	char raw[sizeof(*out)];
	size_t sz, known;
	int err;

	memset(out, 0, sizeof(*out));
	if (!in)
		return 0;
	if (copy_from_user(&sz, &in->sz, sizeof(sz)))
		return -EFAULT;
	if (sz < sizeof(sz) || sz > OPTS_MAX)
		return -EINVAL;
	known = sz < sizeof(raw) ? sz : sizeof(raw);
	if (copy_from_user(raw, in, known))
		return -EFAULT;
	err = opts_take_fields(raw, known, out);
	if (!err && sz > sizeof(raw))
		err = opts_tail_zero((const char *)in, sizeof(raw), sz);
	out->sz = sizeof(*out);
	return err;
}

/* Bytes from `p` to the end of its page: a page is readable whole or not
 * at all. */
static size_t page_room(const char *p)
{
	return 4096 - ((uintptr_t)p & 4095);
}

/* A string is read a page at a time: one byte copied with the checks of
 * copy_from_user() proves the page readable (EFAULT otherwise), then the
 * string's part in that page is read as it is, up to its end and no
 * further. */
int vm_opts_copy_string(const char *in, char **out)
{
	char buf[PATH_MAX];
	size_t len = 0;

	for (;;) {
		size_t room = page_room(in + len), n;
		char probe;

		if (room > sizeof(buf) - len)
			room = sizeof(buf) - len;
		if (!room)
			return -ENAMETOOLONG;
		if (copy_from_user(&probe, in + len, 1))
			return -EFAULT;
		n = strnlen(in + len, room);
		memcpy(buf + len, in + len, n);
		len += n;
		if (n < room)
			break;
	}
	*out = gmem_malloc(len + 1);
	if (!*out)
		return -ENOMEM;
	memcpy(*out, buf, len);
	(*out)[len] = 0;
	return 0;
}
