/* SPDX-License-Identifier: MIT */
/*
 * A map from page index to a 64-bit value over [0, npages), stored as
 * maximal ranges: every index is covered and two neighbouring ranges never
 * hold the same value (the invariant the kernel's maple tree keeps for
 * guest_memfd attributes). A B+tree keyed by range start.
 *
 * Not thread-safe: the owner serialises access (a guest_memfd's conversion
 * lock).
 */
#ifndef GMEM_RANGE_TREE_H
#define GMEM_RANGE_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct range_tree_node;

struct range_tree {
	struct range_tree_node *root;
	uint64_t npages; /* indices [0, npages) are covered */
	size_t nranges;	 /* number of maximal ranges */
	unsigned height; /* 1 when the root is a leaf */
};

/* Nodes set aside by range_tree_reserve() so that the next
 * range_tree_store() cannot fail. */
struct range_tree_reservation {
	struct range_tree_node *nodes; /* singly linked free list */
	unsigned count;
};

/* One maximal range, as reported by range_tree_find(). */
struct range_tree_range {
	uint64_t start; /* first index */
	uint64_t end;	/* one past the last index */
	uint64_t value;
};

/* A tree of one range [0, npages) holding `value`. npages > 0. -ENOMEM. */
int range_tree_init(struct range_tree *t, uint64_t npages, uint64_t value);
void range_tree_destroy(struct range_tree *t);

/* The value at `index` (< npages). O(log n). */
uint64_t range_tree_lookup(const struct range_tree *t, uint64_t index);

/* The maximal range containing `index` (< npages). O(log n). */
void range_tree_find(const struct range_tree *t, uint64_t index,
		     struct range_tree_range *out);

/* Whether every index of [start, end) holds `value`. O(log n). */
bool range_tree_range_has(const struct range_tree *t, uint64_t start,
			  uint64_t end, uint64_t value);

/* Set aside enough nodes for one range_tree_store(). 0 or -ENOMEM. */
int range_tree_reserve(struct range_tree *t, struct range_tree_reservation *r);

/* Set aside enough nodes for `nstores` stores in a row, each of which may
 * add a level. 0 or -ENOMEM (then the reservation is as it was). */
int range_tree_reserve_many(struct range_tree *t,
			    struct range_tree_reservation *r, uint64_t nstores);

/* Give back what a store did not use. Safe on an empty reservation. */
void range_tree_unreserve(struct range_tree_reservation *r);

/* Set [start, end) (start < end <= npages) to `value`, merging with equal
 * neighbours. Never fails: takes nodes from `r` (which a prior
 * range_tree_reserve() filled) and frees what becomes unused into it. */
void range_tree_store(struct range_tree *t, uint64_t start, uint64_t end,
		      uint64_t value, struct range_tree_reservation *r);

/* reserve + store + unreserve. 0 or -ENOMEM (then nothing changed). */
int range_tree_set(struct range_tree *t, uint64_t start, uint64_t end,
		   uint64_t value);

/* Call fn for each maximal range overlapping [start, end), clipped to it,
 * in order; stops early and returns fn's value if it is non-zero. */
int range_tree_for_each(const struct range_tree *t, uint64_t start,
			uint64_t end,
			int (*fn)(const struct range_tree_range *r, void *arg),
			void *arg);

/* Bytes of memory the tree holds. */
size_t range_tree_memory(const struct range_tree *t);

/* Check every invariant (order, coverage, merged neighbours, node fill,
 * counts); returns 0 or -EUCLEAN and, with `why`, a description. */
int range_tree_validate(const struct range_tree *t, const char **why);

#endif
