// SPDX-License-Identifier: MIT
/*
 * The process generation: a counter that only a child's fork handler
 * moves. A pid would do as well until the parent exits and its number is
 * handed to one of the child's own descendants; the counter cannot be
 * reused that way.
 *
 * The process-wide locks held across fork(). They are leaves (no lock is
 * taken under any of them), so the order the forking thread takes them
 * in cannot deadlock. A mutex, not a rwlock: the child's thread has
 * another id than the forking thread had, by which a rwlock knows its
 * writer, and only a mutex can then be released there.
 */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#include "process.h"

static atomic_uint generation;
static pthread_once_t process_once = PTHREAD_ONCE_INIT;

static pthread_mutex_t fork_locks_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t *fork_locks[PROCESS_FORK_LOCKS]; /* fork_locks_lock */
static int nfork_locks;					/* fork_locks_lock */

static void take_fork_locks(void)
{
	pthread_mutex_lock(&fork_locks_lock);
	for (int i = 0; i < nfork_locks; i++)
		pthread_mutex_lock(fork_locks[i]);
}

static void release_fork_locks(void)
{
	for (int i = nfork_locks - 1; i >= 0; i--)
		pthread_mutex_unlock(fork_locks[i]);
	pthread_mutex_unlock(&fork_locks_lock);
}

static void count_child(void)
{
	atomic_fetch_add_explicit(&generation, 1, memory_order_relaxed);
	release_fork_locks();
}

static void process_watch_forks(void)
{
	pthread_atfork(take_fork_locks, release_fork_locks, count_child);
}

int process_hold_across_fork(pthread_mutex_t *lock)
{
	int err = 0;

	pthread_once(&process_once, process_watch_forks);
	pthread_mutex_lock(&fork_locks_lock);
	if (nfork_locks < PROCESS_FORK_LOCKS)
		fork_locks[nfork_locks++] = lock;
	else
		err = -ENOSPC;
	pthread_mutex_unlock(&fork_locks_lock);
	return err;
}

unsigned process_generation(void)
{
	pthread_once(&process_once, process_watch_forks);
	return atomic_load_explicit(&generation, memory_order_relaxed);
}
