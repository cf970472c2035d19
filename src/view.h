/* SPDX-License-Identifier: MIT */
/*
 * The library's own view of a file's bytes: what the trusted side (KVM,
 * the platform, the guest) touches memory through. It is never revoked,
 * unlike the host's mappings. A file of up to GMEM_VIEW_MAX bytes gets one
 * mapping of the whole file, made on first use and kept; a larger one is
 * seen through a temporary window per operation.
 */
#ifndef GMEM_VIEW_H
#define GMEM_VIEW_H

#include <stdbool.h>
#include <stdint.h>

struct gmem_file;

#define GMEM_VIEW_MAX (1ULL << 40)

struct view {
	char *base;   /* the byte at the requested offset */
	char *window; /* a temporary mapping to undo, or NULL */
	uint64_t window_len;
	unsigned generation; /* process_generation() when made */
};

/* See [offset, offset + len) of `f`'s memory at v->base. 0 or -errno. */
int view_map(struct gmem_file *f, uint64_t offset, uint64_t len,
	     struct view *v);
void view_unmap(struct view *v);

/* Drop the persistent mapping; the file is going away. */
void view_release(struct gmem_file *f);

#endif
