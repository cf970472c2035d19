// SPDX-License-Identifier: MIT
/*
 * Reference counting for fd-backed objects. The count is atomic so that a
 * lookup on one thread and a close on another need no common lock: the
 * descriptor's reference is dropped only after the fd table forgot it.
 */
#include <assert.h>
#include <unistd.h>

#include "object.h"
#include "process.h"

void gmem_object_init(struct gmem_object *obj, enum gmem_object_kind kind,
		      void (*release)(struct gmem_object *obj))
{
	obj->kind = kind;
	atomic_init(&obj->refs, 1);
	obj->self_fd = -1;
	obj->generation = process_generation();
	obj->release = release;
}

bool gmem_object_is_own(const struct gmem_object *obj)
{
	return obj->generation == process_generation();
}

void gmem_object_get(struct gmem_object *obj)
{
	unsigned old = atomic_fetch_add(&obj->refs, 1);

	assert(old > 0);
	(void)old;
}

bool gmem_object_tryget(struct gmem_object *obj)
{
	unsigned old = atomic_load(&obj->refs);

	while (old && !atomic_compare_exchange_weak(&obj->refs, &old, old + 1))
		;
	return old != 0;
}

void gmem_object_put(struct gmem_object *obj)
{
	unsigned old = atomic_fetch_sub(&obj->refs, 1);

	assert(old > 0);
	if (old != 1)
		return;
	if (obj->self_fd >= 0)
		close(obj->self_fd);
	obj->release(obj);
}
