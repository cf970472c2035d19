// SPDX-License-Identifier: MIT
/*
 * Description: the differential fuzz target. An input decodes into a VM
 * (any platform, or an invalid type), one or two guest_memfd files of at
 * most 16 pages, and up to 64 operations: conversions with every flag
 * combination (valid and not, with malformed structs and unreadable or
 * read-only arguments), fallocate and punch, pin and unpin, mmap and
 * munmap, host reads and writes through the mappings, guest reads and
 * writes, guest conversion requests, memory-fault reads, queries, extra
 * creations, memslot (un)binding, capability checks, and injected
 * allocation failures. Each operation runs on the engine (libgmem) and
 * on the reference model (model.c); after every one they must agree on
 * the return value, errno, error_offset and written-back struct, the
 * attributes (and that the tree is merged), the allocation, every byte
 * the host and the guest can see, and SIGBUS on private pages. A failed
 * call must change nothing; the host must never see old guest plaintext
 * after a conversion whose mode did not keep it; after ZERO, only zeros.
 *
 * Built two ways: with clang and libFuzzer (fuzz/build.sh), and with the
 * project's compiler as fuzz_replay, which runs the corpus as a test.
 * GMEM_FUZZ_TRACE=1 prints each operation as it runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <dirent.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "input.h"
#include "model.h"
#include "validate.h"

#define PAGE	      MODEL_PAGE
#define MAX_OPS	      64
#define NMAPS	      4
#define MAX_MAP_PAGES 16
#define GPA_BASE      0x100000000ULL
/* A second window of guest addresses for the extra memslots, inside the
 * model's window of per-VM attributes, past the files bound at GPA_BASE. */
#define GPA_HIGH  (GPA_BASE + 1024 * PAGE)
#define NO_INJECT (-1)
/* The memslots that bind whole files: file 0 and 1 on VM 0, file 2 on
 * VM 1 (model slot s is VM s / 4, slot id s % 4). */
#define WHOLE_SLOT(f) ((f) == 2 ? MODEL_SLOTS_PER_VM : (f))

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What one page of a mapping made by gmem_mmap() has become: still the
 * library's mapping, or, by the user's own hand (plain munmap(2), mmap(2)
 * MAP_FIXED), a hole or foreign anonymous memory filled with a pattern
 * that must stay intact. */
enum map_page { MAP_GONE, MAP_GMEM, MAP_HOLE, MAP_FOREIGN };

/* A mapping made by an operation; pages can be unmapped one by one. */
struct mapping {
	bool live; /* some page is the library's mapping */
	int file;
	uint8_t *addr;
	uint64_t npages;
	int64_t offset;
	uint8_t state[MAX_MAP_PAGES]; /* enum map_page */
	int prot[MAX_MAP_PAGES];      /* mprotect(2) may change a page's */
	uint8_t seed[MAX_MAP_PAGES];  /* MAP_FOREIGN: the pattern's seed */
};

struct last_request {
	bool valid;
	int file;
	uint64_t offset;
	uint64_t size;
	bool to_private;
};

/* The state of one run; static because the model is large. */
static struct {
	struct model m;
	int vm[MODEL_MAX_VMS];
	int fd[MODEL_MAX_FILES];
	uint8_t *check_map[MODEL_MAX_FILES];
	uint64_t gpa[MODEL_MAX_FILES];
	struct mapping map[NMAPS];
	struct last_request last_req;
	int op;
	char what[160];
	uint8_t buf[4 * PAGE];
	uint8_t data[4 * PAGE];
} R;

static bool trace;
static bool checking; /* no trace output from the checks */
static bool kvm_ok;
/* The user's own actions on the library's mappings (plain munmap, reuse
 * of the address, mprotect, MAP_FIXED over them); GMEM_FUZZ_NO_FOREIGN=1
 * leaves them out. */
static bool foreign_ops;
/* The user memory behind the memslots' userspace_addr, one per slot, and
 * whether a slot of this run has had it (only those are checked, and
 * refilled for the next run). */
static uint8_t *user_mem[MODEL_MAX_SLOTS];
static bool user_used[MODEL_MAX_SLOTS];
static uint8_t *none_page; /* PROT_NONE: an unreadable argument */
static uint8_t *ro_page;   /* PROT_READ: readable, not writable */

/* ---- reporting ---- */

static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(R.what, sizeof(R.what), fmt, ap);
	va_end(ap);
	if (trace)
		fprintf(stderr, "op %2d: %s\n", R.op, R.what);
}

static void __attribute__((noreturn, format(printf, 1, 2)))
diverge(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\ngmem_diff: DIVERGENCE at op %d (%s)\n  ", R.op,
		R.what);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	abort();
}

static const char *errname(int err)
{
	static char other[16];

	switch (err) {
	case 0:
		return "0";
	case EINVAL:
		return "EINVAL";
	case EFAULT:
		return "EFAULT";
	case EBADF:
		return "EBADF";
	case ENOTTY:
		return "ENOTTY";
	case EOPNOTSUPP:
		return "EOPNOTSUPP";
	case EAGAIN:
		return "EAGAIN";
	case ENOMEM:
		return "ENOMEM";
	case ENODEV:
		return "ENODEV";
	case EPERM:
		return "EPERM";
	case EFBIG:
		return "EFBIG";
	case ENOENT:
		return "ENOENT";
	case EEXIST:
		return "EEXIST";
	default:
		snprintf(other, sizeof(other), "errno %d", err);
		return other;
	}
}

/* The engine's ret/errno against the model's. */
static void expect(long ret, int err, struct model_result want)
{
	if (trace && !checking)
		fprintf(stderr, "        -> %ld %s (model %ld %s)\n", ret,
			ret == -1 ? errname(err) : "", want.ret,
			want.ret == -1 ? errname(want.err) : "");
	if (ret == want.ret && (ret != -1 || err == want.err))
		return;
	diverge("model %ld (%s), engine %ld (%s)", want.ret,
		errname(want.ret == -1 ? want.err : 0), ret,
		errname(ret == -1 ? err : 0));
}

/* Under an injected allocation failure a call that would succeed may
 * fail with ENOMEM instead, and must then have changed nothing. */
static bool injected_enomem(long inject, long ret, int err,
			    struct model_result want)
{
	return inject != NO_INJECT && ret == -1 && err == ENOMEM &&
	       want.ret != -1;
}

/* Make the library's allocations fail as `inject` says (inject_of()) until
 * inject_disarm(). */
static void inject_arm(long inject)
{
	if (inject != NO_INJECT)
		gmem_inject_alloc_failure(inject);
}

/* Stop failing allocations; returns errno as the call before left it. */
static int inject_disarm(void)
{
	int err = errno;

	gmem_inject_alloc_failure(-1);
	return err;
}

/* expect() for a call made under `inject`, where an injected ENOMEM may
 * stand for the model's success; returns whether the call succeeded, so
 * that the model commits it too. */
static bool expect_injected(long inject, long ret, int err,
			    struct model_result want)
{
	if (injected_enomem(inject, ret, err, want))
		return false;
	expect(ret, err, want);
	return ret == 0;
}

/* ---- input ---- */

static uint16_t u16(const uint8_t *a)
{
	return (uint16_t)(a[0] | a[1] << 8);
}

/* A page count: a byte, plus 256 when bit `bit` of `hi` is set, so that
 * ranges can cover large files. */
static uint64_t wide(uint8_t lo, uint8_t hi, int bit)
{
	return lo + (hi >> bit & 1 ? 256u : 0u);
}

static long inject_of(uint8_t b)
{
	return b >= 0xf0 ? (long)(b & 7) : NO_INJECT;
}

static void fill_pattern(uint8_t *dst, size_t len, uint8_t seed)
{
	/* Mostly nonzero, and different per seed and position. */
	for (size_t i = 0; i < len; i++)
		dst[i] = (uint8_t)(seed + i * 7 + (i >> 8)) | 1;
}

/* ---- host touches ---- */

static sigjmp_buf *volatile touch_env;

static void on_fault(int sig)
{
	if (touch_env)
		siglongjmp(*touch_env, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* SA_NODEFER: the handler leaves with siglongjmp, without restoring a
 * signal mask, so the signal must not be blocked while it runs. */
static void install_handlers(void)
{
	struct sigaction sa = { .sa_handler = on_fault,
				.sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGBUS, &sa, NULL);
	sigaction(SIGSEGV, &sa, NULL);
}

static enum model_touch touch_result(int sig)
{
	return sig == SIGBUS ? MODEL_TOUCH_SIGBUS : MODEL_TOUCH_SIGSEGV;
}

/* ThreadSanitizer only lets a handler siglongjmp() to a sigsetjmp()
 * that saved the signal mask; elsewhere saving it would cost a syscall
 * per touch for nothing (the handler runs with SA_NODEFER). */
#if defined(__SANITIZE_THREAD__)
#define SAVE_MASK 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define SAVE_MASK 1
#endif
#endif
#ifndef SAVE_MASK
#define SAVE_MASK 0
#endif

/* Copy through a host mapping, reporting the signal instead of dying. */
static enum model_touch host_copy(void *dst, const void *src, size_t len)
{
	sigjmp_buf env;
	int sig = sigsetjmp(env, SAVE_MASK);

	if (sig) {
		touch_env = NULL;
		return touch_result(sig);
	}
	touch_env = &env;
	memcpy(dst, src, len);
	touch_env = NULL;
	return MODEL_TOUCH_OK;
}

static const char *touch_name(enum model_touch t)
{
	return t == MODEL_TOUCH_OK	 ? "ok"
	       : t == MODEL_TOUCH_SIGBUS ? "SIGBUS"
					 : "SIGSEGV";
}

/* ---- checks after every operation ---- */

/* The engine's attribute range `i` of file `f` against the model's. */
static void expect_range(int f, size_t i, const struct model_range *want,
			 const struct gmem_attr_range *got)
{
	if (got->offset == want->offset && got->size == want->size &&
	    got->attributes == want->attributes)
		return;
	diverge("file %d: range %zu: model %#llx+%#llx attr %#llx, engine "
		"%#llx+%#llx attr %#llx",
		f, i, (unsigned long long)want->offset,
		(unsigned long long)want->size,
		(unsigned long long)want->attributes,
		(unsigned long long)got->offset, (unsigned long long)got->size,
		(unsigned long long)got->attributes);
}

static void check_ranges(int f)
{
	struct gmem_attr_range got[MODEL_MAX_PAGES + 1];
	struct model_range want[MODEL_MAX_PAGES + 1];
	uint64_t size = R.m.file[f].npages * PAGE, end = 0;
	ssize_t n = gmem_get_attribute_ranges(R.fd[f], 0, size, got,
					      MODEL_MAX_PAGES + 1);
	struct model_result w = model_attribute_ranges(&R.m, f, 0, size, want,
						       MODEL_MAX_PAGES + 1);

	expect(n, errno, w);
	for (ssize_t i = 0; i < n; i++) {
		/* The tree stays merged and covers the file (R38, R39). */
		if (got[i].offset != end || !got[i].size ||
		    (i && got[i].attributes == got[i - 1].attributes))
			diverge("file %d: range %zd (%#llx+%#llx) breaks the "
				"merged-tree invariant",
				f, i, (unsigned long long)got[i].offset,
				(unsigned long long)got[i].size);
		end += got[i].size;
		expect_range(f, (size_t)i, &want[i], &got[i]);
	}
}

static void check_allocation(int f)
{
	unsigned char got[MODEL_MAX_PAGES], want[MODEL_MAX_PAGES];
	uint64_t size = R.m.file[f].npages * PAGE;
	int ret = gmem_get_allocation(R.fd[f], 0, size, got);

	expect(ret, errno, model_allocation(&R.m, f, 0, size, false, want));
	for (uint64_t i = 0; i < R.m.file[f].npages; i++)
		if (got[i] != want[i])
			diverge("file %d page %llu: model %s, engine %s", f,
				(unsigned long long)i,
				want[i] ? "allocated" : "a hole",
				got[i] ? "allocated" : "a hole");
}

static void observe(int f, uint64_t page, enum model_view v, uint64_t off,
		    uint64_t len, const uint8_t *seen, const char *who)
{
	char why[200];

	if (!model_observe(&R.m, f, page, v, off, len, seen, why, sizeof(why)))
		diverge("%s: %s", who, why);
}

static void check_guest_page(int f, uint64_t page, uint64_t gpa, bool private)
{
	ssize_t n = gmem_guest_read(R.vm[R.m.file[f].vm], gpa, R.buf, PAGE,
				    private ? GMEM_GUEST_PRIVATE : 0);

	if (n != (ssize_t)PAGE)
		diverge("file %d page %llu: guest %s read of a checkable "
			"page failed (%s)",
			f, (unsigned long long)page,
			private ? "private" : "shared", errname(errno));
	observe(f, page, private ? MODEL_PRIVATE : MODEL_SHARED, 0, PAGE, R.buf,
		"guest read (check)");
}

/* A guest read of the page, of the kind that reaches the file there:
 * not a shared one where the slot sends shared accesses to its
 * userspace_addr (legacy mode, a guest_memfd without MMAP). */
static void check_page_from_guest(int f, uint64_t page)
{
	int vm = R.m.file[f].vm, s;
	uint64_t gpa;
	bool private;

	if (!model_page_gpa(&R.m, f, page, &gpa))
		return;
	private = model_gpa_private(&R.m, vm, gpa);
	s = model_gpa_slot(&R.m, vm, gpa);
	if (R.m.legacy && !private && !R.m.slot[s].gmem_only)
		return;
	check_guest_page(f, page, gpa, private);
}

static void check_page(int f, uint64_t page)
{
	const struct model_page *p = &R.m.file[f].page[page];
	uint8_t *host = R.check_map[f] ? R.check_map[f] + page * PAGE : NULL;
	bool checkable = model_page_checkable(&R.m, f, page);
	enum model_touch t;

	if (p->private) {
		/* The host never reaches a private page (R22). */
		if (host &&
		    (t = host_copy(R.buf, host, 1)) != MODEL_TOUCH_SIGBUS)
			diverge("file %d page %llu is private; host touch: %s",
				f, (unsigned long long)page, touch_name(t));
	} else if (checkable && host) {
		t = host_copy(R.buf, host, PAGE);
		if (t != MODEL_TOUCH_OK)
			diverge("file %d page %llu is shared; host read: %s", f,
				(unsigned long long)page, touch_name(t));
		observe(f, page, MODEL_SHARED, 0, PAGE, R.buf,
			"host read (check)");
	}
	if (checkable)
		check_page_from_guest(f, page);
}

/* Past the data pages only the host's SIGBUS is checked, on a sample
 * that moves with every operation (touching 500 pages each time would
 * cost more than the operations). */
static void check_far_page(int f, uint64_t page)
{
	enum model_touch t;

	if (!R.check_map[f] || !R.m.file[f].page[page].private ||
	    (page + (uint64_t)R.op) % 29)
		return;
	t = host_copy(R.buf, R.check_map[f] + page * PAGE, 1);
	if (t != MODEL_TOUCH_SIGBUS)
		diverge("file %d page %llu is private; host touch: %s", f,
			(unsigned long long)page, touch_name(t));
}

/* Whether `at` lies in a mapping the run or the library made for itself
 * since (a later mmap(NULL) may well land in a hole the user left). */
static bool own_mapping(const uint8_t *at)
{
	if (fuzz_in_library_own(at))
		return true;
	for (int f = 0; f < MODEL_MAX_FILES; f++)
		if (R.check_map[f] && at >= R.check_map[f] &&
		    at < R.check_map[f] + R.m.file[f].npages * PAGE)
			return true;
	for (int s = 0; s < NMAPS; s++)
		for (uint64_t i = 0; i < R.map[s].npages; i++)
			if (R.map[s].state[i] == MAP_GMEM &&
			    at == R.map[s].addr + i * PAGE)
				return true;
	for (int f = 0; f < MODEL_MAX_FILES; f++)
		if (R.m.file[f].open && fuzz_in_library_view(R.fd[f], at))
			return true;
	return false;
}

/* What the kernel maps at `at`: the file's name, the file offset there
 * and the extent of the mapping, from /proc/self/maps. False if nothing
 * is found. */
static bool mapped_file_at(const uint8_t *at, char *path, size_t pathlen,
			   uint64_t *offset, uintptr_t *start, uintptr_t *end)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	char line[512];
	bool found = false;

	if (!maps)
		return false;
	while (!found && fgets(line, sizeof(line), maps)) {
		unsigned long lo, hi, off;
		int n = 0;

		if (sscanf(line, "%lx-%lx %*s %lx %*s %*s %n", &lo, &hi, &off,
			   &n) < 3 ||
		    (uintptr_t)at < lo || (uintptr_t)at >= hi)
			continue;
		snprintf(path, pathlen, "%s", n ? line + n : "");
		*offset = off + ((uintptr_t)at - lo);
		*start = lo;
		*end = hi;
		found = true;
	}
	fclose(maps);
	return found;
}

/*
 * A page the user unmapped is mapped again. Fine if the run or anyone
 * else put its own mapping there since (an allocator, the library's own
 * view of a file or a source its remaps copy from, each a whole file
 * wherever the kernel put it):
 * forget the hole. A divergence if it is the library remapping the old
 * record: its cover of private pages, or the file's memory at the very
 * offset the old mapping showed there, inside the old mapping's range.
 */
static void check_hole_reused(struct mapping *mp, int s, uint64_t i)
{
	uint8_t *at = mp->addr + i * PAGE;
	uintptr_t lo = 0, hi = 0, old_lo = (uintptr_t)mp->addr;
	uintptr_t old_hi = old_lo + mp->npages * PAGE;
	uint64_t offset = 0;
	char path[256] = "";
	bool remap;

	if (own_mapping(at) ||
	    !mapped_file_at(at, path, sizeof(path), &offset, &lo, &hi)) {
		mp->state[i] = MAP_GONE;
		return;
	}
	remap = strstr(path, "gmem-private") ||
		(strstr(path, "gmem-memory") &&
		 offset == (uint64_t)mp->offset + i * PAGE && lo >= old_lo &&
		 hi <= old_hi);
	if (remap)
		diverge("mapping %d page %llu: the user unmapped it, and the "
			"library mapped it again (%s)",
			s, (unsigned long long)i, path);
	mp->state[i] = MAP_GONE;
}

/* What the user put where the library's mappings were must be left
 * alone: a hole stays a hole (mincore(2) fails with ENOMEM on an
 * unmapped address), foreign bytes stay as they were written. */
static void check_foreign(void)
{
	unsigned char v;

	for (int s = 0; s < NMAPS; s++) {
		struct mapping *mp = &R.map[s];

		for (uint64_t i = 0; i < mp->npages; i++) {
			uint8_t *at = mp->addr + i * PAGE;

			if (mp->state[i] == MAP_HOLE && !mincore(at, PAGE, &v))
				check_hole_reused(mp, s, i);
			if (mp->state[i] != MAP_FOREIGN)
				continue;
			fill_pattern(R.data, PAGE, mp->seed[i]);
			if (host_copy(R.buf, at, PAGE) != MODEL_TOUCH_OK ||
			    memcmp(R.buf, R.data, PAGE))
				diverge("mapping %d page %llu: the user's "
					"anonymous memory there was changed",
					s, (unsigned long long)i);
		}
	}
}

/* The user memory behind the slots: the guest's shared writes in the
 * legacy mode land there, nothing else may touch it. */
static void check_user_memory(void)
{
	for (int s = 0; s < MODEL_MAX_SLOTS; s++)
		if (user_used[s] &&
		    memcmp(user_mem[s], R.m.user[s], sizeof(R.m.user[s])))
			diverge("the user memory of slot %d differs from the "
				"model",
				s);
}

/* The library's own validators (fuzz/validate.c). */
static void check_internals(void)
{
	char why[160];

	for (int v = 0; v < MODEL_MAX_VMS; v++)
		if (R.vm[v] >= 0 && fuzz_validate_vm(R.vm[v], why, sizeof(why)))
			diverge("VM %d: %s", v, why);
	for (int f = 0; f < MODEL_MAX_FILES; f++)
		if (R.m.file[f].open &&
		    fuzz_validate_file(R.fd[f], why, sizeof(why)))
			diverge("file %d: %s", f, why);
}

static void check_all(void)
{
	checking = true;
	check_internals();
	check_foreign();
	check_user_memory();
	for (int f = 0; f < MODEL_MAX_FILES; f++) {
		if (!R.m.file[f].live)
			continue;
		if (R.m.file[f].open) {
			check_ranges(f);
			check_allocation(f);
		}
		for (uint64_t i = 0; i < R.m.file[f].npages; i++) {
			if (model_page_has_data(&R.m, f, i))
				check_page(f, i);
			else
				check_far_page(f, i);
		}
	}
	checking = false;
}

/* ---- operations ---- */

/* File 0 or 1 by bit 0, file 2 (VM 1's) by bit 1 when it is there; -1
 * when the file picked is closed. */
static int pick_file(uint8_t b)
{
	int f = (b & 2) && R.m.file[2].live ? 2 : (b & 1) && R.m.file[1].live;

	return R.m.file[f].open ? f : -1;
}

/* VM 1 by `bit` when it is there. */
static int pick_vm(bool bit)
{
	return bit && R.vm[1] >= 0 ? 1 : 0;
}

static uint64_t pages_of(int f)
{
	return R.m.file[f].npages;
}

static uint64_t mode_of(const uint8_t *a)
{
	static const uint64_t modes[] = {
		0,
		KVM_SET_MEMORY_ATTRIBUTES2_ZERO,
		KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
		GMEM_ATTRIBUTES2_READABLE,
		GMEM_ATTRIBUTES2_ENCRYPTED,
		GMEM_ATTRIBUTES2_DESTROY,
	};
	unsigned int sel = a[4] % 9;

	if (sel < 6)
		return modes[sel];
	if (sel == 6)
		return a[5]; /* every combination of the low eight bits */
	if (sel == 7)
		return 1ULL << (a[5] % 64);
	return KVM_SET_MEMORY_ATTRIBUTES2_ZERO |
	       KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE;
}

struct conv {
	int file;
	struct kvm_memory_attributes2 a;
	enum model_arg arg;
	bool arg_null;
	long inject;
};

/* Decode a conversion: a range (or the last guest request's, so that
 * pKVM's rule gets exercised), a mode, and at most one malformation.
 * False when the file picked is closed. */
static bool decode_convert(const uint8_t *a, struct conv *c)
{
	uint64_t np;

	memset(c, 0, sizeof(*c));
	c->file = pick_file(a[0]);
	if (c->file < 0)
		return false;
	np = pages_of(c->file);
	c->a.offset = wide(a[1], a[7], 0) % (np + 2) * PAGE;
	c->a.size = wide(a[2], a[7], 1) % (np + 2) * PAGE;
	c->a.attributes = (a[3] & 1) ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
	if ((a[0] >> 1 & 3) == 3 && R.last_req.valid &&
	    R.m.file[R.last_req.file].open) {
		c->file = R.last_req.file;
		c->a.offset = R.last_req.offset;
		c->a.size = R.last_req.size;
		c->a.attributes = R.last_req.to_private
					  ? KVM_MEMORY_ATTRIBUTE_PRIVATE
					  : 0;
	}
	c->a.flags = mode_of(a);
	c->inject = inject_of(a[6]);
	switch (a[0] >> 3) {
	case 24:
		c->a.offset += 1 + a[5] % (PAGE - 1);
		break;
	case 25:
		c->a.size += 1 + a[5] % (PAGE - 1);
		break;
	case 26:
		c->a.error_offset = 1 + a[5];
		break;
	case 27:
		c->a.reserved[a[5] % 11] = 1 + a[7];
		break;
	case 28:
		c->a.size = 0 - c->a.offset + PAGE;
		break; /* wraps */
	case 29:
		c->a.attributes |= 1ULL << (a[5] % 64);
		break;
	case 30:
		c->arg = MODEL_ARG_UNREADABLE;
		c->arg_null = a[5] & 1;
		break;
	case 31:
		c->arg = MODEL_ARG_READONLY;
		break;
	default:
		break;
	}
	return true;
}

static bool reserved_set(const struct kvm_memory_attributes2 *a)
{
	for (int i = 0; i < 11; i++)
		if (a->reserved[i])
			return true;
	return false;
}

static struct kvm_memory_attributes2 *conv_arg(const struct conv *c,
					       struct kvm_memory_attributes2 *s)
{
	*s = c->a;
	if (c->arg == MODEL_ARG_UNREADABLE)
		return c->arg_null ? NULL : (void *)none_page;
	if (c->arg == MODEL_ARG_READONLY) {
		mprotect(ro_page, PAGE, PROT_READ | PROT_WRITE);
		memcpy(ro_page, s, sizeof(*s));
		mprotect(ro_page, PAGE, PROT_READ);
		return (void *)ro_page;
	}
	return s;
}

/* What the caller's struct must hold afterwards (R53, R59). */
static void check_written_back(const struct conv *c,
			       const struct kvm_memory_attributes2 *s,
			       bool copied_back, uint64_t error_offset)
{
	struct kvm_memory_attributes2 want = c->a;

	if (c->arg != MODEL_ARG_OK)
		return;
	if (copied_back)
		want.error_offset = error_offset;
	if (memcmp(&want, s, sizeof(want)))
		diverge("struct after the call: error_offset model %#llx "
			"(%s), engine %#llx",
			(unsigned long long)want.error_offset,
			copied_back ? "written back" : "untouched",
			(unsigned long long)s->error_offset);
}

/* One conversion on both sides: prediction, call, comparison, commit. */
static void do_convert(const struct conv *cp)
{
	struct kvm_memory_attributes2 s, *arg;
	struct model_result want;
	struct conv c = *cp;
	int ret, err;

	want = model_convert(&R.m, c.file, c.a.offset, c.a.size, c.a.attributes,
			     c.a.flags, c.a.error_offset, reserved_set(&c.a),
			     c.arg, false);
	arg = conv_arg(&c, &s);
	inject_arm(c.inject);
	ret = gmem_ioctl(R.fd[c.file], KVM_SET_MEMORY_ATTRIBUTES2, arg);
	err = inject_disarm();
	/* ENOMEM is step 6, before the pins are looked at (step 7). */
	if (c.inject != NO_INJECT && ret == -1 &&
	    (want.ret == 0 || want.err == EAGAIN ||
	     (want.err == EFAULT && c.arg == MODEL_ARG_READONLY)) &&
	    (err == ENOMEM || (err == EFAULT && c.arg == MODEL_ARG_READONLY))) {
		check_written_back(&c, &s, true, c.a.offset);
		return;
	}
	expect(ret, err, want);
	check_written_back(&c, &s, want.copied_back, want.error_offset);
	if (ret == 0)
		model_convert(&R.m, c.file, c.a.offset, c.a.size,
			      c.a.attributes, c.a.flags, c.a.error_offset,
			      false, c.arg, true);
}

static void op_convert(const uint8_t *a)
{
	struct conv c;

	if (!decode_convert(a, &c))
		return;
	say("convert file %d [%#llx+%#llx) attr %#llx flags %#llx eo %#llx "
	    "res %d arg %d%s inject %ld",
	    c.file, (unsigned long long)c.a.offset,
	    (unsigned long long)c.a.size, (unsigned long long)c.a.attributes,
	    (unsigned long long)c.a.flags, (unsigned long long)c.a.error_offset,
	    reserved_set(&c.a), c.arg, c.arg_null ? " NULL" : "", c.inject);
	do_convert(&c);
}

/* Every step-th page of a run, one conversion each, alternating or not:
 * many small ranges at once, so that the attribute tree splits, and
 * later merges back. */
static void op_stripe(const uint8_t *a)
{
	struct conv c = { .file = pick_file(a[0]) };
	uint64_t np, first, step = 1 + a[3] % 4, n = 1 + a[4] % 64;
	bool private = a[5] & 1, alternate = a[5] & 2;

	if (c.file < 0)
		return;
	np = pages_of(c.file);
	first = u16(a + 1) % np;
	c.a.flags = a[5] & 4 ? KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE : 0;
	c.inject = NO_INJECT;
	say("stripe file %d from page %llu step %llu n %llu private %d "
	    "alternate %d flags %#llx",
	    c.file, (unsigned long long)first, (unsigned long long)step,
	    (unsigned long long)n, private, alternate,
	    (unsigned long long)c.a.flags);
	for (uint64_t i = 0; i < n && first + i * step < np; i++) {
		bool priv = alternate ? (i & 1) ^ private : private;

		c.a.offset = (first + i * step) * PAGE;
		c.a.size = PAGE;
		c.a.attributes = priv ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0;
		do_convert(&c);
	}
}

static void op_fallocate(const uint8_t *a)
{
	static const int modes[] = {
		FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
		FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
		0,
		FALLOC_FL_PUNCH_HOLE,
		-1, /* a raw byte */
		FALLOC_FL_KEEP_SIZE | FALLOC_FL_ZERO_RANGE,
	};
	int f = pick_file(a[0]), mode = modes[a[1] % 8], ret, err;
	int64_t off, len;
	long inject = inject_of(a[6]);
	struct model_result want;

	if (f < 0)
		return;
	off = (int64_t)(wide(a[2], a[7], 0) % (pages_of(f) + 3) * PAGE);
	len = (int64_t)(wide(a[3], a[7], 1) % (pages_of(f) + 3) * PAGE);
	if (mode < 0)
		mode = a[5];
	switch (a[4] % 16) {
	case 0:
		off += 1 + a[5] % (PAGE - 1);
		break;
	case 1:
		len += 1 + a[5] % (PAGE - 1);
		break;
	case 2:
		off = -off - (int64_t)PAGE;
		break;
	case 3:
		len = -len;
		break;
	case 4:
		off = INT64_MAX - (int64_t)PAGE + 1;
		len = 2 * PAGE;
		break;
	case 5:
		off = 1LL << 40;
		break;
	default:
		break;
	}
	say("fallocate file %d mode %#x [%lld+%lld) inject %ld", f, mode,
	    (long long)off, (long long)len, inject);
	want = model_fallocate(&R.m, f, mode, off, len, false);
	inject_arm(inject);
	ret = gmem_fallocate(R.fd[f], mode, off, len);
	err = inject_disarm();
	if (expect_injected(inject, ret, err, want))
		model_fallocate(&R.m, f, mode, off, len, true);
}

static void op_pin(const uint8_t *a, bool pin)
{
	int f = pick_file(a[0]), ret, err;
	uint64_t off, len;
	long inject = inject_of(a[6]);
	struct model_result want;

	if (f < 0)
		return;
	off = wide(a[1], a[7], 0) % (pages_of(f) + 2) * PAGE;
	len = wide(a[2], a[7], 1) % (pages_of(f) + 2) * PAGE;
	switch (a[3] % 16) {
	case 0:
		off += 1 + a[5] % (PAGE - 1);
		break;
	case 1:
		len += 1 + a[5] % (PAGE - 1);
		break;
	case 2:
		len = 0 - off;
		break;
	default:
		break;
	}
	say("%s file %d [%#llx+%#llx) inject %ld", pin ? "pin" : "unpin", f,
	    (unsigned long long)off, (unsigned long long)len, inject);
	want = pin ? model_pin(&R.m, f, off, len, false)
		   : model_unpin(&R.m, f, off, len, false);
	inject_arm(inject);
	ret = pin ? gmem_pin(R.fd[f], off, len) : gmem_unpin(R.fd[f], off, len);
	err = inject_disarm();
	if (!expect_injected(inject, ret, err, want))
		return;
	if (pin)
		model_pin(&R.m, f, off, len, true);
	else
		model_unpin(&R.m, f, off, len, true);
}

/* Whether the pages [first, first + n) of a mapping are still there
 * (mincore(2) fails with ENOMEM on an unmapped address). */
static void check_mapped(const struct mapping *mp, uint64_t first, uint64_t n,
			 bool mapped)
{
	unsigned char v;

	for (uint64_t i = first; i < first + n; i++) {
		int ret = mincore(mp->addr + i * PAGE, PAGE, &v);

		if ((ret == 0) != mapped)
			diverge("mapping page %llu: %s, expected %s",
				(unsigned long long)i,
				ret ? "unmapped" : "mapped",
				mapped ? "mapped" : "unmapped");
	}
}

/* Whether some page of the mapping is still the library's. */
static void map_update_live(struct mapping *mp)
{
	mp->live = false;
	for (uint64_t i = 0; i < mp->npages; i++)
		mp->live |= mp->state[i] == MAP_GMEM;
}

static void unmap_pages(int s, uint64_t first, uint64_t n, long inject)
{
	struct mapping *mp = &R.map[s];
	int ret, err;

	inject_arm(inject);
	ret = gmem_munmap(mp->addr + first * PAGE, n * PAGE);
	err = inject_disarm();
	if (ret == -1 && err == ENOMEM && inject != NO_INJECT) {
		check_mapped(mp, first, n, true); /* nothing unmapped */
		return;
	}
	if (ret)
		diverge("gmem_munmap: %s", errname(err));
	check_mapped(mp, first, n, false);
	for (uint64_t i = first; i < first + n; i++)
		mp->state[i] = MAP_GONE;
	map_update_live(mp);
}

/* Give back everything of a mapping slot: the library's pages with
 * gmem_munmap(), the user's foreign memory with munmap(); a hole the user
 * made is handed to gmem_munmap() too, so that the library may forget a
 * record it still keeps of it (unmapping a hole is harmless). */
static void release_mapping(int s)
{
	struct mapping *mp = &R.map[s];

	for (uint64_t i = 0; i < mp->npages; i++) {
		uint8_t *at = mp->addr + i * PAGE;

		if (mp->state[i] == MAP_FOREIGN && munmap(at, PAGE))
			diverge("munmap of foreign memory: %s", errname(errno));
		if (mp->state[i] != MAP_GONE && gmem_munmap(at, PAGE))
			diverge("gmem_munmap at release: %s", errname(errno));
		mp->state[i] = MAP_GONE;
	}
	mp->live = false;
	mp->npages = 0;
}

static void op_mmap(const uint8_t *a)
{
	static const int prots[] = { PROT_READ | PROT_WRITE,
				     PROT_READ | PROT_WRITE, PROT_READ,
				     PROT_NONE, PROT_READ | PROT_EXEC };
	static const int flags[] = { MAP_SHARED, MAP_SHARED,
				     MAP_SHARED_VALIDATE, MAP_PRIVATE, 0 };
	int s = a[0] % NMAPS, f = pick_file(a[1]), err;
	int prot = prots[a[4] % 5], fl = flags[a[5] % 5];
	uint64_t npages = 1 + a[3] % MAX_MAP_PAGES, len = npages * PAGE;
	long inject = inject_of(a[6]);
	struct mapping *mp = &R.map[s];
	struct model_result want;
	int64_t off;
	void *p;

	if (f < 0)
		return;
	off = (int64_t)((a[2] % (pages_of(f) + 3)) * PAGE);
	release_mapping(s);
	if (a[7] == 0xff)
		off += 1 + a[5] % (PAGE - 1);
	if (a[7] == 0xfe)
		len = 0;
	say("mmap slot %d file %d off %#llx len %#llx prot %#x flags %#x "
	    "inject %ld",
	    s, f, (unsigned long long)off, (unsigned long long)len, prot, fl,
	    inject);
	want = model_mmap(&R.m, f, prot, fl, off, len);
	inject_arm(inject);
	p = gmem_mmap(NULL, len, prot, fl, R.fd[f], off);
	err = inject_disarm();
	/* The kernel allocates the VMA before guest_memfd's own mmap
	 * handler refuses (ENODEV, EPERM, EINVAL for MAP_PRIVATE), so under
	 * an injected failure ENOMEM may come first there too. */
	if (p == MAP_FAILED && inject != NO_INJECT && err == ENOMEM &&
	    (want.ret != -1 || want.err == ENODEV || want.err == EPERM ||
	     (want.err == EINVAL && (fl & MAP_TYPE) == MAP_PRIVATE)))
		return;
	if (p != MAP_FAILED && want.ret) {
		gmem_munmap(p, len);
		diverge("model %s, engine mapped", errname(want.err));
	}
	expect(p == MAP_FAILED ? -1 : 0, err, want);
	if (p == MAP_FAILED)
		return;
	*mp = (struct mapping){ .live = true,
				.file = f,
				.addr = p,
				.npages = npages,
				.offset = off };
	for (uint64_t i = 0; i < npages; i++) {
		mp->state[i] = MAP_GMEM;
		mp->prot[i] = prot;
	}
}

/* The pages [first, first + n) of a mapping slot picked by a[1], a[2]:
 * all of it, its first, last or a middle page. False if none. */
static bool map_part(const struct mapping *mp, const uint8_t *a,
		     uint64_t *first, uint64_t *n)
{
	*first = 0;
	*n = mp->npages;
	switch (a[1] % 4) {
	case 1:
		*n = 1;
		break;
	case 2:
		*first = mp->npages - 1, *n = 1;
		break;
	case 3:
		if (mp->npages < 3)
			return false;
		*first = 1 + a[2] % (mp->npages - 2), *n = 1;
		break;
	default:
		break;
	}
	/* Only pages that are still the library's. */
	for (uint64_t i = *first; i < *first + *n; i++)
		if (mp->state[i] != MAP_GMEM)
			return false;
	return true;
}

static void op_munmap(const uint8_t *a)
{
	int s = a[0] % NMAPS;
	struct mapping *mp = &R.map[s];
	uint64_t first, n;

	if (!mp->live || !map_part(mp, a, &first, &n))
		return;
	say("munmap slot %d pages [%llu+%llu)", s, (unsigned long long)first,
	    (unsigned long long)n);
	unmap_pages(s, first, n, inject_of(a[6]));
}

/* Anonymous memory at `at`, filled with a pattern, as the user's own:
 * over nothing (MAP_FIXED_NOREPLACE, reusing a hole) or over whatever is
 * there (MAP_FIXED). */
static void map_foreign(struct mapping *mp, uint64_t first, uint64_t n,
			bool replace, uint8_t seed)
{
	uint8_t *at = mp->addr + first * PAGE;
	void *p = mmap(at, n * PAGE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS |
			       (replace ? MAP_FIXED : MAP_FIXED_NOREPLACE),
		       -1, 0);

	if (p != at)
		diverge("the user's mmap at %p: %s", (void *)at,
			p == MAP_FAILED ? errname(errno) : "moved");
	for (uint64_t i = first; i < first + n; i++) {
		mp->state[i] = MAP_FOREIGN;
		mp->seed[i] = (uint8_t)(seed + i);
		fill_pattern(mp->addr + i * PAGE, PAGE, mp->seed[i]);
	}
}

/*
 * What a user may do to a mapping behind the library's back (gmem_mmap(3)):
 * munmap(2) it, munmap and let the address be reused by anonymous memory,
 * map anonymous memory MAP_FIXED over it, mprotect(2) it, or
 * madvise(MADV_DONTNEED) it. The kernel's guest_memfd only ever changes
 * its own mappings, so afterwards the foreign memory must stay intact, a
 * hole must stay a hole, and what is left of the mapping keeps the
 * protection the user gave it.
 */
static void op_user_map(const uint8_t *a)
{
	static const int prots[] = { PROT_READ, PROT_NONE,
				     PROT_READ | PROT_WRITE, PROT_WRITE };
	int s = a[0] % NMAPS, action = a[3] % 5, prot = prots[a[4] % 4];
	struct mapping *mp = &R.map[s];
	uint64_t first, n;

	if (!foreign_ops || !mp->live || !map_part(mp, a, &first, &n))
		return;
	say("user %s slot %d pages [%llu+%llu) prot %#x",
	    (const char *[]){ "munmap", "munmap+reuse", "MAP_FIXED over",
			      "mprotect", "madvise DONTNEED" }[action],
	    s, (unsigned long long)first, (unsigned long long)n, prot);
	switch (action) {
	case 0:
	case 1:
		if (munmap(mp->addr + first * PAGE, n * PAGE))
			diverge("munmap: %s", errname(errno));
		for (uint64_t i = first; i < first + n; i++)
			mp->state[i] = MAP_HOLE;
		if (action == 1)
			map_foreign(mp, first, n, false, a[5]);
		break;
	case 2:
		map_foreign(mp, first, n, true, a[5]);
		break;
	case 3:
		/* PROT_WRITE alone reads as well on x86. */
		if (mprotect(mp->addr + first * PAGE, n * PAGE, prot))
			diverge("mprotect: %s", errname(errno));
		for (uint64_t i = first; i < first + n; i++)
			mp->prot[i] = prot == PROT_WRITE
					      ? PROT_READ | PROT_WRITE
					      : prot;
		break;
	default:
		if (madvise(mp->addr + first * PAGE, n * PAGE, MADV_DONTNEED))
			diverge("madvise: %s", errname(errno));
		break;
	}
	map_update_live(mp);
}

static void op_host(const uint8_t *a, bool write)
{
	struct mapping *mp = &R.map[a[0] % NMAPS];
	uint64_t pg, off, len, max, foff;
	enum model_touch want, got;
	uint8_t *at;

	if (!mp->live)
		return;
	pg = a[1] % mp->npages;
	if (mp->state[pg] != MAP_GMEM)
		return;
	off = u16(a + 2) % PAGE;
	max = PAGE - off < 512 ? PAGE - off : 512;
	len = a[4] == 0xff ? PAGE - off : 1 + u16(a + 4) % max;
	foff = (uint64_t)mp->offset + pg * PAGE + off;
	at = mp->addr + pg * PAGE + off;
	fill_pattern(R.data, len, a[6]);
	say("host %s slot %d file %d offset %#llx len %llu prot %#x",
	    write ? "write" : "read", a[0] % NMAPS, mp->file,
	    (unsigned long long)foff, (unsigned long long)len, mp->prot[pg]);
	want = model_host_touch(&R.m, mp->file, foff, len, mp->prot[pg], write,
				R.data, false);
	got = write ? host_copy(at, R.data, len) : host_copy(R.buf, at, len);
	if (got != want)
		diverge("host %s: model %s, engine %s",
			write ? "write" : "read", touch_name(want),
			touch_name(got));
	if (got != MODEL_TOUCH_OK)
		return;
	model_host_touch(&R.m, mp->file, foff, len, mp->prot[pg], write, R.data,
			 true);
	if (!write && model_page_has_data(&R.m, mp->file, foff / PAGE))
		observe(mp->file, foff / PAGE, MODEL_SHARED, foff % PAGE, len,
			R.buf, "host read");
}

static unsigned int guest_flags(const uint8_t *a, int vm, uint64_t gpa)
{
	switch (a[5] % 8) {
	case 3:
		return 0;
	case 4:
		return GMEM_GUEST_PRIVATE;
	case 5:
		return 2;
	case 6:
		return 1U << (a[7] % 32);
	case 7:
		return GMEM_GUEST_PRIVATE | 1U << (a[7] % 32);
	default:
		/* The kind the page has: an access that can succeed. */
		return model_gpa_private(&R.m, vm, gpa) ? GMEM_GUEST_PRIVATE
							: 0;
	}
}

/* A guest page number picked by `b`: past the files bound at GPA_BASE
 * (on VM 0; VM 1's file is there too), or in the window of the extra
 * slots when `high`. */
static uint64_t guest_page_gpa(uint8_t b, bool high)
{
	uint64_t npages = pages_of(0) + (R.m.file[1].live ? pages_of(1) : 0);

	if (high)
		return GPA_HIGH + (b % 34) * PAGE;
	return GPA_BASE + (b % (npages + 2)) * PAGE;
}

static void op_guest(const uint8_t *a, bool write)
{
	int vm = pick_vm(a[5] & 8);
	uint64_t gpa = guest_page_gpa(a[0], a[2] & 0x80) + u16(a + 1) % PAGE;
	uint64_t len = u16(a + 3) % (2 * PAGE + 1);
	unsigned int flags = guest_flags(a, vm, gpa);
	struct model_access acc;
	struct model_result want;
	ssize_t ret;
	int err;

	fill_pattern(R.data, len, a[6]);
	memset(R.buf, 0xee, len);
	say("guest %s vm %d gpa %#llx len %llu flags %#x",
	    write ? "write" : "read", vm, (unsigned long long)gpa,
	    (unsigned long long)len, flags);
	want = model_guest_access(&R.m, vm, gpa, len, flags, write, R.data,
				  &acc, false);
	ret = write ? gmem_guest_write(R.vm[vm], gpa, R.data, len, flags)
		    : gmem_guest_read(R.vm[vm], gpa, R.buf, len, flags);
	err = errno;
	expect(ret, err, want);
	model_guest_access(&R.m, vm, gpa, len, flags, write, R.data, &acc,
			   true);
	if (write)
		return;
	/* The pages before a failure have been read too. */
	for (unsigned int i = 0; i < acc.nchunks; i++) {
		const struct model_chunk *c = &acc.chunk[i];
		const uint8_t *user;

		if (c->file < 0) {
			user = R.m.user[c->slot] + c->page * PAGE + c->off;
			if (memcmp(user, R.buf + c->buf_off, c->len))
				diverge("guest read of slot %d's user memory, "
					"page %llu: not the bytes there",
					c->slot, (unsigned long long)c->page);
			continue;
		}
		if (!model_page_has_data(&R.m, c->file, c->page))
			continue;
		observe(c->file, c->page,
			flags & GMEM_GUEST_PRIVATE ? MODEL_PRIVATE
						   : MODEL_SHARED,
			c->off, c->len, R.buf + c->buf_off, "guest read");
	}
}

static void op_request(const uint8_t *a)
{
	int vm = pick_vm(a[5] & 1);
	uint64_t gpa = guest_page_gpa(a[0], a[3] & 0x80);
	uint64_t len = (a[1] % 18) * PAGE, page;
	bool to_private = a[2] & 1;
	long inject = inject_of(a[6]);
	/* A burst, so that more than the 64 requests kept can be made. */
	int times = a[4] & 0x80 ? 1 + (a[4] & 0x3f) : 1;
	struct model_result want;
	int ret, err;

	switch (a[3] % 16) {
	case 0:
		gpa += 1 + a[5] % (PAGE - 1);
		break;
	case 1:
		len += 1 + a[5] % (PAGE - 1);
		break;
	case 2:
		len = 0 - gpa + PAGE;
		break;
	default:
		break;
	}
	say("guest request vm %d gpa %#llx len %#llx to_private %d inject %ld "
	    "times %d",
	    vm, (unsigned long long)gpa, (unsigned long long)len, to_private,
	    inject, times);
	for (int i = 0; i < times; i++) {
		want = model_guest_request(&R.m, vm, gpa, len, to_private,
					   false);
		inject_arm(inject);
		ret = gmem_guest_request(R.vm[vm], gpa, len, to_private);
		err = inject_disarm();
		if (!expect_injected(inject, ret, err, want))
			return;
		model_guest_request(&R.m, vm, gpa, len, to_private, true);
	}
	R.last_req = (struct last_request){
		.valid = true,
		.file = model_gpa_page(&R.m, vm, gpa, &page),
		.size = len,
		.to_private = to_private,
	};
	R.last_req.offset = page * PAGE;
}

static void op_get_fault(const uint8_t *a)
{
	int vm = pick_vm(a[0] & 1);
	struct gmem_memory_fault got = { 0 };
	struct model_fault want = { 0 };
	struct model_result w = model_get_fault(&R.m, vm, &want, false);
	int ret = gmem_get_memory_fault(R.vm[vm], &got);

	say("get memory fault vm %d", vm);
	expect(ret, errno, w);
	if (ret)
		return;
	if (got.gpa != want.gpa || got.size != want.size ||
	    got.flags != want.flags)
		diverge("memory fault: model gpa %#llx size %#llx flags "
			"%#llx, engine gpa %#llx size %#llx flags %#llx",
			(unsigned long long)want.gpa,
			(unsigned long long)want.size,
			(unsigned long long)want.flags,
			(unsigned long long)got.gpa,
			(unsigned long long)got.size,
			(unsigned long long)got.flags);
	model_get_fault(&R.m, vm, &want, true);
}

static void query_ranges(int f, uint64_t off, uint64_t len, size_t max,
			 bool null)
{
	struct gmem_attr_range got[MODEL_MAX_PAGES + 2];
	struct model_range want[MODEL_MAX_PAGES + 2];
	struct model_result w;
	ssize_t n;

	memset(got, 0xa5, sizeof(got));
	w = model_attribute_ranges(&R.m, f, off, len, null ? NULL : want, max);
	n = gmem_get_attribute_ranges(R.fd[f], off, len, null ? NULL : got,
				      max);
	expect(n, errno, w);
	for (size_t i = 0; !null && n > 0 && i < sizeof(got) / sizeof(got[0]);
	     i++) {
		bool stored = i < max && i < (size_t)n;

		if (!stored) {
			const uint8_t *b = (const uint8_t *)&got[i];

			for (size_t k = 0; k < sizeof(got[i]); k++)
				if (b[k] != 0xa5)
					diverge("range %zu written past max "
						"%zu",
						i, max);
			continue;
		}
		expect_range(f, i, &want[i], &got[i]);
	}
}

static void op_query(const uint8_t *a)
{
	int f = pick_file(a[1]), kind = a[0] % 4, ret;
	uint64_t off, len, attr = 0, wattr = 0;
	unsigned char got[MODEL_MAX_PAGES + 2], want[MODEL_MAX_PAGES + 2];
	size_t max = a[5];

	if (f < 0)
		return;
	off = (a[2] % (pages_of(f) + 2)) * PAGE;
	len = (a[3] % (pages_of(f) + 2)) * PAGE;
	if (a[4] % 8 == 0)
		off += 1 + a[5] % (PAGE - 1);
	if (a[4] % 8 == 1)
		len += 1 + a[5] % (PAGE - 1);
	say("query %d file %d [%#llx+%#llx) max %zu", kind, f,
	    (unsigned long long)off, (unsigned long long)len, max);
	switch (kind) {
	case 0:
		query_ranges(f, off, len, max, max == 0 && (a[5] & 0x80));
		break;
	case 1:
		ret = gmem_get_attributes(R.fd[f], off, &attr);
		expect(ret, errno, model_attributes(&R.m, f, off, &wattr));
		if (!ret && attr != wattr)
			diverge("attributes at %#llx: model %#llx, engine "
				"%#llx",
				(unsigned long long)off,
				(unsigned long long)wattr,
				(unsigned long long)attr);
		break;
	default:
		if (len > MODEL_MAX_PAGES * PAGE)
			len = MODEL_MAX_PAGES * PAGE + PAGE; /* EINVAL */
		ret = gmem_get_allocation(R.fd[f], off, len,
					  kind == 3 ? NULL : got);
		expect(ret, errno,
		       model_allocation(&R.m, f, off, len, kind == 3, want));
		for (uint64_t i = 0; !ret && kind == 2 && i < len / PAGE; i++)
			if (got[i] != want[i])
				diverge("allocation of page %llu",
					(unsigned long long)(off / PAGE + i));
		break;
	}
}

static uint8_t *map_file(int f)
{
	void *p = gmem_mmap(NULL, pages_of(f) * PAGE, PROT_READ | PROT_WRITE,
			    MAP_SHARED, R.fd[f], 0);

	if (p == MAP_FAILED)
		diverge("mapping a mappable file failed: %s", errname(errno));
	return p;
}

/* userspace_addr of slot s: its user memory, or 0. */
static uint64_t slot_uaddr(int s, bool user)
{
	return user ? (uint64_t)(uintptr_t)user_mem[s] : 0;
}

/* KVM_SET_USER_MEMORY_REGION2 of model slot s on both sides; the fd is
 * the file's, or -1 (EBADF), or the VM's own (not a guest_memfd). */
static void set_slot(int s, const struct model_slot_args *sa)
{
	int vm = s / MODEL_SLOTS_PER_VM;
	struct kvm_userspace_memory_region2 r = {
		.slot = (uint32_t)(s % MODEL_SLOTS_PER_VM),
		.flags = sa->flags,
		.guest_phys_addr = sa->gpa,
		.memory_size = sa->size,
		.userspace_addr = slot_uaddr(s, sa->user),
		.guest_memfd_offset = sa->offset,
	};
	struct model_result want = model_memslot(&R.m, s, sa, false);
	int ret;

	if (sa->flags & KVM_MEM_GUEST_MEMFD)
		r.guest_memfd =
			(uint32_t)(sa->fd == MODEL_FD_FILE     ? R.fd[sa->file]
				   : sa->fd == MODEL_FD_CLOSED ? -1
							       : R.vm[vm]);
	say("memslot vm %d id %u flags %#x gpa %#llx size %#llx uaddr %s "
	    "fd %d (file %d) offset %#llx",
	    vm, r.slot, r.flags, (unsigned long long)r.guest_phys_addr,
	    (unsigned long long)r.memory_size, sa->user ? "user" : "0",
	    (int)r.guest_memfd, sa->file,
	    (unsigned long long)r.guest_memfd_offset);
	user_used[s] |= sa->user;
	ret = gmem_ioctl(R.vm[vm], KVM_SET_USER_MEMORY_REGION2, &r);
	expect(ret, errno, want);
	if (!ret)
		model_memslot(&R.m, s, sa, true);
}

/* Bind (or delete) the slot that binds all of file f at R.gpa[f]; the
 * slot's user memory is its userspace_addr when it fits. */
static void bind(int f, bool on)
{
	struct model_slot_args sa = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.gpa = R.gpa[f],
		.size = on ? pages_of(f) * PAGE : 0,
		.user = pages_of(f) <= MODEL_USER_PAGES,
		.file = f,
	};

	set_slot(WHOLE_SLOT(f), &sa);
}

/* A file adopted from a creation: file 1 on VM 0, file 2 on VM 1. */
static void adopt_file(int f, int fd, uint64_t size, uint64_t flags)
{
	R.fd[f] = fd;
	model_add_file(&R.m, f, f == 2, size, flags);
	if (R.m.file[f].mmap_ok)
		R.check_map[f] = map_file(f);
}

static void op_create(const uint8_t *a)
{
	const uint64_t sizes[] = {
		PAGE * (1 + a[2] % MODEL_DATA_PAGES),
		0,
		1,
		4095,
		4097,
		1ULL << 40,
		(uint64_t)-4096,
		1ULL << 63,
	};
	const uint64_t flags[] = {
		GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
		GUEST_MEMFD_FLAG_MMAP,
		GUEST_MEMFD_FLAG_INIT_SHARED,
		0,
		1ULL << (2 + a[3] % 62),
		4,
		GUEST_MEMFD_FLAG_MMAP | 1ULL << 63,
		3 | 1ULL << (a[3] % 64),
	};
	struct kvm_create_guest_memfd c = { .size = sizes[a[0] % 8],
					    .flags = flags[a[1] % 8] };
	int vm = pick_vm(a[7] & 1), f = vm ? 2 : 1;
	struct model_result want;
	int fd;

	if (a[4] & 1)
		c.reserved[a[5] % 6] = 1 + a[6]; /* not checked (R4) */
	say("create vm %d size %#llx flags %#llx", vm,
	    (unsigned long long)c.size, (unsigned long long)c.flags);
	want = model_create_file(&R.m, c.size, c.flags);
	fd = gmem_ioctl(R.vm[vm], KVM_CREATE_GUEST_MEMFD, &c);
	expect(fd < 0 ? -1 : 0, errno, want);
	if (fd < 0)
		return;
	if (!R.m.file[f].live && c.size <= MODEL_MAX_PAGES * PAGE) {
		adopt_file(f, fd, c.size, c.flags);
		return;
	}
	if (gmem_close(fd))
		diverge("closing a new file: %s", errname(errno));
}

/* A memslot of any kind in a slot other than the whole-file ones: a
 * guest_memfd slot at an offset into a file (any file, another VM's
 * included), a plain one, a bad descriptor; deleted when it exists, or
 * re-issued (R35: EINVAL for a guest_memfd slot; a plain one may move). */
static void op_memslot(const uint8_t *a)
{
	static const uint32_t plain_flags[] = { 0, KVM_MEM_READONLY,
						KVM_MEM_LOG_DIRTY_PAGES };
	int vm = pick_vm(a[1] & 1), s, f = a[3] % MODEL_MAX_FILES;
	struct model_slot_args sa = { .user = !(a[7] & 1) };
	uint64_t np;

	s = vm * MODEL_SLOTS_PER_VM +
	    (vm ? 1 + (a[1] >> 1) % 3 : 2 + (a[1] >> 1) % 2);
	if (!R.m.file[f].open)
		f = 0;
	np = R.m.file[f].open ? pages_of(f) : 4;
	sa.file = f;
	sa.offset = (a[4] % (np + 1)) * PAGE;
	sa.size = (1 + a[5] % (sa.user ? MODEL_USER_PAGES : np + 1)) * PAGE;
	sa.gpa = (a[6] & 0x80 ? GPA_HIGH : GPA_BASE) + (a[6] & 0x3f) * PAGE;
	switch (a[2] % 6) {
	case 0:
	case 1:
		sa.flags = KVM_MEM_GUEST_MEMFD;
		sa.fd = R.m.file[f].open ? MODEL_FD_FILE : MODEL_FD_CLOSED;
		break;
	case 2:
		sa.flags = KVM_MEM_GUEST_MEMFD;
		sa.fd = a[7] & 2 ? MODEL_FD_CLOSED : MODEL_FD_NOT_GMEM;
		break;
	case 3:
		sa.flags = KVM_MEM_GUEST_MEMFD | KVM_MEM_READONLY;
		sa.fd = MODEL_FD_FILE;
		break;
	default:
		sa.flags = plain_flags[a[7] >> 1 & 1   ? 1
				       : a[7] >> 2 & 1 ? 2
						       : 0];
		break;
	}
	if (R.m.slot[s].used && !(a[7] & 0x80))
		sa.size = 0; /* delete */
	set_slot(s, &sa);
}

static void op_slot(const uint8_t *a)
{
	int f = pick_file(a[0]);

	if (a[1]) {
		op_memslot(a);
		return;
	}
	if (f < 0)
		return;
	bind(f, !R.m.slot[WHOLE_SLOT(f)].used);
}

/* KVM_SET_MEMORY_ATTRIBUTES (or its 2 form) on a VM: live only in the
 * legacy mode (R43), ENOTTY otherwise. */
static void op_vm_attributes(const uint8_t *a)
{
	int vm = pick_vm(a[0] & 1), ret;
	bool two = a[0] & 2;
	struct kvm_memory_attributes2 s = {
		.address = guest_page_gpa(a[1], a[0] & 4),
		.size = (1 + a[2] % 40) * PAGE,
		.attributes = a[3] & 1 ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};
	enum model_arg arg = MODEL_ARG_OK;
	struct model_result want;
	void *p = &s;

	switch (a[4] % 16) {
	case 0:
		s.address += 1 + a[5] % (PAGE - 1);
		break;
	case 1:
		s.size = a[5] % 2 ? 0 : s.size + 1 + a[5] % (PAGE - 1);
		break;
	case 2:
		s.flags = 1ULL << (a[5] % 64);
		break;
	case 3:
		s.attributes |= 1ULL << (a[5] % 64);
		break;
	case 4:
		s.size = 0 - s.address;
		break;
	case 5:
		s.address = 0 - PAGE; /* the last page: ends in a wrap */
		s.size = PAGE;
		break;
	case 6:
		s.address = a[5] * PAGE; /* below the window, valid */
		break;
	case 7:
		if (two)
			s.reserved[a[5] % 11] = 1;
		else
			s.error_offset = 1; /* past the 32 bytes: unread */
		break;
	case 8:
		arg = MODEL_ARG_UNREADABLE;
		p = a[5] & 1 ? NULL : (void *)none_page;
		break;
	default:
		break;
	}
	say("vm attributes%s vm %d [%#llx+%#llx) attr %#llx flags %#llx",
	    two ? "2" : "", vm, (unsigned long long)s.address,
	    (unsigned long long)s.size, (unsigned long long)s.attributes,
	    (unsigned long long)s.flags);
	want = model_set_vm_attributes(
		&R.m, vm, two, s.address, s.size, s.attributes, s.flags,
		two && (s.error_offset || reserved_set(&s)), arg, false);
	ret = gmem_ioctl(R.vm[vm],
			 two ? KVM_SET_MEMORY_ATTRIBUTES2
			     : KVM_SET_MEMORY_ATTRIBUTES,
			 p);
	expect(ret, errno, want);
	if (!ret)
		model_set_vm_attributes(&R.m, vm, two, s.address, s.size,
					s.attributes, s.flags, false, arg,
					true);
}

/* close(2) of a file while it may be mapped and bound: the mappings keep
 * it (R8), its slots stay unbound (R36). */
static void op_close(const uint8_t *a)
{
	int f = pick_file(a[0]);

	if (f < 0)
		return;
	say("close file %d", f);
	if (gmem_close(R.fd[f]))
		diverge("closing file %d: %s", f, errname(errno));
	R.fd[f] = -1;
	model_close_file(&R.m, f, R.check_map[f] != NULL);
}

static void op_caps(const uint8_t *a)
{
	static const long caps[] = {
		KVM_CAP_GUEST_MEMFD,
		KVM_CAP_GUEST_MEMFD_FLAGS,
		KVM_CAP_MEMORY_ATTRIBUTES,
		KVM_CAP_MEMORY_ATTRIBUTES2,
		KVM_CAP_GUEST_MEMFD_MEMORY_ATTRIBUTES,
		KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS,
		KVM_CAP_USER_MEMORY2,
		KVM_CAP_EXIT_HYPERCALL,
		KVM_CAP_VM_TYPES,
		4000,
	};
	long cap = caps[a[0] % (sizeof(caps) / sizeof(caps[0]))];
	int vm = pick_vm(a[1] & 1);
	long want = model_check_extension(&R.m, vm, cap);
	int ret = gmem_ioctl(R.vm[vm], KVM_CHECK_EXTENSION, cap);

	say("check extension %ld", cap);
	if (want != -2 && ret != want)
		diverge("capability %ld: model %ld, engine %d", cap, want, ret);
}

enum op {
	OP_CONVERT,
	OP_CONVERT2,
	OP_FALLOCATE,
	OP_PIN,
	OP_UNPIN,
	OP_MMAP,
	OP_MUNMAP,
	OP_HOST_READ,
	OP_HOST_WRITE,
	OP_GUEST_READ,
	OP_GUEST_WRITE,
	OP_REQUEST,
	OP_GET_FAULT,
	OP_QUERY,
	OP_CREATE,
	OP_SLOT,
	OP_CAPS,
	OP_STRIPE,
	OP_VM_ATTRIBUTES,
	OP_USER_MAP,
	OP_CLOSE,
	NR_OPS
};

static void run_op(uint8_t code, const uint8_t *a)
{
	switch (code % NR_OPS) {
	case OP_CONVERT:
	case OP_CONVERT2:
		op_convert(a);
		break;
	case OP_FALLOCATE:
		op_fallocate(a);
		break;
	case OP_PIN:
		op_pin(a, true);
		break;
	case OP_UNPIN:
		op_pin(a, false);
		break;
	case OP_MMAP:
		op_mmap(a);
		break;
	case OP_MUNMAP:
		op_munmap(a);
		break;
	case OP_HOST_READ:
		op_host(a, false);
		break;
	case OP_HOST_WRITE:
		op_host(a, true);
		break;
	case OP_GUEST_READ:
		op_guest(a, false);
		break;
	case OP_GUEST_WRITE:
		op_guest(a, true);
		break;
	case OP_REQUEST:
		op_request(a);
		break;
	case OP_GET_FAULT:
		op_get_fault(a);
		break;
	case OP_QUERY:
		op_query(a);
		break;
	case OP_CREATE:
		op_create(a);
		break;
	case OP_SLOT:
		op_slot(a);
		break;
	case OP_STRIPE:
		op_stripe(a);
		break;
	case OP_VM_ATTRIBUTES:
		op_vm_attributes(a);
		break;
	case OP_USER_MAP:
		op_user_map(a);
		break;
	case OP_CLOSE:
		op_close(a);
		break;
	default:
		op_caps(a);
		break;
	}
}

/* ---- one run ---- */

static const unsigned long vm_types[] = {
	KVM_X86_DEFAULT_VM, KVM_X86_SW_PROTECTED_VM, KVM_VM_TYPE_ARM_PROTECTED,
	KVM_X86_SNP_VM,	    KVM_X86_TDX_VM,	     KVM_X86_SEV_VM,
};

/* The open descriptors, printed when `show`. */
static int count_fds(bool show)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		char path[300], target[256] = "";

		if (show) {
			snprintf(path, sizeof(path), "/proc/self/fd/%s",
				 e->d_name);
			if (readlink(path, target, sizeof(target) - 1) < 0)
				strcpy(target, "?");
			fprintf(stderr, "  fd %s -> %s\n", e->d_name, target);
		}
		n++;
	}
	closedir(d);
	return n;
}

/* A quarter of the inputs get a large file: room for hundreds of
 * ranges, so that the attribute tree splits and merges nodes. */
static uint64_t first_file_pages(uint8_t h2)
{
	uint64_t n;

	if (h2 < 0xc0)
		return 1 + h2 % MODEL_DATA_PAGES;
	n = 17 + (uint64_t)(h2 - 0xc0) * 8;
	return n < MODEL_MAX_PAGES ? n : MODEL_MAX_PAGES;
}

/* A VM of the run's type and options: 0, or the VM's fd. */
static int make_vm(unsigned long type, const struct gmem_vm_opts *o)
{
	int vm = gmem_create_vm_opts(type, o);

	if (vm < 0)
		diverge("creating a VM: %s", errname(errno));
	return vm;
}

static int make_file(int vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd c = { .size = size, .flags = flags };
	int fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &c);

	if (fd < 0)
		diverge("creating a file: %s", errname(errno));
	return fd;
}

/*
 * Header: VM type; options and file flags; the first file's size; the
 * second file's size and flags, and three switches: the legacy mode
 * (vm_memory_attributes, 0x20), a second VM of the same kind with a
 * 4-page file of its own bound at the same gpa (0x40), and the series
 * generation of the first VM (0x80: v6+). The second VM's generation is
 * the first's, flipped by bit 0 of the type byte's quotient (h0 / 6), so
 * a run may hold one VM of each (R111).
 */
static bool setup(struct input *in)
{
	uint8_t h0 = in8(in), h1 = in8(in), h2 = in8(in), h3 = in8(in);
	unsigned long type = vm_types[h0 % 6];
	/* GMEM_OPTS: padding too must be zero (E2BIG otherwise). */
	GMEM_OPTS(gmem_vm_opts, o,
		  .backend = (h1 >> 5) == 7 && kvm_ok ? GMEM_BACKEND_KVM
						      : GMEM_BACKEND_MEMFD,
		  .vm_memory_attributes = h3 & 0x20,
		  .experimental_policies = h1 & 4);
	uint64_t fl = (h1 & 2 ? 0 : GUEST_MEMFD_FLAG_MMAP) |
		      (h1 & 1 ? GUEST_MEMFD_FLAG_INIT_SHARED : 0);
	uint64_t size0 = first_file_pages(h2) * PAGE, size1, fl1;
	enum model_platform platform;
	bool valid = model_vm_type(type, &platform);
	bool v6[MODEL_MAX_VMS] = { h3 & 0x80, !(h3 & 0x80) != !((h0 / 6) & 1) };

	o.uapi = v6[0] ? GMEM_UAPI_V6 : GMEM_UAPI_RFC_V4;
	say("vm type %#lx backend %s experimental %d legacy %d vms %d uapi "
	    "%s/%s",
	    type, gmem_backend_name((int)o.backend), o.experimental_policies,
	    o.vm_memory_attributes, h3 & 0x40 ? 2 : 1,
	    gmem_uapi_name(v6[0] ? GMEM_UAPI_V6 : GMEM_UAPI_RFC_V4),
	    gmem_uapi_name(v6[1] ? GMEM_UAPI_V6 : GMEM_UAPI_RFC_V4));
	R.vm[0] = gmem_create_vm_opts(type, &o);
	if (!valid) {
		if (R.vm[0] >= 0 || errno != EINVAL)
			diverge("invalid VM type: engine %d (%s)", R.vm[0],
				errname(errno));
		return false;
	}
	if (R.vm[0] < 0)
		diverge("creating the VM: %s", errname(errno));
	model_init(&R.m, platform, o.experimental_policies,
		   o.vm_memory_attributes, GPA_BASE);
	R.m.vm[0].v6 = v6[0];
	/* The legacy mode offers INIT_SHARED only without private memory. */
	if (model_create_file(&R.m, PAGE, fl).ret)
		fl &= ~GUEST_MEMFD_FLAG_INIT_SHARED;
	R.fd[0] = make_file(R.vm[0], size0, fl);
	model_add_file(&R.m, 0, 0, size0, fl);
	if (R.m.file[0].mmap_ok)
		R.check_map[0] = map_file(0);
	R.gpa[0] = R.gpa[2] = GPA_BASE;
	R.gpa[1] = GPA_BASE + size0; /* adjacent: accesses may cross */
	if (h1 & 8) {
		size1 = (1 + h3 % MODEL_DATA_PAGES) * PAGE;
		fl1 = fl ^ (h3 & 0x10 ? GUEST_MEMFD_FLAG_INIT_SHARED : 0);
		if (model_create_file(&R.m, PAGE, fl1).ret)
			fl1 &= ~GUEST_MEMFD_FLAG_INIT_SHARED;
		adopt_file(1, make_file(R.vm[0], size1, fl1), size1, fl1);
	}
	if (h3 & 0x40) {
		o.uapi = v6[1] ? GMEM_UAPI_V6 : GMEM_UAPI_RFC_V4;
		R.m.vm[1].v6 = v6[1];
		R.vm[1] = make_vm(type, &o);
		adopt_file(2, make_file(R.vm[1], 4 * PAGE, fl), 4 * PAGE, fl);
	}
	if (!(h1 & 16))
		for (int f = 0; f < MODEL_MAX_FILES; f++)
			if (R.m.file[f].live)
				bind(f, true);
	return true;
}

static void teardown(void)
{
	for (int s = 0; s < NMAPS; s++)
		release_mapping(s);
	for (int f = 0; f < MODEL_MAX_FILES; f++) {
		if (R.check_map[f] &&
		    gmem_munmap(R.check_map[f], pages_of(f) * PAGE))
			diverge("munmap at teardown");
		if (R.m.file[f].open && gmem_close(R.fd[f]))
			diverge("close at teardown: %s", errname(errno));
	}
	for (int v = 0; v < MODEL_MAX_VMS; v++)
		if (R.vm[v] >= 0 && gmem_close(R.vm[v]))
			diverge("closing VM %d: %s", v, errname(errno));
}

/*
 * Everything the library may set up once per process (descriptors it keeps
 * for good, such as /dev/kvm) is set up here, before the descriptors are
 * counted: afterwards, a run that leaves one more open has leaked it.
 */
static void warm_up_vm(unsigned long type, unsigned int backend)
{
	GMEM_OPTS(gmem_vm_opts, o, .backend = backend);
	struct kvm_create_guest_memfd c = {
		.size = 2 * PAGE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA_BASE,
		.memory_size = 2 * PAGE,
	};
	struct kvm_memory_attributes2 a = {
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	int vm = gmem_create_vm_opts(type, &o), fd;
	uint8_t b[16] = { 1 };
	void *p;

	if (vm < 0)
		return;
	fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &c);
	r.guest_memfd = (uint32_t)fd;
	gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r);
	p = gmem_mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		      0);
	gmem_pin(fd, PAGE, PAGE);
	gmem_unpin(fd, PAGE, PAGE);
	gmem_guest_request(vm, GPA_BASE, PAGE, true);
	gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
	gmem_guest_write(vm, GPA_BASE, b, sizeof(b), GMEM_GUEST_PRIVATE);
	gmem_guest_read(vm, GPA_BASE + PAGE, b, sizeof(b), 0);
	a.attributes = 0;
	gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
	if (p != MAP_FAILED)
		gmem_munmap(p, 2 * PAGE);
	gmem_close(fd);
	gmem_close(vm);
}

static void warm_up(void)
{
	for (size_t t = 0; t < sizeof(vm_types) / sizeof(vm_types[0]); t++) {
		warm_up_vm(vm_types[t], GMEM_BACKEND_MEMFD);
		if (kvm_ok)
			warm_up_vm(vm_types[t], GMEM_BACKEND_KVM);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace = getenv("GMEM_FUZZ_TRACE") != NULL;
	/* Opens /dev/kvm once for good; count fds after that. */
	kvm_ok = gmem_kvm_backend_available() == 1 &&
		 getenv("GMEM_FUZZ_NO_KVM") == NULL;
	none_page =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	ro_page =
		mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (none_page == MAP_FAILED || ro_page == MAP_FAILED)
		abort();
	foreign_ops = getenv("GMEM_FUZZ_NO_FOREIGN") == NULL;
	for (int s = 0; s < MODEL_MAX_SLOTS; s++) {
		user_mem[s] =
			mmap(NULL, sizeof(R.m.user[s]), PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (user_mem[s] == MAP_FAILED)
			abort();
		user_used[s] = true; /* filled before the first run */
	}
	warm_up();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };
	int fds;

	if (!none_page)
		LLVMFuzzerInitialize(NULL, NULL);
	install_handlers();
	memset(R.map, 0, sizeof(R.map));
	memset(R.check_map, 0, sizeof(R.check_map));
	R.last_req.valid = false;
	R.vm[0] = R.vm[1] = -1;
	for (int f = 0; f < MODEL_MAX_FILES; f++)
		R.m.file[f].live = R.m.file[f].open = false;
	for (int s = 0; s < MODEL_MAX_SLOTS; s++) {
		if (!user_used[s])
			continue;
		fill_pattern(user_mem[s], sizeof(R.m.user[s]), (uint8_t)s);
		memcpy(R.m.user[s], user_mem[s], sizeof(R.m.user[s]));
		user_used[s] = false;
	}
	R.op = -1;
	fds = count_fds(false);
	if (setup(&in)) {
		check_all();
		for (R.op = 0; R.op < MAX_OPS && in.n; R.op++) {
			uint8_t code = in8(&in), a[8];

			for (int i = 0; i < 8; i++)
				a[i] = in8(&in);
			run_op(code, a);
			check_all();
		}
	}
	R.op = -1;
	say("teardown");
	teardown();
	if (count_fds(false) != fds)
		diverge("%d fds open after the run, %d before (a leak)",
			count_fds(true), fds);
	return 0;
}
