// SPDX-License-Identifier: MIT
/*
 * Identity checks on the library's own descriptors (own_fd.h). Device and
 * inode name a file exactly while it is open, and the library's mappings
 * of its memory files keep them open even after a stray close(2).
 */
#include <errno.h>
#include <sys/stat.h>
#include <unistd.h>

#include "own_fd.h"

int file_id_of(int fd, struct file_id *id)
{
	struct stat st;

	if (fstat(fd, &st))
		return -errno;
	*id = (struct file_id){ .dev = st.st_dev, .ino = st.st_ino };
	return 0;
}

int own_fd_stat(int fd, const struct file_id *id, struct stat *st)
{
	if (fd < 0 || fstat(fd, st) || st->st_dev != id->dev ||
	    st->st_ino != id->ino)
		return -EIO;
	return 0;
}

bool own_fd_names(int fd, const struct file_id *id)
{
	struct stat st;

	return !own_fd_stat(fd, id, &st);
}

void own_fd_close(int fd, const struct file_id *id)
{
	if (own_fd_names(fd, id))
		close(fd);
}
