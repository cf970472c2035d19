// SPDX-License-Identifier: MIT
/*
 * Owner-tracking wrappers around pthread locks. The bookkeeping costs a few
 * atomic stores; it is what lets every helper that needs a lock assert it,
 * which is worth more than the nanoseconds.
 */
#include "lock.h"

void gmem_mutex_init(struct gmem_mutex *m)
{
	pthread_mutex_init(&m->mutex, NULL);
	atomic_init(&m->locked, false);
}

void gmem_mutex_destroy(struct gmem_mutex *m)
{
	assert(!m->locked);
	pthread_mutex_destroy(&m->mutex);
}

void gmem_mutex_lock(struct gmem_mutex *m)
{
	pthread_mutex_lock(&m->mutex);
	atomic_store_explicit(&m->owner, pthread_self(), memory_order_relaxed);
	atomic_store_explicit(&m->locked, true, memory_order_relaxed);
}

void gmem_mutex_unlock(struct gmem_mutex *m)
{
	assert(gmem_mutex_held(m));
	atomic_store_explicit(&m->locked, false, memory_order_relaxed);
	pthread_mutex_unlock(&m->mutex);
}

bool gmem_mutex_held(struct gmem_mutex *m)
{
	return atomic_load_explicit(&m->locked, memory_order_relaxed) &&
	       pthread_equal(
		       atomic_load_explicit(&m->owner, memory_order_relaxed),
		       pthread_self());
}

/*
 * Writers first: a conversion must not starve behind a stream of faults,
 * pins and queries, as the kernel's rw_semaphore makes new readers wait
 * behind a waiting writer. No holder takes the lock shared twice, which
 * this kind would turn into a deadlock.
 */
void gmem_rwlock_init(struct gmem_rwlock *l)
{
	pthread_rwlockattr_t attr;

	pthread_rwlockattr_init(&attr);
	pthread_rwlockattr_setkind_np(
		&attr, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&l->rwlock, &attr);
	pthread_rwlockattr_destroy(&attr);
	atomic_init(&l->write_locked, false);
	atomic_init(&l->readers, 0);
}

void gmem_rwlock_destroy(struct gmem_rwlock *l)
{
	assert(!l->write_locked && l->readers == 0);
	pthread_rwlock_destroy(&l->rwlock);
}

void gmem_rwlock_read_lock(struct gmem_rwlock *l)
{
	pthread_rwlock_rdlock(&l->rwlock);
	atomic_fetch_add_explicit(&l->readers, 1, memory_order_relaxed);
}

void gmem_rwlock_read_unlock(struct gmem_rwlock *l)
{
	atomic_fetch_sub_explicit(&l->readers, 1, memory_order_relaxed);
	pthread_rwlock_unlock(&l->rwlock);
}

void gmem_rwlock_write_lock(struct gmem_rwlock *l)
{
	pthread_rwlock_wrlock(&l->rwlock);
	atomic_store_explicit(&l->writer, pthread_self(), memory_order_relaxed);
	atomic_store_explicit(&l->write_locked, true, memory_order_relaxed);
}

void gmem_rwlock_write_unlock(struct gmem_rwlock *l)
{
	assert(gmem_rwlock_write_held(l));
	atomic_store_explicit(&l->write_locked, false, memory_order_relaxed);
	pthread_rwlock_unlock(&l->rwlock);
}

bool gmem_rwlock_write_held(struct gmem_rwlock *l)
{
	return atomic_load_explicit(&l->write_locked, memory_order_relaxed) &&
	       pthread_equal(
		       atomic_load_explicit(&l->writer, memory_order_relaxed),
		       pthread_self());
}

bool gmem_rwlock_held(struct gmem_rwlock *l)
{
	return gmem_rwlock_write_held(l) ||
	       atomic_load_explicit(&l->readers, memory_order_relaxed) > 0;
}
