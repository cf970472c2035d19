// SPDX-License-Identifier: MIT
/*
 * Description: huge folios (GUEST_MEMFD_FLAG_HUGETLB, R112, R113). The
 * creation checks of the hugetlb guest_memfd series (size bits, folio
 * sizes, alignment, ENOMEM without huge pages); memory from a hugetlb
 * memfd, with a pool the test reserves and gives back; memory from a
 * tmpfs mounted huge=always, which the host maps: converting one 4 KiB
 * page of a 2 MiB folio to private makes that page alone raise SIGBUS,
 * the other 511 keep their bytes, and once the folio is uniform again
 * the kernel maps it huge (PAGEMAP_SCAN says so). Pins, content modes,
 * SEV-SNP and TDX encryption per 4 KiB page, in-place populate keeping a
 * 2 MiB folio whole, and the folio layout query on huge folios. What needs root
 * (a mount, a pool) skips with the reason elsewhere.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cmocka.h>

#include "testutil.h"

#define MIB2 (2ULL << 20)

/* A tmpfs mounted huge=always for one test, in a fresh directory. */
struct huge_mount {
	char dir[64];
	bool mounted;
};

/* Mounts made from here on are this process's own, in a mount namespace
 * of its own where it may make one (root): they go with it, even when a
 * test fails before it unmounts. */
static void private_mounts(void)
{
	if (!unshare(CLONE_NEWNS))
		mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL);
}

static bool huge_mount(struct huge_mount *m, const char *options)
{
	snprintf(m->dir, sizeof(m->dir), "/tmp/gmem-huge-XXXXXX");
	m->mounted = false;
	if (!mkdtemp(m->dir))
		return false;
	m->mounted = !mount("gmem-huge", m->dir, "tmpfs", 0, options);
	if (!m->mounted)
		rmdir(m->dir);
	return m->mounted;
}

static void huge_umount(struct huge_mount *m)
{
	if (!m->mounted)
		return;
	umount2(m->dir, MNT_DETACH);
	rmdir(m->dir);
	m->mounted = false;
}

/* A VM whose huge files come from `source` (in `dir`). */
static int huge_vm(unsigned int source, const char *dir)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .huge_source = source, .huge_dir = dir);
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);

	assert_true(vm >= 0);
	return vm;
}

/* KVM_CREATE_GUEST_MEMFD: the fd, or -errno. */
static int create(int vm, uint64_t size, uint64_t flags)
{
	struct kvm_create_guest_memfd args = { .size = size, .flags = flags };
	int fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);

	return fd < 0 ? -errno : fd;
}

/* ---- what the kernel says about a mapping: PAGEMAP_SCAN (6.7) ---- */

struct region {
	uint64_t start, end, categories;
};

struct scan_arg {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t inverted, mask, anyof, return_mask;
};

#define SCAN_IOCTL _IOWR('f', 16, struct scan_arg)
#define IS_PRESENT (1ULL << 3)
#define IS_HUGE	   (1ULL << 6)

/* Pages of [p, p + len) present: all mapped huge (1), some in 4 KiB
 * entries (0), or the kernel cannot tell (-1). */
static int mapped_huge(const char *p, size_t len)
{
	struct region r[16] = { { 0 } };
	struct scan_arg s = {
		.size = sizeof(s),
		.start = (uintptr_t)p,
		.end = (uintptr_t)p + len,
		.vec = (uintptr_t)r,
		.vec_len = 16,
		.anyof = IS_PRESENT,
		.return_mask = IS_PRESENT | IS_HUGE,
	};
	int fd = open("/proc/self/pagemap", O_RDONLY);
	long n = fd < 0 ? -1 : ioctl(fd, SCAN_IOCTL, &s);

	if (fd >= 0)
		close(fd);
	if (n <= 0)
		return -1;
	for (long i = 0; i < n; i++)
		if (!(r[i].categories & IS_HUGE))
			return 0;
	return 1;
}

static struct gmem_folio_layout layout_of(int fd)
{
	struct gmem_folio_layout l;

	assert_int_equal(gmem_get_folio_layout(fd, &l), 0);
	return l;
}

/* ---- creation ---- */

static void test_flag_needs_a_source(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD);
	int vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);

	(void)state;
	assert_true(vm >= 0);
	/* Without a source the flag is unknown, as in the running kernel. */
	assert_int_equal(create(vm, MIB2, GUEST_MEMFD_FLAG_HUGETLB), -EINVAL);
	gmem_close(vm);
}

static void test_creation_checks(void **state)
{
	int vm = huge_vm(GMEM_HUGE_MEMFD, NULL);

	(void)state;
	/* A size encoding without the flag. */
	assert_int_equal(create(vm, MIB2, GUESTMEM_HUGETLB_FLAG_2MB), -EINVAL);
	/* A folio size no huge page has. */
	assert_int_equal(create(vm, MIB2,
				GUEST_MEMFD_FLAG_HUGETLB |
					(22ULL << GUESTMEM_HUGETLB_FLAG_SHIFT)),
			 -EINVAL);
	/* A size that is not a multiple of the folio size. */
	assert_int_equal(create(vm, MIB2 + PAGE, GUEST_MEMFD_FLAG_HUGETLB),
			 -EINVAL);
	assert_int_equal(
		create(vm, MIB2,
		       GUEST_MEMFD_FLAG_HUGETLB | GUESTMEM_HUGETLB_FLAG_1GB),
		-EINVAL);
	/* A hugetlb mapping cannot be split per page: no host mappings. */
	assert_int_equal(
		create(vm, MIB2,
		       GUEST_MEMFD_FLAG_HUGETLB | GUEST_MEMFD_FLAG_MMAP),
		-EINVAL);
	gmem_close(vm);
}

static void test_bad_sources(void **state)
{
	GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
		  .huge_source = GMEM_HUGE_TMPFS);
	int vm;

	(void)state;
	/* A directory source without its directory, and the reverse. */
	assert_int_equal(gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts),
			 -1);
	assert_int_equal(errno, EINVAL);
	opts.huge_source = GMEM_HUGE_MEMFD;
	opts.huge_dir = "/tmp";
	assert_int_equal(gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts),
			 -1);
	assert_int_equal(errno, EINVAL);
	/* A directory the library cannot read. */
	opts.huge_source = GMEM_HUGE_TMPFS;
	opts.huge_dir = (const char *)8;
	assert_int_equal(gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts),
			 -1);
	assert_int_equal(errno, EFAULT);
	opts.huge_source = 7;
	opts.huge_dir = NULL;
	assert_int_equal(gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts),
			 -1);
	assert_int_equal(errno, EINVAL);
	/* A directory that is not a tmpfs. */
	vm = huge_vm(GMEM_HUGE_TMPFS, "/proc");
	assert_int_equal(create(vm, MIB2, GUEST_MEMFD_FLAG_HUGETLB), -EINVAL);
	gmem_close(vm);
}

/* Free 2 MiB pages in the hugetlb pool. */
static long pool_free(void)
{
	return test_read_number(
		"/sys/kernel/mm/hugepages/hugepages-2048kB/free_hugepages");
}

static void test_no_pool_is_enomem(void **state)
{
	int vm;

	(void)state;
	if (pool_free() != 0) {
		print_message("skipped: the hugetlb pool is not empty here\n");
		skip();
	}
	vm = huge_vm(GMEM_HUGE_MEMFD, NULL);
	/* Never 4 KiB pages in its place (R112). */
	assert_int_equal(create(vm, MIB2, GUEST_MEMFD_FLAG_HUGETLB), -ENOMEM);
	gmem_close(vm);
}

static void test_tmpfs_without_huge_is_enomem(void **state)
{
	struct huge_mount m;
	int vm;

	(void)state;
	if (!huge_mount(&m, "size=16M,huge=never")) {
		print_message("skipped: cannot mount a tmpfs (needs root)\n");
		skip();
	}
	vm = huge_vm(GMEM_HUGE_TMPFS, m.dir);
	assert_int_equal(create(vm, MIB2, GUEST_MEMFD_FLAG_HUGETLB), -ENOMEM);
	gmem_close(vm);
	huge_umount(&m);
}

/* ---- hugetlb memfd, with a pool reserved for the test ---- */

#define NR_HUGEPAGES "/proc/sys/vm/nr_hugepages"

static long pool_total(void)
{
	return test_read_number(NR_HUGEPAGES);
}

static bool pool_set(long n)
{
	FILE *f = fopen(NR_HUGEPAGES, "w");
	bool ok;

	if (!f)
		return false;
	ok = fprintf(f, "%ld\n", n) > 0;
	return !fclose(f) && ok;
}

/* The pool as the test found it, given back even when it fails. */
static long pool_before = -1;

static int pool_give_back(void **state)
{
	(void)state;
	if (pool_before >= 0)
		pool_set(pool_before);
	pool_before = -1;
	return 0;
}

static void test_hugetlb_memfd(void **state)
{
	long before = pool_before = pool_total();
	uint64_t attributes = 0;
	int vm, fd;

	(void)state;
	if (before < 0 || !pool_set(before + 2) || pool_free() < 2) {
		if (before >= 0)
			pool_set(before);
		print_message("skipped: cannot reserve 2 huge pages\n");
		skip();
	}
	vm = huge_vm(GMEM_HUGE_MEMFD, NULL);
	fd = create(vm, 2 * MIB2, GUEST_MEMFD_FLAG_HUGETLB);
	assert_true(fd >= 0);
	/* The file holds its pages: no third one for another file. */
	assert_int_equal(create(vm, MIB2, GUEST_MEMFD_FLAG_HUGETLB), -ENOMEM);
	/* fallocate() takes whole folios. */
	assert_int_equal(gmem_fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, PAGE), -1);
	assert_int_equal(errno, EINVAL);
	assert_int_equal(gmem_fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, MIB2), 0);
	assert_int_equal(layout_of(fd).huge, 1);
	assert_int_equal(layout_of(fd).unallocated, 1);
	/* A conversion of one page mixes the folio; attributes stay per
	 * page. */
	assert_int_equal(test_convert(fd, 0, 2 * MIB2, false, 0, NULL), 0);
	assert_int_equal(test_convert(fd, 5 * PAGE, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_get_attributes(fd, 5 * PAGE, &attributes), 0);
	assert_int_equal(attributes, KVM_MEMORY_ATTRIBUTE_PRIVATE);
	assert_int_equal(gmem_get_attributes(fd, 6 * PAGE, &attributes), 0);
	assert_int_equal(attributes, 0);
	assert_int_equal(layout_of(fd).split, 1);
	assert_true(page_allocated(fd, 511 * PAGE));
	assert_int_equal(
		gmem_fallocate(fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
			       0, MIB2),
		0);
	assert_int_equal(layout_of(fd).unallocated, 2);
	gmem_close(fd);
	gmem_close(vm);
	assert_true(pool_set(before));
}

/* ---- tmpfs huge=always: the host maps the folios ---- */

struct tmpfs_file {
	struct huge_mount m;
	int vm, fd;
	char *p;
	size_t len;
};

/* A shared file of `len` bytes, mapped and filled with 0x5a. */
static bool tmpfs_file_open(struct tmpfs_file *t, size_t len)
{
	if (!huge_mount(&t->m, "size=64M,huge=always"))
		return false;
	t->vm = huge_vm(GMEM_HUGE_TMPFS, t->m.dir);
	t->fd = create(t->vm, len,
		       GUEST_MEMFD_FLAG_HUGETLB | GUEST_MEMFD_FLAG_MMAP |
			       GUEST_MEMFD_FLAG_INIT_SHARED);
	assert_true(t->fd >= 0);
	t->len = len;
	t->p = gmem_mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, t->fd,
			 0);
	assert_true(t->p != MAP_FAILED);
	memset(t->p, 0x5a, len);
	return true;
}

static void tmpfs_file_close(struct tmpfs_file *t)
{
	assert_int_equal(gmem_munmap(t->p, t->len), 0);
	gmem_close(t->fd);
	gmem_close(t->vm);
	huge_umount(&t->m);
}

#define NEED_TMPFS(t, len)                                                     \
	do {                                                                   \
		if (!tmpfs_file_open(t, len)) {                                \
			print_message("skipped: cannot mount a tmpfs with "    \
				      "huge=always (needs root)\n");           \
			skip();                                                \
		}                                                              \
	} while (0)

static void test_one_page_private_keeps_511(void **state)
{
	struct tmpfs_file t;
	char *folio;

	(void)state;
	NEED_TMPFS(&t, 2 * MIB2);
	folio = t.p + MIB2;
	if (mapped_huge(t.p, 2 * MIB2) != 1 || ((uintptr_t)t.p & (MIB2 - 1))) {
		tmpfs_file_close(&t);
		print_message("skipped: the kernel gave no PMD mapping\n");
		skip();
	}
	assert_int_equal(test_convert(t.fd, MIB2 + 7 * PAGE, PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(host_read(folio + 7 * PAGE), -1);
	assert_true(host_all(folio, 7 * PAGE, 0x5a));
	assert_true(host_all(folio + 8 * PAGE, MIB2 - 8 * PAGE, 0x5a));
	/* The other folio was never touched by the conversion. */
	assert_int_equal(mapped_huge(t.p, MIB2), 1);
	assert_int_equal(layout_of(t.fd).huge, 1);
	assert_int_equal(layout_of(t.fd).split, 1);
	/* Uniform again: the folio is mapped huge at the next touch. */
	assert_int_equal(test_convert(t.fd, MIB2 + 7 * PAGE, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_true(host_all(folio, MIB2, 0x5a));
	assert_int_equal(mapped_huge(folio, MIB2), 1);
	assert_int_equal(layout_of(t.fd).huge, 2);
	assert_int_equal(layout_of(t.fd).split, 0);
	tmpfs_file_close(&t);
}

static void test_pin_in_folio_is_eagain(void **state)
{
	uint64_t error_offset = 0;
	struct tmpfs_file t;

	(void)state;
	NEED_TMPFS(&t, MIB2);
	assert_int_equal(gmem_pin(t.fd, 9 * PAGE, PAGE), 0);
	assert_int_equal(test_convert(t.fd, 0, MIB2, true, 0, &error_offset),
			 -1);
	assert_int_equal(errno, EAGAIN);
	assert_int_equal(error_offset, 9 * PAGE);
	/* A failed conversion changes nothing. */
	assert_true(host_all(t.p, MIB2, 0x5a));
	assert_int_equal(attributes_at(t.fd, 0), 0);
	assert_int_equal(gmem_unpin(t.fd, 9 * PAGE, PAGE), 0);
	assert_int_equal(test_convert(t.fd, 0, MIB2, true, 0, NULL), 0);
	assert_int_equal(host_read(t.p + 9 * PAGE), -1);
	tmpfs_file_close(&t);
}

static void test_zero_reaches_pages_of_a_folio(void **state)
{
	struct tmpfs_file t;

	(void)state;
	NEED_TMPFS(&t, MIB2);
	assert_int_equal(test_convert(t.fd, 4 * PAGE, 2 * PAGE, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	assert_int_equal(test_convert(t.fd, 4 * PAGE, 2 * PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 0);
	assert_true(host_all(t.p, 4 * PAGE, 0x5a));
	assert_true(host_all(t.p + 4 * PAGE, 2 * PAGE, 0));
	assert_true(host_all(t.p + 6 * PAGE, MIB2 - 6 * PAGE, 0x5a));
	tmpfs_file_close(&t);
}

/* A folio first touched while its mapping was split comes as 4 KiB
 * pages; uniform again, it is merged and mapped huge. */
static void test_split_then_uniform_merges(void **state)
{
	struct tmpfs_file t;

	(void)state;
	NEED_TMPFS(&t, MIB2);
	if (mapped_huge(t.p, MIB2) != 1 || ((uintptr_t)t.p & (MIB2 - 1))) {
		tmpfs_file_close(&t);
		print_message("skipped: the kernel gave no PMD mapping\n");
		skip();
	}
	assert_int_equal(
		gmem_fallocate(t.fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
			       0, MIB2),
		0);
	assert_int_equal(test_convert(t.fd, 0, PAGE, true, 0, NULL), 0);
	memset(t.p + PAGE, 0x33, MIB2 - PAGE);
	assert_int_equal(test_convert(t.fd, 0, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 0);
	assert_true(host_all(t.p, PAGE, 0));
	assert_true(host_all(t.p + PAGE, MIB2 - PAGE, 0x33));
	assert_int_equal(mapped_huge(t.p, MIB2), 1);
	tmpfs_file_close(&t);
}

/* SEV-SNP and TDX encrypt private memory per 4 KiB page inside a huge
 * folio: the page the guest wrote reads as ciphertext once shared, its
 * neighbours keep the host's bytes, and the folio stays one folio. */
static void encrypted_page_in_folio(unsigned long type)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 1ULL << 32,
		.memory_size = MIB2,
	};
	char secret[PAGE], back[PAGE];
	struct huge_mount m;
	int vm, fd;
	char *p;

	if (!huge_mount(&m, "size=16M,huge=always")) {
		print_message("skipped: cannot mount a tmpfs (needs root)\n");
		skip();
	}
	{
		GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
			  .huge_source = GMEM_HUGE_TMPFS, .huge_dir = m.dir);

		vm = gmem_create_vm_opts(type, &opts);
		assert_true(vm >= 0);
	}
	fd = create(vm, MIB2,
		    GUEST_MEMFD_FLAG_HUGETLB | GUEST_MEMFD_FLAG_MMAP |
			    GUEST_MEMFD_FLAG_INIT_SHARED);
	assert_true(fd >= 0);
	r.guest_memfd = (uint32_t)fd;
	assert_int_equal(gmem_ioctl(vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	p = gmem_mmap(NULL, MIB2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 0x5a, MIB2);
	memset(secret, 0x42, PAGE);
	assert_int_equal(test_convert(fd, 3 * PAGE, PAGE, true, 0, NULL), 0);
	assert_int_equal(gmem_guest_write(vm, r.guest_phys_addr + 3 * PAGE,
					  secret, PAGE, GMEM_GUEST_PRIVATE),
			 PAGE);
	assert_int_equal(gmem_guest_read(vm, r.guest_phys_addr + 3 * PAGE, back,
					 PAGE, GMEM_GUEST_PRIVATE),
			 PAGE);
	assert_memory_equal(back, secret, PAGE);
	assert_int_equal(test_convert(fd, 3 * PAGE, PAGE, false, 0, NULL), 0);
	assert_null(memmem(p + 3 * PAGE, PAGE, secret, 16));
	assert_true(host_all(p, 3 * PAGE, 0x5a));
	assert_true(host_all(p + 4 * PAGE, MIB2 - 4 * PAGE, 0x5a));
	assert_int_equal(layout_of(fd).huge, 1);
	assert_int_equal(gmem_munmap(p, MIB2), 0);
	gmem_close(fd);
	gmem_close(vm);
	huge_umount(&m);
}

static void test_snp_page_in_folio(void **state)
{
	(void)state;
	encrypted_page_in_folio(KVM_X86_SNP_VM);
}

static void test_tdx_page_in_folio(void **state)
{
	(void)state;
	encrypted_page_in_folio(KVM_X86_TDX_VM);
}

/* ---- in-place populate keeps a 2 MiB folio whole (SEV-SNP, TDX) ---- */

static int encrypt_op(int vm, void *cmd)
{
	return gmem_ioctl(vm, KVM_MEMORY_ENCRYPT_OP, cmd);
}

/* The launch up to the measurement, then [gpa, gpa + 2 MiB) encrypted
 * in place (no source) and measured. */
static void launch_in_place(int vm, unsigned long type, uint64_t gpa)
{
	if (type == KVM_X86_SNP_VM) {
		struct kvm_sev_init init = { 0 };
		struct kvm_sev_snp_launch_start start = { .policy = 1ULL
								    << 17 };
		struct kvm_sev_snp_launch_update u = {
			.gfn_start = gpa >> 12,
			.len = MIB2,
			.type = KVM_SEV_SNP_PAGE_TYPE_NORMAL,
		};
		struct kvm_sev_cmd c1 = { .id = KVM_SEV_INIT2,
					  .data = (uintptr_t)&init };
		struct kvm_sev_cmd c2 = { .id = KVM_SEV_SNP_LAUNCH_START,
					  .data = (uintptr_t)&start };
		struct kvm_sev_cmd c3 = { .id = KVM_SEV_SNP_LAUNCH_UPDATE,
					  .data = (uintptr_t)&u };

		assert_int_equal(encrypt_op(vm, &c1), 0);
		assert_int_equal(encrypt_op(vm, &c2), 0);
		assert_int_equal(encrypt_op(vm, &c3), 0);
	} else {
		struct kvm_tdx_init_vm *init = calloc(
			1,
			sizeof(*init) + 256 * sizeof(struct kvm_cpuid_entry2));
		struct kvm_tdx_init_mem_region r = {
			.gpa = gpa,
			.nr_pages = MIB2 / PAGE,
		};
		struct kvm_tdx_cmd c1 = { .id = KVM_TDX_INIT_VM,
					  .data = (uintptr_t)init };
		struct kvm_tdx_cmd c2 = {
			.id = KVM_TDX_INIT_MEM_REGION,
			.flags = KVM_TDX_MEASURE_MEMORY_REGION,
			.data = (uintptr_t)&r,
		};

		assert_non_null(init);
		assert_int_equal(encrypt_op(vm, &c1), 0);
		assert_int_equal(encrypt_op(vm, &c2), 0);
		free(init);
	}
}

static void populate_keeps_folio(unsigned long type)
{
	struct kvm_userspace_memory_region2 r = {
		.flags = KVM_MEM_GUEST_MEMFD,
		.guest_phys_addr = 1ULL << 32,
		.memory_size = MIB2,
	};
	struct tmpfs_file t = { 0 };
	char back[PAGE];

	if (!huge_mount(&t.m, "size=16M,huge=always")) {
		print_message("skipped: cannot mount a tmpfs (needs root)\n");
		skip();
	}
	{
		GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
			  .huge_source = GMEM_HUGE_TMPFS, .huge_dir = t.m.dir);

		t.vm = gmem_create_vm_opts(type, &opts);
		assert_true(t.vm >= 0);
	}
	t.len = MIB2;
	t.fd = create(t.vm, MIB2,
		      GUEST_MEMFD_FLAG_HUGETLB | GUEST_MEMFD_FLAG_MMAP |
			      GUEST_MEMFD_FLAG_INIT_SHARED);
	assert_true(t.fd >= 0);
	r.guest_memfd = (uint32_t)t.fd;
	assert_int_equal(gmem_ioctl(t.vm, KVM_SET_USER_MEMORY_REGION2, &r), 0);
	t.p = gmem_mmap(NULL, MIB2, PROT_READ | PROT_WRITE, MAP_SHARED, t.fd,
			0);
	assert_true(t.p != MAP_FAILED);
	/* The image, loaded while shared. */
	memset(t.p, 0x7e, MIB2);
	if (mapped_huge(t.p, MIB2) != 1) {
		tmpfs_file_close(&t);
		print_message("skipped: the kernel gave no PMD mapping\n");
		skip();
	}
	assert_int_equal(test_convert(t.fd, 0, MIB2, true,
				      KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE,
				      NULL),
			 0);
	launch_in_place(t.vm, type, r.guest_phys_addr);
	/* The guest reads its image; the folio is one folio still. */
	assert_int_equal(gmem_guest_read(t.vm, r.guest_phys_addr + 77 * PAGE,
					 back, PAGE, GMEM_GUEST_PRIVATE),
			 PAGE);
	for (size_t i = 0; i < PAGE; i++)
		assert_int_equal((unsigned char)back[i], 0x7e);
	assert_int_equal(layout_of(t.fd).huge, 1);
	/* Shared again, the host maps all of it with one huge entry. */
	assert_int_equal(test_convert(t.fd, 0, MIB2, false, 0, NULL), 0);
	assert_int_equal(host_read(t.p + 5 * PAGE) >= 0, 1);
	assert_int_equal(mapped_huge(t.p, MIB2), 1);
	tmpfs_file_close(&t);
}

static void test_snp_populate_keeps_folio(void **state)
{
	(void)state;
	populate_keeps_folio(KVM_X86_SNP_VM);
}

static void test_tdx_populate_keeps_folio(void **state)
{
	(void)state;
	populate_keeps_folio(KVM_X86_TDX_VM);
}

static void test_layout_of_small_pages(void **state)
{
	int vm = test_vm(KVM_X86_SW_PROTECTED_VM, GMEM_BACKEND_MEMFD);
	int fd = test_gmem(vm, 4 * PAGE, 0);
	struct gmem_folio_layout l;

	(void)state;
	assert_int_equal(gmem_fallocate(fd, FALLOC_FL_KEEP_SIZE, PAGE, PAGE),
			 0);
	l = layout_of(fd);
	assert_int_equal(l.folio_size, PAGE);
	assert_int_equal(l.folios, 4);
	assert_int_equal(l.unallocated, 3);
	assert_int_equal(l.huge + l.split, 0);
	assert_int_equal(gmem_get_folio_layout(vm, &l), -1);
	assert_int_equal(errno, EINVAL);
	gmem_close(fd);
	gmem_close(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flag_needs_a_source),
		cmocka_unit_test(test_creation_checks),
		cmocka_unit_test(test_bad_sources),
		cmocka_unit_test(test_no_pool_is_enomem),
		cmocka_unit_test(test_tmpfs_without_huge_is_enomem),
		cmocka_unit_test_teardown(test_hugetlb_memfd, pool_give_back),
		cmocka_unit_test(test_one_page_private_keeps_511),
		cmocka_unit_test(test_pin_in_folio_is_eagain),
		cmocka_unit_test(test_zero_reaches_pages_of_a_folio),
		cmocka_unit_test(test_split_then_uniform_merges),
		cmocka_unit_test(test_snp_page_in_folio),
		cmocka_unit_test(test_tdx_page_in_folio),
		cmocka_unit_test(test_snp_populate_keeps_folio),
		cmocka_unit_test(test_tdx_populate_keeps_folio),
		cmocka_unit_test(test_layout_of_small_pages),
	};

	private_mounts();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
