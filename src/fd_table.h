/* SPDX-License-Identifier: MIT */
/*
 * The table from file descriptor to gmem object: the only global mutable
 * state of the library besides the probe cache.
 */
#ifndef GMEM_FD_TABLE_H
#define GMEM_FD_TABLE_H

#include "object.h"

/* Enter `obj` for `fd`; the table takes over the caller's reference.
 * 0 or -ENOMEM, -EBADF. */
int fd_table_insert(int fd, struct gmem_object *obj);

/* The same for a descriptor whose inode other files share: the object
 * also keeps a duplicate of it, to know it again. 0 or -errno. */
int fd_table_insert_shared(int fd, struct gmem_object *obj);

/* Enter `fd`, a copy (dup(2) and its kin) of a descriptor of `obj`, so
 * that it names the object on its own, as a copy of a kernel file keeps
 * the file: the object then lives until both are closed. The table takes
 * over the caller's reference. 0, or -EBADF if `fd` is not a copy of the
 * object's file, -ENOMEM. */
int fd_table_insert_copy(int fd, struct gmem_object *obj);

/* The object behind `fd` with a new reference, or NULL if `fd` is not a
 * gmem descriptor (or is one whose number was reused after a plain
 * close()). A copy of a gmem descriptor (dup, F_DUPFD_CLOEXEC) names
 * the same object while the descriptor the library returned is open. */
struct gmem_object *fd_table_get(int fd);

/* Forget `fd`; returns the table's reference, or NULL. */
struct gmem_object *fd_table_remove(int fd);

#endif
