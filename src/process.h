/* SPDX-License-Identifier: MIT */
/*
 * Which process this is, as the library tells its own from a child of
 * fork(): a VM belongs to the process that made it, as the kernel's
 * belongs to the mm that created it (R110), and a child's copy of the
 * library's state names what only its parent has.
 */
#ifndef GMEM_PROCESS_H
#define GMEM_PROCESS_H

#include <pthread.h>

/* How many fork()s this process is from the one that first asked: the
 * parent keeps its number, a child gets a new one. Exact, and cheap
 * enough for every call (an atomic load); the first call registers the
 * fork handler, so ask before anything that must be told apart. */
unsigned process_generation(void);

/* Hold `lock`, a process-wide leaf mutex, across every fork() from now
 * on: the forking thread takes it before, and both processes release it
 * after, so that a child never inherits it held by a thread it does not
 * have. Each lock is named once, before any fork that must spare it;
 * at most PROCESS_FORK_LOCKS of them. 0 or -ENOSPC. */
#define PROCESS_FORK_LOCKS 8
int process_hold_across_fork(pthread_mutex_t *lock);

#endif
