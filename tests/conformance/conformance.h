// SPDX-License-Identifier: MIT
/*
 * The conformance suite's case table and the helpers the cases share.
 *
 * A case runs against one driver and writes its outcome as a short string
 * ("-1 EINVAL", "fd", "0", "mapped", "ok 0x5a", "SIGBUS", ...). The same
 * case run through every driver must give the same string, and that string
 * must be the case's expectation, taken from docs/SEMANTICS.md.
 */
#ifndef CONFORMANCE_H
#define CONFORMANCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gmem/uapi.h>

#include "driver.h"

#define PAGE	4096UL
#define OUT_LEN 128

struct outcome {
	char s[OUT_LEN];
};

/* What one case holds open; env_cleanup() releases all of it. */
#define ENV_MAX 16

struct env_map {
	void *addr;
	size_t len;
	bool raw; /* plain mmap(), not the driver's */
};

struct env {
	const struct driver *d;
	int fds[ENV_MAX]; /* closed with the driver's close() */
	int nfds;
	int rawfds[ENV_MAX]; /* memfds etc.: closed with close() */
	int nrawfds;
	struct env_map maps[ENV_MAX];
	int nmaps;
};

struct conf_case;
typedef void case_fn(struct env *e, const struct conf_case *c,
		     struct outcome *o);
typedef long file_op_fn(int fd);

/*
 * One row of the table. The parameters are a superset; each runner says
 * which it reads.
 */
struct conf_case {
	const char *name;
	const char *rule;   /* its rule in docs/SEMANTICS.md */
	const char *expect; /* the kernel's answer */
	/* Where the v6+ generation of the series answers otherwise (the
	 * "/v6" ways): its answer; NULL where both agree. */
	const char *expect_v6;
	case_fn *run;
	uint64_t size;	   /* guest_memfd size */
	uint64_t gflags;   /* guest_memfd flags */
	int64_t off;	   /* file offset */
	int64_t len;	   /* length */
	int mode;	   /* fallocate mode, mmap prot */
	int mflags;	   /* mmap flags */
	unsigned long arg; /* VM type, capability, ... */
	file_op_fn *op;	   /* a plain file operation */
	const void *data;  /* a runner's own table */
	/*
	 * A way (driver name, without the "/v6" of its generation) the
	 * library does not promise this behaviour on, and why; that way is
	 * reported as "n/a" and not compared.
	 */
	const char *unpromised_way;
	const char *unpromised_why;
	/* The kernel makes this case's objects without guest_memfd: the
	 * kernel way runs live wherever /dev/kvm opens. */
	bool kernel_kvm_only;
};

struct case_group {
	const char *name;
	const struct conf_case *cases;
	size_t n;
};

extern const struct case_group group_vm;
extern const struct case_group group_create;
extern const struct case_group group_fileops;
extern const struct case_group group_mmap;
extern const struct case_group group_fallocate;
extern const struct case_group group_memslot;
extern const struct case_group group_fds;
extern const struct case_group group_descriptors;
extern const struct case_group group_fork;
extern const struct case_group group_series;

/* ---- outcomes (util.c) ---- */
const char *errname(int err);
void out_set(struct outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Append ", <text>" (or "<text>" to an empty outcome). */
void out_add(struct outcome *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/*
 * These read errno on entry, so pass the call itself:
 * out_ret(o, fallocate(...)) reports the errno that fallocate() left.
 */
/* "-1 ENAME" for a failure, else the value in decimal. */
void out_ret(struct outcome *o, long ret);
/* "-1 ENAME" for a failure, else "fd". */
void out_fd(struct outcome *o, long ret);
/* "MAP_FAILED ENAME" or "mapped". */
void out_map(struct outcome *o, const void *p);
/* A step the case needed failed: "<what>: -1 ENAME" (errno). */
void out_setup(struct outcome *o, const char *what);

#define NEED(o, cond, what)                                                    \
	do {                                                                   \
		if (!(cond)) {                                                 \
			out_setup((o), (what));                                \
			return;                                                \
		}                                                              \
	} while (0)

/* ---- resources of one case (util.c) ---- */
void env_init(struct env *e, const struct driver *d);
void env_cleanup(struct env *e);
int env_track(struct env *e, int fd);
int env_track_raw(struct env *e, int fd);
int env_close(struct env *e, int fd);
/* A default VM (type 0). */
int env_vm(struct env *e);
/* KVM_CREATE_GUEST_MEMFD on vm: the fd, or -1 with errno. */
int env_gmem(struct env *e, int vm, uint64_t size, uint64_t flags);
/* A fresh default VM and a guest_memfd on it. */
int env_vm_gmem(struct env *e, uint64_t size, uint64_t flags, int *vm);
void *env_mmap(struct env *e, size_t len, int prot, int flags, int fd,
	       off_t off);
int env_munmap(struct env *e, void *addr);
/* An anonymous page-aligned mapping, the same kind in every way. */
void *env_anon(struct env *e, size_t len);
/* A memfd of len bytes, closed at cleanup. */
int env_memfd(struct env *e, size_t len);
/* An fd number that is certainly not open. */
int closed_fd(void);
/* An address where nothing is mapped. */
void *bad_pointer(void);

/* ---- touching memory (util.c) ---- */
/* 0 if the access completed, else the signal (SIGBUS, SIGSEGV). */
int touch_read(const volatile uint8_t *p, uint8_t *val);
int touch_write(volatile uint8_t *p, uint8_t val);
/* Append "ok 0xNN" or the signal's name. */
void out_read(struct outcome *o, const void *p);
/* Append "ok" or the signal's name. */
void out_write(struct outcome *o, void *p, uint8_t val);

/*
 * A sweep runs one call per item (a flag bit, a reserved word) and reports
 * "all <outcome>", or the common outcome and the items that gave another.
 */
struct sweep {
	struct outcome first;
	char odd[OUT_LEN];
	int nodd;
};

void sweep_note(struct sweep *s, int item, const struct outcome *one);
void sweep_out(struct outcome *o, const struct sweep *s);

/* ---- misc (util.c) ---- */
int count_fds(void);

#endif /* CONFORMANCE_H */
