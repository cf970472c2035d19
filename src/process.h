/* SPDX-License-Identifier: MIT */
/*
 * Which process this is, as the library tells its own from a child of
 * fork(): a VM belongs to the process that made it, as the kernel's
 * belongs to the mm that created it (R110), and a child's copy of the
 * library's state names what only its parent has.
 */
#ifndef GMEM_PROCESS_H
#define GMEM_PROCESS_H

/* How many fork()s this process is from the one that first asked: the
 * parent keeps its number, a child gets a new one. Exact, and cheap
 * enough for every call (an atomic load); the first call registers the
 * fork handler, so ask before anything that must be told apart. */
unsigned process_generation(void);

#endif
