/* SPDX-License-Identifier: MIT */
/*
 * The definitions the preload stands in front of: for each call it
 * intercepts, the next definition of that name after the preload in the
 * program's lookup order (the C library's, or a sanitizer's interceptor in
 * front of it), found once with dlsym(RTLD_NEXT). Each next_ function
 * makes exactly the call its name says, on behalf of the program or of
 * the library.
 */
#ifndef PRELOAD_NEXT_H
#define PRELOAD_NEXT_H

#include <sys/types.h>

int next_openat(int dirfd, const char *path, int flags, mode_t mode);
int next_ioctl(int fd, unsigned long request, unsigned long arg);
void *next_mmap(void *addr, size_t len, int prot, int flags, int fd,
		off_t offset);
int next_munmap(void *addr, size_t len);
int next_fallocate(int fd, int mode, off_t offset, off_t len);
int next_ftruncate(int fd, off_t len);
int next_close(int fd);
int next_dup(int fd);
int next_dup3(int fd, int to, int flags);
int next_dup2(int fd, int to);
int next_fcntl(int fd, int cmd, unsigned long arg);
pid_t next_fork(void);

#endif
