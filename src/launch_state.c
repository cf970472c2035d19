// SPDX-License-Identifier: MIT
/*
 * The launch phase moves one way: created, initialized (SNP's INIT2),
 * measuring (SNP's LAUNCH_START, TDX's INIT_VM), finished. The digest is
 * zeros until the measurement starts, grows with each populated page
 * (launch.c extends it under the lock), and is frozen at the finish:
 * nothing extends it afterwards, since every populate is refused then.
 * The pages counted are the records the digest holds, one a populated
 * page, measured contents or not.
 */
#include "launch_state.h"

void launch_state_init(struct launch_state *l)
{
	gmem_mutex_init(&l->lock);
	l->phase = LAUNCH_CREATED;
	launch_digest_init(&l->digest);
	l->pages = 0;
}

void launch_state_destroy(struct launch_state *l)
{
	launch_digest_destroy(&l->digest);
	gmem_mutex_destroy(&l->lock);
}

void launch_state_lock(struct launch_state *l)
{
	gmem_mutex_lock(&l->lock);
}

void launch_state_unlock(struct launch_state *l)
{
	gmem_mutex_unlock(&l->lock);
}

int launch_state_advance(struct launch_state *l, enum launch_op op, bool stream)
{
	int err = 0;

	gmem_assert_mutex_held(&l->lock);
	switch (op) {
	case LAUNCH_OP_INIT:
		l->phase = LAUNCH_INITIALIZED;
		break;
	case LAUNCH_OP_START:
		err = launch_digest_start(&l->digest, stream);
		if (!err)
			l->phase = LAUNCH_MEASURING;
		break;
	case LAUNCH_OP_FINISH:
		l->phase = LAUNCH_FINISHED;
		break;
	default:
		break;
	}
	return err;
}

bool launch_state_finished(struct launch_state *l)
{
	gmem_assert_mutex_held(&l->lock);
	return l->phase == LAUNCH_FINISHED;
}

void launch_state_count_page(struct launch_state *l)
{
	gmem_assert_mutex_held(&l->lock);
	l->pages++;
}

enum launch_phase launch_state_phase(struct launch_state *l)
{
	enum launch_phase phase;

	gmem_mutex_lock(&l->lock);
	phase = l->phase;
	gmem_mutex_unlock(&l->lock);
	return phase;
}

int launch_state_digest(struct launch_state *l,
			uint8_t out[LAUNCH_DIGEST_BYTES])
{
	int err;

	gmem_mutex_lock(&l->lock);
	err = launch_digest_read(&l->digest, out);
	gmem_mutex_unlock(&l->lock);
	return err;
}

int launch_state_view(struct launch_state *l, struct launch_view *view)
{
	int err = 0;

	gmem_mutex_lock(&l->lock);
	view->phase = l->phase;
	view->pages = l->pages;
	view->final = l->phase == LAUNCH_FINISHED;
	if (view->final)
		err = launch_digest_read(&l->digest, view->digest);
	gmem_mutex_unlock(&l->lock);
	if (err)
		view->final = false;
	return err;
}

const char *launch_phase_name(enum launch_phase phase)
{
	static const char *const names[] = {
		[LAUNCH_CREATED] = "created",
		[LAUNCH_INITIALIZED] = "initialized",
		[LAUNCH_MEASURING] = "measuring",
		[LAUNCH_FINISHED] = "finished",
	};

	return (unsigned int)phase < sizeof(names) / sizeof(names[0])
		       ? names[phase]
		       : "unknown";
}
