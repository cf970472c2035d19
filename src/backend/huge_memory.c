// SPDX-License-Identifier: MIT
/*
 * The memory of huge files (GUEST_MEMFD_FLAG_HUGETLB), from the source a
 * VM was given (gmem_vm_opts.huge_source), as a VMM picks its guest RAM:
 *
 *  - MEMFD: memfd_create(MFD_HUGETLB) with the folio size encoded, from
 *    the system's hugetlb pool;
 *  - HUGETLBFS: an unnamed file (O_TMPFILE) in a hugetlbfs mount whose
 *    page size is the folio size;
 *  - TMPFS: an unnamed file in a tmpfs mounted huge=always or
 *    huge=within_size, whose 2 MiB folios are transparent huge pages.
 *
 * The series reserves a file's huge pages when it is made and fails with
 * ENOMEM where the pool cannot (R112); hugetlb does the same for a shared
 * mapping made without MAP_NORESERVE, and keeps the reservation with the
 * file after the mapping goes, so the file is mapped once, whole, here.
 * A tmpfs cannot reserve: a mount that would give no huge folio at all
 * (huge=never, advise, or transparent huge pages denied) is ENOMEM; what
 * it gives under fragmentation is the kernel's to decide.
 *
 * A hugetlb mapping cannot be split below its page size, so the host
 * could not lose one 4 KiB page of a folio and keep the others (R113):
 * only a tmpfs source may back files the host maps.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "backend.h"

#ifndef MFD_HUGE_SHIFT
#define MFD_HUGE_SHIFT 26
#endif
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 0x0004U
#endif

#define TMPFS_FOLIO_SHIFT 21

/* Whether `dir` is a mount of file system `magic`; its block size in
 * *bsize. 0, -EINVAL for another file system, or stat's error. */
static int dir_is(const char *dir, long magic, uint64_t *bsize)
{
	struct statfs s;

	if (statfs(dir, &s))
		return -errno;
	if (s.f_type != magic)
		return -EINVAL;
	*bsize = (uint64_t)s.f_bsize;
	return 0;
}

/* Whether a line of /proc/self/mountinfo is the mount of device `dev`
 * with huge folios on: huge=always or huge=within_size. */
static bool mountinfo_line_huge(const char *line, dev_t dev)
{
	unsigned int maj, min;

	if (sscanf(line, "%*u %*u %u:%u", &maj, &min) != 2 ||
	    makedev(maj, min) != dev)
		return false;
	return strstr(line, "huge=always") || strstr(line, "huge=within_size");
}

/* Whether the tmpfs holding `dir` gives huge folios to its files. */
static bool tmpfs_mount_huge(const char *dir)
{
	FILE *info = fopen("/proc/self/mountinfo", "re");
	char line[4096];
	struct stat st;
	bool huge = false;

	if (!info)
		return false;
	if (!stat(dir, &st))
		while (!huge && fgets(line, sizeof(line), info))
			huge = mountinfo_line_huge(line, st.st_dev);
	fclose(info);
	return huge;
}

/* Whether the system lets shmem have huge folios at all ("deny" turns
 * every mount's huge= off). */
static bool shmem_thp_allowed(void)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/shmem_enabled",
			"re");
	char line[256] = "";
	bool ok;

	if (!f)
		return false;
	ok = fgets(line, sizeof(line), f) && !strstr(line, "[deny]");
	fclose(f);
	return ok;
}

/* Size the file, and take the pool's pages for all of it: a shared
 * mapping without MAP_NORESERVE reserves them for the file. */
static int hugetlb_size_and_reserve(int fd, uint64_t size)
{
	void *p;

	if (ftruncate(fd, (off_t)size))
		return -errno;
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return -ENOMEM;
	munmap(p, size);
	return 0;
}

static int hugetlb_memfd(unsigned int folio_shift)
{
	int fd = memfd_create("gmem-memory",
			      MFD_CLOEXEC | MFD_HUGETLB |
				      (folio_shift << MFD_HUGE_SHIFT));

	/* No such huge page size on this system. */
	if (fd < 0)
		return errno == ENOENT ? -EINVAL : -errno;
	return fd;
}

static int tmpfile_in(const char *dir)
{
	int fd = open(dir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);

	return fd < 0 ? -errno : fd;
}

static int hugetlbfs_file(const char *dir, unsigned int folio_shift)
{
	uint64_t bsize = 0;
	int err = dir_is(dir, HUGETLBFS_MAGIC, &bsize);

	if (err)
		return err;
	if (bsize != 1ULL << folio_shift)
		return -EINVAL;
	return tmpfile_in(dir);
}

static int tmpfs_file(const char *dir, unsigned int folio_shift)
{
	uint64_t bsize = 0;
	int err = dir_is(dir, TMPFS_MAGIC, &bsize);

	if (err)
		return err;
	if (folio_shift != TMPFS_FOLIO_SHIFT)
		return -EINVAL;
	if (!tmpfs_mount_huge(dir) || !shmem_thp_allowed())
		return -ENOMEM;
	return tmpfile_in(dir);
}

/* A descriptor of the source's memory, not yet sized. */
static int huge_memory_open(const struct backend_vm *bvm,
			    unsigned int folio_shift, bool mappable)
{
	switch (bvm->huge_source) {
	case GMEM_HUGE_MEMFD:
		return mappable ? -EINVAL : hugetlb_memfd(folio_shift);
	case GMEM_HUGE_HUGETLBFS:
		return mappable ? -EINVAL
				: hugetlbfs_file(bvm->huge_dir, folio_shift);
	case GMEM_HUGE_TMPFS:
		return tmpfs_file(bvm->huge_dir, folio_shift);
	default:
		return -EINVAL;
	}
}

int huge_memory_create(const struct backend_vm *bvm, uint64_t size,
		       unsigned int folio_shift, bool mappable)
{
	int fd = huge_memory_open(bvm, folio_shift, mappable);
	int err;

	if (fd < 0)
		return fd;
	if (bvm->huge_source == GMEM_HUGE_TMPFS)
		err = ftruncate(fd, (off_t)size) ? -errno : 0;
	else
		err = hugetlb_size_and_reserve(fd, size);
	if (err) {
		close(fd);
		return err;
	}
	return fd;
}
