/* SPDX-License-Identifier: MIT */
/*
 * Huge folios: how a file made with GUEST_MEMFD_FLAG_HUGETLB is laid out
 * in folios, how conversions keep the host's mappings of them huge where
 * they can, and the check of it.
 */
#ifndef GMEM_FOLIO_H
#define GMEM_FOLIO_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/gmem.h>

struct gmem_file;

/* Folios a conversion found mixed before it changed anything, to merge
 * when it leaves them uniform (folio_merge()). */
struct folio_mixed {
	uint64_t folio[8];
	unsigned int n;
	bool overflow; /* more than fit: every uniform folio is merged */
};

/* Note the folios of pages [first, end) whose attributes are mixed now.
 * Caller holds convert_lock exclusive. */
void folio_note_mixed(struct gmem_file *f, uint64_t first, uint64_t end,
		      struct folio_mixed *mixed);

/* Map pages [first, end), just made shared, to the host again, widened
 * to the whole folios that are now shared throughout, and the folios
 * `mixed` names whole once more, so that the kernel maps them huge again
 * (R113). Caller holds convert_lock exclusive. */
void folio_restore(struct gmem_file *f, uint64_t first, uint64_t end,
		   const struct folio_mixed *mixed);

/* Merge the folios `mixed` names that pages [first, end)'s conversion
 * left uniform: a tmpfs folio the host faulted in page by page while its
 * mapping was split is made one huge folio again. Caller holds
 * convert_lock exclusive. */
void folio_merge(struct gmem_file *f, uint64_t first, uint64_t end,
		 const struct folio_mixed *mixed);

/* Call fn on each huge folio (allocated, its attributes uniform, as
 * gmem_get_folio_layout() counts them) that meets pages [first, end), in
 * order. Caller holds convert_lock. */
void folio_for_each_huge(struct gmem_file *f, uint64_t first, uint64_t end,
			 void (*fn)(uint64_t start, uint64_t end, void *arg),
			 void *arg);

/* gmem_get_folio_layout() of `f`, under convert_lock held shared. */
int folio_layout(struct gmem_file *f, struct gmem_folio_layout *out);

#endif
