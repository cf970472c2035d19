/* SPDX-License-Identifier: MIT */
/*
 * The validator's check of huge folio mappings (folio_check.c).
 */
#ifndef GMEM_FOLIO_CHECK_H
#define GMEM_FOLIO_CHECK_H

#include <stdint.h>

struct gmem_file;

/* How the kernel maps the present pages of [va, va + len): 1 all by huge
 * entries, 0 some by 4 KiB ones, -1 none present or nothing known
 * (PAGEMAP_SCAN, Linux 6.7). */
int folio_check_mapped_huge(const char *va, uint64_t len);

/* Every uniform folio that a host mapping shows whole, at an address as
 * aligned as its offset, is mapped huge where it is mapped at all.
 * Caller holds convert_lock. 0, or -EUCLEAN with *why. */
int folio_validate(struct gmem_file *f, const char **why);

#endif
