/* SPDX-License-Identifier: MIT */
/*
 * The validator's check of huge folio mappings (folio_check.c).
 */
#ifndef GMEM_FOLIO_CHECK_H
#define GMEM_FOLIO_CHECK_H

struct gmem_file;

/* Every uniform folio that a host mapping shows whole, at an address as
 * aligned as its offset, is mapped huge where it is mapped at all.
 * Caller holds convert_lock. 0, or -EUCLEAN with *why. */
int folio_validate(struct gmem_file *f, const char **why);

#endif
