/* SPDX-License-Identifier: MIT */
/*
 * A guest_memfd file: its size and flags, its memory, and the state the
 * kernel keeps in the inode (attributes, allocation, pins, mappings).
 *
 * Locking, outermost first:
 *  - convert_lock: a conversion holds it exclusive for its whole length
 *    (the kernel's filemap invalidate lock); everything that must see
 *    attributes stay put holds it shared: mapping, pinning, allocating,
 *    guest access, queries. Punching a hole holds it exclusive too.
 *  - state_lock: allocation and pin bookkeeping, which shared holders of
 *    convert_lock update side by side.
 *  - the host-map lock (host_map.c), global.
 */
#ifndef GMEM_GMEM_FILE_H
#define GMEM_GMEM_FILE_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/uapi.h>

#include "lock.h"
#include "object.h"
#include "own_fd.h"
#include "range_tree.h"

#define GMEM_PAGE_SIZE	4096ULL
#define GMEM_PAGE_SHIFT 12

struct backend_vm;
struct gmem_vm;
struct host_map_file;

struct gmem_file {
	struct gmem_object obj;
	struct gmem_vm *vm; /* holds a reference, taken by the VM */
	uint64_t size;
	uint64_t npages;
	uint64_t flags; /* as the caller created it */
	/* log2 of its folios' size: GMEM_PAGE_SHIFT, or that of the huge
	 * folios asked for with GUEST_MEMFD_FLAG_HUGETLB (folio.c). */
	unsigned int folio_shift;
	/* Huge folios the host maps, page by page where their attributes
	 * are mixed: a tmpfs source's (folio.c). */
	bool maps_folios_split;
	int memory_fd;		  /* the library's descriptor of the bytes */
	struct file_id memory_id; /* the file memory_fd was opened on */
	/* The memory answers SEEK_DATA (a memfd, whose pages may be in swap);
	 * else it is the kernel's guest_memfd (ESPIPE, never swapped). */
	bool memory_seekable;
	/* fstat(2)'s st_blocks of the memory counts its pages, in memory
	 * and in swap: 0 means no page holds data (a memfd). */
	bool memory_counts_pages;
	/* The caller's descriptor is another file (memfd backend): every
	 * mapping of the memory is the library's, its views or a gmem
	 * mapping, wherever the program moved it. */
	bool memory_internal;

	struct gmem_rwlock convert_lock;
	struct range_tree attributes; /* convert_lock */
	/* convert_lock, written exclusive: 1 where the trusted entity holds
	 * the page as private (populated at launch, R91); made by the first
	 * populate, else NULL. Only prepared.c touches it. */
	struct range_tree *prepared;

	struct gmem_mutex state_lock;
	struct range_tree fallocated; /* state_lock: 1 where fallocate()d */
	struct range_tree pins;	      /* state_lock: pin count per page */

	/* host-map lock: its mappings, from the first gmem_mmap() */
	struct host_map_file *mapped;

	_Atomic(char *) view; /* view.c's own mapping, made on demand */
};

static inline struct gmem_file *file_from_object(struct gmem_object *obj)
{
	return (struct gmem_file *)obj;
}

static inline void gmem_file_get(struct gmem_file *f)
{
	gmem_object_get(&f->obj);
}

static inline void gmem_file_put(struct gmem_file *f)
{
	gmem_object_put(&f->obj);
}

static inline uint64_t page_index(uint64_t offset)
{
	return offset >> GMEM_PAGE_SHIFT;
}

static inline bool page_aligned(uint64_t x)
{
	return (x & (GMEM_PAGE_SIZE - 1)) == 0;
}

/* log2 of the folio size `flags` ask for: GMEM_PAGE_SHIFT without
 * GUEST_MEMFD_FLAG_HUGETLB, else 21 or 30 (0 in the size bits: 21); 0
 * for a size no huge page has, or size bits without the flag (R112). */
unsigned int gmem_folio_shift(uint64_t flags);

static inline uint64_t gmem_file_folio_size(const struct gmem_file *f)
{
	return 1ULL << f->folio_shift;
}

/* Pages in one folio of `f`. */
static inline uint64_t gmem_file_folio_pages(const struct gmem_file *f)
{
	return 1ULL << (f->folio_shift - GMEM_PAGE_SHIFT);
}

/* The checks of kvm_gmem_create(): flags (against the VM's), the folio
 * size, then the size, a multiple of the folio size. 0 or -EINVAL. */
int gmem_file_check_args(const struct kvm_create_guest_memfd *args,
			 uint64_t vm_flags);

/* A file of `args` (checked) for `vm`, with no memory or fd yet; its
 * object runs `release` when the last reference goes. NULL and *err. */
struct gmem_file *gmem_file_alloc(struct gmem_vm *vm,
				  const struct kvm_create_guest_memfd *args,
				  void (*release)(struct gmem_object *obj),
				  int *err);

/* Give `f` its memory on `backend` and its fd: the fd, or -errno after
 * dropping the caller's reference (the file ends). */
int gmem_file_open(struct gmem_file *f, struct backend_vm *backend);

/* The memory's descriptor, or -EIO once the program has closed it behind
 * the library's back: by then the number may name a file of the
 * program's, which no fallocate(), lseek() or mmap() of ours may touch
 * (own_fd.h). One fstat(2). */
int gmem_file_memory_fd(const struct gmem_file *f);

/* The same check, which also tells whether any page of the file holds
 * data, in memory or in swap: 0 or -EIO. */
int gmem_file_memory_check(const struct gmem_file *f, bool *holds_data);

/* Free what the file itself holds; its end (release) calls this last. */
void gmem_file_destroy(struct gmem_file *f);

/* The guest_memfd behind `fd` with a reference, or NULL. */
struct gmem_file *gmem_file_lookup(int fd);

/* A page-aligned range inside the file; len 0 is an empty range. 0 or
 * -EINVAL. */
int gmem_file_range_check(const struct gmem_file *f, uint64_t offset,
			  uint64_t len);

/* The attributes of the page at `index`. Caller holds convert_lock. */
uint64_t gmem_file_page_attributes(struct gmem_file *f, uint64_t index);

/* The attributes of the byte at `offset`, under convert_lock held shared.
 * 0 or -EINVAL beyond the file. */
int gmem_file_attributes(struct gmem_file *f, uint64_t offset,
			 uint64_t *attributes);

/* Call fn on each maximal range of equal attributes within [offset,
 * offset + len) (checked as gmem_file_range_check() does), clipped to it,
 * in order, under convert_lock held shared. Stops at fn's first non-zero
 * return, and returns it; else 0 or -EINVAL. */
int gmem_file_attribute_ranges(
	struct gmem_file *f, uint64_t offset, uint64_t len,
	int (*fn)(const struct range_tree_range *r, void *arg), void *arg);

#endif
