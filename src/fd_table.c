// SPDX-License-Identifier: MIT
/*
 * fd -> object, as an array indexed by descriptor number that grows on
 * demand. Lookups take the table's lock shared; only insert, remove and
 * growth take it exclusive.
 *
 * A caller may close one of our descriptors with plain close(2) and the
 * kernel may hand the number to an unrelated file. Each entry therefore
 * remembers the device and inode of the open file it was made for (every
 * descriptor the library returns has an inode of its own), and a lookup
 * that finds a different file treats the descriptor as foreign.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "alloc.h"
#include "fd_table.h"
#include "lock.h"

static struct {
	pthread_rwlock_t lock;
	struct gmem_object **slots; /* lock */
	size_t nslots;		    /* lock */
} table = { .lock = PTHREAD_RWLOCK_INITIALIZER };

static int fd_table_grow(size_t want)
{
	size_t n = table.nslots ? table.nslots : 64;
	struct gmem_object **slots;

	while (n <= want)
		n *= 2;
	slots = gmem_calloc(n, sizeof(*slots));
	if (!slots)
		return -ENOMEM;
	for (size_t i = 0; i < table.nslots; i++)
		slots[i] = table.slots[i];
	gmem_free(table.slots);
	table.slots = slots;
	table.nslots = n;
	return 0;
}

static int fd_identity(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

int fd_table_insert(int fd, struct gmem_object *obj)
{
	int ret;

	if (fd < 0)
		return -EBADF;
	ret = fd_identity(fd, &obj->dev, &obj->ino);
	if (ret)
		return ret;
	pthread_rwlock_wrlock(&table.lock);
	if ((size_t)fd >= table.nslots)
		ret = fd_table_grow(fd);
	if (!ret) {
		/* A stale entry whose fd was closed behind our back. */
		if (table.slots[fd])
			gmem_object_put(table.slots[fd]);
		table.slots[fd] = obj;
	}
	pthread_rwlock_unlock(&table.lock);
	return ret;
}

static struct gmem_object *fd_table_peek(int fd)
{
	struct gmem_object *obj = NULL;

	pthread_rwlock_rdlock(&table.lock);
	if (fd >= 0 && (size_t)fd < table.nslots && table.slots[fd]) {
		obj = table.slots[fd];
		gmem_object_get(obj);
	}
	pthread_rwlock_unlock(&table.lock);
	return obj;
}

struct gmem_object *fd_table_get(int fd)
{
	struct gmem_object *obj = fd_table_peek(fd);
	dev_t dev;
	ino_t ino;

	if (!obj)
		return NULL;
	if (fd_identity(fd, &dev, &ino) || dev != obj->dev || ino != obj->ino) {
		gmem_object_put(obj);
		return NULL;
	}
	return obj;
}

struct gmem_object *fd_table_remove(int fd)
{
	struct gmem_object *obj = NULL;

	pthread_rwlock_wrlock(&table.lock);
	if (fd >= 0 && (size_t)fd < table.nslots) {
		obj = table.slots[fd];
		table.slots[fd] = NULL;
	}
	pthread_rwlock_unlock(&table.lock);
	return obj;
}
