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

/* Pin or unpin [offset, offset + len); validated here. 0 or -errno. */
int pin_range(struct gmem_file *f, uint64_t offset, uint64_t len);
int unpin_range(struct gmem_file *f, uint64_t offset, uint64_t len);

/* The first pinned page of [first, end), or end. Caller holds
 * convert_lock. */
uint64_t pin_first_pinned(struct gmem_file *f, uint64_t first, uint64_t end);

#endif
