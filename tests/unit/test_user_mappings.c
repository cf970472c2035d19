// SPDX-License-Identifier: MIT
/*
 * Description: what a program may do to a gmem_mmap() mapping with the
 * plain system calls, and that the library stays safe afterwards. Each
 * case takes one action (munmap, munmap and reuse of the address, a
 * partial munmap, mremap, mprotect, madvise(MADV_DONTNEED), MAP_FIXED
 * over the mapping by someone else, another file's mapping moved onto
 * the address, fork()), then converts the file to private and back and checks
 * that memory that is not the library's mapping of that file is byte for
 * byte intact (the library never maps over it), that the parts still
 * mapped fault with SIGBUS where private and show the bytes where shared,
 * and that a new gmem_mmap() of the file works.
 *
 * Built twice: the second program makes the library read the text of
 * /proc/self/maps instead of asking with PROCMAP_QUERY (Linux 6.11), the
 * way it must on older kernels.
 *
 * Regression: conversions used to remap every recorded range with
 * MAP_FIXED, so anonymous memory placed where a plainly unmapped gmem
 * mapping had been was replaced (it read 0x00 instead of 0x77).
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#include "backend_group.h"
#include "testutil.h"
#ifdef VMA_QUERY_TEXT
#include "vma_query.h"
#endif

#define SIZE	    (16 * PAGE)
#define SHARED_MMAP (GUEST_MEMFD_FLAG_MMAP | GUEST_MEMFD_FLAG_INIT_SHARED)
#define PRESERVE    KVM_SET_MEMORY_ATTRIBUTES2_PRESERVE
#define FOREIGN	    0x77
#define GUEST_BYTE  0x5a

struct fixture {
	unsigned int backend;
	int vm;
	int fd;
	char *host;
};

static int setup(void **state)
{
	struct fixture *fx = *state;

	fx->vm = test_vm(KVM_X86_SW_PROTECTED_VM, fx->backend);
	fx->fd = test_gmem_mapped(fx->vm, SIZE, SHARED_MMAP, &fx->host);
	memset(fx->host, GUEST_BYTE, SIZE);
	return 0;
}

static int teardown(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(gmem_close(fx->fd), 0);
	assert_int_equal(gmem_close(fx->vm), 0);
	return 0;
}

/* Anonymous memory of the program's own at `addr`, filled with FOREIGN. */
static char *foreign_at(char *addr, size_t len)
{
	char *p =
		mmap(addr, len, PROT_READ | PROT_WRITE,
		     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, -1, 0);

	assert_ptr_equal(p, addr);
	memset(p, FOREIGN, len);
	return p;
}

/* Someone else's MAP_FIXED over [addr, addr + len). */
static char *foreign_over(char *addr, size_t len)
{
	char *p = mmap(addr, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	assert_ptr_equal(p, addr);
	memset(p, FOREIGN, len);
	return p;
}

static bool unmapped(char *addr, size_t len)
{
	return madvise(addr, len, MADV_NORMAL) == -1 && errno == ENOMEM;
}

static void convert_all(struct fixture *fx, bool private)
{
	assert_int_equal(test_convert(fx->fd, 0, SIZE, private, PRESERVE, NULL),
			 0);
}

/* [p, p + len), still the library's mapping at file offset `offset`,
 * shows the file as its attributes say. */
static void assert_gmem_view(struct fixture *fx, char *p, size_t len,
			     bool private)
{
	for (size_t at = 0; at < len; at += PAGE)
		assert_int_equal(host_read(p + at), private ? -1 : GUEST_BYTE);
	(void)fx;
}

/* The file still behaves: a new mapping shows shared bytes, faults with
 * SIGBUS where private, and shows the bytes again once shared. */
static void assert_file_behaves(struct fixture *fx)
{
	char *p = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    fx->fd, 0);

	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(host_read(p + PAGE), GUEST_BYTE);
	assert_int_equal(test_convert(fx->fd, PAGE, PAGE, true, PRESERVE, NULL),
			 0);
	assert_int_equal(host_read(p + PAGE), -1);
	assert_int_equal(host_write(p + PAGE, 1), -1);
	assert_int_equal(
		test_convert(fx->fd, PAGE, PAGE, false, PRESERVE, NULL), 0);
	assert_int_equal(host_read(p + PAGE), GUEST_BYTE);
	assert_int_equal(gmem_munmap(p, SIZE), 0);
}

/* Converts both ways, twice, checking the foreign bytes after each. */
static void convert_around_foreign(struct fixture *fx, char *foreign,
				   size_t len)
{
	for (int round = 0; round < 2; round++) {
		convert_all(fx, true);
		assert_true(host_all(foreign, len, FOREIGN));
		convert_all(fx, false);
		assert_true(host_all(foreign, len, FOREIGN));
	}
}

static void test_munmap(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(munmap(fx->host, SIZE), 0);
	convert_all(fx, true);
	assert_true(unmapped(fx->host, SIZE));
	convert_all(fx, false);
	assert_true(unmapped(fx->host, SIZE));
	assert_file_behaves(fx);
}

/* The reported bug: the address is reused by the program's own memory. */
static void test_munmap_then_reuse(void **state)
{
	struct fixture *fx = *state;
	char *foreign;

	assert_int_equal(munmap(fx->host, SIZE), 0);
	foreign = foreign_at(fx->host, SIZE);
	convert_around_foreign(fx, foreign, SIZE);
	assert_file_behaves(fx);
	munmap(foreign, SIZE);
}

/* The same, while the file is private when the address is reused. */
static void test_munmap_private_then_reuse(void **state)
{
	struct fixture *fx = *state;
	char *foreign;

	convert_all(fx, true);
	assert_int_equal(munmap(fx->host, SIZE), 0);
	foreign = foreign_at(fx->host, SIZE);
	convert_all(fx, false);
	assert_true(host_all(foreign, SIZE, FOREIGN));
	convert_around_foreign(fx, foreign, SIZE);
	assert_file_behaves(fx);
	munmap(foreign, SIZE);
}

/* The middle of the mapping is given back and reused; both ends stay the
 * library's and keep following the attributes. */
static void test_partial_munmap_then_reuse(void **state)
{
	struct fixture *fx = *state;
	char *hole = fx->host + 4 * PAGE;
	char *foreign;

	assert_int_equal(munmap(hole, 4 * PAGE), 0);
	foreign = foreign_at(hole, 4 * PAGE);
	convert_all(fx, true);
	assert_true(host_all(foreign, 4 * PAGE, FOREIGN));
	assert_gmem_view(fx, fx->host, 4 * PAGE, true);
	assert_gmem_view(fx, fx->host + 8 * PAGE, 8 * PAGE, true);
	convert_all(fx, false);
	assert_true(host_all(foreign, 4 * PAGE, FOREIGN));
	assert_gmem_view(fx, fx->host, 4 * PAGE, false);
	assert_gmem_view(fx, fx->host + 8 * PAGE, 8 * PAGE, false);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
	munmap(foreign, 4 * PAGE);
}

/* The first pages are given back: the record's start moves. */
static void test_munmap_head_then_reuse(void **state)
{
	struct fixture *fx = *state;
	char *foreign;

	assert_int_equal(munmap(fx->host, 4 * PAGE), 0);
	foreign = foreign_at(fx->host, 4 * PAGE);
	convert_around_foreign(fx, foreign, 4 * PAGE);
	convert_all(fx, true);
	assert_gmem_view(fx, fx->host + 4 * PAGE, 12 * PAGE, true);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host + 4 * PAGE, 12 * PAGE, false);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host + 4 * PAGE, 12 * PAGE), 0);
	munmap(foreign, 4 * PAGE);
}

/* The mapping moves away and the old address is reused. */
static void test_mremap_then_reuse(void **state)
{
	struct fixture *fx = *state;
	char *dest =
		mmap(NULL, SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *moved, *foreign;

	assert_ptr_not_equal(dest, MAP_FAILED);
	moved = mremap(fx->host, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       dest);
	assert_ptr_equal(moved, dest);
	foreign = foreign_at(fx->host, SIZE);
	convert_around_foreign(fx, foreign, SIZE);
	assert_file_behaves(fx);
	munmap(foreign, SIZE);
	munmap(moved, SIZE);
}

/* Only the memfd backend's memory is the library's alone; with the kvm
 * backend a moved mapping looks like the program's own mapping of the
 * kernel's guest_memfd, which conversions must leave alone. */
static void skip_unless_memory_internal(struct fixture *fx)
{
	if (fx->backend == GMEM_BACKEND_KVM)
		skip(); /* kvm: a moved mapping is the program's (gmem_mmap(3))
			 */
}

/* [p, p + len) follows the file's conversions as a gmem mapping does. */
static void assert_follows_conversions(struct fixture *fx, char *p, size_t len)
{
	convert_all(fx, true);
	for (size_t at = 0; at < len; at += PAGE) {
		assert_int_equal(host_read(p + at), -1);
		assert_int_equal(host_write(p + at, 1), -1);
	}
	convert_all(fx, false);
	assert_gmem_view(fx, p, len, false);
}

/* The leak: a mapping moved with mremap(2) kept showing private bytes.
 * Moved, it is found and adopted: SIGBUS where private, the bytes again
 * where shared; the old address, reused, is left alone; gmem_munmap() of
 * the new address releases it. */
static void test_mremap_follows_conversions(void **state)
{
	struct fixture *fx = *state;
	char *dest =
		mmap(NULL, SIZE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *moved, *foreign;

	skip_unless_memory_internal(fx);
	assert_ptr_not_equal(dest, MAP_FAILED);
	moved = mremap(fx->host, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED,
		       dest);
	assert_ptr_equal(moved, dest);
	foreign = foreign_at(fx->host, SIZE);
	assert_follows_conversions(fx, moved, SIZE);
	assert_true(host_all(foreign, SIZE, FOREIGN));
	assert_follows_conversions(fx, moved, SIZE);
	assert_true(host_all(foreign, SIZE, FOREIGN));
	assert_int_equal(gmem_munmap(moved, SIZE), 0);
	assert_true(unmapped(moved, SIZE));
	convert_around_foreign(fx, foreign, SIZE);
	assert_file_behaves(fx);
	munmap(foreign, SIZE);
}

/* Moved while private: the moved range shows the hole, and is adopted
 * the same way. */
static void test_mremap_private_follows_conversions(void **state)
{
	struct fixture *fx = *state;
	char *area = mmap(NULL, SIZE + PAGE, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *p, *moved;

	skip_unless_memory_internal(fx);
	assert_ptr_not_equal(area, MAP_FAILED);
	memset(area + SIZE, FOREIGN, PAGE);
	/* Followed by foreign memory, it cannot grow in place: plain
	 * MREMAP_MAYMOVE moves it. */
	p = gmem_mmap(area, SIZE, PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_FIXED, fx->fd, 0);
	assert_ptr_equal(p, area);
	convert_all(fx, true);
	moved = mremap(p, SIZE, SIZE + PAGE, MREMAP_MAYMOVE);
	assert_ptr_not_equal(moved, MAP_FAILED);
	assert_ptr_not_equal(moved, p);
	assert_int_equal(host_read(moved + PAGE), -1);
	convert_all(fx, false);
	assert_gmem_view(fx, moved, SIZE, false);
	assert_follows_conversions(fx, moved, SIZE);
	assert_true(host_all(area + SIZE, PAGE, FOREIGN));
	assert_int_equal(gmem_munmap(moved, SIZE + PAGE), 0);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
	assert_file_behaves(fx);
	munmap(area + SIZE, PAGE);
}

/* Part of the mapping moved: both the part left and the part moved obey. */
static void test_mremap_part_follows_conversions(void **state)
{
	struct fixture *fx = *state;
	char *dest = mmap(NULL, 4 * PAGE, PROT_NONE,
			  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *moved;

	skip_unless_memory_internal(fx);
	assert_ptr_not_equal(dest, MAP_FAILED);
	moved = mremap(fx->host + 4 * PAGE, 4 * PAGE, 4 * PAGE,
		       MREMAP_MAYMOVE | MREMAP_FIXED, dest);
	assert_ptr_equal(moved, dest);
	assert_follows_conversions(fx, moved, 4 * PAGE);
	convert_all(fx, true);
	assert_gmem_view(fx, fx->host, 4 * PAGE, true);
	assert_gmem_view(fx, fx->host + 8 * PAGE, 8 * PAGE, true);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host, 4 * PAGE, false);
	assert_int_equal(gmem_munmap(moved, 4 * PAGE), 0);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
	assert_file_behaves(fx);
}

/* MREMAP_DONTUNMAP (Linux 5.13 for shared mappings): the old mapping
 * stays and still obeys; the copy is found once a record goes stale
 * (here the old mapping is released with plain munmap()). */
static void test_mremap_dontunmap(void **state)
{
	struct fixture *fx = *state;
	char *copy;

	skip_unless_memory_internal(fx);
	copy = mremap(fx->host, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_DONTUNMAP);
	if (copy == MAP_FAILED && errno == EINVAL)
		skip(); /* before 5.13: shared mappings refused */
	assert_ptr_not_equal(copy, MAP_FAILED);
	convert_all(fx, true);
	assert_gmem_view(fx, fx->host, SIZE, true);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host, SIZE, false);
	assert_int_equal(munmap(fx->host, SIZE), 0);
	assert_follows_conversions(fx, copy, SIZE);
	assert_int_equal(gmem_munmap(copy, SIZE), 0);
	assert_file_behaves(fx);
}

/* Part of the mapping made read-only: still the library's mapping of the
 * file, so it is revoked and restored, and keeps the program's
 * protection. */
static void test_mprotect(void **state)
{
	struct fixture *fx = *state;
	char *ro = fx->host + 2 * PAGE;

	assert_int_equal(mprotect(ro, 3 * PAGE, PROT_READ), 0);
	convert_all(fx, true);
	assert_gmem_view(fx, fx->host, SIZE, true);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host, SIZE, false);
	assert_int_equal(host_write(ro + PAGE, 1), -2);
	assert_int_equal(host_write(fx->host + 5 * PAGE, GUEST_BYTE), 0);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

struct ro_writer {
	char *page;
	atomic_bool stop;
	unsigned long written; /* stores that went through */
};

static void *write_read_only(void *arg)
{
	struct ro_writer *w = arg;

	while (!atomic_load(&w->stop))
		if (host_write(w->page, 1) == 0)
			w->written++;
	return NULL;
}

/* A read-only piece is mapped back read-only at once: another thread's
 * store into it never goes through, not even while it is restored. */
static void test_read_only_never_writable(void **state)
{
	struct fixture *fx = *state;
	struct ro_writer w = { .page = fx->host + PAGE };
	pthread_t writer;

#ifdef __SANITIZE_THREAD__
	/* The stores race the remaps on purpose; ThreadSanitizer counts the
	 * kernel's mmap() as a write of the memory and reports the race. */
	(void)w;
	(void)writer;
	skip();
#endif
	assert_int_equal(mprotect(fx->host, SIZE, PROT_READ), 0);
	assert_int_equal(pthread_create(&writer, NULL, write_read_only, &w), 0);
	/* Valgrind has no remap sources to race (pieces come from the
	 * descriptor there), and runs each round trip a hundred times
	 * slower. */
	int rounds = RUNNING_ON_VALGRIND ? 20 : 2000;

	for (int i = 0; i < rounds; i++) {
		assert_int_equal(
			test_convert(fx->fd, PAGE, PAGE, true, PRESERVE, NULL),
			0);
		assert_int_equal(
			test_convert(fx->fd, PAGE, PAGE, false, PRESERVE, NULL),
			0);
	}
	atomic_store(&w.stop, true);
	assert_int_equal(pthread_join(writer, NULL), 0);
	assert_int_equal(w.written, 0);
	assert_int_equal(host_read(fx->host + PAGE), GUEST_BYTE);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

/* MADV_DONTNEED drops the page tables of a shared mapping, not the
 * file's bytes: the mapping stays the library's. */
static void test_madvise_dontneed(void **state)
{
	struct fixture *fx = *state;

	assert_int_equal(madvise(fx->host, SIZE, MADV_DONTNEED), 0);
	assert_gmem_view(fx, fx->host, SIZE, false);
	convert_all(fx, true);
	assert_int_equal(madvise(fx->host, SIZE, MADV_DONTNEED), 0);
	assert_gmem_view(fx, fx->host, SIZE, true);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host, SIZE, false);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

/* Someone else maps over the middle of the mapping with MAP_FIXED. */
static void test_map_fixed_over(void **state)
{
	struct fixture *fx = *state;
	char *foreign = foreign_over(fx->host + 6 * PAGE, 3 * PAGE);

	convert_around_foreign(fx, foreign, 3 * PAGE);
	convert_all(fx, true);
	assert_gmem_view(fx, fx->host, 6 * PAGE, true);
	assert_gmem_view(fx, fx->host + 9 * PAGE, 7 * PAGE, true);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host, 6 * PAGE, false);
	assert_gmem_view(fx, fx->host + 9 * PAGE, 7 * PAGE, false);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

/* Someone else's MAP_FIXED while the range is private. */
static void test_map_fixed_over_private(void **state)
{
	struct fixture *fx = *state;
	char *foreign;

	convert_all(fx, true);
	foreign = foreign_over(fx->host, SIZE);
	convert_around_foreign(fx, foreign, SIZE);
	assert_file_behaves(fx);
	munmap(foreign, SIZE);
}

/* Another guest_memfd's private mapping moved onto the address: it is a
 * mapping the library made, but not of this file. */
static void test_other_file_moved_here(void **state)
{
	struct fixture *fx = *state;
	int other = test_gmem(fx->vm, SIZE, GUEST_MEMFD_FLAG_MMAP);
	char *p = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
			    other, 0);

	assert_ptr_not_equal(p, MAP_FAILED);
	convert_all(fx, true);
	assert_int_equal(munmap(fx->host, SIZE), 0);
	assert_ptr_equal(
		mremap(p, SIZE, SIZE, MREMAP_MAYMOVE | MREMAP_FIXED, fx->host),
		fx->host);
	/* Still the other file's private pages (SIGBUS), never this file's
	 * bytes, whichever way this file is converted. */
	for (int round = 0; round < 2; round++) {
		convert_all(fx, false);
		assert_int_equal(host_read(fx->host + 3 * PAGE), -1);
		convert_all(fx, true);
		assert_int_equal(host_read(fx->host + 3 * PAGE), -1);
	}
	convert_all(fx, false);
	assert_file_behaves(fx);
	munmap(fx->host, SIZE);
	assert_int_equal(gmem_close(other), 0);
}

/* The library's own view of the file (made with mmap(NULL) on first use,
 * here by gmem_pin) may land where the program unmapped a gmem mapping,
 * showing the same offsets: it is not a host mapping, and conversions must
 * leave it alone, or the library's next write through it (ZERO on a page
 * going shared) would fault inside the library. */
static void test_view_lands_in_hole(void **state)
{
	struct fixture *fx = *state;
	char *p;

	assert_int_equal(munmap(fx->host, SIZE), 0);
	assert_int_equal(gmem_pin(fx->fd, 0, PAGE), 0);
	assert_int_equal(gmem_unpin(fx->fd, 0, PAGE), 0);
	/* Whether or not the view took the address, nothing may break. */
	assert_int_equal(
		test_convert(fx->fd, 2 * PAGE, PAGE, true, PRESERVE, NULL), 0);
	assert_int_equal(test_convert(fx->fd, 2 * PAGE, PAGE, false,
				      KVM_SET_MEMORY_ATTRIBUTES2_ZERO, NULL),
			 0);
	p = gmem_mmap(NULL, SIZE, PROT_READ, MAP_SHARED, fx->fd, 0);
	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(host_read(p + 2 * PAGE), 0);
	assert_int_equal(host_read(p + 3 * PAGE), GUEST_BYTE);
	assert_int_equal(gmem_munmap(p, SIZE), 0);
	assert_file_behaves(fx);
}

/* The vmas of [p, p + len), and whether each is MADV_DONTFORK ("dc"),
 * from /proc/self/smaps. */
static int vmas_in(const char *p, size_t len, bool *all_dontfork)
{
	FILE *smaps = fopen("/proc/self/smaps", "r");
	unsigned long lo, hi;
	bool inside = false;
	char line[512];
	int n = 0;

	assert_non_null(smaps);
	*all_dontfork = true;
	while (fgets(line, sizeof(line), smaps)) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2) {
			inside = lo < (uintptr_t)p + len && hi > (uintptr_t)p;
			n += inside;
		} else if (inside && !strncmp(line, "VmFlags:", 8)) {
			*all_dontfork &= strstr(line, " dc") != NULL;
		}
	}
	fclose(smaps);
	return n;
}

/* Conversions remap the mapping piece by piece (host_map.c); each piece
 * shown again must merge back with its neighbours, flags and all, or
 * every conversion would leave vmas behind until the process ran out of
 * them, and each stays MADV_DONTFORK. */
static void test_remaps_merge_back(void **state)
{
	struct fixture *fx = *state;
	bool dontfork;

	for (int round = 0; round < 3; round++) {
		for (size_t at = PAGE; at < SIZE; at += 2 * PAGE)
			assert_int_equal(test_convert(fx->fd, at, PAGE, true,
						      PRESERVE, NULL),
					 0);
		assert_int_equal(vmas_in(fx->host, SIZE, &dontfork),
				 (int)(SIZE / PAGE));
		assert_true(dontfork);
		for (size_t at = PAGE; at < SIZE; at += 2 * PAGE)
			assert_int_equal(test_convert(fx->fd, at, PAGE, false,
						      PRESERVE, NULL),
					 0);
		assert_int_equal(vmas_in(fx->host, SIZE, &dontfork), 1);
		assert_true(dontfork);
	}
	assert_gmem_view(fx, fx->host, SIZE, false);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

/* The descriptor of the file mapped at `p` (the library's hole where a
 * page is private): the one whose inode /proc/self/maps names there. */
static int fd_mapped_at(const char *p)
{
	FILE *maps = fopen("/proc/self/maps", "r");
	unsigned long lo, hi, ino = 0, candidate;
	char line[512];
	struct stat st;

	assert_non_null(maps);
	while (!ino && fgets(line, sizeof(line), maps))
		if (sscanf(line, "%lx-%lx %*s %*x %*x:%*x %lu", &lo, &hi,
			   &candidate) == 3 &&
		    (uintptr_t)p >= lo && (uintptr_t)p < hi)
			ino = candidate;
	fclose(maps);
	for (int fd = 0; ino && fd < 1024; fd++)
		if (!fstat(fd, &st) && st.st_ino == ino)
			return fd;
	return -1;
}

/* Whether mremap(2) can map a shared mapping again with an old size of 0
 * here: valgrind knows no such call, and the library then maps from its
 * descriptors. */
static bool remap_duplicates(void)
{
	char *p =
		mmap(NULL, PAGE, PROT_READ, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	char *q;

	assert_ptr_not_equal(p, MAP_FAILED);
	q = mremap(p, 0, PAGE, MREMAP_MAYMOVE);
	if (q != MAP_FAILED)
		munmap(q, PAGE);
	munmap(p, PAGE);
	return q != MAP_FAILED;
}

/* A program closes the library's hole descriptor by mistake and gets
 * the number back for a file of its own: conversions must never map that
 * file into the gmem mapping, or the program would read its own bytes
 * where a private page must fault, and write into its file there. The
 * remaps name no descriptor (host_map.c). */
static void test_hole_number_reused(void **state)
{
	struct fixture *fx = *state;
	int fd, own = memfd_create("own", MFD_CLOEXEC);
	char *own_bytes;

	assert_int_equal(test_convert(fx->fd, 0, PAGE, true, PRESERVE, NULL),
			 0);
	fd = fd_mapped_at(fx->host);
	assert_true(fd >= 0 && own >= 0);
	assert_int_equal(ftruncate(own, SIZE), 0);
	own_bytes =
		mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, own, 0);
	assert_ptr_not_equal(own_bytes, MAP_FAILED);
	memset(own_bytes, FOREIGN, SIZE);
	assert_int_equal(dup2(own, fd), fd);
	close(own);
	if (!remap_duplicates()) {
		/* From the descriptor, which is checked first: the
		 * conversion fails and changes nothing. */
		errno = 0;
		assert_int_equal(test_convert(fx->fd, PAGE, SIZE - PAGE, true,
					      PRESERVE, NULL),
				 -1);
		assert_int_equal(errno, EIO);
		assert_gmem_view(fx, fx->host + PAGE, SIZE - PAGE, false);
	}
	for (int round = 0; round < 2 && remap_duplicates(); round++) {
		convert_all(fx, true);
		assert_gmem_view(fx, fx->host, SIZE, true);
		convert_all(fx, false);
		assert_gmem_view(fx, fx->host, SIZE, false);
	}
	assert_true(host_all(own_bytes, SIZE, FOREIGN));
	munmap(own_bytes, SIZE);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

/* A file larger than the remaps' sources cover is mapped from its
 * descriptors, as before them: the same answers. */
static void test_file_past_sources(void **state)
{
	struct fixture *fx = *state;
	const uint64_t at = 1ULL << 40;
	int fd = test_gmem(fx->vm, at + SIZE, SHARED_MMAP);
	char *p = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    (off_t)at);
	bool dontfork;

	assert_ptr_not_equal(p, MAP_FAILED);
	memset(p, GUEST_BYTE, SIZE);
	for (int round = 0; round < 2; round++) {
		assert_int_equal(test_convert(fd, at + PAGE, 2 * PAGE, true,
					      PRESERVE, NULL),
				 0);
		assert_int_equal(host_read(p), GUEST_BYTE);
		assert_int_equal(host_read(p + PAGE), -1);
		assert_int_equal(host_write(p + 2 * PAGE, 1), -1);
		assert_int_equal(host_read(p + 3 * PAGE), GUEST_BYTE);
		assert_int_equal(test_convert(fd, at + PAGE, 2 * PAGE, false,
					      PRESERVE, NULL),
				 0);
		assert_true(host_all(p, SIZE, GUEST_BYTE));
		assert_int_equal(vmas_in(p, SIZE, &dontfork), 1);
		assert_true(dontfork);
	}
	assert_int_equal(gmem_munmap(p, SIZE), 0);
	assert_int_equal(gmem_close(fd), 0);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

static int open_fds(void)
{
	int n = 0;

	for (int fd = 0; fd < 1024; fd++)
		n += fcntl(fd, F_GETFD) != -1;
	return n;
}

/* A mapping released with plain munmap() no longer holds the file: its
 * memory is freed once its descriptor is closed. */
static void test_munmap_then_close_releases_file(void **state)
{
	struct fixture *fx = *state;
	int fd = test_gmem(fx->vm, SIZE, SHARED_MMAP);
	char *p = gmem_mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
			    0);
	int before;

	assert_ptr_not_equal(p, MAP_FAILED);
	assert_int_equal(munmap(p, SIZE), 0);
	before = open_fds();
	assert_int_equal(gmem_close(fd), 0);
	/* The caller's descriptor, the memory's and the hole's. */
	assert_int_equal(open_fds(), before - 3);
}

/* A child forked while the mapping exists touches it once told to, and
 * exits 0 when both its read and its write raised SIGBUS, as a touch of a
 * private page does: neither reached the file. Valgrind does not know
 * that MADV_DONTFORK left the child nothing there, and keeps the address
 * from the library's hole: there the touch is SIGSEGV, reaching nothing
 * either. */
static pid_t fork_toucher(char *p, int *go)
{
	int pipefd[2];
	pid_t pid;
	char c;

	assert_int_equal(pipe(pipefd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pipefd[1]);
		if (read(pipefd[0], &c, 1) != 1)
			_exit(3);
		int want = RUNNING_ON_VALGRIND ? -2 : -1;

		_exit(host_read(p) == want && host_write(p, 1) == want ? 0 : 1);
	}
	close(pipefd[0]);
	*go = pipefd[1];
	return pid;
}

static void release_and_reap(pid_t pid, int go)
{
	int status;

	assert_int_equal(write(go, "g", 1), 1);
	close(go);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The parent converts to private after the fork: the child can neither
 * read the bytes nor write into what the guest will read. The child gets
 * no mapping of the memory (MADV_DONTFORK): a conversion could not take
 * the pages back from its page tables; it finds the file's hole there. */
static void test_fork_then_to_private(void **state)
{
	struct fixture *fx = *state;
	int go;
	pid_t pid = fork_toucher(fx->host + 2 * PAGE, &go);

	convert_all(fx, true);
	release_and_reap(pid, go);
	convert_all(fx, false);
	assert_gmem_view(fx, fx->host, SIZE, false);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

/* Forked while private, converted to shared afterwards: the parent's
 * mapping shows the bytes again; the child's touch raises SIGBUS. */
static void test_fork_then_to_shared(void **state)
{
	struct fixture *fx = *state;
	pid_t pid;
	int go;

	convert_all(fx, true);
	pid = fork_toucher(fx->host + 2 * PAGE, &go);
	convert_all(fx, false);
	release_and_reap(pid, go);
	assert_gmem_view(fx, fx->host, SIZE, false);
	assert_file_behaves(fx);
	assert_int_equal(gmem_munmap(fx->host, SIZE), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_munmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_then_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_munmap_private_then_reuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_munmap_then_reuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_munmap_head_then_reuse,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_mremap_then_reuse, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mremap_follows_conversions,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_mremap_private_follows_conversions, setup,
			teardown),
		cmocka_unit_test_setup_teardown(
			test_mremap_part_follows_conversions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mremap_dontunmap, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_mprotect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_only_never_writable,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_madvise_dontneed, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map_fixed_over, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_map_fixed_over_private,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_file_moved_here,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_munmap_then_close_releases_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_view_lands_in_hole, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_fork_then_to_private,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_then_to_shared, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_remaps_merge_back, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_hole_number_reused, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_file_past_sources, setup,
						teardown),
	};

#ifdef VMA_QUERY_TEXT
	vma_query_force_text(true);
#endif
	return RUN_ON_BACKENDS(tests, struct fixture);
}
