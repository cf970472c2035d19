/* SPDX-License-Identifier: MIT */
/*
 * Content modes of KVM_SET_MEMORY_ATTRIBUTES2 (RFC v3/v4): ZERO, PRESERVE
 * or unspecified. Everything about them lives here, so that the series'
 * later choice (RFC v6: no content modes, any flag EINVAL, contents left
 * alone) is a change of this file only.
 */
#ifndef GMEM_CONTENT_MODE_H
#define GMEM_CONTENT_MODE_H

#include <stdbool.h>
#include <stdint.h>

struct gmem_file;
struct gmem_vm;

/* The flags word is a content mode at all: known bits, not ZERO and
 * PRESERVE together (R45, R46). */
bool content_mode_flags_valid(uint64_t flags);

/* The VM may use `mode` for a request in this direction (R54): mode 0
 * always, ZERO never to private, otherwise as the platform says. */
bool content_mode_supported(const struct gmem_vm *vm, uint64_t mode,
			    bool to_private);

/* Apply `mode` to every allocated page of [first, end) (R69, R70);
 * unallocated pages stay unallocated. Caller holds convert_lock
 * exclusive. */
void content_mode_apply(struct gmem_file *f, uint64_t first, uint64_t end,
			uint64_t mode);

#endif
