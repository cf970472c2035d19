// SPDX-License-Identifier: MIT
/*
 * Huge folios (R112, R113).
 *
 * A file made with GUEST_MEMFD_FLAG_HUGETLB holds its memory in folios of
 * 2 MiB or 1 GiB; fallocate() takes and frees whole folios. Attributes
 * stay per 4 KiB page, and so does what the host may touch: the series
 * splits a folio when a conversion mixes it and merges it back when it
 * is uniform again; userspace cannot split a folio, so this library
 * splits the host's mapping of it instead. A conversion of one page of a
 * folio covers that page alone with the file's hole (host_map.c), which
 * splits the host's huge mapping into 4 KiB entries; the folio stays
 * whole and the other pages keep their bytes and stay mapped. When every
 * page of the folio is shared again, the whole folio is mapped anew
 * (folio_restore()), which drops the 4 KiB entries, so that the next
 * touch maps it huge. Only a tmpfs folio can be mapped in parts, so only
 * files from a tmpfs source may be mapped by the host at all.
 *
 * A tmpfs folio first touched by the host through a split mapping comes
 * as 4 KiB pages; when its attributes are uniform again it is merged
 * into one huge folio (MADV_COLLAPSE through the library's view), as the
 * series merges its folios.
 */
#include <errno.h>
#include <stdint.h>
#include <sys/mman.h>

#include "allocation.h"
#include "folio.h"
#include "folio_check.h"
#include "gmem_file.h"
#include "host_map.h"
#include "view.h"

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif

/* The folio of page `index`: its first page. */
static uint64_t folio_start(const struct gmem_file *f, uint64_t index)
{
	return index & ~(gmem_file_folio_pages(f) - 1);
}

static bool folio_uniform(struct gmem_file *f, uint64_t start)
{
	uint64_t value = range_tree_lookup(&f->attributes, start);

	return range_tree_range_has(&f->attributes, start,
				    start + gmem_file_folio_pages(f), value);
}

static bool folio_shared(struct gmem_file *f, uint64_t start)
{
	return range_tree_range_has(&f->attributes, start,
				    start + gmem_file_folio_pages(f), 0);
}

void folio_note_mixed(struct gmem_file *f, uint64_t first, uint64_t end,
		      struct folio_mixed *mixed)
{
	uint64_t pages = gmem_file_folio_pages(f);

	gmem_assert_write_held(&f->convert_lock);
	mixed->n = 0;
	mixed->overflow = false;
	if (!f->maps_folios_split)
		return;
	for (uint64_t at = folio_start(f, first); at < end; at += pages) {
		if (folio_uniform(f, at))
			continue;
		if (mixed->n == sizeof(mixed->folio) / sizeof(mixed->folio[0]))
			mixed->overflow = true;
		else
			mixed->folio[mixed->n++] = at;
	}
}

/* Whether the folio at `start` is one `mixed` names. */
static bool noted(const struct folio_mixed *mixed, uint64_t start)
{
	if (mixed->overflow)
		return true;
	for (unsigned int i = 0; i < mixed->n; i++)
		if (mixed->folio[i] == start)
			return true;
	return false;
}

void folio_restore(struct gmem_file *f, uint64_t first, uint64_t end,
		   const struct folio_mixed *mixed)
{
	uint64_t pages = gmem_file_folio_pages(f);
	uint64_t lo = folio_start(f, first);
	uint64_t hi = folio_start(f, end + pages - 1);

	gmem_assert_write_held(&f->convert_lock);
	if (lo < first && !folio_shared(f, lo))
		lo = first;
	if (hi > end && !folio_shared(f, hi - pages))
		hi = end;
	host_map_restore(f, lo, hi);
	if (!mixed->n && !mixed->overflow)
		return;
	/* A folio that was mixed was mapped again piece by piece, which
	 * leaves its 4 KiB table in place; mapped again whole, in one
	 * piece now, the table goes and the next touch maps it huge. */
	for (uint64_t at = folio_start(f, first); at < end; at += pages)
		if (noted(mixed, at) && folio_shared(f, at))
			host_map_restore(f, at, at + pages);
}

/* The first page of the folio at `start` that has memory, or the
 * folio's end. */
static uint64_t folio_first_allocated(struct gmem_file *f, uint64_t start)
{
	unsigned char vec[512];
	uint64_t pages = gmem_file_folio_pages(f);

	for (uint64_t at = start; at < start + pages; at += sizeof(vec)) {
		uint64_t n = start + pages - at < sizeof(vec)
				     ? start + pages - at
				     : sizeof(vec);

		if (allocation_query(f, at, n, vec))
			return at;
		for (uint64_t i = 0; i < n; i++)
			if (vec[i])
				return at + i;
	}
	return start + pages;
}

static bool folio_allocated(struct gmem_file *f, uint64_t start)
{
	return folio_first_allocated(f, start) <
	       start + gmem_file_folio_pages(f);
}

/* Whether the folio at `start`, whose page `page` has memory, is one
 * huge folio: the library's view, which is never split, maps it huge
 * once that page is read through it (a page with memory: reading it
 * allocates nothing). */
static bool folio_is_huge(struct gmem_file *f, uint64_t start, uint64_t page,
			  const struct view *v)
{
	char *base = v->base;

	if (madvise(base + ((page - start) << GMEM_PAGE_SHIFT), GMEM_PAGE_SIZE,
		    MADV_POPULATE_READ))
		return false;
	return folio_check_mapped_huge(base, gmem_file_folio_size(f)) == 1;
}

/* Make the folio at `start` one huge folio; it keeps its bytes. Asking
 * the kernel to merge costs it a drain of every CPU's page lists (about
 * 100 us), so a folio that is huge already is left alone. A failure
 * leaves 4 KiB pages, which are correct, only slower. */
static void folio_collapse(struct gmem_file *f, uint64_t start)
{
	uint64_t len = gmem_file_folio_size(f);
	uint64_t page = folio_first_allocated(f, start);
	struct view v;

	if (page == start + gmem_file_folio_pages(f) ||
	    view_map(f, start << GMEM_PAGE_SHIFT, len, &v))
		return;
	if (!folio_is_huge(f, start, page, &v))
		madvise(v.base, len, MADV_COLLAPSE);
	view_unmap(&v);
}

void folio_merge(struct gmem_file *f, uint64_t first, uint64_t end,
		 const struct folio_mixed *mixed)
{
	uint64_t pages = gmem_file_folio_pages(f);

	gmem_assert_write_held(&f->convert_lock);
	if (!mixed->n && !mixed->overflow)
		return;
	for (uint64_t at = folio_start(f, first); at < end; at += pages)
		if (noted(mixed, at) && folio_uniform(f, at))
			folio_collapse(f, at);
}

void folio_for_each_huge(struct gmem_file *f, uint64_t first, uint64_t end,
			 void (*fn)(uint64_t start, uint64_t end, void *arg),
			 void *arg)
{
	uint64_t pages = gmem_file_folio_pages(f);

	gmem_assert_held(&f->convert_lock);
	if (pages == 1)
		return;
	for (uint64_t at = folio_start(f, first); at < end; at += pages)
		if (folio_allocated(f, at) && folio_uniform(f, at))
			fn(at, at + pages, arg);
}

int folio_layout(struct gmem_file *f, struct gmem_folio_layout *out)
{
	uint64_t pages = gmem_file_folio_pages(f);

	*out = (struct gmem_folio_layout){
		.folio_size = gmem_file_folio_size(f),
		.folios = f->npages / pages,
	};
	gmem_rwlock_read_lock(&f->convert_lock);
	for (uint64_t at = 0; at < f->npages; at += pages) {
		if (!folio_allocated(f, at))
			out->unallocated++;
		else if (pages > 1 && folio_uniform(f, at))
			out->huge++;
		else if (pages > 1)
			out->split++;
	}
	gmem_rwlock_read_unlock(&f->convert_lock);
	return 0;
}
