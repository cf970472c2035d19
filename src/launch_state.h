/* SPDX-License-Identifier: MIT */
/*
 * A VM's launch: its phase and its measurement (R114..R121). The
 * lock is the kernel's kvm->lock for KVM_MEMORY_ENCRYPT_OP: one launch
 * command at a time, held by launch.c around each; this file owns the
 * state and the calls that change it.
 */
#ifndef GMEM_LAUNCH_STATE_H
#define GMEM_LAUNCH_STATE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "launch_cmd.h"
#include "launch_digest.h"
#include "lock.h"

struct launch_state {
	struct gmem_mutex lock;
	enum launch_phase phase;     /* lock */
	struct launch_digest digest; /* lock */
	/* phase == LAUNCH_FINISHED, for conversions, which run under their
	 * file's lock and must not wait for a launch command. */
	atomic_bool finished;
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

/* The phase and the measurement, under the lock. */
enum launch_phase launch_state_phase(struct launch_state *l);
int launch_state_digest(struct launch_state *l,
			uint8_t out[LAUNCH_DIGEST_BYTES]);

static inline bool launch_state_finished(struct launch_state *l)
{
	return atomic_load(&l->finished);
}

#endif
