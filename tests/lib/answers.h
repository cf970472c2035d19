/* SPDX-License-Identifier: MIT */
/*
 * Recorded kernel answers: what one kernel answered to the checks that
 * compare libgmem with the kernel, kept in the tree so that a host whose
 * kernel lacks guest_memfd (or its MMAP flag) still checks the library's
 * answers against a real kernel's instead of skipping them.
 *
 * The file is text, one answer a line: CHECK TAB KEY TAB ANSWER, where
 * CHECK names the program ("conformance", "bad-input", "fuzz-kernel") and
 * KEY the case or row as that program prints it (for the kernel fuzzer, a
 * hash of the input; fuzz/kernel_tape.h). Lines starting with '#' are comments;
 * two of them are required:
 *   # kernel: the kernel the answers are from (uname, flags offered)
 *   # made: how the file was produced, and how to record it again
 * scripts/record-kernel-answers.sh writes the headers and has each
 * program append its lines (--record FILE) on a host whose kernel has
 * guest_memfd with MMAP and INIT_SHARED.
 */
#ifndef GMEM_TEST_ANSWERS_H
#define GMEM_TEST_ANSWERS_H

#include <stdio.h>

struct answers;

/* Load a file; NULL with errno (EINVAL for a malformed line or a missing
 * "kernel:" or "made:" header, with a message on stderr). */
struct answers *answers_load(const char *path);
void answers_free(struct answers *a);

/* The "kernel:" header: which kernel answered. */
const char *answers_kernel(const struct answers *a);

/* How many answers the file holds for CHECK. */
size_t answers_count(const struct answers *a, const char *check);

/* The answer recorded for CHECK and KEY, or NULL. */
const char *answers_get(const struct answers *a, const char *check,
			const char *key);

/* Append one answer line to a recording; tabs and newlines in KEY or
 * ANSWER become spaces. */
void answers_put(FILE *f, const char *check, const char *key,
		 const char *answer);

#endif
