// SPDX-License-Identifier: MIT
/*
 * Description: the validator's check of huge folios (R113) names a
 * uniform 2 MiB folio that a host mapping shows whole but maps in 4 KiB
 * entries: the state a conversion would leave if it mapped a folio again
 * piece by piece only. The mapping is split and mended here by hand,
 * behind the library, and the check must see it; then a conversion of
 * the folio mends it the library's way, and the check passes again.
 * White-box; needs root to mount a tmpfs with huge=always.
 */
#include <errno.h>
#include <sched.h>
#include <fcntl.h>
#include <stdbool.h>
#include <sys/ioctl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <unistd.h>
#include <cmocka.h>

#include "file_validate.h"
#include "gmem_file.h"
#include "testutil.h"

#define MIB2 (2ULL << 20)

/* Whether the 2 MiB at p are mapped by one huge entry (PAGEMAP_SCAN). */
static bool mapped_huge_here(const char *p)
{
	struct {
		uint64_t start, end, categories;
	} r[4] = { { 0 } };
	struct {
		uint64_t size, flags, start, end, walk_end, vec, vec_len;
		uint64_t max_pages, inverted, mask, anyof, return_mask;
	} s = { .size = sizeof(s),
		.start = (uintptr_t)p,
		.end = (uintptr_t)p + MIB2,
		.vec = (uintptr_t)r,
		.vec_len = 4,
		.anyof = 1ULL << 3,
		.return_mask = (1ULL << 3) | (1ULL << 6) };
	int fd = open("/proc/self/pagemap", O_RDONLY);
	long n = fd < 0 || !p ? -1 : ioctl(fd, _IOWR('f', 16, s), &s);

	if (fd >= 0)
		close(fd);
	return n == 1 && (r[0].categories & (1ULL << 6)) &&
	       r[0].end - r[0].start == MIB2;
}

static void test_split_mapping_is_named(void **state)
{
	char dir[] = "/tmp/gmem-huge-validate-XXXXXX";
	struct gmem_file *f;
	const char *why = NULL;
	int vm, fd, hole;
	char *p;

	(void)state;
	if (!mkdtemp(dir) ||
	    mount("gmem-huge", dir, "tmpfs", 0, "huge=always,size=16M")) {
		rmdir(dir);
		print_message("skipped: cannot mount a tmpfs (needs root)\n");
		skip();
	}
	{
		GMEM_OPTS(gmem_vm_opts, opts, .backend = GMEM_BACKEND_MEMFD,
			  .huge_source = GMEM_HUGE_TMPFS, .huge_dir = dir);
		struct kvm_create_guest_memfd args = {
			.size = MIB2,
			.flags = GUEST_MEMFD_FLAG_HUGETLB |
				 GUEST_MEMFD_FLAG_MMAP |
				 GUEST_MEMFD_FLAG_INIT_SHARED,
		};

		vm = gmem_create_vm_opts(KVM_X86_SW_PROTECTED_VM, &opts);
		assert_true(vm >= 0);
		fd = gmem_ioctl(vm, KVM_CREATE_GUEST_MEMFD, &args);
		assert_true(fd >= 0);
	}
	p = gmem_mmap(NULL, MIB2, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	assert_true(p != MAP_FAILED);
	memset(p, 1, MIB2);
	/* A pin faults the folio in through the library's view, which is
	 * how the check knows the folio is huge. */
	assert_int_equal(gmem_pin(fd, 0, PAGE), 0);
	assert_int_equal(gmem_unpin(fd, 0, PAGE), 0);
	f = gmem_file_lookup(fd);
	assert_non_null(f);
	if (!mapped_huge_here(p) || !mapped_huge_here(f->view)) {
		gmem_file_put(f);
		gmem_munmap(p, MIB2);
		gmem_close(fd);
		gmem_close(vm);
		umount2(dir, MNT_DETACH);
		rmdir(dir);
		print_message("skipped: the kernel gave no PMD mapping (under "
			      "valgrind, which places mappings itself)\n");
		skip();
	}
	gmem_rwlock_read_lock(&f->convert_lock);
	assert_int_equal(gmem_file_validate(f, &why), 0);
	gmem_rwlock_read_unlock(&f->convert_lock);
	/* Split by hand: one page covered, the others touched through 4 KiB
	 * entries, the page mapped back alone. */
	hole = memfd_create("hole", 0);
	assert_true(mmap(p + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED, hole, 0) != MAP_FAILED);
	memset(p, 2, 5 * PAGE);
	assert_true(mmap(p + 5 * PAGE, PAGE, PROT_READ | PROT_WRITE,
			 MAP_SHARED | MAP_FIXED | MAP_NORESERVE, f->memory_fd,
			 5 * PAGE) != MAP_FAILED);
	/* With the flags of the library's mappings, so that it merges back
	 * into one vma as the library's own remap does. */
	assert_int_equal(madvise(p + 5 * PAGE, PAGE, MADV_DONTFORK), 0);
	assert_int_equal(madvise(p + 5 * PAGE, PAGE, MADV_DONTDUMP), 0);
	gmem_rwlock_read_lock(&f->convert_lock);
	assert_int_equal(gmem_file_validate(f, &why), -EUCLEAN);
	gmem_rwlock_read_unlock(&f->convert_lock);
	assert_non_null(strstr(why, "4 KiB"));
	/* Mended the library's way: a conversion that leaves the folio
	 * uniform maps it whole again. */
	assert_int_equal(test_convert(fd, 0, PAGE, true, 0, NULL), 0);
	assert_int_equal(test_convert(fd, 0, PAGE, false, 0, NULL), 0);
	memset(p + PAGE, 3, PAGE);
	gmem_rwlock_read_lock(&f->convert_lock);
	assert_int_equal(gmem_file_validate(f, &why), 0);
	gmem_rwlock_read_unlock(&f->convert_lock);
	gmem_file_put(f);
	close(hole);
	assert_int_equal(gmem_munmap(p, MIB2), 0);
	gmem_close(fd);
	gmem_close(vm);
	umount2(dir, MNT_DETACH);
	rmdir(dir);
}

int main(void)
{
	/* The test's mount is its own: it goes with the process. */
	if (!unshare(CLONE_NEWNS))
		mount("none", "/", "none", MS_REC | MS_PRIVATE, NULL);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split_mapping_is_named),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
