// SPDX-License-Identifier: MIT
/*
 * Description: the kernel-differential fuzz target. Where /dev/kvm can
 * make VMs, an input decodes into a sequence of up to 48 calls issued the
 * same way to a real KVM VM of the default type and its guest_memfd files,
 * through the kernel, and to a library VM (memfd or kvm backend) and its
 * files, through libgmem: KVM_CREATE_GUEST_MEMFD with every kind of size,
 * flags and reserved words; KVM_SET_USER_MEMORY_REGION2 with random slots,
 * flags, addresses, sizes, offsets, padding and descriptors (files of the
 * pair, closed, a pipe, the VM itself); fallocate, mmap and the plain file
 * calls (read, write, pread, pwrite, lseek, ftruncate, fsync, fstat) on
 * the files. Where /dev/kvm exists the library and the kernel must agree,
 * case by case (docs/SEMANTICS.md, "How the library answers"); here they
 * must agree on every return value and errno. The kernel's guest_memfd
 * must be the one the library mirrors (with MMAP and INIT_SHARED, Linux
 * 6.18+); on any other host the target exits 77 at start, saying what the
 * host lacks.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "host_probe.h"
#include "input.h"
#include "kernel_tape.h"

#define PAGE	   4096ULL
#define MAX_OPS	   48
#define NFILES	   3
#define UMEM_PAGES 16

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* One side: the kernel's objects or the library's. */
struct side {
	const char *name;
	int vm;
	int file[NFILES];
};

static struct side K = { .name = "kernel" }, L = { .name = "library" };
static int dev_kvm = -1;
static bool trace;
static int op_index;
static uint8_t *umem; /* userspace memory for plain memslots */
static int pipe_fd[2];

static bool keep_going, diverged, strict, memfd_backend;

/*
 * Differences already reported (docs/FUZZING.md), accepted while they are
 * open so that fuzzing goes on past them; GMEM_FUZZ_STRICT=1 refuses them.
 * The first is the kernel's own bug: there the library is right.
 */
enum quirk {
	NONE = 0,
	/* Linux 6.18: KVM_SET_USER_MEMORY_REGION2 accepts a guest_memfd
	 * range whose offset + size overflows loff_t (kvm_gmem_bind()). */
	KERNEL_BIND_OVERFLOW,
	/* gmem_mmap() checks guest_memfd's rules before mmap(2)'s own
	 * checks of the length, the offset and MAP_SHARED_VALIDATE's
	 * flags. */
	MMAP_ORDER,
	/* gmem_mmap() applies guest_memfd's rules to MAP_ANONYMOUS. */
	MMAP_ANONYMOUS,
	/* fchmod(2) succeeds on a memfd-backend descriptor (R12). */
	MEMFD_FCHMOD,
	/* The memfd backend accepts a memslot past the host's largest
	 * guest physical address. */
	MEMFD_MAX_GPA,
	/* The library lets an existing plain slot gain or lose
	 * KVM_MEM_READONLY; the kernel refuses (kvm_set_memory_region()). */
	READONLY_FLIP,
};

/* The slots the kernel's VM has, to tell a change from a creation. */
#define NSLOTS 8
static struct {
	bool present;
	uint32_t id;
	uint32_t flags;
} slots[NSLOTS];

static int find_slot(uint32_t id)
{
	for (int i = 0; i < NSLOTS; i++)
		if (slots[i].present && slots[i].id == id)
			return i;
	return -1;
}

/* Record what a successful KVM_SET_USER_MEMORY_REGION2 did. */
static void note_slot(const struct kvm_userspace_memory_region2 *r)
{
	int i = find_slot(r->slot);

	if (i < 0) {
		for (i = 0; i < NSLOTS && slots[i].present; i++)
			;
		if (i == NSLOTS)
			return;
	}
	slots[i].present = r->memory_size != 0;
	slots[i].id = r->slot;
	slots[i].flags = r->flags;
}

static void __attribute__((format(printf, 1, 2))) diverge(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "\ngmem_kernel: DIVERGENCE at op %d\n  ", op_index);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	/* A survey of a corpus: the first divergence of each input (after
	 * it the two sides differ anyway). */
	if (!keep_going)
		abort();
	diverged = true;
}

static struct answer answer_of(long ret)
{
	return (struct answer){ ret, ret == -1 ? errno : 0 };
}

static struct answer replayed(void)
{
	struct answer a = { -1, EIO };

	if (!tape_next(op_index, &a))
		diverge("the recorded kernel made no such call here");
	return a;
}

/* The kernel's answer to `call` (a syscall expression): made and noted
 * live, or read back from the recording without being made. */
#define KERNEL(call)                                                           \
	(tape_replaying() ? replayed() : tape_note(op_index, answer_of(call)))

/* The errors of mmap(2)'s argument checks and guest_memfd's. */
static bool mmap_check_errno(int err)
{
	return err == ENOMEM || err == EOVERFLOW || err == EINVAL ||
	       err == ENODEV || err == EPERM || err == EOPNOTSUPP;
}

/* Whether this difference is the one a known quirk explains. */
static bool quirk_explains(enum quirk q, struct answer k, struct answer l)
{
	switch (q) {
	case KERNEL_BIND_OVERFLOW:
		return k.ret == 0 && l.ret == -1 && l.err == EINVAL;
	case MMAP_ORDER:
		return k.ret == -1 && l.ret == -1 && mmap_check_errno(k.err) &&
		       mmap_check_errno(l.err);
	case MMAP_ANONYMOUS:
		return true;
	case MEMFD_FCHMOD:
	case MEMFD_MAX_GPA:
		return memfd_backend && k.ret == -1 && k.err == EINVAL &&
		       l.ret == 0;
	case READONLY_FLIP:
		return k.ret == -1 && k.err == EINVAL && l.ret == 0;
	default:
		return false;
	}
}

/* The kernel's answer against the library's; fds: any descriptor
 * counts as the same answer. */
static void compare_q(const char *what, struct answer k, struct answer l,
		      bool fds, enum quirk q)
{
	bool same = fds ? (k.ret >= 0) == (l.ret >= 0) : k.ret == l.ret;

	if (trace)
		fprintf(stderr, "op %2d: %s: kernel %ld/%d library %ld/%d\n",
			op_index, what, k.ret, k.err, l.ret, l.err);
	if (same && (k.ret != -1 || k.err == l.err))
		return;
	if (!strict && q != NONE && quirk_explains(q, k, l))
		return;
	diverge("%s: kernel %ld (%s), library %ld (%s)", what, k.ret,
		k.ret == -1 ? strerrorname_np(k.err) : "", l.ret,
		l.ret == -1 ? strerrorname_np(l.err) : "");
}

static void compare(const char *what, struct answer k, struct answer l,
		    bool fds)
{
	compare_q(what, k, l, fds, NONE);
}

/* ---- input ---- */

/* A size or offset: mostly small multiples of a page, then the edges. */
static uint64_t pick_size(struct input *in)
{
	uint8_t sel = in8(in);
	uint64_t k = in8(in) % 20;

	switch (sel % 12) {
	case 0:
		return 0;
	case 1:
		return k * PAGE + 1 + in8(in) % (PAGE - 1);
	case 2:
		return 1ULL << 40;
	case 3:
		return (uint64_t)-PAGE;
	case 4:
		return 1ULL << 63;
	case 5:
		return (1ULL << 63) - PAGE;
	case 6:
		return (uint64_t)INT64_MAX;
	case 7:
		return in64(in);
	default:
		return k * PAGE;
	}
}

/* A descriptor for the memslot's guest_memfd field, the same kind on
 * both sides. */
static void pick_fd(struct input *in, int *k, int *l)
{
	uint8_t sel = in8(in);

	switch (sel % 8) {
	case 0:
		*k = *l = -1;
		break;
	case 1:
		*k = *l = 1000;
		break; /* not open */
	case 2:
		*k = *l = pipe_fd[0];
		break;
	case 3:
		*k = K.vm, *l = L.vm;
		break;
	default:
		*k = K.file[sel % NFILES];
		*l = L.file[sel % NFILES];
		break;
	}
}

/* ---- operations ---- */

static void op_create(struct input *in)
{
	static const uint64_t flags[] = {
		0,
		GUEST_MEMFD_FLAG_MMAP,
		GUEST_MEMFD_FLAG_INIT_SHARED,
		GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	struct kvm_create_guest_memfd c = { .size = pick_size(in) };
	uint8_t f = in8(in), slot = in8(in) % NFILES;
	struct answer k, l;
	char what[128];

	c.flags = f < 0xe0   ? flags[f % 4]
		  : f < 0xf0 ? 1ULL << (f % 64)
			     : in64(in);
	if (in8(in) & 1)
		c.reserved[in8(in) % 6] = in64(in); /* never checked (R4) */
	k = KERNEL(ioctl(K.vm, KVM_CREATE_GUEST_MEMFD, &c));
	l = answer_of(gmem_ioctl(L.vm, KVM_CREATE_GUEST_MEMFD, &c));
	snprintf(what, sizeof(what),
		 "KVM_CREATE_GUEST_MEMFD(size %#llx flags %#llx) as file %d",
		 (unsigned long long)c.size, (unsigned long long)c.flags, slot);
	compare(what, k, l, true);
	if (k.ret < 0)
		return;
	/* Keep the pair in a free place, or close it. */
	if (K.file[slot] < 0 && c.size <= 64 * PAGE) {
		K.file[slot] = (int)k.ret;
		L.file[slot] = (int)l.ret;
		return;
	}
	if (!tape_replaying())
		close((int)k.ret);
	gmem_close((int)l.ret);
}

static uint64_t pick_uaddr(struct input *in)
{
	switch (in8(in) % 6) {
	case 0:
		return (uint64_t)(uintptr_t)umem;
	case 1:
		return (uint64_t)(uintptr_t)umem + PAGE * (in8(in) % 8);
	case 2:
		return (uint64_t)(uintptr_t)umem + 1;
	case 3:
		return 0xffff800000000000ULL;
	case 4:
		return in64(in) & ~(PAGE - 1);
	default:
		return 0;
	}
}

static enum quirk region_quirk(const struct kvm_userspace_memory_region2 *r)
{
	int i = find_slot(r->slot);

	if (i >= 0 && r->memory_size &&
	    !(slots[i].flags & KVM_MEM_GUEST_MEMFD) &&
	    ((r->flags ^ slots[i].flags) & KVM_MEM_READONLY))
		return READONLY_FLIP;
	if ((r->flags & KVM_MEM_GUEST_MEMFD) &&
	    r->guest_memfd_offset + r->memory_size > (uint64_t)INT64_MAX)
		return KERNEL_BIND_OVERFLOW;
	if (r->guest_phys_addr + r->memory_size > 1ULL << 40)
		return MEMFD_MAX_GPA;
	return NONE;
}

static void op_region(struct input *in)
{
	static const uint32_t flags[] = {
		KVM_MEM_GUEST_MEMFD,
		KVM_MEM_GUEST_MEMFD,
		0,
		KVM_MEM_GUEST_MEMFD | KVM_MEM_LOG_DIRTY_PAGES,
		KVM_MEM_GUEST_MEMFD | KVM_MEM_READONLY,
		KVM_MEM_LOG_DIRTY_PAGES,
		KVM_MEM_READONLY,
	};
	struct kvm_userspace_memory_region2 r = { 0 };
	uint8_t s = in8(in), f = in8(in), g = in8(in);
	struct kvm_userspace_memory_region2 rk, rl;
	struct answer k, l;
	char what[200];
	enum quirk q;
	int fk, fl;

	/* Slots 0-3; the last ones and past them (KVM_USER_MEM_SLOTS is
	 * 32764); anything, address-space bits included. */
	r.slot = s < 0xf0   ? s % 4u
		 : s < 0xf8 ? 32762u + s % 4u
			    : (uint32_t)in64(in);
	r.flags = f < 0xf0 ? flags[f % 7] : (uint32_t)in64(in);
	r.guest_phys_addr = g < 0xf0 ? (g % 16) * 16 * PAGE : pick_size(in);
	r.memory_size = pick_size(in) % (in8(in) & 1 ? UINT64_MAX : 17 * PAGE);
	/* A real slot of a GiB or more costs the kernel seconds and much
	 * memory for its metadata; past KVM_MEM_MAX_NR_PAGES (2^43 bytes)
	 * it is refused at once, which is worth keeping. */
	if (r.memory_size > (64ULL << 20) && r.memory_size < (1ULL << 43))
		r.memory_size = 64ULL << 20;
	r.userspace_addr = pick_uaddr(in);
	r.guest_memfd_offset =
		pick_size(in) % (in8(in) & 1 ? UINT64_MAX : 8 * PAGE);
	if (in8(in) == 0xff)
		r.pad1 = (uint32_t)in64(in); /* not checked (R34) */
	if (in8(in) == 0xff)
		r.pad2[in8(in) % 14] = in64(in);
	pick_fd(in, &fk, &fl);
	rk = rl = r;
	rk.guest_memfd = (uint32_t)fk;
	rl.guest_memfd = (uint32_t)fl;
	snprintf(what, sizeof(what),
		 "KVM_SET_USER_MEMORY_REGION2(slot %#x flags %#x gpa %#llx "
		 "size %#llx uaddr %#llx fd %d off %#llx pad %d)",
		 r.slot, r.flags, (unsigned long long)r.guest_phys_addr,
		 (unsigned long long)r.memory_size,
		 (unsigned long long)r.userspace_addr, fk,
		 (unsigned long long)r.guest_memfd_offset,
		 r.pad1 || memcmp(r.pad2, (uint64_t[14]){ 0 }, sizeof(r.pad2)));
	q = region_quirk(&r);
	/* A known difference that would leave the two VMs with different
	 * slots is not made, except in strict mode. */
	if (!strict &&
	    ((q == MEMFD_MAX_GPA && memfd_backend) || q == READONLY_FLIP))
		return;
	k = KERNEL(ioctl(K.vm, KVM_SET_USER_MEMORY_REGION2, &rk));
	l = answer_of(gmem_ioctl(L.vm, KVM_SET_USER_MEMORY_REGION2, &rl));
	compare_q(what, k, l, false, q);
	if (k.ret == 0)
		note_slot(&rk);
	/* The kernel made a slot it should have refused: take it away. */
	if (q == KERNEL_BIND_OVERFLOW && k.ret == 0 && l.ret == -1) {
		rk.memory_size = 0;
		KERNEL(ioctl(K.vm, KVM_SET_USER_MEMORY_REGION2, &rk));
	}
}

static void op_fallocate(struct input *in)
{
	static const int modes[] = {
		FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
		0,
		FALLOC_FL_PUNCH_HOLE,
		FALLOC_FL_KEEP_SIZE | FALLOC_FL_ZERO_RANGE,
		FALLOC_FL_COLLAPSE_RANGE,
		FALLOC_FL_INSERT_RANGE,
		FALLOC_FL_UNSHARE_RANGE,
	};
	uint8_t i = in8(in) % NFILES, m = in8(in);
	int mode = m < 0xf0 ? modes[m % 8] : (int)in64(in);
	off_t off = (off_t)pick_size(in), len = (off_t)pick_size(in);

	compare("fallocate", KERNEL(fallocate(K.file[i], mode, off, len)),
		answer_of(gmem_fallocate(L.file[i], mode, off, len)), false);
}

/* mmap flags that can neither clobber the process's own mappings nor
 * make the kernel fill (populate, lock) a huge anonymous range. */
static int safe_flags(int flags, size_t len)
{
	flags &= ~(MAP_FIXED | MAP_FIXED_NOREPLACE | MAP_GROWSDOWN);
	if (len > 32 * PAGE)
		flags &= ~(MAP_POPULATE | MAP_LOCKED);
	return flags;
}

/* 0 if the kernel maps it (and the mapping is gone again), else -1. */
static long kernel_mmap(size_t len, int prot, int flags, int fd, off_t off)
{
	void *p = mmap(NULL, len, prot, flags, fd, off);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, len);
	return 0;
}

static void op_mmap(struct input *in)
{
	static const int prots[] = { PROT_READ, PROT_READ | PROT_WRITE,
				     PROT_NONE, PROT_READ | PROT_EXEC,
				     PROT_WRITE };
	static const int flags[] = { MAP_SHARED,
				     MAP_SHARED_VALIDATE,
				     MAP_PRIVATE,
				     0,
				     MAP_SHARED | MAP_ANONYMOUS,
				     MAP_SHARED | MAP_POPULATE };
	uint8_t i = in8(in) % NFILES, p = in8(in), f = in8(in);
	size_t len = pick_size(in) % (in8(in) & 1 ? SIZE_MAX : 32 * PAGE);
	off_t off =
		(off_t)(pick_size(in) % (in8(in) & 1 ? UINT64_MAX : 32 * PAGE));
	int prot = p < 0xf0 ? prots[p % 5] : (int)in64(in);
	int fl = safe_flags(f < 0xf0 ? flags[f % 6] : (int)in64(in), len);
	struct answer k = KERNEL(kernel_mmap(len, prot, fl, K.file[i], off));
	void *ml = gmem_mmap(NULL, len, prot, fl, L.file[i], off);
	struct answer l = { ml == MAP_FAILED ? -1 : 0, errno };

	char what[128];

	if (ml != MAP_FAILED)
		gmem_munmap(ml, len);
	snprintf(what, sizeof(what),
		 "mmap(len %#zx, prot %#x, flags %#x, "
		 "file %d, off %#llx)",
		 len, prot, fl, i, (unsigned long long)off);
	compare_q(what, k, l, false,
		  fl & MAP_ANONYMOUS ? MMAP_ANONYMOUS : MMAP_ORDER);
}

/* fstat, with the fields the kernel gave (noted, or read back). */
static struct answer kernel_fstat(int kf, struct stat *st)
{
	struct answer k = KERNEL(fstat(kf, st));

	if (k.ret)
		return k;
	if (!tape_replaying())
		tape_note_stat(op_index, st);
	else if (!tape_next_stat(op_index, st))
		diverge("the recorded kernel gave no fstat fields here");
	return k;
}

/* The plain file calls, which a VMM makes on the descriptor itself. */
static void op_fileop(struct input *in)
{
	uint8_t i = in8(in) % NFILES, which = in8(in);
	size_t len = in8(in);
	off_t off = (off_t)pick_size(in);
	char buf[256] = { 0 };
	struct stat sk, sl;
	struct answer k;
	int kf = K.file[i], lf = L.file[i];

	switch (which % 10) {
	case 0:
		compare("read", KERNEL(read(kf, buf, len)),
			answer_of(read(lf, buf, len)), false);
		break;
	case 1:
		compare("write", KERNEL(write(kf, buf, len)),
			answer_of(write(lf, buf, len)), false);
		break;
	case 2:
		compare("pread", KERNEL(pread(kf, buf, len, off)),
			answer_of(pread(lf, buf, len, off)), false);
		break;
	case 3:
		compare("pwrite", KERNEL(pwrite(kf, buf, len, off)),
			answer_of(pwrite(lf, buf, len, off)), false);
		break;
	case 4:
		compare("lseek", KERNEL(lseek(kf, off, (int)len % 6)),
			answer_of(lseek(lf, off, (int)len % 6)), false);
		break;
	case 5:
		compare("ftruncate", KERNEL(ftruncate(kf, off)),
			answer_of(gmem_ftruncate(lf, off)), false);
		break;
	case 6:
		compare("fsync", KERNEL(fsync(kf)), answer_of(fsync(lf)),
			false);
		break;
	case 7:
		/* Known: it would change the memfd stand-in's mode. */
		if (!strict && memfd_backend)
			break;
		compare_q("fchmod", KERNEL(fchmod(kf, 0644)),
			  answer_of(fchmod(lf, 0644)), false, MEMFD_FCHMOD);
		break;
	default:
		k = kernel_fstat(kf, &sk);
		compare("fstat", k, answer_of(fstat(lf, &sl)), false);
		if (k.ret == 0 && !fstat(lf, &sl) &&
		    (sk.st_size != sl.st_size || sk.st_mode != sl.st_mode ||
		     sk.st_blksize != sl.st_blksize ||
		     sk.st_blocks != sl.st_blocks))
			diverge("fstat: kernel size %lld mode %o blksize %ld "
				"blocks %lld, library %lld %o %ld %lld",
				(long long)sk.st_size, sk.st_mode,
				(long)sk.st_blksize, (long long)sk.st_blocks,
				(long long)sl.st_size, sl.st_mode,
				(long)sl.st_blksize, (long long)sl.st_blocks);
		break;
	}
}

/* ---- one run ---- */

/* An input's first byte picks the library VM's backend. */
static bool wants_kvm_backend(uint8_t first)
{
	return (first & 7) == 7;
}

static bool setup(struct input *in)
{
	/* GMEM_OPTS: padding too must be zero (E2BIG otherwise). */
	GMEM_OPTS(gmem_vm_opts, o,
		  .backend = wants_kvm_backend(in8(in)) ? GMEM_BACKEND_KVM
							: GMEM_BACKEND_MEMFD);

	memfd_backend = o.backend == GMEM_BACKEND_MEMFD;
	K.vm = (int)KERNEL(ioctl(dev_kvm, KVM_CREATE_VM, 0)).ret;
	if (K.vm < 0)
		return false;
	L.vm = gmem_create_vm_opts(KVM_X86_DEFAULT_VM, &o);
	if (L.vm < 0) {
		diverge("the library cannot make a VM: %s",
			strerrorname_np(errno));
		if (!tape_replaying())
			close(K.vm);
		K.vm = -1;
		return false;
	}
	for (int i = 0; i < NFILES; i++)
		K.file[i] = L.file[i] = -1;
	memset(slots, 0, sizeof(slots));
	return true;
}

/* Replaying, the kernel's descriptors are recorded numbers, not open. */
static void teardown(void)
{
	bool live = !tape_replaying();

	for (int i = 0; i < NFILES; i++) {
		if (K.file[i] >= 0) {
			if (live)
				close(K.file[i]);
			gmem_close(L.file[i]);
		}
	}
	if (K.vm >= 0) {
		if (live)
			close(K.vm);
		gmem_close(L.vm);
	}
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int status;

	(void)argc;
	(void)argv;
	trace = getenv("GMEM_FUZZ_TRACE") != NULL;
	keep_going = getenv("GMEM_FUZZ_KEEP_GOING") != NULL;
	strict = getenv("GMEM_FUZZ_STRICT") != NULL;
	status = tape_open(host_lacks(HOST_GMEM_MMAP));
	if (status)
		exit(status);
	if (tape_replaying())
		atexit(tape_summary);
	else
		dev_kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	umem = mmap(NULL, UMEM_PAGES * PAGE, PROT_READ | PROT_WRITE,
		    MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (umem == MAP_FAILED || pipe(pipe_fd))
		abort();
	gmem_kvm_backend_available();
	return 0;
}

/* Replaying, every recorded answer must have been asked for. */
static void end_input(void)
{
	const char *wrong = tape_end();

	if (wrong && !diverged)
		diverge("%s", wrong);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = { data, size };

	if (!umem)
		LLVMFuzzerInitialize(NULL, NULL);
	/* A recording made with the kvm backend cannot be replayed where
	 * the library has none. */
	if (!tape_begin(data, size,
			!tape_replaying() ||
				!wants_kvm_backend(size ? data[0] : 0) ||
				gmem_kvm_backend_available()))
		return 0;
	K.vm = L.vm = -1;
	op_index = -1;
	diverged = false;
	if (setup(&in)) {
		for (op_index = 0; op_index < MAX_OPS && in.n && !diverged;
		     op_index++) {
			switch (in8(&in) % 5) {
			case 0:
				op_create(&in);
				break;
			case 1:
				op_region(&in);
				break;
			case 2:
				op_fallocate(&in);
				break;
			case 3:
				op_mmap(&in);
				break;
			default:
				op_fileop(&in);
				break;
			}
		}
	}
	end_input();
	teardown();
	return 0;
}
