// SPDX-License-Identifier: MIT
/*
 * Description: what a call answers for a bad argument pointer and for a
 * descriptor that is no longer the library's, by default and with
 * gmem_vm_opts.trusted_pointers, beside a program's own SIGSEGV and
 * SIGBUS handlers.
 *
 * By default every pointer that cannot be read or written is EFAULT, as
 * in the kernel: unmapped, PROT_NONE, and a mapping of a file truncated
 * under it (which would raise SIGBUS). The library installs no signal
 * handler, so the handlers programs install (gmem-vm, the fuzzers and
 * test_vm_types catch SIGBUS and SIGSEGV and leave with siglongjmp, and
 * re-raise with the default action when not expecting one; a JVM calls
 * the handler it replaced for faults that are not its own) stay theirs,
 * before and after the library's calls, and see their own faults. A
 * descriptor closed behind the library's back, even with a raw close
 * system call, is EBADF, and its number reused by another file is that
 * file's, in both modes. With trusted_pointers the copies are plain: a
 * bad pointer faults in the caller, to its own handler.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include <gmem/gmem.h>

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "testutil.h"

/* ---- a program's own handlers ---- */

static sigjmp_buf *volatile armed; /* where the program expects a fault */
static struct sigaction previous;  /* what a chaining handler replaced */
static volatile sig_atomic_t seen;

/* As the test library's and the fuzzers': leave when armed, else die of
 * the signal. */
static void on_fault_jump(int sig)
{
	seen = sig;
	if (armed)
		siglongjmp(*armed, sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* As a JVM's: its own faults (armed) it handles; the others go to the
 * handler it replaced. */
static void on_fault_chain(int sig, siginfo_t *info, void *uc)
{
	seen = sig;
	if (armed)
		siglongjmp(*armed, sig);
	if (previous.sa_flags & SA_SIGINFO)
		previous.sa_sigaction(sig, info, uc);
	else if (previous.sa_handler != SIG_DFL &&
		 previous.sa_handler != SIG_IGN)
		previous.sa_handler(sig);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void install_jump(void)
{
	struct sigaction sa = { .sa_handler = on_fault_jump,
				.sa_flags = SA_NODEFER };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
}

static void install_chain(void)
{
	struct sigaction sa = { .sa_sigaction = on_fault_chain,
				.sa_flags = SA_SIGINFO };

	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, &previous);
	sigaction(SIGBUS, &sa, NULL);
}

static void restore_default(void)
{
	signal(SIGSEGV, SIG_DFL);
	signal(SIGBUS, SIG_DFL);
}

static bool handler_is(int sig, void *fn)
{
	struct sigaction now;

	sigaction(sig, NULL, &now);
	return (void *)now.sa_handler == fn;
}

/* ---- bad pointers ---- */

struct bad_pointers {
	void *unmapped, *prot_none, *truncated;
	char *region;
	int memfd;
};

/* Three pages: the first unmapped again, the second PROT_NONE, the third
 * a shared mapping of a memfd truncated to nothing under it. */
static void bad_pointers_make(struct bad_pointers *b)
{
	b->region = mmap(NULL, 3 * PAGE, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_ptr_not_equal(b->region, MAP_FAILED);
	b->memfd = memfd_create("truncated", 0);
	assert_true(b->memfd >= 0);
	assert_int_equal(ftruncate(b->memfd, PAGE), 0);
	assert_ptr_not_equal(mmap(b->region + 2 * PAGE, PAGE,
				  PROT_READ | PROT_WRITE,
				  MAP_SHARED | MAP_FIXED, b->memfd, 0),
			     MAP_FAILED);
	assert_int_equal(ftruncate(b->memfd, 0), 0);
	assert_int_equal(mprotect(b->region + PAGE, PAGE, PROT_NONE), 0);
	assert_int_equal(munmap(b->region, PAGE), 0);
	b->unmapped = b->region;
	b->prot_none = b->region + PAGE;
	b->truncated = b->region + 2 * PAGE;
}

static void bad_pointers_free(struct bad_pointers *b)
{
	munmap(b->region + PAGE, 2 * PAGE);
	close(b->memfd);
}

/* errno is read before anything else can change it. */
static void check_efault(int ret, const char *what, const void *p)
{
	int err = errno;

	if (ret != -1 || err != EFAULT)
		fail_msg("%s on %p: %d, errno %d", what, p, ret, err);
}

/* Every call that copies a struct, on each bad pointer: EFAULT. */
static void expect_efault(int vm, int fd, void *p)
{
	check_efault(gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, p), "attrs2",
		     p);
	check_efault(gmem_get_attributes(fd, 0, p), "get_attributes", p);
	check_efault(gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, p), "create_gmem",
		     p);
	check_efault(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, p), "region2",
		     p);
	check_efault((int)gmem_get_attribute_ranges(fd, 0, PAGE, p, 1),
		     "ranges", p);
}

static void efault_on_each(unsigned int backend)
{
	struct bad_pointers b;
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, backend);
	int fd = test_gmem(vm, 4 * PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);

	bad_pointers_make(&b);
	expect_efault(vm, fd, b.unmapped);
	expect_efault(vm, fd, b.prot_none);
	expect_efault(vm, fd, b.truncated);
	bad_pointers_free(&b);
	gmem_close(fd);
	gmem_close(vm);
}

static void test_efault_without_handlers(void **state)
{
	(void)state;
	for (size_t i = 0; i < 2; i++)
		if (backend_usable(test_backends[i]))
			efault_on_each(test_backends[i]);
}

/* A program's handler installed before the library's first call, and
 * its own fault (a private page touched through a host mapping) after. */
static void with_handler(void (*install)(void), void *fn)
{
	int vm, fd;
	char *map;
	sigjmp_buf env;

	install();
	efault_on_each(GMEM_BACKEND_MEMFD);
	assert_true(handler_is(SIGSEGV, fn));
	assert_true(handler_is(SIGBUS, fn));
	vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	fd = test_gmem(vm, PAGE,
		       GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED);
	map = gmem_mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_ptr_not_equal(map, MAP_FAILED);
	assert_int_equal(test_convert(fd, 0, PAGE, true, 0, NULL), 0);
	seen = 0;
	if (!sigsetjmp(env, 1)) {
		armed = &env;
		*(volatile char *)map = 1;
	}
	armed = NULL;
	assert_int_equal(seen, SIGBUS);
	assert_true(handler_is(SIGBUS, fn));
	gmem_munmap(map, PAGE);
	gmem_close(fd);
	gmem_close(vm);
	restore_default();
}

static void test_efault_beside_jumping_handler(void **state)
{
	(void)state;
	with_handler(install_jump, (void *)on_fault_jump);
}

static void test_efault_beside_chaining_handler(void **state)
{
	(void)state;
	with_handler(install_chain, (void *)on_fault_chain);
}

/* ---- descriptors closed behind the library's back ---- */

static int raw_close(int fd)
{
	return (int)syscall(SYS_close, fd);
}

static void expect_closed_then_foreign(bool trusted)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .trusted_pointers = trusted);
	struct kvm_memory_attributes2 a = { .size = PAGE };
	struct kvm_create_guest_memfd g = { .size = PAGE };
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	int fd = test_gmem(vm, PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
	int other = memfd_create("other", 0);
	uint64_t attr;

	assert_true(vm >= 0 && other >= 0);
	assert_int_equal(raw_close(fd), 0);
	assert_int_equal(raw_close(vm), 0);
	assert_int_equal(gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(gmem_get_attributes(fd, 0, &attr), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g), -1);
	assert_int_equal(errno, EBADF);
	/* The numbers now name another file: a memfd answers ENOTTY. */
	assert_int_equal(dup2(other, fd), fd);
	assert_int_equal(dup2(other, vm), vm);
	assert_int_equal(gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a), -1);
	assert_int_equal(errno, ENOTTY);
	assert_int_equal(gmem_get_attributes(fd, 0, &attr), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &g), -1);
	assert_int_equal(errno, ENOTTY);
	gmem_close(fd);
	gmem_close(vm);
	close(other);
}

static void test_raw_close_and_reuse(void **state)
{
	(void)state;
	expect_closed_then_foreign(false);
	expect_closed_then_foreign(true);
}

/* ---- trusted pointers ---- */

static void test_trusted_copies(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .trusted_pointers = true);
	struct kvm_memory_attributes2 a = {
		.offset = PAGE,
		.size = PAGE,
		.attributes = KVM_MEMORY_ATTRIBUTE_PRIVATE,
		.flags = KVM_SET_MEMORY_ATTRIBUTES2_ZERO,
	};
	struct gmem_attr_range r[2];
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
	int fd = test_gmem(vm, 4 * PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
	uint64_t attr = 7;

	(void)state;
	/* ZERO to private: EOPNOTSUPP, with error_offset copied out. */
	assert_int_equal(gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a), -1);
	assert_int_equal(errno, EOPNOTSUPP);
	assert_int_equal(a.error_offset, PAGE);
	a.flags = 0;
	a.error_offset = 0;
	assert_int_equal(gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, &a), 0);
	assert_int_equal(gmem_get_attributes(fd, PAGE, &attr), 0);
	assert_int_equal(attr, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(gmem_get_attribute_ranges(fd, 0, 2 * PAGE, r, 2), 2);
	assert_int_equal(r[1].offset, PAGE);
	assert_int_equal(r[1].attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	gmem_close(fd);
	gmem_close(vm);
}

/* A bad pointer faults in the caller, to the program's own handler,
 * which can leave as it does for its own faults. In a child, so that a
 * broken promise cannot take the test down with it. */
static void test_trusted_bad_pointer_faults_in_caller(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	/* Memcheck reports the read of a PROT_NONE page, which is the point
	 * of this case, as an error of the child. */
	if (RUNNING_ON_VALGRIND) {
		print_message("skipped: under valgrind\n");
		skip();
	}
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
			  .trusted_pointers = true);
		int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
		int fd = test_gmem(vm, PAGE, GUEST_MEMFD_FLAG_INIT_SHARED);
		struct bad_pointers b;
		sigjmp_buf env;

		bad_pointers_make(&b);
		install_chain();
		if (!sigsetjmp(env, 1)) {
			armed = &env;
			gmem_ioctl(fd, KVM_SET_MEMORY_ATTRIBUTES2, b.prot_none);
			_exit(1); /* no fault: not what was documented */
		}
		_exit(seen == SIGSEGV ? 0 : 2);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_efault_without_handlers),
		cmocka_unit_test(test_efault_beside_jumping_handler),
		cmocka_unit_test(test_efault_beside_chaining_handler),
		cmocka_unit_test(test_raw_close_and_reuse),
		cmocka_unit_test(test_trusted_copies),
		cmocka_unit_test(test_trusted_bad_pointer_faults_in_caller),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
