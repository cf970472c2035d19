// SPDX-License-Identifier: MIT
/*
 * The in-place conversion series itself: KVM_SET_MEMORY_ATTRIBUTES2 on a
 * guest_memfd and the series' capabilities (docs/SEMANTICS.md R93..R98),
 * where the two generations of its uAPI answer alike and where they
 * differ (the v6+ answer is the case's expect_v6).
 *
 * Linux 6.18 has none of it, so the kernel way is not compared: the
 * expectation is what the series' patches say, RFC v4 for the plain ways
 * and v6..v8 for the "/v6" ways.
 */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "conformance.h"

#define NO_SERIES_WHY "Linux 6.18 has no in-place conversion series"
#define FILL	      0x5a

/* A VM of type c->arg and a shared, mappable file of one page on it. */
static int series_file(struct env *e, const struct conf_case *c, uint64_t flags)
{
	int vm = env_track(e, e->d->create_vm(c->arg));

	if (vm < 0)
		return -1;
	return env_gmem(e, vm, PAGE, flags);
}

static long convert(struct env *e, int fd, bool private, uint64_t flags,
		    uint64_t error_offset, struct kvm_memory_attributes2 *a)
{
	*a = (struct kvm_memory_attributes2){
		.size = PAGE,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = flags,
		.error_offset = error_offset,
	};
	return e->d->ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, (unsigned long)a);
}

/* A conversion of the one page: mode 0 with c->mode (1: to private),
 * flags c->len, error_offset c->off on input. "0", or "-1 ENAME" and the
 * error_offset the struct holds afterwards. */
static void run_convert(struct env *e, const struct conf_case *c,
			struct outcome *o)
{
	struct kvm_memory_attributes2 a;
	int fd = series_file(e, c, c->gflags);
	long ret;

	NEED(o, fd >= 0, "create");
	ret = convert(e, fd, c->mode, (uint64_t)c->len, (uint64_t)c->off, &a);
	out_ret(o, ret);
	if (ret)
		out_add(o, "error_offset %llu",
			(unsigned long long)a.error_offset);
}

/* What the host reads of its page after the conversions c->data names
 * (a string of 'p' and 's'): "kept", "zero" or "changed". */
static void run_contents(struct env *e, const struct conf_case *c,
			 struct outcome *o)
{
	struct kvm_memory_attributes2 a;
	int fd = series_file(
		e, c, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	uint8_t *p;
	bool kept = true, zero = true;

	NEED(o, fd >= 0, "create");
	p = env_mmap(e, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	NEED(o, p != MAP_FAILED, "mmap");
	memset(p, FILL, PAGE);
	for (const char *step = c->data; *step; step++)
		NEED(o, !convert(e, fd, *step == 'p', 0, 0, &a), "convert");
	for (size_t i = 0; i < PAGE; i++) {
		kept &= p[i] == FILL;
		zero &= p[i] == 0;
	}
	out_set(o, "%s", kept ? "kept" : zero ? "zero" : "changed");
}

/* arg: the capability, asked on a VM of type c->mode, or on the system fd
 * for c->mode == -1. */
static void run_series_cap(struct env *e, const struct conf_case *c,
			   struct outcome *o)
{
	int fd =
		c->mode < 0
			? env_track(e, e->d->open_system())
			: env_track(e, e->d->create_vm((unsigned long)c->mode));

	NEED(o, fd >= 0, "open");
	out_ret(o, e->d->ioctl(fd, KVM_CHECK_EXTENSION, c->arg));
}

#define SERIES(n, r, x, x6)                                                    \
	.name = n, .rule = r, .expect = x, .expect_v6 = x6,                    \
	.unpromised_way = "kernel", .unpromised_why = NO_SERIES_WHY
#define CONVERT(n, r, x, x6, type, to_private, fl, in_off, gfl)                \
	{                                                                      \
		SERIES(n, r, x, x6), .run = run_convert, .arg = type,          \
				     .mode = to_private, .len = (int64_t)(fl), \
				     .off = in_off, .gflags = gfl              \
	}
#define CONTENTS(n, r, x, x6, type, steps)                                     \
	{                                                                      \
		SERIES(n, r, x, x6), .run = run_contents, .arg = type,         \
				     .data = steps                             \
	}
#define SCAP(n, r, x, x6, cap, where)                                          \
	{                                                                      \
		SERIES(n, r, x, x6), .run = run_series_cap, .arg = cap,        \
				     .mode = where                             \
	}

#define SHARED_FILE (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define SWP	    KVM_X86_SW_PROTECTED_VM

static const struct conf_case cases[] = {
	CONVERT("series/to-private mode 0", "R62", "0", NULL, SWP, 1, 0, 0,
		SHARED_FILE),
	CONVERT("series/to-private ZERO", "R93",
		"-1 EOPNOTSUPP, error_offset 0", "-1 EINVAL, error_offset 0",
		SWP, 1, KVM_SET_MEMORY_ATTRIBUTES2_ZERO, 0, SHARED_FILE),
	CONVERT("series/to-shared PRESERVE", "R93", "0",
		"-1 EINVAL, error_offset 0", SWP, 0,
		KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE, 0, SHARED_FILE),
	CONVERT("series/flags bit 5", "R45", "-1 EINVAL, error_offset 0", NULL,
		SWP, 1, 1ULL << 5, 0, SHARED_FILE),
	CONVERT("series/flags bit 63", "R93", "-1 EINVAL, error_offset 0", NULL,
		SWP, 0, 1ULL << 63, 0, SHARED_FILE),
	CONVERT("series/error_offset on input", "R96",
		"-1 EINVAL, error_offset 4096", "0", SWP, 1, 0, PAGE,
		SHARED_FILE),
	CONVERT("series/default VM to shared", "R98", "0",
		"-1 EINVAL, error_offset 0", KVM_X86_DEFAULT_VM, 0, 0, 0,
		GUEST_MEMFD_FLAG_MMAP),
	CONVERT("series/default VM to private", "R49",
		"-1 EINVAL, error_offset 0", NULL, KVM_X86_DEFAULT_VM, 1, 0, 0,
		SHARED_FILE),

	CONTENTS("series/sw_protected to private and back", "R94", "changed",
		 "kept", SWP, "ps"),
	CONTENTS("series/pkvm to private and back", "R122", "zero", NULL,
		 KVM_VM_TYPE_ARM_PROTECTED, "ps"),
	CONTENTS("series/snp to private and back", "R94", "kept", NULL,
		 KVM_X86_SNP_VM, "ps"),
	CONTENTS("series/sw_protected already shared", "R97", "changed", "kept",
		 SWP, "s"),

	SCAP("series/system MEMORY_ATTRIBUTES2_FLAGS (250)", "R95", "3", "0",
	     KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS, -1),
	SCAP("series/system GUEST_MEMFD_MEMORY_ATTRIBUTES (249)", "R95", "8",
	     NULL, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES, -1),
	SCAP("series/vm MEMORY_ATTRIBUTES2_FLAGS (250)", "R95", "3", "0",
	     KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS, SWP),
	SCAP("series/vm GUEST_MEMFD_MEMORY_ATTRIBUTES (249)", "R95", "8", NULL,
	     KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES, SWP),
	SCAP("series/vm MEMORY_ATTRIBUTES2 (248)", "R95", "0", NULL,
	     KVM_CAP_MEMORY_ATTRIBUTES2, SWP),
	SCAP("series/default vm GUEST_MEMFD_MEMORY_ATTRIBUTES (249)", "R95",
	     "0", NULL, KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES,
	     KVM_X86_DEFAULT_VM),
};

const struct case_group group_series = {
	.name = "series",
	.cases = cases,
	.n = sizeof(cases) / sizeof(cases[0]),
};
