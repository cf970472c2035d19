/* SPDX-License-Identifier: MIT */
/*
 * The kernel side's answers of the kernel-differential target, kept per
 * input, so that a host whose kernel cannot answer replays another
 * kernel's instead of skipping the corpus.
 *
 * Live, each kernel call is made and its answer noted; with
 * GMEM_KERNEL_RECORD=FILE the answers of each input are appended to FILE
 * (the recorded-answers format of tests/lib/answers.h, check
 * "fuzz-kernel", key the input's hash). Replaying, with
 * GMEM_KERNEL_ANSWERS=FILE, no kernel call is made: each returns the next
 * recorded answer, and an input whose calls do not match its recording
 * call for call is a divergence too. GMEM_KERNEL_REPLAY=FILE replays
 * even where the kernel could answer (to test the replay itself).
 */
#ifndef GMEM_FUZZ_KERNEL_TAPE_H
#define GMEM_FUZZ_KERNEL_TAPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/* A call's answer: ret, or -1 and errno. */
struct answer {
	long ret;
	int err;
};

/* Choose the mode: live where kernel_lacks is NULL (recording if asked),
 * else replaying. 0; or 77 with the reason on stderr where there is no
 * kernel to ask and no recording to replay, 1 where a file cannot be
 * opened. */
int tape_open(const char *kernel_lacks);

bool tape_replaying(void);

/* The start of an input: false if it is not to be run, because it is not
 * `runnable` here or (replaying) nothing was recorded for it. */
bool tape_begin(const uint8_t *data, size_t size, bool runnable);

/* Live: note `live` as call `op`'s answer and return it. */
struct answer tape_note(int op, struct answer live);

/* Replaying: call `op`'s recorded answer; false if the recording has
 * none here (the runs are out of step). */
bool tape_next(int op, struct answer *a);

/* fstat's fields, noted (live) or read back (replaying, false if out of
 * step). */
void tape_note_stat(int op, const struct stat *st);
bool tape_next_stat(int op, struct stat *st);

/* The end of an input: NULL, or (replaying) what is wrong with the
 * recording's rest. Recording, the input's answers are written now. */
const char *tape_end(void);

/* Replaying: one line on how many inputs were compared. */
void tape_summary(void);

#endif
