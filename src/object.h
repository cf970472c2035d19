/* SPDX-License-Identifier: MIT */
/*
 * What a gmem file descriptor stands for: the system, a VM or a
 * guest_memfd. Objects are reference counted: the fd table holds one
 * reference for the descriptor, and whoever else keeps an object alive (a
 * guest_memfd its VM, a host mapping its guest_memfd; a memslot does not,
 * R36) holds one more, so an object outlives its descriptor exactly as
 * long as the kernel lets its counterpart live.
 */
#ifndef GMEM_OBJECT_H
#define GMEM_OBJECT_H

#include <stdatomic.h>
#include <stdbool.h>
#include <sys/types.h>

enum gmem_object_kind {
	GMEM_OBJ_SYSTEM = 1,
	GMEM_OBJ_VM,
	GMEM_OBJ_FILE,
};

struct gmem_object {
	enum gmem_object_kind kind;
	atomic_uint refs;
	/* The identity of the descriptor's open file, to tell our fd from an
	 * unrelated one that reused its number after a plain close(). */
	dev_t dev;
	ino_t ino;
	/* A close-on-exec duplicate the library holds of a descriptor whose
	 * inode other files share (a VM's anonymous inode, as the kernel's
	 * VM fds share one), through which the fd table tells the files
	 * apart (kcmp(2)); closed with the object. -1 for the others. */
	int self_fd;
	/* process_generation() of the process that made it (R110). */
	unsigned generation;
	void (*release)(struct gmem_object *obj);
};

/* Set up with one reference; release runs when the last one is dropped. */
void gmem_object_init(struct gmem_object *obj, enum gmem_object_kind kind,
		      void (*release)(struct gmem_object *obj));
void gmem_object_get(struct gmem_object *obj);
/* A reference unless the object is already on its way out. */
bool gmem_object_tryget(struct gmem_object *obj);
void gmem_object_put(struct gmem_object *obj);

/* Whether this process made the object, rather than inherited it from a
 * parent through fork() (R110). */
bool gmem_object_is_own(const struct gmem_object *obj);

#endif
