/* SPDX-License-Identifier: MIT */
/*
 * Which pages of a guest_memfd hold memory, and fallocate().
 *
 * A page is allocated when fallocate() allocated it, or a host mapping, a
 * guest access or a content mode wrote data to it. The first the library
 * records itself, because a page allocated by fallocate() but never
 * touched holds no data the kernel will report. The others it asks the
 * kernel: a memfd answers SEEK_DATA/SEEK_HOLE, which counts pages in swap
 * too; a real guest_memfd answers SEEK_DATA with ESPIPE, but its pages are
 * never swapped, so mincore() on the library's view sees them all.
 * mincore() alone would not do on a memfd: a page in swap is not resident,
 * and a content mode that skipped it would leave its old bytes behind.
 */
#ifndef GMEM_ALLOCATION_H
#define GMEM_ALLOCATION_H

#include <stdbool.h>
#include <stdint.h>

#include "range_tree.h"

struct gmem_file;

/* The checks vfs_fallocate() makes of any file, before it knows what
 * kind of file it is. 0 or -errno. */
int allocation_vfs_check(int mode, int64_t offset, int64_t len);

/* fallocate(2) on a guest_memfd, with the kernel's checks in its order. */
int allocation_fallocate(struct gmem_file *f, int mode, int64_t offset,
			 int64_t len);

/* gmem_get_allocation(): vec[i] = 1 if page offset / 4096 + i is
 * allocated, for the pages of [offset, offset + len) (checked here), with
 * convert_lock held shared. 0 or -errno. */
int allocation_get(struct gmem_file *f, uint64_t offset, uint64_t len,
		   unsigned char *vec);

/* vec[i] = 1 if page first + i is allocated, for npages pages. Caller
 * holds convert_lock. 0 or -errno. */
int allocation_query(struct gmem_file *f, uint64_t first, uint64_t npages,
		     unsigned char *vec);

/* Whether the page at `index` holds data: written since it was last
 * punched, in memory or in swap (fallocate() alone does not count). 0, or
 * -errno when the library cannot tell (then *has means nothing). Caller
 * holds convert_lock. */
int allocation_page_has_data(struct gmem_file *f, uint64_t index, bool *has);

/* Set aside what allocation_free() will need, so that it cannot fail.
 * 0 or -ENOMEM. */
int allocation_reserve_free(struct gmem_file *f,
			    struct range_tree_reservation *res);
/* Give the memory of [first, end) back to the system and record it as
 * unallocated: it reads zero when next used, as a punched hole does.
 * Caller holds convert_lock exclusive, and has asked
 * gmem_file_memory_fd() in this call. */
void allocation_free(struct gmem_file *f, uint64_t first, uint64_t end,
		     struct range_tree_reservation *res);

/* Zero [first, end) where the view cannot reach it: its memory is given
 * back (a punched page reads zero), then what fallocate() had allocated
 * is allocated again, so that the allocation record stays true. Caller
 * holds convert_lock exclusive, and has asked gmem_file_memory_fd() in
 * this call. */
void allocation_zero_by_punching(struct gmem_file *f, uint64_t first,
				 uint64_t end);

/* Call fn on each maximal run [start, end) of allocated pages within
 * [first, end), in order; stops at fn's first non-zero return. Caller
 * holds convert_lock, and has asked gmem_file_memory_fd() in this call:
 * the scan seeks on the memory's descriptor. */
int allocation_for_each(struct gmem_file *f, uint64_t first, uint64_t end,
			int (*fn)(struct gmem_file *f, uint64_t start,
				  uint64_t end, void *arg),
			void *arg);

#endif
