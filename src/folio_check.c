// SPDX-License-Identifier: MIT
/*
 * The check that huge folios are mapped huge again (R113): a folio whose
 * pages are all shared, shown whole by a host mapping at an address as
 * aligned as its file offset, and known to be one huge folio (the
 * library's own view maps it huge), is mapped by one huge entry wherever
 * the host has it mapped at all. The kernel says how each page is mapped
 * through PAGEMAP_SCAN on /proc/self/pagemap (Linux 6.7); before that
 * nothing is known and nothing is checked.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "folio_check.h"
#include "gmem_file.h"
#include "host_map.h"

struct pm_region {
	uint64_t start, end, categories;
};

/* The kernel's struct pm_scan_arg (Linux 6.7), which older headers
 * lack. */
struct pm_scan {
	uint64_t size, flags, start, end, walk_end, vec, vec_len, max_pages;
	uint64_t category_inverted, category_mask, category_anyof_mask;
	uint64_t return_mask;
};

#define PM_SCAN	      _IOWR('f', 16, struct pm_scan)
#define PM_IS_PRESENT (1ULL << 3)
#define PM_IS_HUGE    (1ULL << 6)

struct huge_check {
	struct gmem_file *file;
	char *view; /* the library's view of the whole file, or NULL */
	int pagemap;
	const char **why;
};

enum mapped { MAPPED_NONE, MAPPED_HUGE, MAPPED_SMALL };

/* How the present pages of [va, va + len) are mapped: none present, all
 * by huge entries, or some by 4 KiB ones. Where the kernel cannot be
 * asked (before 6.7), nothing is present as far as this check knows. */
static enum mapped mapped_as(int pagemap, char *va, uint64_t len)
{
	struct pm_region r[8] = { { 0 } };
	struct pm_scan s = {
		.size = sizeof(s),
		.start = (uintptr_t)va,
		.end = (uintptr_t)va + len,
		.vec = (uintptr_t)r,
		.vec_len = 8,
		.category_anyof_mask = PM_IS_PRESENT,
		.return_mask = PM_IS_PRESENT | PM_IS_HUGE,
	};
	long n = ioctl(pagemap, PM_SCAN, &s);

	for (long i = 0; i < n; i++)
		if (!(r[i].categories & PM_IS_HUGE))
			return MAPPED_SMALL;
	return n > 0 ? MAPPED_HUGE : MAPPED_NONE;
}

/* Whether the folio at file offset `o` is known to be one huge folio:
 * the library's own view, never split, maps it huge. A folio the kernel
 * gave as 4 KiB pages, or could not map huge there (a view placed
 * unaligned), is not judged. */
static bool folio_known_huge(const struct huge_check *c, uint64_t o,
			     uint64_t size)
{
	char *at = c->view ? c->view + o : NULL;

	return at && !((uintptr_t)at & (size - 1)) &&
	       mapped_as(c->pagemap, at, size) == MAPPED_HUGE;
}

int folio_check_mapped_huge(const char *va, uint64_t len)
{
	int pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	enum mapped m;

	if (pagemap < 0)
		return -1;
	m = mapped_as(pagemap, (char *)va, len);
	close(pagemap);
	return m == MAPPED_NONE ? -1 : m == MAPPED_HUGE;
}

static int check_piece(char *va, size_t len, uint64_t offset, void *arg)
{
	struct huge_check *c = arg;
	uint64_t size = gmem_file_folio_size(c->file);
	uint64_t o = (offset + size - 1) & ~(size - 1);

	for (; o + size <= offset + len; o += size) {
		char *at = va + (o - offset);

		if ((uintptr_t)at & (size - 1))
			return 0; /* the kernel cannot map any of it huge */
		if (mapped_as(c->pagemap, at, size) == MAPPED_SMALL &&
		    folio_known_huge(c, o, size)) {
			*c->why = "a uniform huge folio is mapped in 4 KiB "
				  "pages";
			return -EUCLEAN;
		}
	}
	return 0;
}

int folio_validate(struct gmem_file *f, const char **why)
{
	struct huge_check c = { .file = f,
				.view = atomic_load(&f->view),
				.why = why };
	int err;

	gmem_assert_held(&f->convert_lock);
	if (!f->maps_folios_split || !f->mapped)
		return 0;
	c.pagemap = open("/proc/self/pagemap", O_RDONLY | O_CLOEXEC);
	if (c.pagemap < 0)
		return 0;
	err = host_map_for_each_memory(f, check_piece, &c);
	close(c.pagemap);
	return err;
}
