// SPDX-License-Identifier: MIT
/*
 * Checked copies through a memfd.
 *
 * pwrite(2) from the caller's pointer into a memfd is a copy_from_user()
 * of the kernel's own: it answers EFAULT for a page that is unmapped,
 * PROT_NONE or beyond the end of a file mapped there, exactly where the
 * kernel's ioctls would, and raises no signal. Reading the bytes back
 * through a mapping of the same memfd costs no second system call; the
 * way out is a memcpy into the mapping and a pread(2) to the caller's
 * pointer. One system call a copy, about half of process_vm_readv()'s
 * price, which looks up a process and pins its pages.
 *
 * The file is the library's alone, and lives only while a VM does
 * (copy_slot_hold()): its descriptor is a number in the program's table,
 * which a program that closes every descriptor it does not know (after
 * its last VM is gone, say) could see reused by a file of its own, and a
 * pwrite(2) there would write into that file. While VMs live, the
 * library's other descriptors (each file's memory) carry the same
 * contract. The file is made on the first copy and ended, after every
 * copy in flight, with the last VM; copies with no VM alive (a VM's
 * options, read before it exists) go another way. A copy in flight is
 * counted, not locked: the count is the one shared write on the way, and
 * a lock held across fork() would need care in the child.
 *
 * Each thread owns one page of the file (a slot) while it lives, so that
 * no two threads' bytes meet; a thread returns its slot when it exits.
 * Copies longer than a slot, threads beyond the last slot, and processes
 * where the file cannot be made or written (a seccomp filter, no memory)
 * answer -ENOSYS, and the caller copies another way.
 *
 * The descriptor is checked before each use, as the library's other
 * descriptors are (own_fd.h), but for the price of a null system call
 * rather than fstat(2)'s: the file's offset, which pread(2) and pwrite(2)
 * never move, is set to a random value when the file is made, and
 * lseek(fd, 0, SEEK_CUR) reads it back without moving any file's offset.
 * A number that answers another value names a file of the program's by
 * now: the library never writes it, nor closes it, and copies another
 * way until the last VM goes.
 *
 * The mapping is MADV_DONTFORK, like every mapping of the library's: a
 * child of fork() neither shares the parent's slots nor inherits its
 * descriptor's use; it makes its own file on first use.
 *
 * Memcheck would call a caller's uninitialised padding an error in
 * pwrite(2)'s buffer, where the kernel's ioctls copy it without a word;
 * under valgrind the caller copies another way.
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include "copy_slot.h"

#if defined(__has_include) && __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#else
#define RUNNING_ON_VALGRIND 0
#endif

#define SLOT_SIZE  COPY_SLOT_MAX
#define SLOT_COUNT 16384u /* 64 MiB of address space, pages on first use */
#define FILE_SIZE  ((size_t)SLOT_SIZE * SLOT_COUNT)

/* UNMADE -> READY or UNUSABLE on a copy while VMs live; READY ->
 * CLOSING -> UNMADE when the last VM goes. */
enum file_state { FILE_UNMADE, FILE_READY, FILE_UNUSABLE, FILE_CLOSING };

static struct {
	pthread_mutex_t lock;
	unsigned long holders;	       /* lock: VMs alive */
	_Atomic enum file_state state; /* written under lock */
	/* Copies between their check of state and their end: the file is
	 * ended only once none is left after it became CLOSING. */
	_Atomic unsigned long in_flight;
	/* Written under lock while no copy is in flight, read by copies. */
	int fd;
	off_t cookie; /* fd's file offset while fd is the library's */
	char *map;
	uint32_t used;	   /* lock: slots handed out so far */
	uint32_t free_top; /* lock: returned slots */
	uint32_t free_slots[SLOT_COUNT];
	/* Bumped under lock whenever the file goes (the last VM, a child
	 * of fork()); a thread's slot of an older generation is no slot. */
	_Atomic uintptr_t generation;
} slots = { .lock = PTHREAD_MUTEX_INITIALIZER, .fd = -1 };

static pthread_key_t slot_key;
static pthread_once_t slot_once = PTHREAD_ONCE_INIT;

/* A thread's slot as a key value: non-NULL, so that its exit returns it. */
static void *slot_value(uint32_t slot)
{
	return (void *)((atomic_load(&slots.generation) * SLOT_COUNT + slot) +
			1);
}

static bool slot_of(void *value, uint32_t *slot)
{
	uintptr_t v = (uintptr_t)value;

	if (!v || (v - 1) / SLOT_COUNT != atomic_load(&slots.generation))
		return false;
	*slot = (uint32_t)((v - 1) % SLOT_COUNT);
	return true;
}

static void slot_return(void *value)
{
	uint32_t slot;

	pthread_mutex_lock(&slots.lock);
	if (slot_of(value, &slot))
		slots.free_slots[slots.free_top++] = slot;
	pthread_mutex_unlock(&slots.lock);
}

/* Whether fd still names the file made for it (the header comment). */
static bool file_is_ours(void)
{
	return slots.fd >= 0 && lseek(slots.fd, 0, SEEK_CUR) == slots.cookie;
}

/* Forget the file: every slot of it, in every thread, is no slot. */
static void file_forget(void)
{
	if (slots.map)
		munmap(slots.map, FILE_SIZE);
	if (file_is_ours())
		close(slots.fd);
	slots.fd = -1;
	slots.map = NULL;
	slots.used = 0;
	slots.free_top = 0;
	atomic_fetch_add(&slots.generation, 1);
	atomic_store(&slots.state, FILE_UNMADE);
}

static void before_fork(void)
{
	pthread_mutex_lock(&slots.lock);
}

static void in_parent(void)
{
	pthread_mutex_unlock(&slots.lock);
}

/*
 * The child has no mapping (MADV_DONTFORK), must not write the parent's
 * file, and has no copy in flight: the threads that had one are not in
 * it. The mapping's address is not the child's to unmap. Its copies of
 * the parent's VMs still count as holders until it closes them.
 */
static void in_child(void)
{
	slots.map = NULL;
	file_forget();
	atomic_store(&slots.in_flight, 0);
	pthread_mutex_unlock(&slots.lock);
}

static void slots_init(void)
{
	if (pthread_key_create(&slot_key, slot_return) ||
	    pthread_atfork(before_fork, in_parent, in_child))
		atomic_store(&slots.state, FILE_UNUSABLE);
}

void copy_slot_hold(void)
{
	pthread_mutex_lock(&slots.lock);
	slots.holders++;
	pthread_mutex_unlock(&slots.lock);
}

/* Wait for the copies that began before the file became CLOSING. */
static void wait_for_copies(void)
{
	while (atomic_load(&slots.in_flight))
		sched_yield();
}

void copy_slot_release(void)
{
	bool closing;

	pthread_mutex_lock(&slots.lock);
	closing = !--slots.holders &&
		  atomic_load(&slots.state) != FILE_UNMADE &&
		  atomic_load(&slots.state) != FILE_CLOSING;
	if (closing)
		atomic_store(&slots.state, FILE_CLOSING);
	pthread_mutex_unlock(&slots.lock);
	if (!closing)
		return;
	wait_for_copies();
	pthread_mutex_lock(&slots.lock);
	/* A VM that began meanwhile keeps the file, whole. */
	if (slots.holders)
		atomic_store(&slots.state,
			     slots.fd >= 0 ? FILE_READY : FILE_UNMADE);
	else
		file_forget();
	pthread_mutex_unlock(&slots.lock);
}

/* A file offset no program gives a file of its own: random, far past any
 * real file's end, below the largest offset tmpfs takes. */
static off_t file_cookie(void)
{
	uint64_t r = 0;

	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != sizeof(r))
		r = (uint64_t)(uintptr_t)&r ^ (uint64_t)getpid() << 32;
	return (off_t)((r >> 3) | 1ULL << 60);
}

static int file_make(void)
{
	int fd = memfd_create("gmem-copy", MFD_CLOEXEC);
	off_t cookie = file_cookie();
	char *map;

	if (fd < 0)
		return -errno;
	map = ftruncate(fd, (off_t)FILE_SIZE) ||
			      lseek(fd, cookie, SEEK_SET) != cookie
		      ? MAP_FAILED
		      : mmap(NULL, FILE_SIZE, PROT_READ | PROT_WRITE,
			     MAP_SHARED | MAP_NORESERVE, fd, 0);
	if (map == MAP_FAILED || madvise(map, FILE_SIZE, MADV_DONTFORK)) {
		int err = -errno;

		if (map != MAP_FAILED)
			munmap(map, FILE_SIZE);
		close(fd);
		return err;
	}
	slots.fd = fd;
	slots.cookie = cookie;
	slots.map = map;
	return 0;
}

/* A slot for this thread, the file made if need be. */
static int slot_take(uint32_t *slot)
{
	int err = 0;

	pthread_mutex_lock(&slots.lock);
	if (slots.holders && atomic_load(&slots.state) == FILE_UNMADE) {
		err = file_make();
		atomic_store(&slots.state, err ? FILE_UNUSABLE : FILE_READY);
	}
	if (!slots.holders || atomic_load(&slots.state) != FILE_READY)
		err = -ENOSYS;
	else if (slots.free_top)
		*slot = slots.free_slots[--slots.free_top];
	else if (slots.used < SLOT_COUNT)
		*slot = slots.used++;
	else
		err = -ENOSYS;
	if (!err && pthread_setspecific(slot_key, slot_value(*slot))) {
		slots.free_slots[slots.free_top++] = *slot;
		err = -ENOSYS;
	}
	pthread_mutex_unlock(&slots.lock);
	return err;
}

/* The program closed the file's descriptor behind the library's back:
 * no copy goes through it again, until the last VM ends the file. */
static void file_lost(void)
{
	pthread_mutex_lock(&slots.lock);
	if (atomic_load(&slots.state) == FILE_READY)
		atomic_store(&slots.state, FILE_UNUSABLE);
	pthread_mutex_unlock(&slots.lock);
}

/* This thread's slot: its file offset. Caller is in flight. */
static int slot_offset(off_t *offset)
{
	uint32_t slot;

	if (atomic_load(&slots.state) != FILE_READY &&
	    atomic_load(&slots.state) != FILE_UNMADE)
		return -ENOSYS;
	if (!slot_of(pthread_getspecific(slot_key), &slot) && slot_take(&slot))
		return -ENOSYS;
	if (!file_is_ours()) {
		file_lost();
		return -ENOSYS;
	}
	*offset = (off_t)slot * SLOT_SIZE;
	return 0;
}

/* A short count is a fault part of the way; any other failure (the
 * program closed our descriptor, tmpfs is full) is not the pointer's. */
static int copy_result(ssize_t n, size_t len)
{
	if (n == (ssize_t)len)
		return 0;
	if (n >= 0 || errno == EFAULT)
		return -EFAULT;
	return -ENOSYS;
}

/* Whether a copy of len bytes may go through a slot; if so, the caller is
 * in flight until copy_end(). */
static bool copy_begin(size_t len)
{
	if (len > SLOT_SIZE || RUNNING_ON_VALGRIND)
		return false;
	pthread_once(&slot_once, slots_init);
	atomic_fetch_add(&slots.in_flight, 1);
	return true;
}

static int copy_end(int err)
{
	atomic_fetch_sub(&slots.in_flight, 1);
	return err;
}

int copy_slot_from_user(void *dst, const void *src, size_t len)
{
	off_t offset;
	int err;

	if (!copy_begin(len))
		return -ENOSYS;
	if (slot_offset(&offset))
		return copy_end(-ENOSYS);
	err = copy_result(pwrite(slots.fd, src, len, offset), len);
	if (!err)
		memcpy(dst, slots.map + offset, len);
	return copy_end(err);
}

int copy_slot_to_user(void *dst, const void *src, size_t len)
{
	off_t offset;

	if (!copy_begin(len))
		return -ENOSYS;
	if (slot_offset(&offset))
		return copy_end(-ENOSYS);
	memcpy(slots.map + offset, src, len);
	return copy_end(copy_result(pread(slots.fd, dst, len, offset), len));
}
