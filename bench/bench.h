/* SPDX-License-Identifier: MIT */
/*
 * What every benchmark shares: a clock, repetitions, statistics (median,
 * quartiles, min and max) and one table format.
 *
 * The machines this runs on are small and noisy VMs, so no figure is
 * printed alone: each comes with a baseline measured in the same run,
 * interleaved with it rep by rep (A B B A A B ...), and the ratio of the
 * two medians. A row's ratio is always figure / baseline: 0.10 means ten
 * times faster than the baseline, 3.0 three times slower. Goals are the
 * project's performance goals (docs/PERFORMANCE.md lists them), written
 * as a bound on that ratio or on the figure itself.
 *
 * Tables are printed as Markdown, so that docs/PERFORMANCE.md can quote a
 * run as it is.
 */
#ifndef GMEM_BENCH_H
#define GMEM_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define BENCH_PAGE 4096ULL
#define BENCH_KIB  1024ULL
#define BENCH_MIB  (1024ULL * BENCH_KIB)
#define BENCH_GIB  (1024ULL * BENCH_MIB)

/* Set by bench_init(): --quick shrinks repetitions and sizes. */
extern bool bench_quick;

/* Parse the common options (--quick, --backend kvm|memfd|all); prints
 * the program's title. Unknown options exit with a usage message. */
void bench_init(int argc, char **argv, const char *title);

/* Whether the benchmark should report a backend (GMEM_BACKEND_*): asked
 * for on the command line (all by default). */
bool bench_backend_wanted(unsigned int backend);

/* Call run() with each backend bench_backend_wanted(), in the order
 * benchmarks report them. */
void bench_for_each_backend(void (*run)(unsigned int backend));

/* Why the running kernel cannot make a guest_memfd ("no /dev/kvm", "KVM
 * has no guest_memfd"), probed; NULL if it can. */
const char *bench_guest_memfd_missing(void);

/* Why a backend cannot be measured on this host ("no /dev/kvm", "KVM has
 * no guest_memfd", ...), probed; NULL if it can. */
const char *bench_backend_missing(unsigned int backend);

/*
 * Rows that cannot run here still appear: between bench_unmeasured(reason)
 * and bench_unmeasured(NULL), bench_pair() and bench_single() measure
 * nothing and bench_print() prints the row as "not measured here:
 * <reason>", counted in bench_finish()'s summary. A benchmark walks its
 * rows as usual and skips only its own set-up, where bench_measuring() is
 * false.
 */
void bench_unmeasured(const char *reason);
bool bench_measuring(void);

/* The time of CLOCK_MONOTONIC, in nanoseconds. */
double bench_now(void);

/* `full` repetitions, or a fifth of them (at least 3) with --quick. */
unsigned int bench_reps(unsigned int full);

/* Exit with a message naming `what` and errno. */
void bench_die(const char *what) __attribute__((noreturn));

/* ---- statistics ---- */

struct bench_stats {
	unsigned int n;
	double median, q1, q3, min, max;
};

/* Sorts `samples` in place. */
void bench_stats_of(double *samples, unsigned int n, struct bench_stats *s);

/* One sample. A measured operation returns its own elapsed time, so that
 * it can leave its set-up and clean-up out. */
typedef double (*bench_fn)(void *ctx, unsigned int rep);

/* Run a and b `reps` times each, interleaved (a b, b a, a b, ...), so
 * that a drift of the machine hits both alike. */
void bench_pair(unsigned int reps, bench_fn a, void *actx, bench_fn b,
		void *bctx, struct bench_stats *sa, struct bench_stats *sb);

/* Run fn `reps` times. */
void bench_single(unsigned int reps, bench_fn fn, void *ctx,
		  struct bench_stats *s);

/* ---- reporting ---- */

enum bench_unit {
	BENCH_NS,    /* a time in nanoseconds */
	BENCH_BYTES, /* an amount of memory in bytes */
	BENCH_COUNT, /* a plain number */
};

enum bench_goal_kind {
	BENCH_GOAL_NONE,      /* reported for information */
	BENCH_GOAL_RATIO_MAX, /* figure / baseline <= goal */
	BENCH_GOAL_ABS_MAX,   /* figure <= goal, in the row's unit */
};

struct bench_goal {
	enum bench_goal_kind kind;
	double bound;
	const char *text; /* as the goals file words it, short */
};

struct bench_row {
	const char *name;
	const char *backend; /* "kvm", "memfd", "-" */
	enum bench_unit unit;
	struct bench_stats figure;
	const char *baseline_name; /* NULL: no baseline */
	struct bench_stats baseline;
	struct bench_goal goal;
};

/* Start a table under a heading. */
void bench_table(const char *heading);

/* One row of the current table; returns whether the goal is met (true
 * when there is none). */
bool bench_print(const struct bench_row *row);

/* bench_print() of a row of times in nanoseconds: `figure` against
 * `baseline`, named `baseline_name`. */
void bench_print_times(const char *name, const char *backend,
		       const struct bench_stats *figure,
		       const char *baseline_name,
		       const struct bench_stats *baseline,
		       struct bench_goal goal);

/* A remark under the current table. */
void bench_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Exit status for main(): 0, since a missed goal is a finding, not an
 * error; the summary line counts them, and the rows not measured here
 * with their reasons. */
int bench_finish(void);

/* ---- fixtures on the public API ---- */

/* The backends, in the order benchmarks report them. */
extern const unsigned int bench_backends[2];

/* A KVM_X86_SW_PROTECTED_VM on `backend`. */
int bench_vm(unsigned int backend);

/* The same, with gmem_vm_opts.trusted_pointers as asked. */
int bench_vm_trusting(unsigned int backend, bool trusted_pointers);

/* A guest_memfd of `size` bytes, mappable and initially shared. */
int bench_gmem(int vm, uint64_t size);

/* KVM_SET_MEMORY_ATTRIBUTES2 on [offset, offset + size); exits on error. */
void bench_convert(int fd, uint64_t offset, uint64_t size, bool to_private,
		   uint64_t mode);

/* gmem_mmap() of the whole file, read-write, shared. */
char *bench_map(int fd, uint64_t size);

/* Fault every page of [p, p + len) in for writing. */
void bench_populate(char *p, uint64_t len);

/* Write one byte to each page of [p, p + len): a fault per page that is
 * not mapped yet. */
void bench_touch(char *p, uint64_t len);

/* The library's identity check of a descriptor: the fstat system call. */
void bench_identity_check(int fd);

/* The library's checked copies, as it makes them: the copy file's
 * identity (lseek(SEEK_CUR) reads back its offset), then pwrite(2) into a
 * page of the memfd and a read through its mapping (in); a write into the
 * mapping and pread(2) (out). */
void bench_copy_in(void *dst, const void *src, size_t len);
void bench_copy_out(void *dst, const void *src, size_t len);

/* What every gmem_ioctl() does before its work, as the library does it:
 * the fd's identity (bench_identity_check()), and the copy of a struct
 * kvm_memory_attributes2: bench_copy_in(), or, with trusted_pointers,
 * memcpy. A floor to compare a call with. */
void bench_call_floor(int fd, bool trusted_pointers);

/* `len` bytes of `fd` mapped with the flags of the library's host
 * mappings and of the sources it remaps from: MAP_SHARED, MAP_NORESERVE,
 * MADV_DONTFORK, MADV_DONTDUMP. */
char *bench_map_like_library(int fd, uint64_t len);

/* What the library does to remap [addr, addr + len) (revoke: an empty
 * file over it; restore: the file again), as system calls made directly:
 * the PROCMAP_QUERY of the range it owns, and mremap(2) with an old size
 * of 0 from `source`, a bench_map_like_library() mapping of the file at
 * the same offset. */
void bench_remap(void *addr, uint64_t len, const char *source);

/* A pseudo-random 64-bit number (xorshift64*), deterministic per run. */
uint64_t bench_rand(void);

/* The starts of n ranges over [0, npages) at random offsets: 0, then
 * n - 1 distinct random boundaries, sorted. Free with free(). */
uint64_t *bench_boundaries(uint64_t npages, size_t n);

/* Give a file of npages pages n ranges of alternating attributes at the
 * boundaries `starts` (shared first), by converting every other range to
 * private in address order, as a guest would. */
void bench_fill_ranges(int fd, uint64_t npages, const uint64_t *starts,
		       size_t n);

#endif
