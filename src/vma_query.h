/* SPDX-License-Identifier: MIT */
/*
 * What the kernel has mapped at an address of this process: the vma's
 * bounds, protection, and the identity (device, inode, offset) of the file
 * behind it. The library asks before it maps over a range it recorded, so
 * that it never replaces memory that is no longer its mapping.
 */
#ifndef GMEM_VMA_QUERY_H
#define GMEM_VMA_QUERY_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "own_fd.h"

struct vma {
	uintptr_t start, end;
	uint64_t offset; /* file offset of start; 0 for anonymous memory */
	dev_t dev;	 /* 0 and 0 for anonymous memory */
	ino_t ino;
	int prot;
	bool shared;
};

/* The vma containing `addr`, or else the lowest one above it. 0,
 * -ENOENT if there is none, -ENOSYS if the kernel cannot tell (no /proc),
 * or another -errno. Callers serialise (the host-map lock). */
int vma_query(uintptr_t addr, struct vma *v);

/* Called for each vma of a walk; non-zero stops the walk. */
typedef int (*vma_visit_fn)(const struct vma *v, void *arg);

/* Every vma of the process, ascending, to `visit` until it answers
 * non-zero, which is returned; 0 once all were seen, -ENOSYS if the kernel
 * cannot tell, or another -errno. One system call per vma with
 * PROCMAP_QUERY, one read of the text otherwise. Callers serialise. */
int vma_walk(vma_visit_fn visit, void *arg);

/* Whether `v` maps the file `id`. */
bool vma_maps_file(const struct vma *v, const struct file_id *id);

/* For tests: answer from the text of /proc/self/maps even where the kernel
 * offers PROCMAP_QUERY (the fallback of kernels before 6.11). */
void vma_query_force_text(bool on);

#endif
