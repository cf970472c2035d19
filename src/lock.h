/* SPDX-License-Identifier: MIT */
/*
 * Locks that know who holds them. In debug builds (NDEBUG unset) a mutex
 * records its owner and a reader-writer lock its writer and reader count,
 * so that a helper can assert on its first line that its caller holds the
 * lock it needs, as the kernel does with lockdep_assert_held().
 */
#ifndef GMEM_LOCK_H
#define GMEM_LOCK_H

#include <assert.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>

struct gmem_mutex {
	pthread_mutex_t mutex;
	_Atomic(pthread_t) owner; /* valid while locked, debug only */
	_Atomic bool locked;
};

struct gmem_rwlock {
	pthread_rwlock_t rwlock;
	_Atomic(pthread_t) writer;
	_Atomic bool write_locked;
	atomic_int readers;
};

void gmem_mutex_init(struct gmem_mutex *m);
void gmem_mutex_destroy(struct gmem_mutex *m);
void gmem_mutex_lock(struct gmem_mutex *m);
void gmem_mutex_unlock(struct gmem_mutex *m);
bool gmem_mutex_held(struct gmem_mutex *m);

void gmem_rwlock_init(struct gmem_rwlock *l);
void gmem_rwlock_destroy(struct gmem_rwlock *l);
void gmem_rwlock_read_lock(struct gmem_rwlock *l);
void gmem_rwlock_read_unlock(struct gmem_rwlock *l);
void gmem_rwlock_write_lock(struct gmem_rwlock *l);
void gmem_rwlock_write_unlock(struct gmem_rwlock *l);
/* Held for writing by this thread. */
bool gmem_rwlock_write_held(struct gmem_rwlock *l);
/* Held in some mode; for readers this can only say "by someone". */
bool gmem_rwlock_held(struct gmem_rwlock *l);

#define gmem_assert_mutex_held(m) assert(gmem_mutex_held(m))
#define gmem_assert_write_held(l) assert(gmem_rwlock_write_held(l))
#define gmem_assert_held(l)	  assert(gmem_rwlock_held(l))

#endif
