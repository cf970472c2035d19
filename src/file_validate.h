/* SPDX-License-Identifier: MIT */
/*
 * The cross-check of one guest_memfd's state: its range trees are sound,
 * and its attributes, allocation, pins and host mappings agree. Run after
 * every conversion, pin, unpin and fallocate in debug builds and after
 * every operation by the fuzzers, so that a broken invariant is caught where it
 * was broken.
 */
#ifndef GMEM_FILE_VALIDATE_H
#define GMEM_FILE_VALIDATE_H

struct gmem_file;

/* Check `f`. Caller holds convert_lock (either way). 0, or -EUCLEAN with
 * *why saying what is broken, or -errno if the kernel could not be asked
 * about the host mappings. */
int gmem_file_validate(struct gmem_file *f, const char **why);

/* The same for the guest_memfd behind `fd`, taking its lock; -EBADF if
 * `fd` is not one. For the fuzzers and tests. */
int gmem_file_validate_fd(int fd, const char **why);

/* In debug builds (NDEBUG unset), fail an assertion naming what is broken
 * in `f`; nothing otherwise. Caller holds convert_lock. */
#ifdef NDEBUG
#define gmem_file_assert_valid(f) ((void)(f))
#else
void gmem_file_assert_valid(struct gmem_file *f);
#endif

#endif
