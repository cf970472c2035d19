// SPDX-License-Identifier: MIT
/*
 * fd -> object, as an array indexed by descriptor number that grows on
 * demand, under one mutex held for a few instructions (a lookup takes a
 * reference and lets go). A mutex rather than a rwlock: the forking
 * thread holds it across fork(), and only a mutex can be released in the
 * child, where the thread has another id than the one a rwlock's writer
 * is known by.
 *
 * A caller may close one of our descriptors with plain close(2) and the
 * kernel may hand the number to an unrelated file. Each entry therefore
 * remembers the device and inode of the open file it was made for, and a
 * lookup that finds a different file treats the descriptor as foreign.
 * A VM's descriptor is an anonymous-inode file like the kernel's, whose
 * inode every such file shares; its object keeps a duplicate of it, and
 * kcmp(2) says whether the descriptor still names that same open file.
 * Where kcmp(2) is refused (a seccomp filter, a kernel without it), the
 * inode alone decides.
 *
 * A number the table does not know may be a copy of one it does (dup,
 * F_DUPFD_CLOEXEC): it names the same object, as a copy of a kernel file
 * names the same file.
 */
#include <errno.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/kcmp.h>

#include "alloc.h"
#include "fd_table.h"
#include "lock.h"
#include "process.h"

static struct {
	pthread_mutex_t lock;
	struct gmem_object **slots; /* lock */
	size_t nslots;		    /* lock */
} table = { .lock = PTHREAD_MUTEX_INITIALIZER };
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

/* A child may make VMs of its own (R110), which enter them here: the lock
 * must not come to it held by a thread it does not have. It is a leaf
 * (nothing is taken, no object released, under it). */
static void table_watch_forks(void)
{
	process_hold_across_fork(&table.lock);
}

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

/* The fstat system call itself where the architecture has one: glibc's
 * fstat() is fstatat(fd, "", AT_EMPTY_PATH), which copies and checks an
 * empty path first, a fifth of the identity check's cost. */
static int fd_stat(int fd, struct stat *st)
{
#ifdef SYS_fstat
	return (int)syscall(SYS_fstat, fd, st);
#else
	return fstat(fd, st);
#endif
}

static int fd_identity(int fd, dev_t *dev, ino_t *ino)
{
	struct stat st;

	if (fd_stat(fd, &st))
		return -errno;
	*dev = st.st_dev;
	*ino = st.st_ino;
	return 0;
}

/* Enter `obj` for `fd`, taking over the caller's reference. */
static int fd_table_store(int fd, struct gmem_object *obj)
{
	struct gmem_object *stale = NULL;
	int ret = 0;

	pthread_once(&table_once, table_watch_forks);
	pthread_mutex_lock(&table.lock);
	if ((size_t)fd >= table.nslots)
		ret = fd_table_grow(fd);
	if (!ret) {
		/* An entry whose fd was closed behind our back. */
		stale = table.slots[fd];
		table.slots[fd] = obj;
	}
	pthread_mutex_unlock(&table.lock);
	/* Outside the lock: the end of an object takes other locks. */
	if (stale)
		gmem_object_put(stale);
	return ret;
}

int fd_table_insert(int fd, struct gmem_object *obj)
{
	int ret;

	if (fd < 0)
		return -EBADF;
	ret = fd_identity(fd, &obj->dev, &obj->ino);
	if (ret)
		return ret;
	return fd_table_store(fd, obj);
}

static struct gmem_object *fd_table_peek(int fd)
{
	struct gmem_object *obj = NULL;

	pthread_mutex_lock(&table.lock);
	if (fd >= 0 && (size_t)fd < table.nslots && table.slots[fd]) {
		obj = table.slots[fd];
		gmem_object_get(obj);
	}
	pthread_mutex_unlock(&table.lock);
	return obj;
}

int fd_table_insert_shared(int fd, struct gmem_object *obj)
{
	int self = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	int ret;

	if (self < 0)
		return -errno;
	obj->self_fd = self;
	ret = fd_table_insert(fd, obj);
	if (ret) {
		obj->self_fd = -1;
		close(self);
	}
	return ret;
}

/* Whether `fd` names the same open file as the object's own duplicate;
 * true where kcmp(2) cannot tell and `strict` is false. */
static bool fd_same_file(int fd, const struct gmem_object *obj, bool strict)
{
	pid_t pid;
	long ret;

	if (obj->self_fd < 0)
		return true;
	pid = getpid();
	ret = syscall(SYS_kcmp, pid, pid, KCMP_FILE, fd, obj->self_fd);
	return ret == 0 || (!strict && ret < 0 && errno != EBADF);
}

/* Whether `fd` is the open file `obj` was entered for, or a copy of it. */
static bool fd_names(int fd, const struct gmem_object *obj, bool strict)
{
	dev_t dev;
	ino_t ino;

	if (fd_identity(fd, &dev, &ino) || dev != obj->dev || ino != obj->ino)
		return false;
	return fd_same_file(fd, obj, strict);
}

/*
 * `fd` as a copy (dup(2), F_DUPFD_CLOEXEC) of a descriptor the table
 * knows under another number, whose own number still names its file: the
 * same open file, as the kernel's copies are. A copy is never entered:
 * closing it ends nothing, as in the kernel, and the object lives as
 * long as the descriptor the library returned (and its users). Only
 * kcmp(2) may say that an anonymous-inode file is a VM's.
 */
static struct gmem_object *fd_table_find_copy(int fd)
{
	struct gmem_object *found = NULL;
	dev_t dev;
	ino_t ino;

	if (fd < 0 || fd_identity(fd, &dev, &ino))
		return NULL;
	pthread_mutex_lock(&table.lock);
	for (size_t i = 0; i < table.nslots && !found; i++) {
		struct gmem_object *obj = table.slots[i];

		if (!obj || obj->dev != dev || obj->ino != ino ||
		    !fd_names((int)i, obj, false) ||
		    !fd_same_file(fd, obj, true))
			continue;
		gmem_object_get(obj);
		found = obj;
	}
	pthread_mutex_unlock(&table.lock);
	return found;
}

struct gmem_object *fd_table_get(int fd)
{
	struct gmem_object *obj = fd_table_peek(fd);

	if (obj && fd_names(fd, obj, false))
		return obj;
	if (obj)
		gmem_object_put(obj);
	return fd_table_find_copy(fd);
}

int fd_table_insert_copy(int fd, struct gmem_object *obj)
{
	/* The object's identity is fixed: a copy must show it, not set it. */
	if (fd < 0 || !fd_names(fd, obj, true))
		return -EBADF;
	return fd_table_store(fd, obj);
}

struct gmem_object *fd_table_remove(int fd)
{
	struct gmem_object *obj = NULL;

	pthread_mutex_lock(&table.lock);
	if (fd >= 0 && (size_t)fd < table.nslots) {
		obj = table.slots[fd];
		table.slots[fd] = NULL;
	}
	pthread_mutex_unlock(&table.lock);
	return obj;
}
