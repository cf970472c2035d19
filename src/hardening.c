// SPDX-License-Identifier: MIT
/*
 * Process-wide hardening, counted by VM.
 *
 * Dumpability belongs to the process, not to a VM, so it is counted: the
 * first VM with GMEM_HARDEN_NONDUMPABLE saves the process's state and
 * makes it non-dumpable; the last one to end puts the saved state back.
 * A VM ends only after every guest_memfd made on it (each holds it), so
 * the process stays non-dumpable while any of their memory exists. The
 * count is this module's own state, under its own lock.
 */
#include <errno.h>
#include <pthread.h>
#include <sys/prctl.h>

#include <gmem/gmem.h>

#include "hardening.h"
#include "process.h"

static struct {
	pthread_mutex_t lock;
	unsigned long nondumpable_vms; /* lock */
	int dumpable_before;	       /* lock: restored by the last VM */
} state = { .lock = PTHREAD_MUTEX_INITIALIZER };
static pthread_once_t state_once = PTHREAD_ONCE_INIT;

/* A child may make hardened VMs of its own (R110). */
static void state_watch_forks(void)
{
	process_hold_across_fork(&state.lock);
}

static int nondumpable_begin(void)
{
	int before = prctl(PR_GET_DUMPABLE);

	if (before < 0 || prctl(PR_SET_DUMPABLE, 0))
		return -errno;
	state.dumpable_before = before;
	return 0;
}

int hardening_begin(unsigned int flags)
{
	int err = 0;

	if (!(flags & GMEM_HARDEN_NONDUMPABLE))
		return 0;
	pthread_once(&state_once, state_watch_forks);
	pthread_mutex_lock(&state.lock);
	if (!state.nondumpable_vms)
		err = nondumpable_begin();
	if (!err)
		state.nondumpable_vms++;
	pthread_mutex_unlock(&state.lock);
	return err;
}

void hardening_end(unsigned int flags)
{
	if (!(flags & GMEM_HARDEN_NONDUMPABLE))
		return;
	pthread_mutex_lock(&state.lock);
	if (!--state.nondumpable_vms)
		prctl(PR_SET_DUMPABLE, state.dumpable_before);
	pthread_mutex_unlock(&state.lock);
}
