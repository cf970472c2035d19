// SPDX-License-Identifier: MIT
/*
 * Description: one minimal test per engine bug that the fuzzers or the
 * bad-input sweep found, each saying which rule it pins. Meson runs each
 * case on its own (the first argument names it). While a bug is open its
 * case is in known_bugs in tests/reliability/meson.build, marked
 * should_fail, so that CI stays green; once src/ fixes it Meson reports
 * UNEXPECTEDPASS (a failure) and the name moves to fixed_bugs, where the
 * case keeps running as an ordinary regression test. Without an argument
 * every case runs. docs/FUZZING.md lists the bugs with their inputs.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "host_probe.h"
#include "testutil.h"

#define GPA	    0x40000000ULL
#define SIZE	    (4 * PAGE)
#define SHARED_MMAP (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)

struct vm_file {
	int vm;
	int fd;
};

static struct vm_file make(unsigned long type, uint64_t flags)
{
	struct vm_file v = { test_vm(type, GMEM_BACKEND_MEMFD), -1 };
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = GPA,
		.memory_size = SIZE,
	};

	v.fd = test_gmem(v.vm, SIZE, flags);
	r.guest_memfd = (uint32_t)v.fd;
	assert_int_equal(gmem_ioctl(v.vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	return v;
}

static void done(struct vm_file v)
{
	gmem_close(v.fd);
	gmem_close(v.vm);
}

static bool all_zero(const unsigned char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

/*
 * gmem_get_allocation(3): "A page gets memory from ... a guest access
 * (gmem_guest_read(3), gmem_guest_write(3))", as a guest fault does in
 * the kernel (R80). On SEV-SNP and TDX a private read of a page without
 * memory reads zeros but leaves it without memory (SW_PROTECTED gives it
 * memory). Fuzz: divergence 1.
 */
static void test_private_read_allocates(void **state)
{
	struct vm_file v = make(KVM_X86_TDX_VM, 0);
	unsigned char buf[16];

	(void)state;
	assert_int_equal(gmem_guest_read(v.vm, GPA, buf, sizeof(buf),
					 GMEM_GUEST_PRIVATE),
			 sizeof(buf));
	assert_true(page_allocated(v.fd, 0));
	done(v);
}

/*
 * R23 (a page is zeroed once, on first use) and CONTENT-MODES.md (mode 0
 * on SEV-SNP does nothing to the bytes): what the guest read stays what
 * it reads until someone writes. On SEV-SNP the guest's first private read
 * of an fallocated page returns zeros without using the page; a host read
 * after a mode-0 round trip then uses it, and the guest next reads the
 * zeros at rest through the cipher. Fuzz: divergence 1b.
 */
static void test_private_read_stable(void **state)
{
	struct vm_file v = make(KVM_X86_SNP_VM, SHARED_MMAP);
	volatile unsigned char *host;
	unsigned char buf[64];

	(void)state;
	host = gmem_mmap(NULL, SIZE, PROT_READ, MAP_SHARED, v.fd, 0);
	assert_true(host != MAP_FAILED);
	assert_int_equal(gmem_fallocate(v.fd, FALLOC_FL_KEEP_SIZE, 0, PAGE), 0);
	assert_int_equal(test_convert(v.fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_guest_read(v.vm, GPA, buf, sizeof(buf),
					 GMEM_GUEST_PRIVATE),
			 sizeof(buf));
	assert_true(all_zero(buf, sizeof(buf)));
	assert_int_equal(test_convert(v.fd, 0, PAGE, false, 0, NULL), 0);
	(void)host[0]; /* the host looks: no write */
	assert_int_equal(test_convert(v.fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_guest_read(v.vm, GPA, buf, sizeof(buf),
					 GMEM_GUEST_PRIVATE),
			 sizeof(buf));
	assert_true(all_zero(buf, sizeof(buf)));
	gmem_munmap((void *)host, SIZE);
	done(v);
}

/*
 * R57 (conversion step 7 of docs/SEMANTICS.md): only an allocated page
 * that is still referenced is busy; pages without memory never are (in the
 * kernel the pin holds the old folio, which punching took out of the
 * file). A pinned page whose memory was punched still fails a conversion
 * to private with EAGAIN. Fuzz: divergence 2.
 */
static void test_punched_pin_not_busy(void **state)
{
	struct vm_file v = make(KVM_X86_SW_PROTECTED_VM, SHARED_MMAP);

	(void)state;
	assert_int_equal(gmem_pin(v.fd, PAGE, PAGE), 0);
	assert_int_equal(
		gmem_fallocate(v.fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
			       0, SIZE),
		0);
	assert_false(page_allocated(v.fd, PAGE));
	assert_int_equal(test_convert(v.fd, 0, SIZE, true, 0, NULL), 0);
	gmem_unpin(v.fd, PAGE, PAGE);
	done(v);
}

/*
 * gmem_fallocate(3): "Pages that already have memory keep it and their
 * contents"; R28/R23: allocation does not clear, the first use does. On
 * SEV-SNP and TDX a second fallocate over a page that has memory but was
 * never used ends its zero-on-first-use: the guest then reads the zeros
 * at rest through the cipher instead of zeros. Fuzz: divergence 3.
 */
static void test_refallocate_keeps_zeros(void **state)
{
	struct vm_file v = make(KVM_X86_SNP_VM, 0);
	unsigned char buf[64];

	(void)state;
	assert_int_equal(gmem_fallocate(v.fd, FALLOC_FL_KEEP_SIZE, 0, PAGE), 0);
	assert_int_equal(gmem_fallocate(v.fd, FALLOC_FL_KEEP_SIZE, 0, PAGE), 0);
	assert_int_equal(gmem_guest_read(v.vm, GPA, buf, sizeof(buf),
					 GMEM_GUEST_PRIVATE),
			 sizeof(buf));
	assert_true(all_zero(buf, sizeof(buf)));
	done(v);
}

/*
 * R105: a call answers as the kernel would for the same descriptor.
 * ioctl(2) on an O_PATH descriptor fails with EBADF (the descriptor
 * cannot be used for I/O); gmem_ioctl() answers ENOTTY. Sweep:
 * test_bad_input, "on an O_PATH fd".
 */
static void test_opath_ioctl_ebadf(void **state)
{
	int fd = open("/", O_PATH);
	int kernel_err;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD),
			 -1);
	kernel_err = errno;
	assert_int_equal(kernel_err, EBADF);
	assert_int_equal(
		gmem_ioctl(fd, KVM_CHECK_EXTENSION, KVM_CAP_GUEST_MEMFD), -1);
	assert_int_equal(errno, kernel_err);
	close(fd);
}

/*
 * R19: mmap(2)'s own checks, as the kernel makes them for a guest_memfd.
 * mmap(2) of the kernel's guest_memfd at offset -4096 fails with
 * EOVERFLOW (file_mmap_ok(): the offset is past what the file can
 * hold); gmem_mmap() answers EINVAL, on both backends, and gmem_mmap(3)
 * documents EINVAL. Sweep: test_bad_input, "off -4096".
 */
static void test_mmap_negative_offset(void **state)
{
	struct vm_file v = make(KVM_X86_SW_PROTECTED_VM, SHARED_MMAP);
	void *p;

	(void)state;
	p = gmem_mmap(NULL, PAGE, PROT_READ, MAP_SHARED, v.fd, -(off_t)PAGE);
	assert_true(p == MAP_FAILED);
	assert_int_equal(errno, EOVERFLOW);
	done(v);
}

/*
 * R104: the API reports errors as the kernel does, and an argument that
 * cannot be read is EFAULT (as copy_from_user makes it there). The
 * sweep requires that no call crash. gmem_create_vm_opts() with an
 * unreadable opts pointer dies of SIGSEGV. Sweep: test_bad_input,
 * "gmem_create_vm_opts opts PROT_NONE".
 */
static void test_vm_opts_efault(void **state)
{
	void *none =
		mmap(NULL, PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	(void)state;
	assert_true(none != MAP_FAILED);
	assert_int_equal(gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, none),
			 -1);
	assert_int_equal(errno, EFAULT);
	munmap(none, PAGE);
}

/* Set when a test skipped for what the host lacks: run alone (one test
 * per Meson test), the program then exits 77, so that the skip is not
 * counted as a pass. */
static bool host_lacked;

static void skip_lacking(enum host_need need)
{
	print_message("skipped: %s\n", host_lacks(need));
	host_lacked = true;
	skip();
}

/* The real kernel's guest_memfd, to ask it; -1 without /dev/kvm. */
static int kernel_gmem(uint64_t flags, int *vm)
{
	struct kvm_create_guest_memfd c = { .size = SIZE, .flags = flags };
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), fd = -1;

	*vm = kvm < 0 ? -1 : ioctl(kvm, KVM_CREATE_VM, 0);
	if (*vm >= 0)
		fd = ioctl(*vm, KVM_CREATE_GUEST_MEMFD, &c);
	if (kvm >= 0)
		close(kvm);
	return fd;
}

/*
 * gmem_mmap(3): "checks its arguments in the kernel's order", and R19:
 * mmap(2)'s own checks come first. mmap(2) checks the length
 * (ENOMEM for one that cannot fit) before the file's own ->mmap() refuses
 * a guest_memfd made without GUEST_MEMFD_FLAG_MMAP (ENODEV); gmem_mmap()
 * answers ENODEV first. Fuzz (gmem_kernel): mmap, "kernel ENOMEM, library
 * ENODEV" and the like (EPERM, EINVAL, EOVERFLOW in place of ENOMEM or
 * EINVAL).
 */
static void test_mmap_check_order(void **state)
{
	struct vm_file v =
		make(KVM_X86_SW_PROTECTED_VM, GUEST_MEMFD_FLAG_INIT_SHARED);
	int kvm_vm, k = kernel_gmem(GUEST_MEMFD_FLAG_INIT_SHARED, &kvm_vm);
	int want = ENOMEM;
	void *p;

	(void)state;
	if (k >= 0) {
		p = mmap(NULL, 1ULL << 62, PROT_READ, MAP_SHARED, k, 0);
		assert_true(p == MAP_FAILED);
		want = errno;
		close(k);
		close(kvm_vm);
	}
	assert_int_equal(want, ENOMEM);
	p = gmem_mmap(NULL, 1ULL << 62, PROT_READ, MAP_SHARED, v.fd, 0);
	assert_true(p == MAP_FAILED);
	assert_int_equal(errno, want);
	done(v);
}

/*
 * gmem_mmap(3): it "can stand in for every call to mmap(2) in a program,
 * anonymous mappings included"; mmap(2) ignores the descriptor of a
 * MAP_ANONYMOUS mapping. Given a guest_memfd descriptor with
 * MAP_SHARED | MAP_ANONYMOUS, gmem_mmap() applies guest_memfd's rules
 * (ENODEV without GUEST_MEMFD_FLAG_MMAP, EPERM for PROT_EXEC) where the
 * kernel maps anonymous memory. Fuzz (gmem_kernel): mmap, "kernel 0,
 * library ENODEV".
 */
static void test_mmap_anonymous(void **state)
{
	struct vm_file v =
		make(KVM_X86_SW_PROTECTED_VM, GUEST_MEMFD_FLAG_INIT_SHARED);
	void *p;

	(void)state;
	p = gmem_mmap(NULL, PAGE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, v.fd, 0);
	assert_true(p != MAP_FAILED);
	gmem_munmap(p, PAGE);
	done(v);
}

/*
 * R12: fchmod() on a guest_memfd fails with EINVAL (the inode's setattr
 * refuses). On the memfd backend the descriptor the caller gets accepts
 * fchmod(2) and changes its mode (fstat then shows 0644 where the kernel's
 * guest_memfd keeps 0600). Fuzz (gmem_kernel): fchmod, "kernel EINVAL,
 * library 0".
 */
static void test_memfd_fchmod(void **state)
{
	struct vm_file v = make(KVM_X86_SW_PROTECTED_VM, SHARED_MMAP);

	(void)state;
	assert_int_equal(fchmod(v.fd, 0644), -1);
	assert_int_equal(errno, EINVAL);
	done(v);
}

/*
 * R34 (where /dev/kvm exists the library and the kernel agree):
 * KVM_SET_USER_MEMORY_REGION2 refuses a slot past the largest guest physical
 * address the host's KVM supports (x86: kvm_mmu_max_gfn(), 2^52 here). The kvm
 * backend passes the kernel's EINVAL on; the memfd backend accepts the slot.
 * Needs /dev/kvm (the limit is the host's). Fuzz (gmem_kernel):
 * KVM_SET_USER_MEMORY_REGION2, "kernel EINVAL, library 0".
 */
static void test_memfd_max_gpa(void **state)
{
	static char mem[2 * PAGE] __attribute__((aligned(PAGE)));
	struct kvm_userspace_memory_region2 r = {
		.slot = 1,
		.memory_size = 2 * PAGE,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	int kvm = open("/dev/kvm", O_RDWR | O_CLOEXEC), kvm_vm, vm, want;

	(void)state;
	if (kvm < 0)
		skip_lacking(HOST_KVM);
	kvm_vm = ioctl(kvm, KVM_CREATE_VM, 0);
	assert_true(kvm_vm >= 0);
	/* The first page-aligned address the kernel refuses a page at. */
	for (r.guest_phys_addr = 1ULL << 40; r.guest_phys_addr;
	     r.guest_phys_addr <<= 1) {
		r.memory_size = PAGE;
		if (ioctl(kvm_vm, KVM_SET_USER_MEMORY_REGION2, &r))
			break;
		r.memory_size = 0;
		ioctl(kvm_vm, KVM_SET_USER_MEMORY_REGION2, &r);
	}
	want = errno;
	close(kvm_vm);
	close(kvm);
	assert_int_equal(want, EINVAL);
	vm = test_vm(KVM_X86_DEFAULT_VM, GMEM_BACKEND_MEMFD);
	r.memory_size = PAGE;
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), -1);
	assert_int_equal(errno, want);
	gmem_close(vm);
}

/*
 * R35, memslot changes as the kernel makes them:
 * kvm_set_memory_region() refuses to change KVM_MEM_READONLY on an existing
 * slot, (mem->flags ^ old->flags) & KVM_MEM_READONLY being EINVAL (the
 * kernel answers so here). The library lets a plain slot gain or lose it;
 * gmem_ioctl(3) says a plain slot "may move or change flags". Fuzz
 * (gmem_kernel): KVM_SET_USER_MEMORY_REGION2, "kernel EINVAL, library 0"
 * after the same slot was made without the flag.
 */
static void test_readonly_flip(void **state)
{
	static char mem[2 * PAGE] __attribute__((aligned(PAGE)));
	struct kvm_userspace_memory_region2 r = {
		.slot = 3,
		.guest_phys_addr = 0x100000,
		.memory_size = 2 * PAGE,
		.userspace_addr = (uint64_t)(uintptr_t)mem,
	};
	int vm = test_vm(KVM_X86_DEFAULT_VM, GMEM_BACKEND_MEMFD);

	(void)state;
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	r.flags = KVM_MEM_READONLY;
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), -1);
	assert_int_equal(errno, EINVAL);
	gmem_close(vm);
}

/* A memslot of the legacy-mode VM: a guest_memfd one when fd >= 0,
 * else a plain one. */
static void legacy_slot(int vm, uint32_t id, uint64_t gpa, uint64_t size,
			int fd, void *uaddr)
{
	struct kvm_userspace_memory_region2 r = {
		.slot = id,
		.flags = fd >= 0 ? KVM_MEM_GUEST_MEMFD : 0,
		.guest_phys_addr = gpa,
		.memory_size = size,
		.userspace_addr = (uint64_t)(uintptr_t)uaddr,
		.guest_memfd = fd >= 0 ? (uint32_t)fd : 0,
	};

	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
}

static void set_vm_attributes(int vm, uint64_t gpa, uint64_t size, bool private)
{
	struct kvm_memory_attributes a = {
		.address = gpa,
		.size = size,
		.attributes = private ? KVM_MEMORY_ATTRIBUTE_PRIVATE : 0,
	};

	assert_int_equal(gmem_ioctl(vm, KVM_SET_MEMORY_ATTRIBUTES, &a), 0);
}

/* A private read at gpa fails with EFAULT and records the memory fault
 * KVM_RUN would exit with. */
static void assert_private_fault(int vm, uint64_t gpa)
{
	struct gmem_memory_fault f;
	char buf[4];

	assert_int_equal(gmem_guest_read(vm, gpa + 8, buf, sizeof(buf),
					 GMEM_GUEST_PRIVATE),
			 -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_memory_fault(vm, &f), 0);
	assert_int_equal(f.gpa, gpa);
	assert_int_equal(f.size, PAGE);
	assert_int_equal(f.flags, KVM_MEMORY_EXIT_FLAG_PRIVATE);
}

/*
 * Issue 12, from the series' own selftests: with per-VM attributes
 * (KVM_SET_MEMORY_ATTRIBUTES on the VM), a private access to a gpa that
 * no guest_memfd memslot backs makes KVM exit with KVM_EXIT_MEMORY_FAULT
 * (the gpa, the size, KVM_MEMORY_EXIT_FLAG_PRIVATE): the library failed
 * with EFAULT and recorded nothing, for a plain slot, a deleted
 * guest_memfd slot, a slot whose file was closed, and no slot at all. A
 * shared access with no slot still records nothing. Fuzz (gmem_diff):
 * "get memory fault: model 0, engine ENOENT" in the legacy mode.
 */
static void test_vm_attributes_unbacked_private(void **state)
{
	static char mem[2 * PAGE] __attribute__((aligned(PAGE)));
	int vm = test_vm_legacy(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	int closed = test_gmem(vm, SIZE, 0);
	struct gmem_memory_fault f;
	char buf[4];

	(void)state;
	legacy_slot(vm, 0, GPA, SIZE, fd, NULL);
	legacy_slot(vm, 1, GPA + 0x10000, 2 * PAGE, -1, mem);
	legacy_slot(vm, 2, GPA + 0x20000, SIZE, closed, NULL);
	set_vm_attributes(vm, GPA, 0x40000, true);
	assert_int_equal(gmem_guest_read(vm, GPA, buf, 4, GMEM_GUEST_PRIVATE),
			 4);
	assert_private_fault(vm, GPA + 0x10000);
	legacy_slot(vm, 0, GPA, 0, fd, NULL);
	assert_private_fault(vm, GPA + PAGE);
	gmem_close(closed);
	assert_private_fault(vm, GPA + 0x20000);
	assert_private_fault(vm, GPA + 0x30000);
	set_vm_attributes(vm, GPA + 0x30000, PAGE, false);
	assert_int_equal(gmem_guest_read(vm, GPA + 0x30000, buf, 4, 0), -1);
	assert_int_equal(errno, EFAULT);
	assert_int_equal(gmem_get_memory_fault(vm, &f), -1);
	assert_int_equal(errno, ENOENT);
	gmem_close(fd);
	gmem_close(vm);
}

/*
 * Issue 12, from the series' own selftests: with per-VM attributes, KVM
 * serves a slot's shared faults from its guest_memfd only when that was
 * made with GUEST_MEMFD_FLAG_MMAP; otherwise from the slot's
 * userspace_addr. The library sent them to the guest_memfd, so the guest
 * and the host saw different bytes at userspace_addr. Private accesses
 * keep going to the guest_memfd. Fuzz (gmem_diff): "guest read of slot
 * 0's user memory: not the bytes there" in the legacy mode.
 */
static void test_vm_attributes_shared_at_userspace_addr(void **state)
{
	static unsigned char mem[SIZE] __attribute__((aligned(PAGE)));
	static unsigned char other[SIZE] __attribute__((aligned(PAGE)));
	int vm = test_vm_legacy(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, SIZE, 0);
	int mappable = test_gmem(vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	unsigned char buf[16], want[16];

	(void)state;
	memset(mem, 0x77, sizeof(mem));
	memset(other, 0x66, sizeof(other));
	legacy_slot(vm, 0, GPA, SIZE, fd, mem);
	legacy_slot(vm, 1, GPA + SIZE, SIZE, mappable, other);
	assert_int_equal(gmem_guest_read(vm, GPA + PAGE + 10, buf, 16, 0), 16);
	memset(want, 0x77, sizeof(want));
	assert_memory_equal(buf, want, 16);
	assert_int_equal(
		gmem_guest_write(vm, GPA + 2 * PAGE, "from the guest", 15, 0),
		15);
	assert_memory_equal(mem + 2 * PAGE, "from the guest", 15);
	/* Private bytes live in the guest_memfd, never at userspace_addr. */
	set_vm_attributes(vm, GPA + 3 * PAGE, PAGE, true);
	memset(want, 0x5a, sizeof(want));
	assert_int_equal(gmem_guest_write(vm, GPA + 3 * PAGE, want, 16,
					  GMEM_GUEST_PRIVATE),
			 16);
	assert_int_equal(gmem_guest_read(vm, GPA + 3 * PAGE, buf, 16,
					 GMEM_GUEST_PRIVATE),
			 16);
	assert_memory_equal(buf, want, 16);
	assert_int_equal(mem[3 * PAGE], 0x77);
	set_vm_attributes(vm, GPA + 3 * PAGE, PAGE, false);
	assert_int_equal(gmem_guest_read(vm, GPA + 3 * PAGE, buf, 16, 0), 16);
	assert_int_equal(buf[0], 0x77);
	/* A guest_memfd made with MMAP serves shared accesses itself. */
	assert_int_equal(gmem_guest_write(vm, GPA + SIZE, "file", 4, 0), 4);
	assert_int_equal(gmem_guest_read(vm, GPA + SIZE, buf, 4, 0), 4);
	assert_memory_equal(buf, "file", 4);
	assert_int_equal(other[0], 0x66);
	gmem_close(mappable);
	gmem_close(fd);
	gmem_close(vm);
}

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_private_read_allocates),
		cmocka_unit_test(test_private_read_stable),
		cmocka_unit_test(test_punched_pin_not_busy),
		cmocka_unit_test(test_refallocate_keeps_zeros),
		cmocka_unit_test(test_opath_ioctl_ebadf),
		cmocka_unit_test(test_mmap_negative_offset),
		cmocka_unit_test(test_vm_opts_efault),
		cmocka_unit_test(test_mmap_check_order),
		cmocka_unit_test(test_mmap_anonymous),
		cmocka_unit_test(test_memfd_fchmod),
		cmocka_unit_test(test_memfd_max_gpa),
		cmocka_unit_test(test_readonly_flip),
		cmocka_unit_test(test_vm_attributes_unbacked_private),
		cmocka_unit_test(test_vm_attributes_shared_at_userspace_addr),
	};

	int failed;

	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	failed = cmocka_run_group_tests(tests, NULL, NULL);
	if (!failed && host_lacked && argc > 1)
		return 77;
	return failed;
}
