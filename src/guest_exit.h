/* SPDX-License-Identifier: MIT */
/*
 * What a guest tells its VMM: memory faults and conversion requests, kept
 * per VM (the software guest has no vCPUs whose kvm_run could hold them).
 */
#ifndef GMEM_GUEST_EXIT_H
#define GMEM_GUEST_EXIT_H

#include <stdbool.h>
#include <stdint.h>

#include <gmem/gmem.h>

#include "lock.h"

struct gmem_file;
struct memslots;

/* A conversion the guest asked for (gmem_guest_request), by the file and
 * range its gpa range was bound to when it asked. The file pointer is an
 * identity only: a file that goes away drops its requests. */
struct guest_request {
	const struct gmem_file *file;
	uint64_t offset;
	uint64_t size;
	bool to_private;
};

#define GUEST_REQUESTS_MAX 64

/* kvm_run's memory fault and the guest's pending conversion requests (a
 * ring, oldest dropped). */
struct guest_exits {
	struct gmem_mutex lock;
	struct gmem_memory_fault fault; /* lock */
	bool fault_pending;		/* lock */
	/* The latest fault, kept when taken, and how many there were: what
	 * the introspection endpoint shows. */
	struct gmem_memory_fault last_fault;		   /* lock */
	uint64_t nfaults;				   /* lock */
	struct guest_request requests[GUEST_REQUESTS_MAX]; /* lock */
	unsigned int next_request;			   /* lock */
};

void guest_exits_init(struct guest_exits *e);
void guest_exits_destroy(struct guest_exits *e);

/* Record a memory fault for the VMM to read (gmem_get_memory_fault). */
void guest_exit_record_fault(struct guest_exits *e, uint64_t gpa, bool private);
/* Put back a fault taken but not delivered; it is not counted again. */
void guest_exit_restore_fault(struct guest_exits *e,
			      const struct gmem_memory_fault *fault);
/* The latest fault, taken or not, and the number recorded. */
uint64_t guest_exit_last_fault(struct guest_exits *e,
			       struct gmem_memory_fault *out);
/* Take the pending memory fault: 0 or -ENOENT. */
int guest_exit_take_fault(struct guest_exits *e, struct gmem_memory_fault *out);

/* gmem_guest_request(), validated here; the gpa range must lie in one
 * guest_memfd slot of `slots`. 0 or -errno. */
int guest_exit_request(struct guest_exits *e, struct memslots *slots,
		       uint64_t gpa, uint64_t len, bool to_private);
/* Whether the guest asked for exactly this conversion; with `consume`,
 * also forget the request. */
bool guest_exit_requested(struct guest_exits *e, const struct gmem_file *f,
			  uint64_t offset, uint64_t size, bool to_private,
			  bool consume);

/* A guest_memfd is going away: its requests go with it. */
void guest_exit_forget_requests(struct guest_exits *e,
				const struct gmem_file *f);

#endif
