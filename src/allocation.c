// SPDX-License-Identifier: MIT
/*
 * Allocation state and fallocate(). This file is the only writer of the
 * allocation record: a DESTROY conversion frees pages through
 * allocation_free(), which reserves before the point of no return as
 * fallocate() does.
 *
 * fallocate() follows the kernel's order: the VFS checks first
 * (vfs_fallocate: EINVAL for a negative offset or a non-positive length,
 * EOPNOTSUPP for modes it does not know, EFBIG for an overflowing range),
 * then guest_memfd's own (kvm_gmem_fallocate: KEEP_SIZE required, only
 * PUNCH_HOLE besides it, page alignment, allocation only inside the file).
 * Punching is not bounded by the file size (R29) and never changes an
 * attribute (R30).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/falloc.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "allocation.h"
#include "file_validate.h"
#include "gmem_file.h"
#include "uaccess.h"
#include "view.h"

#ifndef FALLOC_FL_WRITE_ZEROES
#define FALLOC_FL_WRITE_ZEROES 0x80
#endif

#define VFS_MODE_MASK                                                          \
	(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_COLLAPSE_RANGE |                     \
	 FALLOC_FL_ZERO_RANGE | FALLOC_FL_INSERT_RANGE |                       \
	 FALLOC_FL_UNSHARE_RANGE | FALLOC_FL_WRITE_ZEROES)

/* The mode checks of vfs_fallocate(). */
static int vfs_check_mode(int mode)
{
	if (mode & ~(VFS_MODE_MASK | FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	switch (mode & VFS_MODE_MASK) {
	case 0:
	case FALLOC_FL_ZERO_RANGE:
	case FALLOC_FL_UNSHARE_RANGE:
		return 0;
	case FALLOC_FL_PUNCH_HOLE:
		return mode & FALLOC_FL_KEEP_SIZE ? 0 : -EOPNOTSUPP;
	case FALLOC_FL_COLLAPSE_RANGE:
	case FALLOC_FL_INSERT_RANGE:
	case FALLOC_FL_WRITE_ZEROES:
		return mode & FALLOC_FL_KEEP_SIZE ? -EOPNOTSUPP : 0;
	default:
		return -EOPNOTSUPP;
	}
}

int allocation_vfs_check(int mode, int64_t offset, int64_t len)
{
	int err;

	if (offset < 0 || len <= 0)
		return -EINVAL;
	err = vfs_check_mode(mode);
	if (err)
		return err;
	if ((uint64_t)offset + (uint64_t)len > (uint64_t)INT64_MAX)
		return -EFBIG;
	return 0;
}

/* The checks of kvm_gmem_fallocate(). */
static int gmem_check(struct gmem_file *f, int mode, uint64_t offset,
		      uint64_t len)
{
	if (!(mode & FALLOC_FL_KEEP_SIZE))
		return -EOPNOTSUPP;
	if (mode & ~(FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE))
		return -EOPNOTSUPP;
	/* A huge file allocates and punches whole folios (R112). */
	if ((offset | len) & (gmem_file_folio_size(f) - 1))
		return -EINVAL;
	if (!(mode & FALLOC_FL_PUNCH_HOLE) && offset + len > f->size)
		return -EINVAL;
	return 0;
}

/* Record [first, end) as (de)allocated around the backing file's own
 * fallocate(), with the tree's nodes reserved first so that the record
 * cannot fail once the memory changed. Caller holds state_lock. */
struct allocate_walk {
	struct gmem_file *file;
	int err;
};

static int allocate_unallocated(const struct range_tree_range *r, void *arg)
{
	struct allocate_walk *w = arg;

	if (r->value)
		return 0;
	if (fallocate(w->file->memory_fd, FALLOC_FL_KEEP_SIZE,
		      (off_t)(r->start << GMEM_PAGE_SHIFT),
		      (off_t)((r->end - r->start) << GMEM_PAGE_SHIFT)))
		w->err = -errno;
	return w->err;
}

/*
 * Allocate only what fallocate() has not: shmem marks a page it allocated
 * before up to date when asked again, which would end its zeroing on first
 * use (R23), while the kernel's guest_memfd leaves it alone.
 */
static int backend_allocate(struct gmem_file *f, uint64_t first, uint64_t end)
{
	struct allocate_walk w = { .file = f };

	gmem_assert_mutex_held(&f->state_lock);
	range_tree_for_each(&f->fallocated, first, end, allocate_unallocated,
			    &w);
	return w.err;
}

static int allocation_apply(struct gmem_file *f, int mode, uint64_t offset,
			    uint64_t len, uint64_t first, uint64_t end)
{
	struct range_tree_reservation r = { 0 };
	int err;

	gmem_assert_mutex_held(&f->state_lock);
	err = gmem_file_memory_fd(f);
	if (err < 0)
		return err;
	err = range_tree_reserve(&f->fallocated, &r);
	if (err)
		goto out;
	if (!(mode & FALLOC_FL_PUNCH_HOLE))
		err = backend_allocate(f, first, end);
	else if (fallocate(f->memory_fd, mode, (off_t)offset, (off_t)len))
		err = -errno;
	if (!err && first < end)
		range_tree_store(&f->fallocated, first, end,
				 !(mode & FALLOC_FL_PUNCH_HOLE), &r);
out:
	range_tree_unreserve(&r);
	return err;
}

/* Punching removes pages from every mapping, so it excludes conversions
 * and faults alike, as the kernel's invalidate lock does. */
static int allocation_punch(struct gmem_file *f, uint64_t offset, uint64_t len)
{
	uint64_t end = offset + len < f->size ? offset + len : f->size;
	uint64_t first = page_index(offset);
	int err;

	gmem_rwlock_write_lock(&f->convert_lock);
	gmem_mutex_lock(&f->state_lock);
	err = allocation_apply(f, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
			       offset, len, first,
			       offset < end ? page_index(end) : first);
	gmem_mutex_unlock(&f->state_lock);
	gmem_file_assert_valid(f);
	gmem_rwlock_write_unlock(&f->convert_lock);
	return err;
}

static int allocation_allocate(struct gmem_file *f, uint64_t offset,
			       uint64_t len)
{
	int err;

	gmem_rwlock_read_lock(&f->convert_lock);
	gmem_mutex_lock(&f->state_lock);
	err = allocation_apply(f, FALLOC_FL_KEEP_SIZE, offset, len,
			       page_index(offset), page_index(offset + len));
	gmem_mutex_unlock(&f->state_lock);
	gmem_file_assert_valid(f);
	gmem_rwlock_read_unlock(&f->convert_lock);
	return err;
}

int allocation_fallocate(struct gmem_file *f, int mode, int64_t offset,
			 int64_t len)
{
	int err = allocation_vfs_check(mode, offset, len);

	if (!err)
		err = gmem_check(f, mode, offset, len);
	if (err)
		return err;
	if (mode & FALLOC_FL_PUNCH_HOLE)
		return allocation_punch(f, offset, len);
	return allocation_allocate(f, offset, len);
}

struct scan_chunk {
	unsigned char *vec; /* one byte per page from `first` */
	uint64_t first;
};

static int mark_fallocated(const struct range_tree_range *r, void *arg)
{
	struct scan_chunk *c = arg;

	if (r->value)
		memset(c->vec + (r->start - c->first), 1, r->end - r->start);
	return 0;
}

/* vec[i] = 1 where page first + i is up to date in the page cache, by
 * mincore() on the library's view. Right by itself for the kernel's
 * guest_memfd only, whose pages are never swapped out. */
static int data_scan_mincore(struct gmem_file *f, uint64_t first, uint64_t n,
			     unsigned char *vec)
{
	struct view v;
	int err;

	err = view_map(f, first << GMEM_PAGE_SHIFT, n << GMEM_PAGE_SHIFT, &v);
	if (err)
		return err;
	if (mincore(v.base, n << GMEM_PAGE_SHIFT, vec))
		err = -errno;
	view_unmap(&v);
	for (uint64_t i = 0; !err && i < n; i++)
		vec[i] &= 1;
	return err;
}

/* Pages [from, to) that mincore() found not resident, asked again with
 * SEEK_DATA: a page in swap holds data too. One call a run of holes
 * where nothing is swapped out. The positions are the kernel's answers,
 * never the shared file offset, so concurrent scans do not disturb each
 * other. */
static int seek_swapped(struct gmem_file *f, uint64_t first, uint64_t from,
			uint64_t to, unsigned char *vec)
{
	while (from < to) {
		off_t data = lseek(f->memory_fd,
				   (off_t)(from << GMEM_PAGE_SHIFT), SEEK_DATA);
		uint64_t page;

		if (data < 0)
			return errno == ENXIO ? 0 : -errno;
		page = page_index((uint64_t)data);
		if (page >= to)
			return 0;
		vec[page - first] = 1;
		from = page + 1;
	}
	return 0;
}

/* Every run of zeros in vec[from, n) asked again with SEEK_DATA. */
static int seek_holes(struct gmem_file *f, uint64_t first, uint64_t from,
		      uint64_t n, unsigned char *vec)
{
	uint64_t run = n; /* start of the current run of zeros, n = none */
	int err = 0;

	for (uint64_t i = from; !err && i <= n; i++) {
		if (i < n && !vec[i] && run == n)
			run = i;
		if ((i == n || vec[i]) && run != n) {
			err = seek_swapped(f, first, first + run, first + i,
					   vec);
			run = n;
		}
	}
	return err;
}

/*
 * vec[i] = 1 where page first + i of a memfd holds data, in memory or in
 * swap. SEEK_DATA finds the first such page: a 4 KiB range is one system
 * call. The rest of the range is read with mincore(), whose work is
 * bounded by the range (SEEK_HOLE would visit every page of the run of
 * data, to the end of a fully allocated file: milliseconds at 1 GiB), and
 * what it found missing is asked again with SEEK_DATA.
 */
static int data_scan_seek(struct gmem_file *f, uint64_t first, uint64_t n,
			  unsigned char *vec)
{
	off_t data = lseek(f->memory_fd, (off_t)(first << GMEM_PAGE_SHIFT),
			   SEEK_DATA);
	uint64_t d, rest;
	int err;

	memset(vec, 0, n);
	if (data < 0)
		return errno == ENXIO ? 0 : -errno;
	d = page_index((uint64_t)data) - first;
	if (d >= n)
		return 0;
	vec[d] = 1;
	rest = n - d - 1;
	if (!rest)
		return 0;
	err = data_scan_mincore(f, first + d + 1, rest, vec + d + 1);
	return err ? err : seek_holes(f, first, d + 1, n, vec);
}

static int data_scan(struct gmem_file *f, uint64_t first, uint64_t n,
		     unsigned char *vec)
{
	return f->memory_seekable ? data_scan_seek(f, first, n, vec)
				  : data_scan_mincore(f, first, n, vec);
}

int allocation_page_has_data(struct gmem_file *f, uint64_t index, bool *has)
{
	unsigned char in = 0;
	bool holds_data;
	int err;

	gmem_assert_held(&f->convert_lock);
	err = gmem_file_memory_check(f, &holds_data);
	if (!err && holds_data)
		err = data_scan(f, index, 1, &in);
	*has = in;
	return err;
}

/* One chunk: pages that hold data, then fallocated ones. */
static int allocation_scan(struct gmem_file *f, uint64_t first, uint64_t n,
			   unsigned char *vec)
{
	struct scan_chunk chunk = { .vec = vec, .first = first };
	bool all_fallocated;
	int err;

	/* A chunk fallocate() covered needs no look at the kernel's pages. */
	gmem_mutex_lock(&f->state_lock);
	all_fallocated =
		range_tree_range_has(&f->fallocated, first, first + n, 1);
	gmem_mutex_unlock(&f->state_lock);
	if (all_fallocated) {
		memset(vec, 1, n);
		return 0;
	}
	err = data_scan(f, first, n, vec);
	if (err)
		return err;
	gmem_mutex_lock(&f->state_lock);
	range_tree_for_each(&f->fallocated, first, first + n, mark_fallocated,
			    &chunk);
	gmem_mutex_unlock(&f->state_lock);
	return 0;
}

#define SCAN_CHUNK 4096ULL

int allocation_query(struct gmem_file *f, uint64_t first, uint64_t npages,
		     unsigned char *vec)
{
	bool holds_data;
	int err = gmem_file_memory_check(f, &holds_data);

	gmem_assert_held(&f->convert_lock);
	if (err)
		return err;
	if (!holds_data) {
		memset(vec, 0, npages);
		return 0;
	}
	for (uint64_t done = 0; done < npages; done += SCAN_CHUNK) {
		uint64_t n =
			npages - done < SCAN_CHUNK ? npages - done : SCAN_CHUNK;

		err = allocation_scan(f, first + done, n, vec + done);

		if (err)
			return err;
	}
	return 0;
}

/* allocation_query() into the caller's vector, a chunk at a time through
 * copy_to_user(): a vector the caller cannot write is EFAULT, as mincore()
 * answers, never a crash. Caller holds convert_lock. */
static int allocation_copy_out(struct gmem_file *f, uint64_t first,
			       uint64_t npages, unsigned char *vec)
{
	unsigned char chunk[SCAN_CHUNK];

	gmem_assert_held(&f->convert_lock);
	for (uint64_t done = 0; done < npages; done += SCAN_CHUNK) {
		uint64_t n =
			npages - done < SCAN_CHUNK ? npages - done : SCAN_CHUNK;
		int err = allocation_query(f, first + done, n, chunk);

		if (!err)
			err = copy_to_user(vec + done, chunk, n);
		if (err)
			return err;
	}
	return 0;
}

int allocation_get(struct gmem_file *f, uint64_t offset, uint64_t len,
		   unsigned char *vec)
{
	int err = gmem_file_range_check(f, offset, len);

	if (!err && len && !vec)
		err = -EFAULT;
	if (err || !len)
		return err;
	gmem_rwlock_read_lock(&f->convert_lock);
	err = allocation_copy_out(f, page_index(offset), page_index(len), vec);
	gmem_rwlock_read_unlock(&f->convert_lock);
	return err;
}

static int reallocate_fallocated(const struct range_tree_range *r, void *arg)
{
	struct gmem_file *f = arg;

	if (r->value)
		fallocate(f->memory_fd, FALLOC_FL_KEEP_SIZE,
			  (off_t)(r->start << GMEM_PAGE_SHIFT),
			  (off_t)((r->end - r->start) << GMEM_PAGE_SHIFT));
	return 0;
}

void allocation_zero_by_punching(struct gmem_file *f, uint64_t first,
				 uint64_t end)
{
	gmem_assert_write_held(&f->convert_lock);
	fallocate(f->memory_fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
		  (off_t)(first << GMEM_PAGE_SHIFT),
		  (off_t)((end - first) << GMEM_PAGE_SHIFT));
	gmem_mutex_lock(&f->state_lock);
	range_tree_for_each(&f->fallocated, first, end, reallocate_fallocated,
			    f);
	gmem_mutex_unlock(&f->state_lock);
}

int allocation_reserve_free(struct gmem_file *f,
			    struct range_tree_reservation *res)
{
	int err;

	gmem_mutex_lock(&f->state_lock);
	err = range_tree_reserve(&f->fallocated, res);
	gmem_mutex_unlock(&f->state_lock);
	return err;
}

void allocation_free(struct gmem_file *f, uint64_t first, uint64_t end,
		     struct range_tree_reservation *res)
{
	gmem_assert_write_held(&f->convert_lock);
	fallocate(f->memory_fd, FALLOC_FL_KEEP_SIZE | FALLOC_FL_PUNCH_HOLE,
		  (off_t)(first << GMEM_PAGE_SHIFT),
		  (off_t)((end - first) << GMEM_PAGE_SHIFT));
	gmem_mutex_lock(&f->state_lock);
	range_tree_store(&f->fallocated, first, end, 0, res);
	gmem_mutex_unlock(&f->state_lock);
}

int allocation_for_each(struct gmem_file *f, uint64_t first, uint64_t end,
			int (*fn)(struct gmem_file *f, uint64_t start,
				  uint64_t end, void *arg),
			void *arg)
{
	unsigned char vec[SCAN_CHUNK];
	uint64_t run = end; /* start of the current run, end = none */

	gmem_assert_held(&f->convert_lock);
	for (uint64_t base = first; base < end; base += SCAN_CHUNK) {
		uint64_t n = end - base < SCAN_CHUNK ? end - base : SCAN_CHUNK;
		int err = allocation_scan(f, base, n, vec);

		for (uint64_t i = 0; !err && i < n; i++) {
			if (vec[i] && run == end)
				run = base + i;
			if (!vec[i] && run != end) {
				err = fn(f, run, base + i, arg);
				run = end;
			}
		}
		if (err)
			return err;
	}
	return run != end ? fn(f, run, end, arg) : 0;
}
