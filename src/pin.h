/* SPDX-License-Identifier: MIT */
/*
 * Long-term page references (gmem_pin), as get_user_pages() with
 * FOLL_LONGTERM or an IOMMU mapping would hold them. A pinned page cannot
 * become private: the shared-to-private conversion fails with EAGAIN.
 */
#ifndef GMEM_PIN_H
#define GMEM_PIN_H

#include <stdint.h>

struct gmem_file;
struct range_tree_range;

/* Pin or unpin [offset, offset + len); validated here. 0 or -errno. */
int pin_range(struct gmem_file *f, uint64_t offset, uint64_t len);
int unpin_range(struct gmem_file *f, uint64_t offset, uint64_t len);

/* The first pinned page of [first, end), or end. Caller holds
 * convert_lock. */
uint64_t pin_first_pinned(struct gmem_file *f, uint64_t first, uint64_t end);

/* Call fn on each maximal run of equal, non-zero pin counts within
 * [first, end), in order; stops at fn's first non-zero return. Caller
 * holds convert_lock. */
int pin_for_each(struct gmem_file *f, uint64_t first, uint64_t end,
		 int (*fn)(const struct range_tree_range *r, void *arg),
		 void *arg);

#endif
