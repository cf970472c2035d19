// SPDX-License-Identifier: MIT
/*
 * The kernel side's answers of one input, as a line of tokens: "OP:RET",
 * "OP:-1:ENAME", and after a successful fstat "OP:st:SIZE:MODE:BLKSIZE:
 * BLOCKS", OP being the index of the input's operation that made the call
 * (-1 for the setup). Replaying checks the index too, so a run that calls
 * the kernel where the recorded one did not is caught at once.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "answers.h"
#include "kernel_tape.h"

#define TAPE_MAX 65536

static enum { LIVE, RECORD, REPLAY } mode;
static struct answers *recorded;
static FILE *recording;
static char tape[TAPE_MAX];
static size_t tape_len;
static bool tape_full;
static const char *pos; /* replaying: the next token */
static char key[17];
static int compared, unrecorded, not_runnable;

static int errno_named(const char *name, size_t len)
{
	for (int e = 1; e < 4096; e++) {
		const char *n = strerrorname_np(e);

		if (n && strlen(n) == len && !strncmp(n, name, len))
			return e;
	}
	return 0;
}

/* FNV-1a: a stable name for an input, whatever its file is called. */
static void name_input(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < size; i++)
		h = (h ^ data[i]) * 0x100000001b3ULL;
	snprintf(key, sizeof(key), "%016llx", (unsigned long long)h);
}

static int open_replay(const char *kernel_lacks, const char *path)
{
	if (!path) {
		fprintf(stderr, "gmem_kernel: skipped: %s\n", kernel_lacks);
		return 77;
	}
	recorded = answers_load(path);
	if (!recorded) {
		perror(path);
		return 1;
	}
	if (!answers_count(recorded, "fuzz-kernel")) {
		fprintf(stderr,
			"gmem_kernel: skipped: %s, and %s has no recorded "
			"answers for it (scripts/record-kernel-answers.sh "
			"records them on a class (d) host)\n",
			kernel_lacks, path);
		return 77;
	}
	mode = REPLAY;
	return 0;
}

int tape_open(const char *kernel_lacks)
{
	const char *path = getenv("GMEM_KERNEL_RECORD");
	const char *always = getenv("GMEM_KERNEL_REPLAY");

	if (always)
		return open_replay("replaying as asked", always);
	if (kernel_lacks)
		return open_replay(kernel_lacks, getenv("GMEM_KERNEL_ANSWERS"));
	if (!path)
		return 0;
	recording = fopen(path, "a");
	if (!recording) {
		perror(path);
		return 1;
	}
	mode = RECORD;
	return 0;
}

bool tape_replaying(void)
{
	return mode == REPLAY;
}

bool tape_begin(const uint8_t *data, size_t size, bool runnable)
{
	const char *s;

	if (!runnable) {
		not_runnable++;
		return false;
	}
	name_input(data, size);
	tape_len = 0;
	tape_full = false;
	tape[0] = 0;
	if (mode != REPLAY)
		return true;
	s = answers_get(recorded, "fuzz-kernel", key);
	if (!s) {
		unrecorded++;
		return false;
	}
	compared++;
	pos = s;
	return true;
}

static void __attribute__((format(printf, 1, 2))) append(const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tape + tape_len, TAPE_MAX - tape_len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= TAPE_MAX - tape_len)
		tape_full = true;
	else
		tape_len += (size_t)n;
}

struct answer tape_note(int op, struct answer live)
{
	if (live.ret == -1)
		append(" %d:-1:%s", op, strerrorname_np(live.err) ?: "?");
	else
		append(" %d:%ld", op, live.ret);
	return live;
}

void tape_note_stat(int op, const struct stat *st)
{
	append(" %d:st:%lld:%o:%ld:%lld", op, (long long)st->st_size,
	       st->st_mode, (long)st->st_blksize, (long long)st->st_blocks);
}

/* The next token's fields after its "OP:", if OP is `op`. */
static const char *token_for(int op)
{
	char *end;
	long got;

	pos += strspn(pos, " ");
	got = strtol(pos, &end, 10);
	if (end == pos || *end != ':' || got != op)
		return NULL;
	pos = end + 1 + strcspn(end + 1, " ");
	return end + 1;
}

bool tape_next(int op, struct answer *a)
{
	const char *t = token_for(op);
	char *end;

	if (!t || !strncmp(t, "st:", 3))
		return false;
	if (!strncmp(t, "-1:", 3)) {
		a->ret = -1;
		a->err = errno_named(t + 3, (size_t)(pos - t - 3));
		return a->err != 0;
	}
	a->ret = strtol(t, &end, 10);
	a->err = 0;
	return end == pos;
}

bool tape_next_stat(int op, struct stat *st)
{
	const char *t = token_for(op);
	long long size, blocks;
	unsigned int st_mode;
	long blksize;

	if (!t || sscanf(t, "st:%lld:%o:%ld:%lld", &size, &st_mode, &blksize,
			 &blocks) != 4)
		return false;
	st->st_size = size;
	st->st_mode = st_mode;
	st->st_blksize = blksize;
	st->st_blocks = blocks;
	return true;
}

const char *tape_end(void)
{
	if (mode == REPLAY) {
		pos += strspn(pos, " ");
		return *pos ? "the recorded kernel answered calls this run "
			      "did not make"
			    : NULL;
	}
	if (mode != RECORD)
		return NULL;
	if (tape_full) {
		fprintf(stderr,
			"gmem_kernel: input %s: too many answers to "
			"record\n",
			key);
		return NULL;
	}
	answers_put(recording, "fuzz-kernel", key, tape_len ? tape + 1 : tape);
	fflush(recording);
	return NULL;
}

void tape_summary(void)
{
	if (mode != REPLAY)
		return;
	printf("gmem_kernel: %d inputs compared with the recorded answers of "
	       "%s; %d not recorded, %d need the kvm backend\n",
	       compared, answers_kernel(recorded), unrecorded, not_runnable);
	fflush(stdout);
	/* From an atexit() handler: a replay that compared nothing was
	 * skipped, not passed. */
	if (!compared)
		_exit(77);
}
