/* SPDX-License-Identifier: MIT */
/*
 * A snapshot of VMs, read from the introspection report (the text that
 * gmem_introspect() returns and an endpoint serves): what every
 * inspecting command (map, draw, stats, faults, watch) shows, for
 * gmemctl's own VM and for an attached process alike.
 */
#ifndef GMEMCTL_CTL_SNAPSHOT_H
#define GMEMCTL_CTL_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

#define SNAP_MODES   4 /* none, zero, preserve, other */
#define SNAP_RESULTS 6 /* ok, eagain, eopnotsupp, enomem, einval, error */

enum snap_counter {
	SNAP_BYTES_ZEROED,
	SNAP_BYTES_SCRAMBLED,
	SNAP_BYTES_ENCRYPTED,
	SNAP_PINS,
	SNAP_UNPINS,
	SNAP_FAULTS,
	SNAP_COUNTERS,
};

/* [gpa, end) with a value: attributes, a pin count, a state. */
struct snap_run {
	uint64_t gpa;
	uint64_t end;
	uint64_t value;
};

struct snap_runs {
	struct snap_run *run;
	size_t n;
};

struct snap_slot {
	uint32_t id;
	uint32_t flags;
	uint64_t gpa;
	uint64_t size;
	uint64_t gmem_offset;
	bool bound;
	struct snap_runs ranges; /* attributes */
	struct snap_runs allocs;
	struct snap_runs pins;
	/* Huge folios, and the pages a launch measured. */
	struct snap_runs folios;
	struct snap_runs launch;
};

struct snap_vm {
	unsigned long type;
	char platform[32];
	char backend[16];
	uint64_t conversions[SNAP_MODES][SNAP_RESULTS];
	uint64_t counters[SNAP_COUNTERS];
	bool has_fault;
	uint64_t fault_gpa, fault_size, fault_flags;
	/* SNP and TDX: the launch's phase, pages measured, and its digest
	 * in hex once final (else ""). */
	bool has_launch;
	char launch_phase[16];
	uint64_t launch_pages;
	char launch_digest[2 * 48 + 1]; /* SHA-384 */
	struct snap_slot *slots;
	size_t nslots;
};

struct snapshot {
	long pid;
	struct snap_vm *vms;
	size_t nvms;
};

/* What a page is, for drawing. */
#define PAGE_PRIVATE   (1U << 0)
#define PAGE_ALLOCATED (1U << 1)
#define PAGE_PINNED    (1U << 2)
#define PAGE_FOLIO     (1U << 3)
#define PAGE_LAUNCH    (1U << 4)
#define PAGE_FAULT     (1U << 5)

extern const char *const snap_mode_names[SNAP_MODES];
extern const char *const snap_result_names[SNAP_RESULTS];
extern const char *const snap_counter_names[SNAP_COUNTERS];

/* Parse a report; 0, or -1 if it is not one. */
int snapshot_parse(const char *text, struct snapshot *s);
void snapshot_free(struct snapshot *s);

/* gmemctl's own VM (gmem_introspect()), or the process behind an
 * endpoint. 0 or an errno value (ECONNREFUSED, ENOENT, EPROTO...). */
int snapshot_local(const struct ctl *c, struct snapshot *s);
int snapshot_attach(const char *socket, struct snapshot *s);

/* PAGE_* flags of the page at `gpa` of the slot, of VM `vm`. */
unsigned int snapshot_page(const struct snap_vm *vm, const struct snap_slot *s,
			   uint64_t gpa);

#endif
