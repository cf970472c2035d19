/* SPDX-License-Identifier: MIT */
/*
 * A VM's launch: its phase and its measurement (R114..R121). The
 * lock is the kernel's kvm->lock for KVM_MEMORY_ENCRYPT_OP: one launch
 * command at a time, held by launch.c around each; this file owns the
 * state and the calls that change it.
 *
 * Lock order: the launch lock comes before a file's convert_lock, never
 * inside it. A populate takes each page's file lock under it; a
 * conversion whose answer depends on the phase (PRESERVE to private on
 * SNP and TDX, R114) takes it around its file lock, so that the
 * conversion falls wholly before a finish or wholly after it.
 */
#ifndef GMEM_LAUNCH_STATE_H
#define GMEM_LAUNCH_STATE_H

#include <stdbool.h>
#include <stdint.h>

#include "launch_cmd.h"
#include "launch_digest.h"
#include "lock.h"

struct launch_state {
	struct gmem_mutex lock;
	enum launch_phase phase;     /* lock */
	struct launch_digest digest; /* lock */
	uint64_t pages;		     /* lock: pages the digest records */
};

void launch_state_init(struct launch_state *l);
void launch_state_destroy(struct launch_state *l);

void launch_state_lock(struct launch_state *l);
void launch_state_unlock(struct launch_state *l);

/* Carry out INIT, START or FINISH: the phase moves on, START starts the
 * digest (a running hash with `stream`). Caller holds the lock. 0 or
 * -errno (nothing changed). */
int launch_state_advance(struct launch_state *l, enum launch_op op,
			 bool stream);

/* A page's record went into the digest. Caller holds the lock. */
void launch_state_count_page(struct launch_state *l);

/* The phase and the measurement, under the lock. */
enum launch_phase launch_state_phase(struct launch_state *l);
int launch_state_digest(struct launch_state *l,
			uint8_t out[LAUNCH_DIGEST_BYTES]);

/* The whole state at one instant, for the introspection report: the
 * phase, the pages measured, and the digest once it is final. */
struct launch_view {
	enum launch_phase phase;
	uint64_t pages;
	bool final; /* digest holds the finished measurement */
	uint8_t digest[LAUNCH_DIGEST_BYTES];
};

/* 0, or -ENOMEM reading a running TDX hash (view->final is then false). */
int launch_state_view(struct launch_state *l, struct launch_view *view);

/* "created", "initialized", "measuring" or "finished". */
const char *launch_phase_name(enum launch_phase phase);

/* Whether the launch has finished. Caller holds the lock, and keeps it
 * for as long as the answer must stay true. */
bool launch_state_finished(struct launch_state *l);

#endif
