/* SPDX-License-Identifier: MIT */
/*
 * What a guest program has: a console, the conversion hypercall, the test
 * device that asks the host to act, and checks that count failures. Guest
 * programs are freestanding 32-bit code with no libc; on our development
 * machines every instruction runs on KVM's instruction emulator (about a
 * microsecond each, more with a memory operand), so keep loops short.
 *
 * A program defines guest_main(), which runs on every vCPU and returns 0
 * to pass; a failed gvm_expect() makes the vCPU fail whatever it returns.
 *
 * A program that also runs as gmem-vm's software guest (built with
 * GVM_SOFTWARE, into the VMM) touches memory only through the gvm_
 * functions, never by address.
 */
#ifndef GVM_GUEST_H
#define GVM_GUEST_H

#include <stdarg.h>
#ifdef GVM_SOFTWARE
#include <errno.h> /* Linux's numbers, which the hypercall returns */
#include <signal.h>
#endif

#include "../abi.h"

typedef unsigned char u8;
typedef unsigned short u16;
typedef unsigned int u32;

#ifndef GVM_SOFTWARE
/* Linux's numbers, for the -errno the hypercall returns. */
#define EPERM	   1
#define EIO	   5
#define EAGAIN	   11
#define ENOMEM	   12
#define EACCES	   13
#define EFAULT	   14
#define EINVAL	   22
#define ENOSYS	   38
#define EOPNOTSUPP 95
#define SIGBUS	   7
#endif

/* The VM types the VMM may model (EDI at entry). */
#define GVM_VM_SW_PROTECTED 1
#define GVM_VM_PKVM	    0x80000000u

struct gvm_boot {
	u32 nr_vcpus;
	u32 ram_size;
	u32 transport; /* GVM_TRANSPORT_* */
	u32 vm_type;   /* GVM_VM_* */
	u32 arg;       /* the VMM's argument for the program, or 0 */
};
extern struct gvm_boot gvm_boot;

int guest_main(u32 cpu);

/* ---- console ---- */
void gvm_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *gvm_errname(int err);

/* ---- checks: print "ok: ..." or "FAIL: ...", count failures ---- */
int gvm_expect(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* ---- the conversion hypercall (KVM_HC_MAP_GPA_RANGE) ---- */
struct gvm_hc_result {
	int ret;	  /* 0 or -errno */
	u32 error_offset; /* guest_memfd offset, after EAGAIN/EOPNOTSUPP/ENOMEM
			   */
	u32 error_gpa;	  /* the same place as a guest physical address */
};

/* Ask for [gpa, gpa + npages pages) to become private or shared, expecting
 * content mode `mode` (GVM_MODE_*). Returns res->ret. */
int gvm_map_gpa_range(u32 gpa, u32 npages, int to_private, u32 mode,
		      struct gvm_hc_result *res);

/* ---- the test device ---- */
u32 gvm_testdev(u32 cmd, u32 a, u32 b, u32 c);
int gvm_host_convert(u32 gpa, u32 npages, int to_private, u32 mode,
		     struct gvm_hc_result *res);

/* ---- memory, by guest physical address ---- */
void gvm_read(u32 gpa, void *buf, u32 len);
void gvm_write(u32 gpa, const void *buf, u32 len);
void gvm_fill(u32 gpa, u32 len, u8 byte);
void gvm_fill_pattern(u32 gpa, u32 len, u32 seed);
/* The number of bytes that differ. */
u32 gvm_count_not_byte(u32 gpa, u32 len, u8 byte);
u32 gvm_count_not_pattern(u32 gpa, u32 len, u32 seed);

#ifndef GVM_SOFTWARE
/* On the real machine RAM is identity-mapped: an address is a pointer. */
static inline volatile u8 *gvm_ptr(u32 gpa)
{
	return (volatile u8 *)gpa;
}

/* gcc may call these even in freestanding code. */
void *memset(void *s, int c, unsigned int n);
void *memcpy(void *d, const void *s, unsigned int n);
#endif

#endif /* GVM_GUEST_H */
