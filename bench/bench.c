// SPDX-License-Identifier: MIT
/*
 * The benchmarks' shared helpers: clock, repetitions, statistics, the
 * Markdown table, and the VM and guest_memfd fixtures every benchmark of
 * the public API starts from.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#include <gmem/gmem.h>

#include "bench.h"

bool bench_quick;
static unsigned int wanted_backends = ~0u; /* bit per GMEM_BACKEND_* */
static unsigned int rows, goals, goals_met;

/* The rows not measured here, counted by reason (static strings). */
#define UNMEASURED_REASONS 8
static const char *unmeasured_reason; /* set: rows are not measured */
static struct {
	const char *reason;
	unsigned int rows;
} unmeasured[UNMEASURED_REASONS];

const unsigned int bench_backends[2] = { GMEM_BACKEND_KVM, GMEM_BACKEND_MEMFD };

static void __attribute__((noreturn)) usage(const char *prog)
{
	fprintf(stderr, "usage: %s [--quick] [--backend kvm|memfd|all]\n",
		prog);
	exit(2);
}

static unsigned int backend_mask(const char *name, const char *prog)
{
	if (!strcmp(name, "kvm"))
		return 1u << GMEM_BACKEND_KVM;
	if (!strcmp(name, "memfd"))
		return 1u << GMEM_BACKEND_MEMFD;
	if (!strcmp(name, "all"))
		return ~0u;
	usage(prog);
}

void bench_init(int argc, char **argv, const char *title)
{
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--quick"))
			bench_quick = true;
		else if (!strcmp(argv[i], "--backend") && i + 1 < argc)
			wanted_backends = backend_mask(argv[++i], argv[0]);
		else
			usage(argv[0]);
	}
	printf("# %s%s\n", title, bench_quick ? " (--quick)" : "");
	fflush(stdout);
}

bool bench_backend_wanted(unsigned int backend)
{
	return wanted_backends & (1u << backend);
}

void bench_for_each_backend(void (*run)(unsigned int backend))
{
	for (size_t i = 0; i < 2; i++)
		if (bench_backend_wanted(bench_backends[i]))
			run(bench_backends[i]);
}

const char *bench_guest_memfd_missing(void)
{
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	int has;

	if (kvm < 0)
		return "no /dev/kvm";
	has = ioctl(kvm, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD);
	close(kvm);
	return has > 0 ? NULL : "KVM has no guest_memfd";
}

/* The kvm backend needs a guest_memfd the host may map and that can
 * start shared. */
const char *bench_backend_missing(unsigned int backend)
{
	const char *why;

	if (backend != GMEM_BACKEND_KVM || gmem_kvm_backend_available())
		return NULL;
	why = bench_guest_memfd_missing();
	return why ? why
		   : "guest_memfd without GUEST_MEMFD_FLAG_MMAP and "
		     "INIT_SHARED";
}

void bench_unmeasured(const char *reason)
{
	unmeasured_reason = reason;
}

bool bench_measuring(void)
{
	return !unmeasured_reason;
}

double bench_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

unsigned int bench_reps(unsigned int full)
{
	unsigned int quick = full / 5;

	if (!bench_quick)
		return full;
	return quick < 3 ? (full < 3 ? full : 3) : quick;
}

void bench_die(const char *what)
{
	fprintf(stderr, "bench: %s: %s\n", what, strerror(errno));
	exit(1);
}

/* ---- statistics ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The q-quantile of sorted samples, interpolating between neighbours. */
static double quantile(const double *sorted, unsigned int n, double q)
{
	double pos = q * (n - 1);
	unsigned int lo = (unsigned int)pos;

	if (lo + 1 >= n)
		return sorted[n - 1];
	return sorted[lo] + (pos - lo) * (sorted[lo + 1] - sorted[lo]);
}

void bench_stats_of(double *samples, unsigned int n, struct bench_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (!n)
		return;
	qsort(samples, n, sizeof(*samples), cmp_double);
	s->n = n;
	s->min = samples[0];
	s->max = samples[n - 1];
	s->median = quantile(samples, n, 0.5);
	s->q1 = quantile(samples, n, 0.25);
	s->q3 = quantile(samples, n, 0.75);
}

static double *samples_alloc(unsigned int reps)
{
	double *s = calloc(reps ? reps : 1, sizeof(*s));

	if (!s)
		bench_die("calloc");
	return s;
}

void bench_pair(unsigned int reps, bench_fn a, void *actx, bench_fn b,
		void *bctx, struct bench_stats *sa, struct bench_stats *sb)
{
	double *xa, *xb;

	if (!bench_measuring()) {
		*sa = *sb = (struct bench_stats){ 0 };
		return;
	}
	xa = samples_alloc(reps);
	xb = samples_alloc(reps);
	for (unsigned int i = 0; i < reps; i++) {
		if (i & 1) {
			xb[i] = b(bctx, i);
			xa[i] = a(actx, i);
		} else {
			xa[i] = a(actx, i);
			xb[i] = b(bctx, i);
		}
	}
	bench_stats_of(xa, reps, sa);
	bench_stats_of(xb, reps, sb);
	free(xa);
	free(xb);
}

void bench_single(unsigned int reps, bench_fn fn, void *ctx,
		  struct bench_stats *s)
{
	double *x;

	if (!bench_measuring()) {
		*s = (struct bench_stats){ 0 };
		return;
	}
	x = samples_alloc(reps);
	for (unsigned int i = 0; i < reps; i++)
		x[i] = fn(ctx, i);
	bench_stats_of(x, reps, s);
	free(x);
}

/* ---- reporting ---- */

static void fmt_time(char *buf, size_t len, double ns)
{
	if (ns < 100)
		snprintf(buf, len, "%.1f ns", ns);
	else if (ns < 1e3)
		snprintf(buf, len, "%.0f ns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3g µs", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3g ms", ns / 1e6);
	else
		snprintf(buf, len, "%.3g s", ns / 1e9);
}

static void fmt_bytes(char *buf, size_t len, double b)
{
	if (b < 1024)
		snprintf(buf, len, "%.3g B", b);
	else if (b < BENCH_MIB)
		snprintf(buf, len, "%.3g KiB", b / BENCH_KIB);
	else if (b < BENCH_GIB)
		snprintf(buf, len, "%.3g MiB", b / BENCH_MIB);
	else
		snprintf(buf, len, "%.3g GiB", b / BENCH_GIB);
}

static void fmt_value(char *buf, size_t len, enum bench_unit unit, double v)
{
	switch (unit) {
	case BENCH_NS:
		fmt_time(buf, len, v);
		break;
	case BENCH_BYTES:
		fmt_bytes(buf, len, v);
		break;
	default:
		snprintf(buf, len, "%.3g", v);
	}
}

static void fmt_ratio(char *buf, size_t len, double r)
{
	snprintf(buf, len, r < 0.1 ? "%.3f×" : r < 10 ? "%.2f×" : "%.0f×", r);
}

static void fmt_spread(char *buf, size_t len, enum bench_unit unit,
		       const struct bench_stats *s)
{
	char lo[32], hi[32];

	fmt_value(lo, sizeof(lo), unit, s->min);
	fmt_value(hi, sizeof(hi), unit, s->max);
	snprintf(buf, len, "%s – %s", lo, hi);
}

void bench_table(const char *heading)
{
	printf("\n## %s\n\n", heading);
	printf("| benchmark | backend | figure (median) | spread (min – max) "
	       "| baseline | baseline (median) | ratio | goal | met |\n");
	printf("|---|---|---|---|---|---|---|---|---|\n");
	fflush(stdout);
}

static double row_ratio(const struct bench_row *row)
{
	if (!row->baseline_name || row->baseline.median <= 0)
		return -1;
	return row->figure.median / row->baseline.median;
}

static bool goal_met(const struct bench_row *row, double ratio)
{
	switch (row->goal.kind) {
	case BENCH_GOAL_RATIO_MAX:
		return ratio >= 0 && ratio <= row->goal.bound;
	case BENCH_GOAL_ABS_MAX:
		return row->figure.median <= row->goal.bound;
	default:
		return true;
	}
}

static const char *met_text(const struct bench_row *row, bool met)
{
	if (row->goal.kind == BENCH_GOAL_NONE)
		return "–";
	return met ? "yes" : "**no**";
}

static void unmeasured_count(const char *reason)
{
	for (unsigned int i = 0; i < UNMEASURED_REASONS; i++) {
		if (!unmeasured[i].reason || unmeasured[i].reason == reason ||
		    !strcmp(unmeasured[i].reason, reason)) {
			unmeasured[i].reason = reason;
			unmeasured[i].rows++;
			return;
		}
	}
}

/* The row as it would be, with the reason in place of the figures. */
static void print_unmeasured(const struct bench_row *row)
{
	printf("| %s | %s | not measured here: %s | – | %s | – | – | %s | – "
	       "|\n",
	       row->name, row->backend, unmeasured_reason,
	       row->baseline_name ? row->baseline_name : "–",
	       row->goal.text ? row->goal.text : "–");
	fflush(stdout);
	unmeasured_count(unmeasured_reason);
}

bool bench_print(const struct bench_row *row)
{
	char fig[32], spread[80], base[32] = "–", ratio[32] = "–";
	double r = row_ratio(row);
	bool met = goal_met(row, r);

	if (!bench_measuring()) {
		print_unmeasured(row);
		return true;
	}
	fmt_value(fig, sizeof(fig), row->unit, row->figure.median);
	fmt_spread(spread, sizeof(spread), row->unit, &row->figure);
	if (row->baseline_name)
		fmt_value(base, sizeof(base), row->unit, row->baseline.median);
	if (r >= 0)
		fmt_ratio(ratio, sizeof(ratio), r);
	printf("| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", row->name,
	       row->backend, fig, spread,
	       row->baseline_name ? row->baseline_name : "–", base, ratio,
	       row->goal.text ? row->goal.text : "–", met_text(row, met));
	fflush(stdout);
	rows++;
	if (row->goal.kind != BENCH_GOAL_NONE) {
		goals++;
		goals_met += met;
	}
	return met;
}

void bench_print_times(const char *name, const char *backend,
		       const struct bench_stats *figure,
		       const char *baseline_name,
		       const struct bench_stats *baseline,
		       struct bench_goal goal)
{
	struct bench_row r = { .name = name,
			       .backend = backend,
			       .unit = BENCH_NS,
			       .figure = *figure,
			       .baseline_name = baseline_name,
			       .baseline = *baseline,
			       .goal = goal };

	bench_print(&r);
}

void bench_note(const char *fmt, ...)
{
	va_list ap;

	printf("\n");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	fflush(stdout);
}

int bench_finish(void)
{
	unsigned int not_here = 0;

	for (unsigned int i = 0; i < UNMEASURED_REASONS; i++)
		not_here += unmeasured[i].rows;
	printf("\n%u rows measured, %u goals: %u met, %u missed; %u rows not "
	       "measured here\n",
	       rows, goals, goals_met, goals - goals_met, not_here);
	for (unsigned int i = 0; i < UNMEASURED_REASONS && unmeasured[i].rows;
	     i++)
		printf("not measured here: %s (%u row%s)\n",
		       unmeasured[i].reason, unmeasured[i].rows,
		       unmeasured[i].rows == 1 ? "" : "s");
	return 0;
}

/* ---- fixtures ---- */

int bench_vm(unsigned int backend)
{
	return bench_vm_trusting(backend, false);
}

int bench_vm_trusting(unsigned int backend, bool trusted_pointers)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = backend,
		  .trusted_pointers = trusted_pointers);
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);

	if (vm < 0)
		bench_die("gmem_create_vm_opts");
	return vm;
}

int bench_gmem(int vm, uint64_t size)
{
	struct kvm_create_guest_memfd args = {
		.size = size,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);

	if (fd < 0)
		bench_die("KVM_CREATE_GUEST_MEMFD");
	return fd;
}

void bench_convert(int fd, uint64_t offset, uint64_t size, bool to_private,
		   uint64_t mode)
{
	struct kvm_memory_attributes2 a = {
		.offset = offset,
		.size = size,
		.attributes = to_private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
		.flags = mode,
	};

	if (gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a))
		bench_die("KVM_SET_MEMORY_ATTRIBUTES2");
}

char *bench_map(int fd, uint64_t size)
{
	char *p = gmem_mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    0);

	if (p == MAP_FAILED)
		bench_die("gmem_mmap");
	return p;
}

void bench_populate(char *p, uint64_t len)
{
	if (madvise(p, len, MADV_POPULATE_WRITE))
		bench_touch(p, len);
}

void bench_touch(char *p, uint64_t len)
{
	for (uint64_t i = 0; i < len; i += BENCH_PAGE)
		((volatile char *)p)[i] = 1;
}

/* A page of a memfd of its own, mapped, as the library's copies use. */
static void copy_page(int *fd, char **map)
{
	static int page_fd = -1;
	static char *page_map;

	if (page_fd < 0) {
		page_fd = memfd_create("bench-copy", MFD_CLOEXEC);
		if (page_fd < 0 || ftruncate(page_fd, BENCH_PAGE))
			bench_die("copy_page");
		page_map = mmap(NULL, BENCH_PAGE, PROT_READ | PROT_WRITE,
				MAP_SHARED, page_fd, 0);
		if (page_map == MAP_FAILED)
			bench_die("copy_page");
	}
	*fd = page_fd;
	*map = page_map;
}

void bench_copy_in(void *dst, const void *src, size_t len)
{
	char *map;
	int fd;

	copy_page(&fd, &map);
	if (lseek(fd, 0, SEEK_CUR) < 0 ||
	    pwrite(fd, src, len, 0) != (ssize_t)len)
		bench_die("bench_copy_in");
	memcpy(dst, map, len);
}

void bench_copy_out(void *dst, const void *src, size_t len)
{
	char *map;
	int fd;

	copy_page(&fd, &map);
	memcpy(map, src, len);
	if (lseek(fd, 0, SEEK_CUR) < 0 ||
	    pread(fd, dst, len, 0) != (ssize_t)len)
		bench_die("bench_copy_out");
}

void bench_identity_check(int fd)
{
	struct stat st;

#ifdef SYS_fstat
	if (syscall(SYS_fstat, fd, &st))
#else
	if (fstat(fd, &st))
#endif
		bench_die("fstat");
}

#ifndef PROCMAP_QUERY
/* include/uapi/linux/fs.h of Linux 6.11, for older C library headers. */
struct procmap_query {
	uint64_t size, query_flags, query_addr, vma_start, vma_end, vma_flags;
	uint64_t vma_page_size, vma_offset, inode;
	uint32_t dev_major, dev_minor, vma_name_size, build_id_size;
	uint64_t vma_name_addr, build_id_addr;
};
#define PROCMAP_QUERY			   _IOWR('f', 17, struct procmap_query)
#define PROCMAP_QUERY_COVERING_OR_NEXT_VMA 0x10
#endif

char *bench_map_like_library(int fd, uint64_t len)
{
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_NORESERVE, fd, 0);

	if (p == MAP_FAILED || madvise(p, len, MADV_DONTFORK) ||
	    madvise(p, len, MADV_DONTDUMP))
		bench_die("bench_map_like_library");
	return p;
}

void bench_remap(void *addr, uint64_t len, const char *source)
{
	static int maps = -1;
	struct procmap_query q = {
		.size = sizeof(q),
		.query_flags = PROCMAP_QUERY_COVERING_OR_NEXT_VMA,
		.query_addr = (uintptr_t)addr,
	};

	if (maps < 0)
		maps = open("/proc/self/maps", O_RDONLY | O_CLOEXEC);
	if (maps >= 0)
		ioctl(maps, PROCMAP_QUERY, &q);
	if (mremap((void *)source, 0, len, MREMAP_MAYMOVE | MREMAP_FIXED,
		   addr) == MAP_FAILED)
		bench_die("bench_remap");
}

void bench_call_floor(int fd, bool trusted_pointers)
{
	static struct kvm_memory_attributes2 src, dst;

	bench_identity_check(fd);
	if (trusted_pointers) {
		memcpy(&dst, &src, sizeof(dst));
		__asm__ volatile("" ::: "memory");
	} else {
		bench_copy_in(&dst, &src, sizeof(dst));
	}
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

uint64_t *bench_boundaries(uint64_t npages, size_t n)
{
	size_t draw = n + n / 4 + 8, k = 1;
	uint64_t *s = calloc(draw, sizeof(*s));

	if (!s)
		bench_die("calloc");
	for (size_t i = 1; i < draw; i++)
		s[i] = 1 + bench_rand() % (npages - 1);
	qsort(s + 1, draw - 1, sizeof(*s), cmp_u64);
	for (size_t i = 1; i < draw && k < n; i++)
		if (s[i] != s[k - 1])
			s[k++] = s[i];
	if (k < n) {
		errno = ERANGE;
		bench_die("bench_boundaries");
	}
	return s;
}

void bench_fill_ranges(int fd, uint64_t npages, const uint64_t *starts,
		       size_t n)
{
	for (size_t i = 1; i < n; i += 2) {
		uint64_t end = i + 1 < n ? starts[i + 1] : npages;

		bench_convert(fd, starts[i] * BENCH_PAGE,
			      (end - starts[i]) * BENCH_PAGE, true,
			      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE);
	}
}

uint64_t bench_rand(void)
{
	static uint64_t x = 0x9e3779b97f4a7c15ULL;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	return x * 0x2545f4914f6cdd1dULL;
}
