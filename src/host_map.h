/* SPDX-License-Identifier: MIT */
/*
 * The host's mappings of guest_memfd files, made by gmem_mmap().
 *
 * A mapping shows the file's memory where the pages are shared and an
 * empty file where they are private, so that touching a private page
 * raises SIGBUS, as the kernel's fault handler does. Conversions revoke and
 * restore the mapped ranges, one call per contiguous range, and only where
 * the kernel confirms that the range is still the library's mapping of
 * the file: the program may unmap, move or map over it with plain calls.
 */
#ifndef GMEM_HOST_MAP_H
#define GMEM_HOST_MAP_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct gmem_file;

/* mmap(2) of `f`, with guest_memfd's checks. MAP_FAILED and *err. */
void *host_map_create(struct gmem_file *f, void *addr, size_t len, int prot,
		      int flags, int64_t offset, int *err);

/* mmap(2) at an address of the kernel's choice, MADV_DONTFORK, for a
 * mapping the library keeps for itself (its view of a file): the records it
 * lands on name addresses the program gave back, so they are forgotten, else a
 * conversion would take the library's own mapping for a host mapping of
 * the file. MAP_FAILED with errno. */
void *host_map_mmap_own(size_t len, int prot, int flags, int fd,
			uint64_t offset);

/* Whether `at` lies in a mapping the library keeps for itself (a view, a
 * remap source): never a host mapping. For checks and fuzzers. */
bool host_map_in_own(const void *at);

/* munmap(2) of a mapping host_map_mmap_own() made, and forget it. */
void host_map_unmap_own(void *addr, size_t len);

/* Store `addr`, a mapping host_map_mmap_own() made, in *cache unless it
 * already names one, so that a child of fork() clears it: the address
 * *cache holds afterwards (the caller unmaps its own if it lost). */
char *host_map_publish_own(void *addr, _Atomic(char *) *cache);

/* munmap(2), forgetting the gmem mappings in the range. 0 or -errno. */
int host_map_unmap(void *addr, size_t len);

/* Make pages [first, end) of `f` fault with SIGBUS in every host mapping
 * (shared-to-private), or show its memory again (private-to-shared).
 * Caller holds f->convert_lock exclusive. 0 or -errno. */
int host_map_revoke(struct gmem_file *f, uint64_t first, uint64_t end);
int host_map_restore(struct gmem_file *f, uint64_t first, uint64_t end);

/* Forget the records of `f` that the program unmapped or mapped over
 * with plain calls, so that they stop holding the file. The caller holds
 * a reference. */
void host_map_forget_stale(struct gmem_file *f);

/* Check the records of `f` against the kernel's mappings and the
 * attributes: no live part shows a private page's memory, or the hole
 * where a page is shared. Caller holds convert_lock. 0, -EUCLEAN with
 * *why, or -errno if the kernel could not be asked. */
int host_map_validate(struct gmem_file *f, const char **why);

/* Call fn on each part of `f`'s host mappings that the kernel shows as
 * the file's memory now (its shared pages): `len` bytes at `va`, file
 * offset `offset`. Stops at fn's first non-zero return, and returns it.
 * For the checks of huge mappings (folio.c). Caller holds convert_lock. */
int host_map_for_each_memory(struct gmem_file *f,
			     int (*fn)(char *va, size_t len, uint64_t offset,
				       void *arg),
			     void *arg);

/* Drop what host_map_create() kept for `f` (no mapping is left). */
void host_map_file_release(struct gmem_file *f);

#endif
