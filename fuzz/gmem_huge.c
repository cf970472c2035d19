// SPDX-License-Identifier: MIT
/*
 * Description: fuzz target for huge folios (R112, R113): a guest_memfd of
 * two 2 MiB folios from a tmpfs mounted huge=always, mapped by the host,
 * driven by conversions of any page range, fallocate() and punches
 * aligned or not to a folio (inside one: EINVAL), host reads and writes,
 * pins and the folio layout query, against a model written from
 * docs/SEMANTICS.md and the man pages: per page its attribute, its pins,
 * whether it holds memory, and the byte every one of its bytes holds (or
 * "unknown" after a scrambling conversion, learnt at the next read); per
 * folio whether it holds memory whole (huge) or page by page (the host
 * first touched it through a mapping split by mixed attributes, until a
 * conversion makes it uniform and the library merges it). After every
 * operation the library's validators run, one of which checks that a
 * uniform folio is mapped huge again.
 *
 * Mounting the tmpfs needs root: elsewhere the target exits 77 (skip).
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "input.h"
#include "validate.h"

#define PAGE	    4096ULL
#define FOLIO_PAGES 512ULL
#define FOLIOS	    2ULL
#define NPAGES	    (FOLIO_PAGES * FOLIOS)
#define SIZE	    (NPAGES * PAGE)
#define UNKNOWN	    (-1)
#define PUNCH	    (FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE)

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

enum folio_state { FOLIO_NONE, FOLIO_HUGE, FOLIO_SMALL };

struct model {
	bool private[NPAGES];
	int value[NPAGES]; /* the byte at every offset of the page */
	unsigned int pins[NPAGES];
	bool has_memory[NPAGES];
	enum folio_state folio[FOLIOS];
};

static char mount_dir[64];
static bool trace;

#define fail(...)                                                              \
	do {                                                                   \
		fprintf(stderr, "gmem_huge: " __VA_ARGS__);                    \
		fprintf(stderr, "\n");                                         \
		abort();                                                       \
	} while (0)

static void unmount_dir(void)
{
	umount2(mount_dir, MNT_DETACH);
	rmdir(mount_dir);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	trace = getenv("GMEM_FUZZ_TRACE") != NULL;
	snprintf(mount_dir, sizeof(mount_dir), "/tmp/gmem-fuzz-huge-XXXXXX");
	if (!mkdtemp(mount_dir))
		fail("mkdtemp: %s", strerror(errno));
	/* The mount is the process's own: a divergence aborts without
	 * unmounting, and the mount goes with the process. */
	if (!unshare(CLONE_NEWNS))
		mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL);
	if (mount("gmem-fuzz-huge", mount_dir, "tmpfs", 0,
		  "huge=always,size=64M")) {
		rmdir(mount_dir);
		fprintf(stderr, "gmem_huge: skipped: cannot mount a tmpfs "
				"with huge=always (needs root)\n");
		printf("skipped: cannot mount a tmpfs with huge=always "
		       "(needs root)\n");
		exit(77);
	}
	atexit(unmount_dir);
	return 0;
}

/* ---- the host's touches, with SIGBUS caught ---- */

static sigjmp_buf bus_env;

static void on_bus(int sig)
{
	siglongjmp(bus_env, sig);
}

/* Read (value < 0) or write one byte: the byte read, 0 written, or -1
 * for SIGBUS. */
static int host_access(volatile char *p, int value)
{
	struct sigaction sa = { .sa_handler = on_bus }, old;
	int ret;

	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_env, 1))
		ret = -1;
	else if (value >= 0)
		ret = (*p = (char)value, 0);
	else
		ret = (unsigned char)*p;
	sigaction(SIGBUS, &old, NULL);
	return ret;
}

/* ---- the model's predictions ---- */

static bool folio_uniform(const struct model *m, uint64_t folio)
{
	const bool *p = &m->private[folio * FOLIO_PAGES];

	for (uint64_t i = 1; i < FOLIO_PAGES; i++)
		if (p[i] != p[0])
			return false;
	return true;
}

static void folio_fill(struct model *m, uint64_t folio, enum folio_state state)
{
	m->folio[folio] = state;
	for (uint64_t i = 0; i < FOLIO_PAGES; i++)
		m->has_memory[folio * FOLIO_PAGES + i] = state != FOLIO_NONE;
}

/* Page p gets memory: a folio without any gets a huge one, unless the
 * access goes through the host's mapping split by mixed attributes. */
static void page_fault(struct model *m, uint64_t p, bool through_host)
{
	uint64_t folio = p / FOLIO_PAGES;

	if (m->folio[folio] == FOLIO_NONE &&
	    (!through_host || folio_uniform(m, folio))) {
		folio_fill(m, folio, FOLIO_HUGE);
		return;
	}
	if (m->folio[folio] == FOLIO_NONE)
		m->folio[folio] = FOLIO_SMALL;
	m->has_memory[p] = true;
}

/* The first page of [first, end) a pin makes busy, or end. */
static uint64_t first_busy(const struct model *m, uint64_t first, uint64_t end)
{
	for (uint64_t p = first; p < end; p++)
		if (m->pins[p] && m->has_memory[p])
			return p;
	return end;
}

static void model_mode(struct model *m, uint64_t first, uint64_t end,
		       uint64_t mode)
{
	for (uint64_t p = first; p < end; p++) {
		if (!m->has_memory[p])
			continue;
		if (mode == KVM_SET_MEMORY_ATTRIBUTES2_ZERO)
			m->value[p] = 0;
		else if (!mode)
			m->value[p] = UNKNOWN; /* scrambled */
	}
}

/* ---- operations ---- */

static void op_convert(struct model *m, int fd, struct input *in)
{
	static const uint64_t modes[] = { 0,
					  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
					  KVM_SET_MEMORY_ATTRIBUTES2_ZERO };
	uint64_t first = (in64(in) % NPAGES), len = 1 + in8(in) % 4;
	uint64_t mode = modes[in8(in) % 3];
	bool to_private = in8(in) & 1;
	struct kvm_memory_attributes2 a = { 0 };
	bool mixed[FOLIOS] = { false };
	uint64_t end, busy = NPAGES;
	int ret, err;

	/* Mostly small ranges, sometimes a folio or more. */
	if (len == 4)
		len = FOLIO_PAGES * (1 + in8(in) % 2);
	if (len > NPAGES - first)
		len = NPAGES - first;
	end = first + len;
	a = (struct kvm_memory_attributes2){
		.offset = first * PAGE,
		.size = len * PAGE,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};
	ret = gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
	err = ret ? errno : 0;
	if (trace)
		fprintf(stderr, "convert [%lu, %lu) %s mode %lu: %d\n", first,
			end, to_private ? "private" : "shared", mode, err);
	if (to_private && mode == KVM_SET_MEMORY_ATTRIBUTES2_ZERO) {
		if (err != EOPNOTSUPP)
			fail("ZERO to private: %d, not EOPNOTSUPP", err);
		return;
	}
	if (to_private)
		busy = first_busy(m, first, end);
	if (busy < end) {
		bool same = true;

		for (uint64_t p = first; p < end; p++)
			same &= m->private[p];
		if (!same && (err != EAGAIN || a.error_offset != busy * PAGE))
			fail("pinned page %lu: %d at %llx", busy, err,
			     (unsigned long long)a.error_offset);
		if (!same)
			return;
	}
	if (err)
		fail("convert [%lu, %lu): %s", first, end, strerror(err));
	for (uint64_t f = first / FOLIO_PAGES; f * FOLIO_PAGES < end; f++)
		mixed[f] = !folio_uniform(m, f);
	model_mode(m, first, end, mode);
	for (uint64_t p = first; p < end; p++)
		m->private[p] = to_private;
	/* Uniform again: 4 KiB pages merged into a huge folio. */
	for (uint64_t f = first / FOLIO_PAGES; f * FOLIO_PAGES < end; f++)
		if (mixed[f] && folio_uniform(m, f) &&
		    m->folio[f] != FOLIO_NONE)
			folio_fill(m, f, FOLIO_HUGE);
}

static void op_fallocate(struct model *m, int fd, struct input *in)
{
	bool punch = in8(in) & 1, aligned = in8(in) % 4;
	uint64_t folio = in8(in) % FOLIOS;
	uint64_t off = folio * FOLIO_PAGES * PAGE, len = FOLIO_PAGES * PAGE;
	int ret;

	if (!aligned) {
		/* Inside a folio: the series allocates and punches whole
		 * ones only. */
		off += (1 + in8(in) % (FOLIO_PAGES - 1)) * PAGE;
		len = PAGE;
	}
	ret = gmem_fallocate(fd, punch ? PUNCH : FALLOC_FL_KEEP_SIZE,
			     (off_t)off, (off_t)len);
	if (trace)
		fprintf(stderr, "%s %#lx +%#lx: %d\n",
			punch ? "punch" : "allocate", off, len,
			ret ? errno : 0);
	if (!aligned) {
		if (ret != -1 || errno != EINVAL)
			fail("fallocate inside a folio: not EINVAL");
		return;
	}
	if (ret)
		fail("fallocate: %s", strerror(errno));
	if (punch) {
		folio_fill(m, folio, FOLIO_NONE);
		for (uint64_t p = 0; p < FOLIO_PAGES; p++)
			m->value[folio * FOLIO_PAGES + p] = 0;
	} else {
		/* Holes of a folio held page by page stay 4 KiB pages. */
		folio_fill(m, folio,
			   m->folio[folio] == FOLIO_NONE ? FOLIO_HUGE
							 : m->folio[folio]);
	}
}

static void op_host(struct model *m, char *map, struct input *in)
{
	uint64_t p = in64(in) % NPAGES;
	bool write = in8(in) & 1;
	int value = in8(in), got;

	got = host_access(map + p * PAGE + value % PAGE, write ? value : -1);
	if (trace)
		fprintf(stderr, "host %s page %lu: %d\n",
			write ? "write" : "read", p, got);
	if (m->private[p]) {
		if (got != -1)
			fail("page %lu is private, the host got %d", p, got);
		return;
	}
	if (got == -1)
		fail("page %lu is shared, the host got SIGBUS", p);
	if (write) {
		/* The whole page, so that every byte is known again. */
		memset(map + p * PAGE, value, PAGE);
		m->value[p] = value;
	} else if (m->value[p] == UNKNOWN) {
		m->value[p] = got;
		for (uint64_t i = 0; i < PAGE; i++)
			if ((unsigned char)map[p * PAGE + i] != got)
				m->value[p] = UNKNOWN;
	} else if (got != m->value[p]) {
		fail("page %lu reads %#x, not %#x", p, got, m->value[p]);
	}
	page_fault(m, p, true);
}

static void op_pin(struct model *m, int fd, struct input *in)
{
	uint64_t p = in64(in) % NPAGES;
	bool unpin = (in8(in) & 1) && m->pins[p];
	int ret = unpin ? gmem_unpin(fd, p * PAGE, PAGE)
			: gmem_pin(fd, p * PAGE, PAGE);

	if (trace)
		fprintf(stderr, "%s page %lu: %d\n", unpin ? "unpin" : "pin", p,
			ret ? errno : 0);
	/* A private page cannot be faulted in to be pinned. */
	if (!unpin && m->private[p]) {
		if (ret != -1 || errno != EFAULT)
			fail("pin of private page %lu: not EFAULT", p);
		return;
	}
	if (ret)
		fail("pin: %s", strerror(errno));
	if (unpin) {
		m->pins[p]--;
	} else {
		m->pins[p]++;
		page_fault(m, p, false);
	}
}

static void check_layout(const struct model *m, int fd)
{
	struct gmem_folio_layout l;
	uint64_t huge = 0, split = 0, unallocated = 0;

	if (gmem_get_folio_layout(fd, &l))
		fail("gmem_get_folio_layout: %s", strerror(errno));
	for (uint64_t f = 0; f < FOLIOS; f++) {
		if (m->folio[f] == FOLIO_NONE)
			unallocated++;
		else if (folio_uniform(m, f))
			huge++;
		else
			split++;
	}
	if (l.folio_size != FOLIO_PAGES * PAGE || l.folios != FOLIOS ||
	    l.huge != huge || l.split != split || l.unallocated != unallocated)
		fail("layout %lu huge %lu split %lu unallocated, model %lu %lu "
		     "%lu",
		     (unsigned long)l.huge, (unsigned long)l.split,
		     (unsigned long)l.unallocated, huge, split, unallocated);
}

static void validate(int fd)
{
	char why[160];

	if (fuzz_validate_file(fd, why, sizeof(why)))
		fail("validator: %s", why);
}

static int huge_file(int vm)
{
	struct kvm_create_guest_memfd args = {
		.size = SIZE,
		.flags = GUEST_MEMFD_FLAG_HUGETLB | GUEST_MEMFD_FLAG_MMAP |
			 GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);

	if (fd < 0)
		fail("KVM_CREATE_GUEST_MEMFD: %s", strerror(errno));
	return fd;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .huge_source = GMEM_HUGE_TMPFS, .huge_dir = mount_dir);
	struct input in = { data, size };
	static struct model m;
	int vm, fd;
	char *map;

	memset(&m, 0, sizeof(m));
	vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	if (vm < 0)
		fail("gmem_create_vm_opts: %s", strerror(errno));
	fd = huge_file(vm);
	map = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		fail("gmem_mmap: %s", strerror(errno));
	for (unsigned int step = 0; in.n && step < 64; step++) {
		switch (in8(&in) % 5) {
		case 0:
			op_convert(&m, fd, &in);
			break;
		case 1:
			op_fallocate(&m, fd, &in);
			break;
		case 2:
			op_pin(&m, fd, &in);
			break;
		default:
			op_host(&m, map, &in);
			break;
		}
		validate(fd);
		check_layout(&m, fd);
	}
	gmem_munmap(map, SIZE);
	gmem_close(fd);
	gmem_close(vm);
	return 0;
}
