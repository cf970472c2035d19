// SPDX-License-Identifier: MIT
/*
 * Conversions on huge folios against the legacy two-backing conversion,
 * every row with the host's touch of the pages it may use again inside
 * the clock, on both sides.
 *
 * Legacy, as in bench_legacy: a memfd the VMM maps for shared memory and
 * a second backing for private memory (the kernel's guest_memfd where it
 * has one, else a memfd), punching the side being left:
 *  - shared-to-private: punch the shared memfd, allocate the private side;
 *  - private-to-shared: punch the private side, then the host writes every
 *    page of the range again through its mapping (each a fault).
 * In place: one guest_memfd file the host maps, made with
 * GUEST_MEMFD_FLAG_HUGETLB from a tmpfs mounted huge=always (the benchmark
 * mounts its own, as root), or without the flag (4 KiB folios, for
 * comparison):
 *  - shared-to-private with PRESERVE: the host's mapping is revoked;
 *  - private-to-shared with ZERO, then the host writes every page of the
 *    range: the library zeroes the allocated pages and maps them again;
 *    on a huge folio the host's first write maps all of it at once.
 * Goals (docs/PERFORMANCE.md): 2 MiB on huge folios, shared-to-private
 * <= 0.02x legacy and private-to-shared with ZERO <= 0.05x; on 4 KiB
 * folios <= 0.10x both ways; memory held exactly 1x the guest. 1 GiB
 * ranges of 2 MiB folios, and a 1 GiB hugetlb folio where a 1 GiB page
 * can be reserved (such a file is not mapped by the host), are reported.
 */
#include <fcntl.h>
#include <sched.h>
#include <linux/falloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "bench.h"
#include "legacy_baseline.h"

#define TIME_SIZE (256 * BENCH_MIB)
#define BIG	  BENCH_GIB
#define ZERO	  KVM_SET_MEMORY_ATTRIBUTES2_ZERO
#define PRESERVE  KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define HUGE_1G	  "/sys/kernel/mm/hugepages/hugepages-1048576kB/nr_hugepages"

struct huge_mount {
	char dir[64];
	bool mounted;
};

static const char *huge_mount(struct huge_mount *m)
{
	snprintf(m->dir, sizeof(m->dir), "/tmp/gmem-bench-huge-XXXXXX");
	m->mounted = false;
	if (!mkdtemp(m->dir))
		return "no temporary directory";
	/* The mount is the benchmark's own, gone with it however it ends. */
	if (!unshare(CLONE_NEWNS))
		mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL);
	m->mounted = !mount("gmem-bench-huge", m->dir, "tmpfs", 0,
			    "huge=always,size=2G");
	if (m->mounted)
		return NULL;
	rmdir(m->dir);
	return "cannot mount a tmpfs with huge=always (needs root)";
}

static void huge_umount(struct huge_mount *m)
{
	if (!m->mounted)
		return;
	umount2(m->dir, MNT_DETACH);
	rmdir(m->dir);
}

struct inplace {
	int vm, fd;
	char *map; /* NULL: the host does not map it */
	uint64_t size;
};

/* A shared file of `size` bytes, in huge folios when `dir` is given, the
 * host's mapping populated. */
static void inplace_init(struct inplace *ip, uint64_t size, const char *dir)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .huge_source = dir ? GMEM_HUGE_TMPFS : GMEM_HUGE_NONE,
		  .huge_dir = dir);
	struct kvm_create_guest_memfd args = {
		.size = size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED |
			 (dir ? GUEST_MEMFD_FLAG_HUGETLB : 0),
	};

	ip->size = size;
	ip->vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	if (ip->vm < 0)
		bench_die("gmem_create_vm_opts");
	ip->fd = gmem_ioctl(ip->vm, KVM_CREATE_GUEST_MEMFD, &args);
	if (ip->fd < 0)
		bench_die("KVM_CREATE_GUEST_MEMFD");
	ip->map = bench_map(ip->fd, size);
	bench_populate(ip->map, size);
	/* The steady state: the library's view of the pages is warm. */
	bench_convert(ip->fd, 0, size, false, ZERO);
}

static void inplace_fini(struct inplace *ip)
{
	if (ip->map)
		gmem_munmap(ip->map, ip->size);
	gmem_close(ip->fd);
	gmem_close(ip->vm);
}

struct ctx {
	struct legacy *l;
	struct inplace *ip;
	uint64_t len, off, span;
};

static void pick(struct ctx *c)
{
	c->off = bench_rand() % (c->span / c->len) * c->len;
}

static void host_touch(struct ctx *c)
{
	if (c->ip->map)
		bench_touch(c->ip->map + c->off, c->len);
}

static double op_legacy_to_private(void *arg, unsigned int rep)
{
	struct ctx *c = arg;

	(void)rep;
	pick(c);
	return legacy_time_to_private(c->l, c->off, c->len);
}

static double op_legacy_to_shared(void *arg, unsigned int rep)
{
	struct ctx *c = arg;

	(void)rep;
	pick(c);
	return legacy_time_to_shared(c->l, c->off, c->len);
}

static double op_to_private(void *arg, unsigned int rep)
{
	struct ctx *c = arg;
	double t0, t;

	(void)rep;
	pick(c);
	t0 = bench_now();
	bench_convert(c->ip->fd, c->off, c->len, true, PRESERVE);
	t = bench_now() - t0;
	bench_convert(c->ip->fd, c->off, c->len, false, PRESERVE);
	host_touch(c);
	return t;
}

static double op_to_shared(void *arg, unsigned int rep)
{
	struct ctx *c = arg;
	double t0, t;

	(void)rep;
	pick(c);
	bench_convert(c->ip->fd, c->off, c->len, true, PRESERVE);
	t0 = bench_now();
	bench_convert(c->ip->fd, c->off, c->len, false, ZERO);
	host_touch(c);
	t = bench_now() - t0;
	return t;
}

static const char *size_name(uint64_t len)
{
	return len == BENCH_PAGE ? "4 KiB" : len == BIG ? "1 GiB" : "2 MiB";
}

static void row(struct ctx *c, bool to_private, const char *folios,
		unsigned int reps, double goal)
{
	struct bench_row r = { .backend = "memfd", .unit = BENCH_NS };
	char name[160], base[128], text[32];

	bench_pair(reps, to_private ? op_to_private : op_to_shared, c,
		   to_private ? op_legacy_to_private : op_legacy_to_shared, c,
		   &r.figure, &r.baseline);
	snprintf(name, sizeof(name), "%s %s, %s%s",
		 to_private ? "shared→private PRESERVE" : "private→shared ZERO",
		 size_name(c->len), folios,
		 c->ip->map ? ", + host touch" : ", no host mapping");
	snprintf(base, sizeof(base), "legacy (private side: %s), %s",
		 legacy_private_kind(c->l),
		 to_private ? "punch shared + allocate private"
			    : "punch private + host re-touch");
	r.name = name;
	r.baseline_name = base;
	if (goal > 0) {
		snprintf(text, sizeof(text), "≤ %.2f× legacy", goal);
		r.goal =
			(struct bench_goal){ BENCH_GOAL_RATIO_MAX, goal, text };
	}
	bench_print(&r);
}

/* The 2 MiB rows, and 4 KiB inside a folio, on one file. */
static void run_file(struct legacy *l, const char *dir, const char *folios,
		     const char *missing)
{
	struct inplace ip = { 0 };
	struct ctx c = { .l = l, .ip = &ip, .span = TIME_SIZE };
	double to_private = dir ? 0.02 : 0.10, to_shared = dir ? 0.05 : 0.10;

	if (!missing)
		inplace_init(&ip, TIME_SIZE, dir);
	bench_unmeasured(missing);
	c.len = 2 * BENCH_MIB;
	row(&c, true, folios, bench_reps(200), to_private);
	row(&c, false, folios, bench_reps(200), to_shared);
	c.len = BENCH_PAGE;
	row(&c, true, folios, bench_reps(1000), 0);
	row(&c, false, folios, bench_reps(1000), 0);
	bench_unmeasured(NULL);
	if (!missing)
		inplace_fini(&ip);
}

/* ---- 1 GiB ---- */

static void run_big_range(const char *dir, const char *missing)
{
	struct legacy l = { 0 };
	struct inplace ip = { 0 };
	struct ctx c = { .l = &l, .ip = &ip, .len = BIG, .span = BIG };

	if (!missing) {
		legacy_init(&l, BIG);
		inplace_init(&ip, BIG, dir);
	}
	bench_unmeasured(missing);
	row(&c, true, "2 MiB folios", bench_reps(10), 0);
	row(&c, false, "2 MiB folios", bench_reps(10), 0);
	bench_unmeasured(NULL);
	if (!missing) {
		inplace_fini(&ip);
		legacy_fini(&l);
	}
}

static long read_long(const char *path)
{
	FILE *f = fopen(path, "r");
	long n = -1;

	if (f) {
		if (fscanf(f, "%ld", &n) != 1)
			n = -1;
		fclose(f);
	}
	return n;
}

static bool write_long(const char *path, long n)
{
	FILE *f = fopen(path, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", n) > 0;
	return !fclose(f) && ok;
}

/* A 1 GiB hugetlb folio, reserved for the run and given back. */
static void run_gigantic(void)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .huge_source = GMEM_HUGE_MEMFD);
	struct kvm_create_guest_memfd args = {
		.size = BIG,
		.flags = GUEST_MEMFD_FLAG_HUGETLB | GUESTMEM_HUGETLB_FLAG_1GB |
			 GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	long before = read_long(HUGE_1G);
	const char *missing = NULL;
	struct legacy l = { 0 };
	struct inplace ip = { .size = BIG };
	struct ctx c = { .l = &l, .ip = &ip, .len = BIG, .span = BIG };

	if (before < 0 || !write_long(HUGE_1G, before + 1) ||
	    read_long(HUGE_1G) < before + 1)
		missing = "no 1 GiB huge page could be reserved";
	if (!missing) {
		ip.vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
		ip.fd = ip.vm < 0 ? -1
				  : gmem_ioctl(ip.vm, KVM_CREATE_GUEST_MEMFD,
					       &args);
		if (ip.fd < 0)
			bench_die("a 1 GiB hugetlb guest_memfd");
		if (gmem_fallocate(ip.fd, FALLOC_FL_KEEP_SIZE, 0, BIG))
			bench_die("gmem_fallocate");
		legacy_init(&l, BIG);
	}
	bench_unmeasured(missing);
	row(&c, true, "one 1 GiB hugetlb folio", bench_reps(10), 0);
	row(&c, false, "one 1 GiB hugetlb folio", bench_reps(10), 0);
	bench_unmeasured(NULL);
	if (!missing) {
		legacy_fini(&l);
		inplace_fini(&ip);
	}
	if (before >= 0)
		write_long(HUGE_1G, before);
}

/* ---- memory ---- */

static void run_memory(const char *dir, const char *missing)
{
	struct bench_row r = { .name = "held after the host touched every "
				       "page, 2 MiB folios",
			       .backend = "memfd",
			       .unit = BENCH_BYTES,
			       .baseline_name = "the guest's memory",
			       .goal = { BENCH_GOAL_RATIO_MAX, 1.0,
					 "exactly 1×" } };
	struct gmem_folio_layout layout = { 0 };
	struct inplace ip;
	double held = 0;

	if (!missing) {
		inplace_init(&ip, TIME_SIZE, dir);
		if (gmem_get_folio_layout(ip.fd, &layout))
			bench_die("gmem_get_folio_layout");
		held = (double)((layout.folios - layout.unallocated) *
				layout.folio_size);
		inplace_fini(&ip);
	}
	bench_unmeasured(missing);
	r.figure = (struct bench_stats){ 1, held, held, held, held, held };
	r.baseline = (struct bench_stats){ 1,	      TIME_SIZE, TIME_SIZE,
					   TIME_SIZE, TIME_SIZE, TIME_SIZE };
	bench_print(&r);
	bench_unmeasured(NULL);
	if (!missing)
		bench_note("Folio layout: %llu huge, %llu split, %llu "
			   "unallocated.",
			   (unsigned long long)layout.huge,
			   (unsigned long long)layout.split,
			   (unsigned long long)layout.unallocated);
}

int main(int argc, char **argv)
{
	struct huge_mount m = { 0 };
	const char *missing;
	struct legacy l;

	bench_init(argc, argv, "bench_huge: conversions on huge folios");
	missing = huge_mount(&m);
	legacy_init(&l, TIME_SIZE);
	bench_table("2 MiB and 4 KiB conversions, in place against legacy, "
		    "host touch counted");
	run_file(&l, missing ? NULL : m.dir, "2 MiB folios", missing);
	run_file(&l, NULL, "4 KiB folios", NULL);
	bench_note("Legacy: %s private side%s. Random aligned ranges of a "
		   "256 MiB guest; every private→shared row includes the "
		   "host's write to each page afterwards, on both sides.",
		   l.private_is_memfd ? "a memfd" : "the kernel's guest_memfd",
		   l.private_is_memfd ? " (this kernel has no guest_memfd)"
				      : "");
	legacy_fini(&l);
	bench_table("1 GiB conversions");
	run_big_range(missing ? NULL : m.dir, missing);
	run_gigantic();
	bench_table("Memory held, 256 MiB guest on 2 MiB folios");
	run_memory(missing ? NULL : m.dir, missing);
	huge_umount(&m);
	return bench_finish();
}
