/* SPDX-License-Identifier: MIT */
/*
 * Scrubbing: making the old bytes of memory unreadable, by zeroing or by
 * scrambling, for the content modes that do not keep them. Byte-level
 * work only: which pages, and why, is content_mode.c's to say.
 */
#ifndef GMEM_SCRUB_H
#define GMEM_SCRUB_H

#include <stdint.h>

/* Zero [p, p + len); whole pages. */
void scrub_zero(char *p, uint64_t len);

/* Replace [p, p + len) with bytes nobody can predict or undo; whole
 * pages. Falls back to zeros, never leaves the old bytes. */
void scrub_scramble(char *p, uint64_t len);

#endif
