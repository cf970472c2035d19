// SPDX-License-Identifier: MIT
/*
 * guest_memfd files: their state, made with the kernel's checks and freed
 * at the end, and lookup by fd.
 *
 * A file lives while its fd is open or a host mapping of it exists, as the
 * kernel's inode does; it holds its VM alive (R8). The VM makes its files
 * and sees their end (vm.c), because the VM's memslots and requests must
 * let go of a file before it goes. Its attributes start PRIVATE unless it
 * was made INIT_SHARED (R9), also on a VM type without private memory:
 * such a file can be made shared but never private again (R84).
 */
#include <errno.h>
#include <pthread.h>
#include <linux/magic.h>
#include <sys/statfs.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "backend/backend.h"
#include "fd_table.h"
#include "gmem_file.h"
#include "own_fd.h"

void gmem_file_destroy(struct gmem_file *f)
{
	range_tree_destroy(&f->pins);
	range_tree_destroy(&f->fallocated);
	range_tree_destroy(&f->attributes);
	gmem_mutex_destroy(&f->state_lock);
	gmem_rwlock_destroy(&f->convert_lock);
	if (f->memory_fd >= 0)
		own_fd_close(f->memory_fd, &f->memory_id);
	gmem_free(f);
}

#define HUGE_SIZE_BITS                                                         \
	(GUESTMEM_HUGETLB_FLAG_MASK << GUESTMEM_HUGETLB_FLAG_SHIFT)

unsigned int gmem_folio_shift(uint64_t flags)
{
	unsigned int log =
		(unsigned int)(flags >> GUESTMEM_HUGETLB_FLAG_SHIFT) &
		GUESTMEM_HUGETLB_FLAG_MASK;

	if (!(flags & GUEST_MEMFD_FLAG_HUGETLB))
		return log ? 0 : GMEM_PAGE_SHIFT;
	if (!log)
		return 21;
	return log == 21 || log == 30 ? log : 0;
}

int gmem_file_check_args(const struct kvm_create_guest_memfd *args,
			 uint64_t vm_flags)
{
	uint64_t known = vm_flags;
	unsigned int shift;

	if (vm_flags & GUEST_MEMFD_FLAG_HUGETLB)
		known |= HUGE_SIZE_BITS;
	if (args->flags & ~known)
		return -EINVAL;
	shift = gmem_folio_shift(args->flags);
	if (!shift || (int64_t)args->size <= 0 ||
	    (args->size & ((1ULL << shift) - 1)))
		return -EINVAL;
	return 0;
}

static int gmem_file_init_trees(struct gmem_file *f)
{
	uint64_t initial = f->flags & GUEST_MEMFD_FLAG_INIT_SHARED
				   ? 0
				   : KVM_MEMORY_ATTRIBUTE_PRIVATE;
	int err;

	err = range_tree_init(&f->attributes, f->npages, initial);
	if (err)
		return err;
	err = range_tree_init(&f->fallocated, f->npages, 0);
	if (err)
		goto out_attributes;
	err = range_tree_init(&f->pins, f->npages, 0);
	if (err)
		goto out_fallocated;
	return 0;

out_fallocated:
	range_tree_destroy(&f->fallocated);
out_attributes:
	range_tree_destroy(&f->attributes);
	return err;
}

struct gmem_file *gmem_file_alloc(struct gmem_vm *vm,
				  const struct kvm_create_guest_memfd *a,
				  void (*release)(struct gmem_object *obj),
				  int *err)
{
	struct gmem_file *f = gmem_calloc(1, sizeof(*f));

	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->size = a->size;
	f->npages = page_index(a->size);
	f->flags = a->flags;
	f->folio_shift = gmem_folio_shift(a->flags);
	f->memory_fd = -1;
	*err = gmem_file_init_trees(f);
	if (*err) {
		gmem_free(f);
		return NULL;
	}
	gmem_object_init(&f->obj, GMEM_OBJ_FILE, release);
	gmem_rwlock_init(&f->convert_lock);
	gmem_mutex_init(&f->state_lock);
	f->vm = vm;
	return f;
}

/* Whether two descriptors name one file; when unsure, yes (the caller
 * then treats the memory as the program's too). */
static bool same_file(int a, int b)
{
	struct stat sa, sb;

	if (fstat(a, &sa) || fstat(b, &sb))
		return true;
	return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* hugetlbfs answers SEEK_HOLE with the file's end whatever it holds;
 * its pages are never swapped, so mincore() tells them instead. */
static bool is_hugetlbfs(int fd)
{
	struct statfs s;

	return !fstatfs(fd, &s) && s.f_type == HUGETLBFS_MAGIC;
}

/* Which file the memory descriptor names, for every later use to ask. */
static int gmem_file_record_memory(struct gmem_file *f)
{
	int err = file_id_of(f->memory_fd, &f->memory_id);

	if (err) {
		close(f->memory_fd);
		f->memory_fd = -1;
	}
	return err;
}

static bool shmem_counts_pages;
static pthread_once_t shmem_counts_once = PTHREAD_ONCE_INIT;

/* Whether a memfd's st_blocks counts its pages: asked of the kernel once,
 * with a page written, not assumed (tmpfs once counted them only on
 * mounts with a size limit). */
static void probe_shmem_counts(void)
{
	int fd = memfd_create("gmem-probe", MFD_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return;
	shmem_counts_pages = pwrite(fd, "", 1, 0) == 1 && !fstat(fd, &st) &&
			     st.st_blocks > 0;
	close(fd);
}

/* A memfd counts its pages in memory and in swap in st_blocks; the
 * kernel's guest_memfd counts none (st_blocks stays 0), and hugetlbfs
 * answers no SEEK_DATA. */
static bool memory_counts_pages(const struct gmem_file *f)
{
	if (!f->memory_seekable)
		return false;
	pthread_once(&shmem_counts_once, probe_shmem_counts);
	return shmem_counts_pages;
}

int gmem_file_memory_check(const struct gmem_file *f, bool *holds_data)
{
	struct stat st;
	int err = own_fd_stat(f->memory_fd, &f->memory_id, &st);

	if (err)
		return err;
	*holds_data = !f->memory_counts_pages || st.st_blocks;
	return 0;
}

int gmem_file_memory_fd(const struct gmem_file *f)
{
	bool holds_data;
	int err = gmem_file_memory_check(f, &holds_data);

	return err ? err : f->memory_fd;
}

int gmem_file_open(struct gmem_file *f, struct backend_vm *backend)
{
	int err, fd;

	err = backend->ops->file_create(backend, f->size, f->folio_shift,
					f->flags & GUEST_MEMFD_FLAG_MMAP, &fd,
					&f->memory_fd);
	if (err)
		goto out_put;
	err = gmem_file_record_memory(f);
	if (err) {
		close(fd);
		goto out_put;
	}
	f->memory_seekable = lseek(f->memory_fd, 0, SEEK_HOLE) >= 0 &&
			     !is_hugetlbfs(f->memory_fd);
	f->memory_internal = !same_file(fd, f->memory_fd);
	f->memory_counts_pages = memory_counts_pages(f);
	f->maps_folios_split = f->folio_shift > GMEM_PAGE_SHIFT &&
			       backend->huge_source == GMEM_HUGE_TMPFS;
	err = fd_table_insert(fd, &f->obj);
	if (err) {
		close(fd);
		goto out_put;
	}
	return fd;

out_put:
	gmem_file_put(f);
	return err;
}

struct gmem_file *gmem_file_lookup(int fd)
{
	struct gmem_object *obj = fd_table_get(fd);

	if (obj && obj->kind != GMEM_OBJ_FILE) {
		gmem_object_put(obj);
		obj = NULL;
	}
	return obj ? file_from_object(obj) : NULL;
}

int gmem_file_range_check(const struct gmem_file *f, uint64_t offset,
			  uint64_t len)
{
	if (!page_aligned(offset) || !page_aligned(len))
		return -EINVAL;
	if (offset > f->size || len > f->size - offset)
		return -EINVAL;
	return 0;
}

uint64_t gmem_file_page_attributes(struct gmem_file *f, uint64_t index)
{
	gmem_assert_held(&f->convert_lock);
	return range_tree_lookup(&f->attributes, index);
}

int gmem_file_attributes(struct gmem_file *f, uint64_t offset,
			 uint64_t *attributes)
{
	if (offset >= f->size)
		return -EINVAL;
	gmem_rwlock_read_lock(&f->convert_lock);
	*attributes = gmem_file_page_attributes(f, page_index(offset));
	gmem_rwlock_read_unlock(&f->convert_lock);
	return 0;
}

int gmem_file_attribute_ranges(
	struct gmem_file *f, uint64_t offset, uint64_t len,
	int (*fn)(const struct range_tree_range *r, void *arg), void *arg)
{
	int err = gmem_file_range_check(f, offset, len);

	if (err || !len)
		return err;
	gmem_rwlock_read_lock(&f->convert_lock);
	err = range_tree_for_each(&f->attributes, page_index(offset),
				  page_index(offset + len), fn, arg);
	gmem_rwlock_read_unlock(&f->convert_lock);
	return err;
}
