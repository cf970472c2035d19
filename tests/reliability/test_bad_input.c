// SPDX-License-Identifier: MIT
/*
 * Description: the bad-input sweep. Every public entry point of gmem.h is
 * called with descriptors of every kind (-1, closed, huge, a pipe,
 * /dev/null, a memfd, a socket, an eventfd, a directory, an O_PATH
 * descriptor, a regular file, the real /dev/kvm and a real KVM VM, and the
 * library's own system, VM and guest_memfd descriptors used where another
 * kind is wanted), with NULL, unreadable (PROT_NONE), read-only and
 * page-straddling pointers, with oversized and wrapping sizes, and with
 * garbage flags and request numbers. Each call must fail the way the
 * kernel would: where a syscall stands behind the entry point (ioctl,
 * mmap, fallocate, ftruncate, munmap, close) the answer is compared with
 * the kernel's own on the same descriptor, or on its real counterpart (a
 * real VM fd, /dev/kvm, a real guest_memfd) where the kernel's guest_memfd
 * is the one the library mirrors (MMAP and INIT_SHARED); on other hosts
 * with the answers recorded from such a kernel (--answers FILE,
 * tests/lib/answers.h; --record FILE appends this kernel's instead);
 * elsewhere with the man pages. Nothing may crash, no descriptor may leak
 * (/proc/self/fd is counted before and after), and the guest_memfd used
 * throughout must end exactly as it started.
 */
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <dirent.h>
#include <unistd.h>
#include <cmocka.h>

#include "answers.h"
#include "host_probe.h"
#include "testutil.h"

#define GPA	      0x40000000ULL
#define NPAGES	      4
#define SIZE	      (NPAGES * PAGE)
#define UNBOUND	      (GPA + 64 * PAGE)
#define KERNEL_ANSWER (-1000) /* want: whatever the kernel answers */
#define ANY_FD	      (-1001) /* want: a new descriptor */

/* What a call must return: ret, and errno when ret is -1. */
struct want {
	long ret;
	int err;
};

#define OK(r)  ((struct want){ .ret = (r) })
#define ERR(e) ((struct want){ .ret = -1, .err = (e) })
#define KERNEL ((struct want){ .ret = KERNEL_ANSWER })
#define NEWFD  ((struct want){ .ret = ANY_FD })

/* The library's objects, and the kernel's where /dev/kvm exists. */
static struct {
	int sys, vm, gmem, vm_kvm, gmem_kvm;
	int dev_kvm, kvm_vm, kvm_gmem; /* the kernel's own, or -1 */
	/* Whether the kernel's guest_memfd is the one the library mirrors
	 * (with MMAP and INIT_SHARED), so that its answers are the ones the
	 * library must give; NULL if so, else what the kernel lacks. */
	const char *kernel_lacks;
	struct answers *recorded; /* what stands in for it, or NULL */
	FILE *record;		  /* --record: where its answers go */
	int not_compared;	  /* rows nobody could answer */
	int pipe;      /* the read end of a pipe, its write end closed */
	uint8_t *none; /* PROT_NONE */
	uint8_t *ro;   /* PROT_READ */
	uint8_t *edge; /* RW page followed by a PROT_NONE one */
	int mismatches;
} C;

/* ---- reporting ---- */

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	assert_non_null(d);
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static const char *show(long ret, int err, char *buf, size_t len)
{
	if (ret == -1)
		snprintf(buf, len, "-1/%s",
			 strerrorname_np(err) ? strerrorname_np(err) : "?");
	else
		snprintf(buf, len, "%ld", ret);
	return buf;
}

/* One row: the call's ret/errno against what it must be. */
static void row(const char *what, long ret, int err, struct want w)
{
	char got[48], exp[48];
	bool ok;

	if (w.ret == KERNEL_ANSWER) { /* no kernel here to answer it */
		C.not_compared++;
		return;
	}
	if (w.ret == ANY_FD)
		ok = ret >= 0;
	else
		ok = ret == w.ret && (ret != -1 || err == w.err);
	if (w.ret == ANY_FD && ret >= 0)
		gmem_close((int)ret);
	if (ok)
		return;
	C.mismatches++;
	print_error("MISMATCH %-58s got %-14s want %s\n", what,
		    show(ret, err, got, sizeof(got)),
		    w.ret == ANY_FD ? "a new fd"
				    : show(w.ret, w.err, exp, sizeof(exp)));
}

/* The call first, then errno: never both as arguments of one call. */
#define ROW(what, call, want)                                                  \
	do {                                                                   \
		long ret_;                                                     \
		errno = 0;                                                     \
		ret_ = (long)(call);                                           \
		row((what), ret_, errno, (want));                              \
	} while (0)

/* ---- the kernel's answers: asked, recorded, or read back ---- */

static void want_text(struct want w, char *buf, size_t len)
{
	if (w.ret == ANY_FD)
		snprintf(buf, len, "fd");
	else if (w.ret == -1)
		snprintf(buf, len, "-1 %s", strerrorname_np(w.err) ?: "?");
	else
		snprintf(buf, len, "%ld", w.ret);
}

static int errno_named(const char *name)
{
	for (int e = 1; e < 4096; e++)
		if (strerrorname_np(e) && !strcmp(strerrorname_np(e), name))
			return e;
	return 0;
}

/* A recorded answer ("fd", "-1 ENAME", a number); KERNEL if none. */
static struct want recorded_want(const char *key)
{
	const char *s =
		C.recorded ? answers_get(C.recorded, "bad-input", key) : NULL;
	char *end;
	long v;

	if (!s)
		return KERNEL;
	if (!strcmp(s, "fd"))
		return NEWFD;
	if (!strncmp(s, "-1 ", 3) && errno_named(s + 3))
		return ERR(errno_named(s + 3));
	v = strtol(s, &end, 0);
	return *end ? KERNEL : OK(v);
}

/* This kernel's answer, appended to the recording if one is made. */
static struct want noted(const char *key, struct want w)
{
	char text[48];

	if (C.record) {
		want_text(w, text, sizeof(text));
		answers_put(C.record, "bad-input", key, text);
	}
	return w;
}

/* The kernel's answer for `key`: `live` where this kernel's guest_memfd is
 * the one the library mirrors (live is evaluated only there), else the
 * recorded one. */
#define KERNEL_SAYS(key, live)                                                 \
	(C.kernel_lacks ? recorded_want(key) : noted((key), (live)))

static void finish(void)
{
	int n = C.mismatches;

	if (C.not_compared)
		print_message("%d rows not compared: %s, and no recorded "
			      "answer\n",
			      C.not_compared, C.kernel_lacks);
	C.mismatches = C.not_compared = 0;
	assert_int_equal(n, 0);
}

/* ---- descriptors of every kind ---- */

enum fd_class { INVALID, FOREIGN, FOREIGN_KVM, SYSTEM, VM, GMEM };

struct fd_kind {
	const char *name;
	enum fd_class class;
	int fd;
};

/* A descriptor number that is closed and stays so: the highest one the
 * process may have, which nothing here reaches. */
static int closed_fd(void)
{
	struct rlimit rl;
	int fd;

	assert_int_equal(getrlimit(RLIMIT_NOFILE, &rl), 0);
	fd = (int)(rl.rlim_cur > 4096 ? 4096 : rl.rlim_cur) - 1;
	while (fcntl(fd, F_GETFD) != -1)
		fd--;
	return fd;
}

static int nkinds;
static struct fd_kind kinds[24];

static void add_kind(const char *name, enum fd_class class, int fd)
{
	if (fd == -1 && class != INVALID)
		return; /* not available here */
	kinds[nkinds++] = (struct fd_kind){ name, class, fd };
}

static void open_kinds(void)
{
	int p[2], sv[2];

	assert_int_equal(pipe(p), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
	close(p[1]);
	close(sv[1]);
	C.pipe = p[0];
	nkinds = 0;
	add_kind("-1", INVALID, -1);
	add_kind("a closed fd", INVALID, closed_fd());
	add_kind("INT_MAX", INVALID, INT_MAX);
	add_kind("a pipe", FOREIGN, p[0]);
	add_kind("/dev/null", FOREIGN, open("/dev/null", O_RDWR));
	add_kind("a memfd", FOREIGN, memfd_create("sweep", 0));
	add_kind("a socket", FOREIGN, sv[0]);
	add_kind("an eventfd", FOREIGN, eventfd(0, 0));
	add_kind("a directory", FOREIGN, open("/", O_RDONLY | O_DIRECTORY));
	add_kind("an O_PATH fd", FOREIGN, open("/", O_PATH));
	add_kind("a regular file", FOREIGN,
		 open("/tmp", O_TMPFILE | O_RDWR, 0600));
	add_kind("the real /dev/kvm", FOREIGN_KVM, C.dev_kvm);
	add_kind("a real VM fd", FOREIGN_KVM, C.kvm_vm);
	add_kind("the system fd", SYSTEM, C.sys);
	add_kind("a VM fd", VM, C.vm);
	add_kind("a guest_memfd", GMEM, C.gmem);
	if (C.gmem_kvm >= 0) {
		add_kind("a kvm-backend VM fd", VM, C.vm_kvm);
		add_kind("a kvm-backend guest_memfd", GMEM, C.gmem_kvm);
	}
}

static void close_kinds(void)
{
	for (int i = 0; i < nkinds; i++)
		if (kinds[i].class == FOREIGN)
			close(kinds[i].fd);
}

/* ---- fixtures ---- */

static void bind_slot(int vm, int fd)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = SIZE,
		.guest_memfd = (uint32_t)fd,
	};

	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
}

static void open_kernel(void)
{
	struct kvm_create_guest_memfd c = {
		.size = SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};

	C.kernel_lacks = host_lacks(HOST_GMEM_MMAP);
	C.dev_kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC);
	C.kvm_vm = C.kvm_gmem = -1;
	if (C.dev_kvm < 0)
		return;
	C.kvm_vm = ioctl(C.dev_kvm, KVM_CREATE_VM, 0);
	if (C.kvm_vm >= 0 && !C.kernel_lacks)
		C.kvm_gmem = ioctl(C.kvm_vm, KVM_CREATE_GUEST_MEMFD, &c);
}

static int setup(void **state)
{
	uint8_t *two;

	(void)state;
	C.sys = gmem_open_system();
	C.vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	C.gmem =
		test_gmem(C.vm, SIZE,
			  GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	bind_slot(C.vm, C.gmem);
	/* Page 0 has memory from the start, so that calls that allocate it
	 * leave the file as it was. */
	assert_int_equal(gmem_fallocate(C.gmem, FALLOC_FL_KEEP_SIZE, 0, PAGE),
			 0);
	C.vm_kvm = C.gmem_kvm = -1;
	if (gmem_kvm_backend_available()) {
		C.vm_kvm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_KVM);
		C.gmem_kvm = test_gmem(C.vm_kvm, SIZE,
				       GUEST_MEMFD_FLAG_MMAP |
					       GUEST_MEMFD_FLAG_INIT_SHARED);
		bind_slot(C.vm_kvm, C.gmem_kvm);
		assert_int_equal(gmem_fallocate(C.gmem_kvm, FALLOC_FL_KEEP_SIZE,
						0, PAGE),
				 0);
	}
	open_kernel();
	C.none =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	C.ro = mmap(NULL, PAGE, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	two = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(C.none != MAP_FAILED && C.ro != MAP_FAILED &&
		    two != MAP_FAILED);
	assert_int_equal(mprotect(two + PAGE, PAGE, PROT_NONE), 0);
	C.edge = two;
	open_kinds();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	close_kinds();
	munmap(C.none, PAGE);
	munmap(C.ro, PAGE);
	munmap(C.edge, 2 * PAGE);
	if (C.gmem_kvm >= 0) {
		gmem_close(C.gmem_kvm);
		gmem_close(C.vm_kvm);
	}
	if (C.kvm_gmem >= 0)
		close(C.kvm_gmem);
	if (C.kvm_vm >= 0)
		close(C.kvm_vm);
	if (C.dev_kvm >= 0)
		close(C.dev_kvm);
	gmem_close(C.gmem);
	gmem_close(C.vm);
	gmem_close(C.sys);
	return 0;
}

/* A struct whose last bytes lie on an unreadable page. */
static void *straddling(size_t size)
{
	return C.edge + PAGE - size / 2;
}

/* ---- descriptors: every entry point, every kind of fd ---- */

/* The counterpart the kernel has for a library object, to ask it; -1
 * where the kernel's guest_memfd is not the one the library mirrors. */
static int kernel_counterpart(const struct fd_kind *k)
{
	if (C.kernel_lacks && k->class >= SYSTEM)
		return -1;
	switch (k->class) {
	case SYSTEM:
		return C.dev_kvm;
	case VM:
		return C.kvm_vm;
	case GMEM:
		return C.kvm_gmem;
	default:
		return k->fd;
	}
}

typedef long (*fd_call)(int fd);

static long do_attr2(int fd)
{
	struct kvm_memory_attributes2 a = { .offset = 0, .size = PAGE };

	return fd < 0 ? -1 : ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

static long lib_attr2(int fd)
{
	struct kvm_memory_attributes2 a = { .offset = 0, .size = PAGE };

	return gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a);
}

static long lib_create(int fd)
{
	struct kvm_create_guest_memfd c = { .size = PAGE };

	return gmem_ioctl(fd, KVM_CREATE_GUEST_MEMFD, &c);
}

static long do_create(int fd)
{
	struct kvm_create_guest_memfd c = { .size = PAGE };
	long ret = ioctl(fd, KVM_CREATE_GUEST_MEMFD, &c);

	if (ret >= 0)
		close((int)ret);
	return ret;
}

static long lib_check(int fd)
{
	return gmem_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD);
}

static long do_check(int fd)
{
	return ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD);
}

static long lib_garbage_ioctl(int fd)
{
	return gmem_ioctl(fd, 0xdeadbeefUL, NULL);
}

static long do_garbage_ioctl(int fd)
{
	return ioctl(fd, 0xdeadbeefUL, NULL);
}

/* Deleting slot 77, which does not exist. */
static long lib_region(int fd)
{
	struct kvm_userspace_memory_region2 r = { .slot = 77 };

	return gmem_ioctl(fd, KVM_SET_USER_MEMORY_REGION2, &r);
}

static long do_region(int fd)
{
	struct kvm_userspace_memory_region2 r = { .slot = 77 };

	return ioctl(fd, KVM_SET_USER_MEMORY_REGION2, &r);
}

static long mapped(void *p)
{
	if (p == MAP_FAILED)
		return -1;
	gmem_munmap(p, PAGE);
	return 0;
}

static long lib_mmap(int fd)
{
	return mapped(gmem_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0));
}

static long do_mmap(int fd)
{
	void *p = mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		return -1;
	munmap(p, PAGE);
	return 0;
}

static long lib_fallocate(int fd)
{
	return gmem_fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, PAGE);
}

static long do_fallocate(int fd)
{
	return fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, PAGE);
}

static long lib_ftruncate(int fd)
{
	return gmem_ftruncate(fd, SIZE);
}

static long do_ftruncate(int fd)
{
	return ftruncate(fd, SIZE);
}

static long lib_pin(int fd)
{
	long ret = gmem_pin(fd, 0, PAGE);

	if (ret == 0)
		gmem_unpin(fd, 0, PAGE);
	return ret;
}

static long lib_unpin(int fd)
{
	return gmem_unpin(fd, 0, PAGE);
}

static long lib_guest_read(int fd)
{
	char buf[8];

	return gmem_guest_read(fd, GPA, buf, sizeof(buf), 0);
}

static long lib_guest_write(int fd)
{
	char buf[8] = { 0 };

	return gmem_guest_write(fd, GPA, buf, sizeof(buf), 0);
}

static long lib_fault(int fd)
{
	struct gmem_memory_fault f;

	return gmem_get_memory_fault(fd, &f);
}

static long lib_request(int fd)
{
	return gmem_guest_request(fd, GPA, PAGE, false);
}

static long lib_backend(int fd)
{
	return gmem_get_backend(fd);
}

static long lib_uapi(int fd)
{
	return gmem_get_uapi(fd);
}

static long lib_kvm_fd(int fd)
{
	int ret = gmem_vm_kvm_fd(fd);

	return ret >= 0 ? 0 : -1;
}

static long lib_allocation(int fd)
{
	unsigned char v;

	return gmem_get_allocation(fd, 0, PAGE, &v);
}

static long lib_attributes(int fd)
{
	uint64_t a;

	return gmem_get_attributes(fd, 0, &a);
}

static long lib_ranges(int fd)
{
	struct gmem_attr_range r[2];

	return gmem_get_attribute_ranges(fd, 0, PAGE, r, 2);
}

static long lib_gpa_attributes(int fd)
{
	uint64_t a;

	return gmem_get_gpa_attributes(fd, GPA, &a);
}

/*
 * One entry point: what each class of descriptor must get. For a syscall
 * (kernel set) a foreign descriptor gets exactly the kernel's answer; a
 * library object gets what its real counterpart gets from the kernel,
 * where /dev/kvm exists, and the documented value otherwise.
 */
struct fd_case {
	const char *name;
	fd_call lib;
	fd_call kernel;	     /* the syscall behind it, or NULL */
	struct want want[6]; /* by enum fd_class */
};

#define EXT(e) ERR(e) /* an extension: no kernel counterpart */

static const struct fd_case fd_cases[] = {
	{ "KVM_SET_MEMORY_ATTRIBUTES2",
	  lib_attr2,
	  do_attr2,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(EINVAL), ERR(ENOTTY), OK(0) } },
	{ "KVM_CREATE_GUEST_MEMFD",
	  lib_create,
	  do_create,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(EINVAL), NEWFD, ERR(ENOTTY) } },
	{ "KVM_CHECK_EXTENSION",
	  lib_check,
	  do_check,
	  { ERR(EBADF), KERNEL, KERNEL, OK(1), OK(1), ERR(ENOTTY) } },
	{ "ioctl 0xdeadbeef",
	  lib_garbage_ioctl,
	  do_garbage_ioctl,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(EINVAL), ERR(ENOTTY),
	    ERR(ENOTTY) } },
	{ "KVM_SET_USER_MEMORY_REGION2",
	  lib_region,
	  do_region,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(EINVAL), ERR(EINVAL),
	    ERR(ENOTTY) } },
	{ "mmap",
	  lib_mmap,
	  do_mmap,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(ENODEV), ERR(ENODEV), OK(0) } },
	{ "fallocate",
	  lib_fallocate,
	  do_fallocate,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(ENODEV), ERR(ENODEV), OK(0) } },
	{ "ftruncate",
	  lib_ftruncate,
	  do_ftruncate,
	  { ERR(EBADF), KERNEL, KERNEL, ERR(EINVAL), ERR(EINVAL),
	    ERR(EINVAL) } },
	{ "gmem_pin",
	  lib_pin,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    OK(0) } },
	{ "gmem_unpin",
	  lib_unpin,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    EXT(EINVAL) } },
	{ "gmem_guest_read",
	  lib_guest_read,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), OK(8),
	    EXT(EINVAL) } },
	{ "gmem_guest_write",
	  lib_guest_write,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), OK(8),
	    EXT(EINVAL) } },
	{ "gmem_get_memory_fault",
	  lib_fault,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(ENOENT),
	    EXT(EINVAL) } },
	{ "gmem_guest_request",
	  lib_request,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), OK(0),
	    EXT(EINVAL) } },
	{ "gmem_get_backend",
	  lib_backend,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    OK(GMEM_BACKEND_MEMFD), OK(GMEM_BACKEND_MEMFD) } },
	{ "gmem_get_uapi",
	  lib_uapi,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    OK(GMEM_UAPI_RFC_V4), OK(GMEM_UAPI_RFC_V4) } },
	{ "gmem_vm_kvm_fd",
	  lib_kvm_fd,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(ENODEV),
	    EXT(EINVAL) } },
	{ "gmem_get_allocation",
	  lib_allocation,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    OK(0) } },
	{ "gmem_get_attributes",
	  lib_attributes,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    OK(0) } },
	{ "gmem_get_attribute_ranges",
	  lib_ranges,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL),
	    OK(1) } },
	{ "gmem_get_gpa_attributes",
	  lib_gpa_attributes,
	  NULL,
	  { ERR(EBADF), EXT(EINVAL), EXT(EINVAL), EXT(EINVAL), OK(0),
	    EXT(EINVAL) } },
};

/* The kernel's answer to call on fd. */
static struct want ask_kernel(fd_call call, int fd)
{
	long ret;

	errno = 0;
	ret = call(fd);
	if (ret >= 0 && call == do_create)
		return NEWFD; /* any descriptor will do */
	return ret == -1 ? ERR(errno) : OK(ret);
}

/* A documented value for a library object is checked against the
 * kernel's answer for its real counterpart too, so the table cannot
 * drift from the kernel. */
static void check_table_value(const struct fd_case *c, const struct fd_kind *k,
			      struct want w)
{
	int real = kernel_counterpart(k);
	struct want kw;
	char what[128];

	if (!c->kernel || k->class < SYSTEM || w.ret != -1)
		return;
	snprintf(what, sizeof(what),
		 "(kernel) %s on the real counterpart of %s", c->name, k->name);
	kw = KERNEL_SAYS(what, ask_kernel(c->kernel, real));
	if (kw.ret == KERNEL_ANSWER) {
		C.not_compared++;
		return;
	}
	row(what, kw.ret, kw.err, w);
}

static void test_descriptors(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fd_cases) / sizeof(fd_cases[0]); i++) {
		const struct fd_case *c = &fd_cases[i];

		for (int j = 0; j < nkinds; j++) {
			const struct fd_kind *k = &kinds[j];
			struct want w = c->want[k->class];
			char what[128];
			long ret;
			int err;

			if (w.ret == KERNEL_ANSWER)
				w = ask_kernel(c->kernel, k->fd);
			if (c->lib == lib_backend && k->fd >= 0 &&
			    (k->fd == C.gmem_kvm || k->fd == C.vm_kvm))
				w = OK(GMEM_BACKEND_KVM);
			if (c->lib == lib_kvm_fd && k->fd >= 0 &&
			    k->fd == C.vm_kvm)
				w = OK(0);
			check_table_value(c, k, w);
			snprintf(what, sizeof(what), "%s on %s", c->name,
				 k->name);
			errno = 0;
			ret = c->lib(k->fd);
			err = errno;
			row(what, ret, err, w);
		}
	}
	finish();
}

/* ---- pointers: NULL, unreadable, read-only, straddling ---- */

static struct want ask_kernel_ioctl(int fd, unsigned long req, void *arg)
{
	long ret;

	errno = 0;
	ret = ioctl(fd, req, arg);
	if (ret >= 0 && req == KVM_CREATE_GUEST_MEMFD)
		close((int)ret);
	return ret == -1				   ? ERR(errno)
	       : ret >= 0 && req == KVM_CREATE_GUEST_MEMFD ? NEWFD
							   : OK(ret);
}

static void attr2_pointers(int fd, const char *backend)
{
	struct kvm_memory_attributes2 ok = { .offset = PAGE, .size = PAGE };
	void *bad[] = { NULL, C.none, straddling(sizeof(ok)) };
	char what[96];

	for (size_t i = 0; i < 3; i++) {
		snprintf(what, sizeof(what),
			 "KVM_SET_MEMORY_ATTRIBUTES2 (%s) bad pointer %zu",
			 backend, i);
		errno = 0;
		ROW(what, gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, bad[i]),
		    ERR(EFAULT));
	}
	/* Read-only: success writes nothing back (R59). */
	mprotect(C.ro, PAGE, PROT_READ | PROT_WRITE);
	memcpy(C.ro, &ok, sizeof(ok));
	mprotect(C.ro, PAGE, PROT_READ);
	snprintf(what, sizeof(what),
		 "KVM_SET_MEMORY_ATTRIBUTES2 (%s) "
		 "read-only struct, success",
		 backend);
	errno = 0;
	ROW(what, gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, C.ro), OK(0));
}

/* Each VM ioctl taking a struct, with NULL, unreadable, straddling and
 * read-only arguments: the library against the kernel's real VM. */
static void vm_ioctl_pointers(void)
{
	static const unsigned long reqs[] = { KVM_CREATE_GUEST_MEMFD,
					      KVM_SET_USER_MEMORY_REGION2 };
	void *bad[] = { NULL, C.none, straddling(64), C.ro };
	char what[96];

	/* A read-only, all-zero struct: CREATE then fails on size 0. */
	for (size_t r = 0; r < 2; r++) {
		for (size_t i = 0; i < 4; i++) {
			struct want w;

			snprintf(what, sizeof(what),
				 "VM ioctl %#lx pointer %zu", reqs[r], i);
			w = KERNEL_SAYS(
				what,
				ask_kernel_ioctl(C.kvm_vm, reqs[r], bad[i]));
			errno = 0;
			ROW(what, gmem_ioctl(C.vm, reqs[r], bad[i]), w);
		}
	}
}

static void out_pointer_rows(const char *name, long (*call)(void *p),
			     bool ro_faults)
{
	void *bad[] = { NULL, C.none, C.ro };
	char what[96];

	for (size_t i = 0; i < (ro_faults ? 3u : 2u); i++) {
		snprintf(what, sizeof(what), "%s pointer %s", name,
			 i == 0	  ? "NULL"
			 : i == 1 ? "PROT_NONE"
				  : "read-only");
		errno = 0;
		ROW(what, call(bad[i]), ERR(EFAULT));
	}
}

static long p_guest_read(void *p)
{
	return gmem_guest_read(C.vm, GPA, p, 8, 0);
}

static long p_guest_write(void *p)
{
	return gmem_guest_write(C.vm, GPA, p, 8, 0);
}

static long p_allocation(void *p)
{
	return gmem_get_allocation(C.gmem, 0, SIZE, p);
}

static long p_attributes(void *p)
{
	return gmem_get_attributes(C.gmem, 0, p);
}

static long p_ranges(void *p)
{
	return gmem_get_attribute_ranges(C.gmem, 0, SIZE, p, 4);
}

static long p_gpa_attributes(void *p)
{
	return gmem_get_gpa_attributes(C.vm, GPA, p);
}

static long p_vm_opts(void *p)
{
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, p);

	if (vm >= 0)
		gmem_close(vm);
	return vm >= 0 ? 0 : -1;
}

/* A memory fault is pending; a bad pointer must fail and keep it. */
static void fault_pointers(void)
{
	struct gmem_memory_fault f;
	char buf[8];

	assert_int_equal(gmem_guest_read(C.vm, GPA, buf, 8, GMEM_GUEST_PRIVATE),
			 -1);
	ROW("gmem_get_memory_fault NULL", gmem_get_memory_fault(C.vm, NULL),
	    ERR(EFAULT));
	ROW("gmem_get_memory_fault PROT_NONE",
	    gmem_get_memory_fault(C.vm, (void *)C.none), ERR(EFAULT));
	ROW("gmem_get_memory_fault read-only",
	    gmem_get_memory_fault(C.vm, (void *)C.ro), ERR(EFAULT));
	ROW("gmem_get_memory_fault still pending after bad pointers",
	    gmem_get_memory_fault(C.vm, &f), OK(0));
}

static void test_pointers(void **state)
{
	(void)state;
	attr2_pointers(C.gmem, "memfd");
	if (C.gmem_kvm >= 0)
		attr2_pointers(C.gmem_kvm, "kvm");
	vm_ioctl_pointers();
	out_pointer_rows("gmem_guest_read buf", p_guest_read, true);
	out_pointer_rows("gmem_guest_write buf", p_guest_write, false);
	out_pointer_rows("gmem_get_allocation vec", p_allocation, true);
	out_pointer_rows("gmem_get_attributes", p_attributes, true);
	out_pointer_rows("gmem_get_attribute_ranges", p_ranges, true);
	out_pointer_rows("gmem_get_gpa_attributes", p_gpa_attributes, true);
	ROW("gmem_create_vm_opts opts PROT_NONE", p_vm_opts(C.none),
	    ERR(EFAULT));
	fault_pointers();
	finish();
}

/* ---- sizes, offsets and flags ---- */

struct falloc_case {
	int mode;
	int64_t off, len;
};

static struct want kernel_fallocate(int mode, int64_t off, int64_t len)
{
	errno = 0;
	return fallocate(C.kvm_gmem, mode, off, len) ? ERR(errno) : OK(0);
}

/* fallocate on a guest_memfd against the kernel's own guest_memfd. */
static void fallocate_sizes(int fd, const char *backend)
{
	static const struct falloc_case cases[] = {
		{ FALLOC_FL_KEEP_SIZE, -(int64_t)PAGE, PAGE },
		{ FALLOC_FL_KEEP_SIZE, 0, 0 },
		{ FALLOC_FL_KEEP_SIZE, 0, -1 },
		{ FALLOC_FL_KEEP_SIZE, INT64_MAX - PAGE + 1, 2 * PAGE },
		{ FALLOC_FL_KEEP_SIZE, 0, INT64_MAX },
		{ FALLOC_FL_KEEP_SIZE, PAGE, INT64_MAX & ~(PAGE - 1) },
		{ FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 1LL << 62,
		  1LL << 40 },
		{ FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE, 0, INT64_MAX },
		{ 0x100, 0, PAGE },
		{ -1, 0, PAGE },
		{ FALLOC_FL_KEEP_SIZE, 1, PAGE },
		{ FALLOC_FL_KEEP_SIZE, SIZE, PAGE },
	};
	char key[96], what[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct falloc_case *c = &cases[i];
		struct want w;

		snprintf(key, sizeof(key),
			 "fallocate mode %#x off %lld len %lld", c->mode,
			 (long long)c->off, (long long)c->len);
		w = KERNEL_SAYS(key, kernel_fallocate(c->mode, c->off, c->len));
		snprintf(what, sizeof(what), "%s (%s)", key, backend);
		errno = 0;
		ROW(what, gmem_fallocate(fd, c->mode, c->off, c->len), w);
	}
}

static struct want kernel_mmap(size_t len, int prot, int flags, off_t off)
{
	void *p;

	errno = 0;
	p = mmap(NULL, len, prot, flags, C.kvm_gmem, off);
	if (p == MAP_FAILED)
		return ERR(errno);
	munmap(p, len);
	return OK(0);
}

/* mmap of a guest_memfd with odd lengths, offsets, prot and flags,
 * against the kernel's guest_memfd. */
static void mmap_sizes(int fd, const char *backend)
{
	static const struct {
		size_t len;
		int prot, flags;
		off_t off;
	} cases[] = {
		{ 0, PROT_READ, MAP_SHARED, 0 },
		{ SIZE_MAX & ~(PAGE - 1), PROT_READ, MAP_SHARED, 0 },
		{ PAGE, PROT_READ, MAP_SHARED, 1 },
		{ PAGE, PROT_READ, MAP_SHARED, -(off_t)PAGE },
		{ PAGE, PROT_READ, MAP_SHARED, 1LL << 62 },
		{ PAGE, PROT_READ | 0x400, MAP_SHARED, 0 },
		{ PAGE, PROT_READ, MAP_SHARED | 0x10000000, 0 },
		{ PAGE, PROT_READ, MAP_SHARED_VALIDATE | 0x10000000, 0 },
		{ PAGE, PROT_READ, 0xf, 0 },
		{ PAGE, PROT_READ | PROT_EXEC, MAP_PRIVATE, 0 },
	};
	char key[96], what[128];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct want w;
		void *p;
		int err;

		snprintf(key, sizeof(key),
			 "mmap len %#zx prot %#x flags %#x off %lld",
			 cases[i].len, cases[i].prot, cases[i].flags,
			 (long long)cases[i].off);
		w = KERNEL_SAYS(key, kernel_mmap(cases[i].len, cases[i].prot,
						 cases[i].flags, cases[i].off));
		snprintf(what, sizeof(what), "%s (%s)", key, backend);
		errno = 0;
		p = gmem_mmap(NULL, cases[i].len, cases[i].prot, cases[i].flags,
			      fd, cases[i].off);
		err = errno;
		if (p != MAP_FAILED)
			gmem_munmap(p, cases[i].len);
		row(what, p == MAP_FAILED ? -1 : 0, err, w);
	}
}

/* munmap with odd arguments: exactly what munmap(2) answers. */
static void munmap_sizes(void)
{
	void *gone =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct {
		void *addr;
		size_t len;
	} cases[] = {
		{ NULL, 0 },
		{ C.edge + 1, PAGE },
		{ C.edge, 0 },
		{ C.edge, SIZE_MAX },
		{ (void *)(UINTPTR_MAX & ~(PAGE - 1)), PAGE },
		{ gone, PAGE },
	};
	char what[96];

	munmap(gone, PAGE); /* an address nothing maps any more */
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct want w;

#ifdef __SANITIZE_THREAD__
		/* ThreadSanitizer's munmap() aborts on this length before
		 * the kernel sees it. */
		if (cases[i].len == SIZE_MAX)
			continue;
#endif
		/* Only failing calls go to munmap(2) here, and the last one
		 * unmaps nothing. */
		errno = 0;
		w = i == 5 ? OK(0) : ERR(EINVAL);
		snprintf(what, sizeof(what), "munmap case %zu", i);
		ROW(what, gmem_munmap(cases[i].addr, cases[i].len), w);
	}
}

/* A slot's oversized or malformed fields: a fresh library VM and file
 * against a fresh real VM and guest_memfd, case by case. */
static struct want kernel_region(struct kvm_userspace_memory_region2 r,
				 bool own)
{
	struct kvm_create_guest_memfd c = {
		.size = SIZE,
		.flags = GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED,
	};
	int vm = ioctl(C.dev_kvm, KVM_CREATE_VM, 0);
	int fd = vm < 0 ? -1 : ioctl(vm, KVM_CREATE_GUEST_MEMFD, &c);
	struct want w = ERR(errno);

	if (fd >= 0) {
		if (own)
			r.guest_memfd = (uint32_t)fd;
		w = ask_kernel_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r);
		close(fd);
	}
	if (vm >= 0)
		close(vm);
	return w; /* a failed setup shows as this row's mismatch */
}

static long lib_region_case(struct kvm_userspace_memory_region2 r, bool own)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(
		vm, SIZE, GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	long ret;
	int err;

	if (own)
		r.guest_memfd = (uint32_t)fd;
	ret = gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r);
	err = errno;
	gmem_close(fd);
	gmem_close(vm);
	errno = err;
	return ret;
}

static void region_sizes(void)
{
	struct kvm_userspace_memory_region2 base = {
		.slot = 5,
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 1ULL << 40,
		.memory_size = PAGE,
	};
	struct kvm_userspace_memory_region2 cases[12];
	int n = 0;
	char what[96];

	for (int i = 0; i < 12; i++)
		cases[i] = base;
	cases[n++].memory_size = 1ULL << 62;
	cases[n++].guest_phys_addr = UINT64_MAX & ~(PAGE - 1);
	cases[n].guest_memfd_offset = UINT64_MAX & ~(PAGE - 1), n++;
	cases[n].guest_memfd_offset = SIZE, n++;
	cases[n++].slot = 0xffffffffU;
	cases[n++].flags = 0xff;
	cases[n++].userspace_addr = 1;
	cases[n++].memory_size = UINT64_MAX & ~(PAGE - 1);
	cases[n++].pad2[13] = 1; /* not checked by the kernel (R34 is wrong) */
	cases[n].guest_memfd = (uint32_t)closed_fd(), n++;
	cases[n].guest_memfd = (uint32_t)C.pipe, n++;
	for (int i = 0; i < n; i++) {
		bool own = i < n - 2;
		struct want w;

		snprintf(what, sizeof(what),
			 "KVM_SET_USER_MEMORY_REGION2 case %d", i);
		w = KERNEL_SAYS(what, kernel_region(cases[i], own));
		ROW(what, lib_region_case(cases[i], own), w);
	}
}

/* Creation with odd sizes and flags against the kernel's real VM. */
static void create_sizes(void)
{
	static const uint64_t sizes[] = { 0,	      1,
					  PAGE - 1,   PAGE + 1,
					  1ULL << 63, (uint64_t)-PAGE,
					  UINT64_MAX };
	static const uint64_t flags[] = { 1ULL << 2, 1ULL << 63, UINT64_MAX };
	char what[96];

	for (size_t i = 0; i < 7 + 3; i++) {
		struct kvm_create_guest_memfd c = { .size = PAGE };
		struct want w;

		if (i < 7)
			c.size = sizes[i];
		else
			c.flags = flags[i - 7];
		snprintf(what, sizeof(what),
			 "KVM_CREATE_GUEST_MEMFD size %#llx flags %#llx",
			 (unsigned long long)c.size,
			 (unsigned long long)c.flags);
		w = KERNEL_SAYS(
			what,
			ask_kernel_ioctl(C.kvm_vm, KVM_CREATE_GUEST_MEMFD, &c));
		errno = 0;
		ROW(what, gmem_ioctl(C.vm, KVM_CREATE_GUEST_MEMFD, &c), w);
	}
}

static void attr2_sizes(void)
{
	struct kvm_memory_attributes2 cases[6] = { 0 };
	char what[96];

	cases[0].size = UINT64_MAX & ~(PAGE - 1);
	cases[1].offset = UINT64_MAX & ~(PAGE - 1), cases[1].size = 2 * PAGE;
	cases[2].size = PAGE, cases[2].flags = UINT64_MAX;
	cases[3].size = PAGE, cases[3].attributes = UINT64_MAX;
	cases[4].size = PAGE, cases[4].error_offset = UINT64_MAX;
	cases[5].size = PAGE, cases[5].reserved[10] = UINT64_MAX;
	for (int i = 0; i < 6; i++) {
		snprintf(what, sizeof(what),
			 "KVM_SET_MEMORY_ATTRIBUTES2 "
			 "oversized case %d",
			 i);
		errno = 0;
		ROW(what,
		    gmem_ioctl(C.gmem, KVM_SET_MEMORY_ATTRIBUTES2, &cases[i]),
		    ERR(EINVAL));
	}
}

static void extension_sizes(void)
{
	const uint64_t huge = UINT64_MAX & ~(PAGE - 1);
	struct gmem_attr_range r[4];
	unsigned char v[4];
	char buf[16];
	uint64_t a;

	errno = 0;
	ROW("gmem_pin huge len", gmem_pin(C.gmem, 0, huge), ERR(EINVAL));
	ROW("gmem_pin wrapping", gmem_pin(C.gmem, huge, 2 * PAGE), ERR(EINVAL));
	ROW("gmem_pin len 0", gmem_pin(C.gmem, 0, 0), ERR(EINVAL));
	ROW("gmem_unpin huge len", gmem_unpin(C.gmem, 0, huge), ERR(EINVAL));
	ROW("gmem_unpin wrapping", gmem_unpin(C.gmem, huge, 2 * PAGE),
	    ERR(EINVAL));
	ROW("gmem_guest_read wrapping gpa",
	    gmem_guest_read(C.vm, UINT64_MAX - 3, buf, 8, 0), ERR(EFAULT));
	ROW("gmem_guest_read SIZE_MAX unbound",
	    gmem_guest_read(C.vm, UNBOUND, buf, SIZE_MAX, 0), ERR(EFAULT));
	ROW("gmem_guest_write garbage flags",
	    gmem_guest_write(C.vm, GPA, buf, 8, ~0U), ERR(EINVAL));
	ROW("gmem_guest_request wrapping",
	    gmem_guest_request(C.vm, GPA, 0 - GPA, true), ERR(EINVAL));
	ROW("gmem_guest_request huge",
	    gmem_guest_request(C.vm, GPA, 1ULL << 62, true), ERR(EFAULT));
	ROW("gmem_guest_request unaligned",
	    gmem_guest_request(C.vm, GPA + 1, PAGE, true), ERR(EINVAL));
	ROW("gmem_get_allocation huge", gmem_get_allocation(C.gmem, 0, huge, v),
	    ERR(EINVAL));
	ROW("gmem_get_allocation wrapping",
	    gmem_get_allocation(C.gmem, huge, 2 * PAGE, v), ERR(EINVAL));
	ROW("gmem_get_attribute_ranges huge",
	    gmem_get_attribute_ranges(C.gmem, PAGE, huge, r, 4), ERR(EINVAL));
	row("gmem_get_attribute_ranges max SIZE_MAX, room for one",
	    gmem_get_attribute_ranges(C.gmem, 0, SIZE,
				      (void *)(C.edge + PAGE - sizeof(r[0])),
				      SIZE_MAX),
	    errno, OK(1));
	ROW("gmem_get_attributes past the end",
	    gmem_get_attributes(C.gmem, UINT64_MAX, &a), ERR(EINVAL));
	ROW("gmem_get_gpa_attributes unbound",
	    gmem_get_gpa_attributes(C.vm, UINT64_MAX, &a), ERR(ENOENT));
}

/* 0 if a VM could be made (and is closed again), else -1 and errno. */
static long new_vm(unsigned long type, const struct gmem_vm_opts *o)
{
	int vm = o ? gmem_create_vm_opts(type, o) : gmem_create_vm(type);

	if (vm < 0)
		return -1;
	gmem_close(vm);
	return 0;
}

/* gmem_create_vm(3): sz must cover its own field and be at most 1 MiB
 * (EINVAL); what lies past the struct this library knows must be zero
 * (E2BIG), so a caller never asks for something silently ignored. */
static void opts_sizes(void)
{
	struct {
		struct gmem_vm_opts o;
		uint64_t tail[2];
	} big = { .o = { .sz = sizeof(big) } };
	struct gmem_vm_opts o = { .sz = 0 };

	ROW("gmem_create_vm_opts sz 0", new_vm(KVM_X86_DEFAULT_VM, &o),
	    ERR(EINVAL));
	o.sz = 1ULL << 21;
	ROW("gmem_create_vm_opts sz 2 MiB", new_vm(KVM_X86_DEFAULT_VM, &o),
	    ERR(EINVAL));
	o.sz = sizeof(o.sz);
	ROW("gmem_create_vm_opts sz of sz alone",
	    new_vm(KVM_X86_DEFAULT_VM, &o), OK(0));
	ROW("gmem_create_vm_opts larger, zero tail",
	    new_vm(KVM_X86_DEFAULT_VM, &big.o), OK(0));
	big.tail[1] = 1;
	ROW("gmem_create_vm_opts larger, non-zero tail",
	    new_vm(KVM_X86_DEFAULT_VM, &big.o), ERR(E2BIG));
}

static void vm_sizes(void)
{
	static const unsigned long types[] = {
		2, 3, 6, 7, 64, (1UL << 31) | 1, (1UL << 31) | 5, ULONG_MAX
	};
	struct gmem_vm_opts o = { .sz = sizeof(o), .backend = 99 };
	char what[64];

	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		snprintf(what, sizeof(what), "gmem_create_vm type %#lx",
			 types[i]);
		ROW(what, new_vm(types[i], NULL), ERR(EINVAL));
	}
	ROW("gmem_create_vm_opts backend 99", new_vm(KVM_X86_DEFAULT_VM, &o),
	    ERR(EINVAL));
	o.backend = GMEM_BACKEND_MEMFD;
	o.uapi = 3;
	ROW("gmem_create_vm_opts uapi 3", new_vm(KVM_X86_DEFAULT_VM, &o),
	    ERR(EINVAL));
	o.uapi = ~0u;
	ROW("gmem_create_vm_opts uapi ~0", new_vm(KVM_X86_DEFAULT_VM, &o),
	    ERR(EINVAL));
	opts_sizes();
	row("gmem_backend_name(-1) is NULL", gmem_backend_name(-1) ? 0 : -1, 0,
	    ERR(0));
	row("gmem_backend_name(0) is NULL", gmem_backend_name(0) ? 0 : -1, 0,
	    ERR(0));
	row("gmem_backend_name(INT_MAX) is NULL",
	    gmem_backend_name(INT_MAX) ? 0 : -1, 0, ERR(0));
	row("gmem_uapi_name(-1) is NULL", gmem_uapi_name(-1) ? 0 : -1, 0,
	    ERR(0));
	row("gmem_uapi_name(0) is NULL", gmem_uapi_name(0) ? 0 : -1, 0, ERR(0));
	row("gmem_uapi_name(INT_MAX) is NULL", gmem_uapi_name(INT_MAX) ? 0 : -1,
	    0, ERR(0));
}

static void test_sizes(void **state)
{
	(void)state;
	fallocate_sizes(C.gmem, "memfd");
	mmap_sizes(C.gmem, "memfd");
	if (C.gmem_kvm >= 0) {
		fallocate_sizes(C.gmem_kvm, "kvm");
		mmap_sizes(C.gmem_kvm, "kvm");
	}
	munmap_sizes();
	region_sizes();
	create_sizes();
	attr2_sizes();
	extension_sizes();
	vm_sizes();
	finish();
}

/* ---- closing ---- */

static void test_close(void **state)
{
	int vm = test_vm(KVM_X86_DEFAULT_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, PAGE, 0);

	(void)state;
	ROW("gmem_close(-1)", gmem_close(-1), ERR(EBADF));
	ROW("gmem_close(closed)", gmem_close(closed_fd()), ERR(EBADF));
	ROW("gmem_close(INT_MAX)", gmem_close(INT_MAX), ERR(EBADF));
	ROW("gmem_close(guest_memfd)", gmem_close(fd), OK(0));
	ROW("gmem_close(guest_memfd) again", gmem_close(fd), ERR(EBADF));
	ROW("KVM_SET_MEMORY_ATTRIBUTES2 on the closed guest_memfd",
	    lib_attr2(fd), ERR(EBADF));
	ROW("gmem_close(VM)", gmem_close(vm), OK(0));
	ROW("KVM_CREATE_GUEST_MEMFD on the closed VM", lib_create(vm),
	    ERR(EBADF));
	/* Disarming twice, and arming far away, change nothing. */
	gmem_inject_alloc_failure(LONG_MAX);
	gmem_inject_alloc_failure(-1);
	gmem_inject_alloc_failure(-1);
	ROW("a call after disarming", lib_attr2(C.gmem), OK(0));
	finish();
}

/* The file used throughout ends as it began: all shared, page 0 the only
 * one with memory, no pin left (a full conversion succeeds). */
static void test_nothing_changed(void **state)
{
	struct gmem_attr_range r[4];
	unsigned char v[NPAGES];
	struct kvm_memory_attributes2 a = {
		.size = SIZE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};

	(void)state;
	assert_int_equal(gmem_get_attribute_ranges(C.gmem, 0, SIZE, r, 4), 1);
	assert_int_equal(r[0].attributes, 0);
	assert_int_equal(gmem_get_allocation(C.gmem, 0, SIZE, v), 0);
	assert_int_equal(v[0], 1);
	for (int i = 1; i < NPAGES; i++)
		assert_int_equal(v[i], 0);
	assert_int_equal(gmem_ioctl(C.gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a), 0);
	a.attributes = 0;
	assert_int_equal(gmem_ioctl(C.gmem, KVM_SET_MEMORY_ATTRIBUTES2, &a), 0);
}

/* The library keeps some descriptors for good, opened on first use
 * (/dev/kvm, the memfd behind its SIGBUS covers): let it open them
 * before counting. */
static void warm_up(void)
{
	struct kvm_memory_attributes2 a = {
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
	};
	int vm, fd;
	void *p;

	gmem_kvm_backend_available();
	vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	fd = test_gmem(vm, PAGE,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	p = gmem_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, fd, 0);
	assert(p != MAP_FAILED);
	assert(gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a) == 0);
	gmem_munmap(p, PAGE);
	gmem_close(fd);
	gmem_close(vm);
}

/* --answers FILE: the recorded answers; --record FILE: append this
 * kernel's. 0, or the exit status. */
static int parse_args(int argc, char **argv)
{
	if (argc == 1)
		return 0;
	if (argc != 3 ||
	    (strcmp(argv[1], "--answers") && strcmp(argv[1], "--record"))) {
		fprintf(stderr, "usage: %s [--answers FILE | --record FILE]\n",
			argv[0]);
		return 2;
	}
	if (!strcmp(argv[1], "--record")) {
		if (host_lacks(HOST_GMEM_MMAP)) {
			printf("cannot record: %s\n",
			       host_lacks(HOST_GMEM_MMAP));
			return 77;
		}
		C.record = fopen(argv[2], "a");
	} else {
		C.recorded = answers_load(argv[2]);
	}
	if (!C.record && !C.recorded) {
		perror(argv[2]);
		return 1;
	}
	return 0;
}

/* Which kernel the kernel rows are compared with, said once. */
static void say_kernel(void)
{
	if (!host_lacks(HOST_GMEM_MMAP))
		printf("kernel rows: this kernel's own answers\n");
	else if (C.recorded)
		printf("kernel rows: %s; the recorded answers of %s\n",
		       host_lacks(HOST_GMEM_MMAP), answers_kernel(C.recorded));
	else
		printf("kernel rows: %s, and no recorded answers\n",
		       host_lacks(HOST_GMEM_MMAP));
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_descriptors),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_close),
		cmocka_unit_test(test_nothing_changed),
	};
	int before, after, failed = parse_args(argc, argv);

	if (failed)
		return failed;
	say_kernel();
	warm_up();
	before = count_fds();
	failed = cmocka_run_group_tests(tests, setup, teardown);
	after = count_fds();
	if (after != before) {
		fprintf(stderr, "descriptor leak: %d open before, %d after\n",
			before, after);
		failed++;
	}
	answers_free(C.recorded);
	if (C.record && fclose(C.record))
		failed++;
	return failed ? 1 : 0;
}
