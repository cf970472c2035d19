/* SPDX-License-Identifier: MIT */
/*
 * Private as the trusted entity tracks it (R91): the pages of a
 * guest_memfd that the platform took as private when the launch
 * populated them (the RMP entry of SEV-SNP, the Secure-EPT entry of TDX),
 * apart from the attribute, which is private as KVM tracks it. A page
 * leaves this state when it is converted to shared (the platform
 * reclaims it).
 */
#ifndef GMEM_PREPARED_H
#define GMEM_PREPARED_H

#include <stdbool.h>
#include <stdint.h>

#include "range_tree.h"

struct gmem_file;

/* Whether page `index` is prepared. Caller holds convert_lock. */
bool prepared_test(struct gmem_file *f, uint64_t index);

/* Mark page `index` prepared. Caller holds convert_lock exclusive.
 * 0 or -ENOMEM (then nothing changed). */
int prepared_mark(struct gmem_file *f, uint64_t index);

/* Set aside what prepared_forget() needs. 0 or -ENOMEM. */
int prepared_reserve(struct gmem_file *f, struct range_tree_reservation *res);
/* [first, end) is no longer prepared; cannot fail after
 * prepared_reserve(). Caller holds convert_lock exclusive. */
void prepared_forget(struct gmem_file *f, uint64_t first, uint64_t end,
		     struct range_tree_reservation *res);

/* Call fn on each maximal run of prepared pages within [first, end), in
 * order. Caller holds convert_lock. */
void prepared_for_each(struct gmem_file *f, uint64_t first, uint64_t end,
		       void (*fn)(uint64_t start, uint64_t end, void *arg),
		       void *arg);

/* The file's end. */
void prepared_destroy(struct gmem_file *f);

#endif
