/* SPDX-License-Identifier: MIT */
/*
 * Content modes of KVM_SET_MEMORY_ATTRIBUTES2 (RFC v3/v4): ZERO, PRESERVE
 * or unspecified, and the experimental policies of the draft that came
 * before them (R87). Everything about them lives here, and so does the
 * series' later choice (v6: no content modes, any flag EINVAL, contents
 * left alone, R93, R94), which a VM follows when created for it.
 */
#ifndef GMEM_CONTENT_MODE_H
#define GMEM_CONTENT_MODE_H

#include <stdbool.h>
#include <stdint.h>

#include "range_tree.h"

struct gmem_file;
struct gmem_vm;

/* One request, as the engine and the content mode see it. */
struct conversion {
	struct gmem_file *file;
	uint64_t first; /* page range [first, end) */
	uint64_t end;
	uint64_t attributes;
	uint64_t mode;
	bool to_private;
};

/* The flags word is a content mode this VM knows at all: known bits, at
 * most one of them (R45, R46). */
bool content_mode_flags_valid(const struct gmem_vm *vm, uint64_t flags);

/* The content modes KVM_CAP_MEMORY_ATTRIBUTES2_FLAGS reports for a VM. */
uint64_t content_modes_of(const struct gmem_vm *vm);

/* Whether the answer for this request depends on the launch phase
 * (PRESERVE to private on SNP and TDX, R114): then the caller holds the
 * VM's launch lock, taken before the file's convert_lock, from the check
 * to the end of the conversion. */
bool content_mode_depends_on_launch(const struct conversion *c);

/* The mode may be used for this request (R54): mode 0 always, ZERO (and
 * ENCRYPTED) never to private, otherwise as the platform says. Caller
 * holds the file's convert_lock exclusive (and the launch lock, see
 * above). */
bool content_mode_supported(const struct conversion *c);

/* What content_mode_prepare() secured for content_mode_apply(). */
struct content_plan {
	struct range_tree_reservation destroyed; /* DESTROY's record */
	bool untouched; /* no page of the file holds data: nothing to do */
};

/* Set aside what applying the mode will need, so that it cannot fail:
 * the memory's descriptor, still the library's, and what DESTROY
 * records. 0, -EIO (the program closed the memory's descriptor behind
 * the library's back) or -ENOMEM. */
int content_mode_prepare(const struct conversion *c, struct content_plan *plan);

/* Apply the mode to every allocated page of the range (R69, R70);
 * unallocated pages stay unallocated. Caller holds convert_lock
 * exclusive. */
void content_mode_apply(const struct conversion *c, struct content_plan *plan);

/* The conversion succeeded: a guest request it answered is done. */
void content_mode_complete(const struct conversion *c);

#endif
