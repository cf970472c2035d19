/* SPDX-License-Identifier: MIT */
/*
 * Descriptors the library opens for itself: each file's memory, the copy
 * file (copy_slot.c). They are numbers in the program's table like any
 * other, and a program that closes one by mistake (a double close(2), a
 * loop closing every descriptor it does not know) frees the number for
 * its next open(2). From then on a fallocate(), lseek(), mmap() or close()
 * of ours on that number would act on the program's own file: punch its
 * data, move its offset, map it as guest memory, close it under it. So
 * the library remembers which file each of its descriptors was opened on
 * and asks before using one; a number that names another file by now is
 * left alone, and is never closed (R123).
 */
#ifndef GMEM_OWN_FD_H
#define GMEM_OWN_FD_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The identity of an open file: what fstat(2) and the kernel's vma
 * queries report. */
struct file_id {
	dev_t dev;
	ino_t ino;
};

/* The identity of `fd`. 0 or -errno. */
int file_id_of(int fd, struct file_id *id);

/* fstat(2) of `fd` into *st, if it still names the file `id`: 0, else
 * -EIO. */
int own_fd_stat(int fd, const struct file_id *id, struct stat *st);

/* Whether `fd` still names the file `id` (one fstat(2)). */
bool own_fd_names(int fd, const struct file_id *id);

/* close(fd), if it still names the file `id`. */
void own_fd_close(int fd, const struct file_id *id);

#endif
