// SPDX-License-Identifier: MIT
/*
 * The range tree: a map from page index to a 64-bit value over [0, npages),
 * kept as maximal ranges, as the kernel keeps a guest_memfd's attributes in
 * a maple tree.
 *
 * Model. Only the first index of each range is stored, with the range's
 * value; a range ends where the next one starts, the last one at npages.
 * Index 0 always starts a range, and two neighbouring ranges never hold the
 * same value, so the representation of a given map is unique and nranges is
 * the number of places where the value changes, plus one.
 *
 * Layout. A B+tree keyed by range start. Every node is the same 512 bytes,
 * so that a reservation does not need to know what it will be used for:
 * 31 sorted keys, then 31 slots, which are the ranges' values in a leaf and
 * the children in an internal node. An internal node's key i is exactly the
 * smallest key under child i, so the leftmost key of every level is 0 and a
 * search never falls off the left edge of a node. Keys and slots are kept
 * apart so that a search only reads the keys; a leaf's 16 bytes per range
 * are the budget that keeps a million ranges under 24 MB. Leaves are
 * chained left to right for walks and for finding where a range ends.
 *
 * Invariants, checked by range_tree_validate(): keys strictly increase
 * within a node and along the leaf chain and stay below npages; every node
 * but the root holds between RT_MIN and RT_SLOTS entries, an internal root
 * at least two; all leaves are at depth height.
 *
 * Fill. Memory per range is set by how full leaves are, so a node that
 * overflows first pushes entries into a sibling with room, as a B*-tree
 * does, and only splits when both neighbours are full. Appending ranges in
 * order (the way a guest converts memory) then leaves nodes nearly full
 * instead of half full. A node that drops below half full borrows from or
 * merges with a neighbour.
 *
 * Stores. Setting [start, end) to a value replaces every key in
 * [start, end] with at most two: start (unless the range to its left holds
 * the same value) and end (unless the value at end is the same). The old
 * keys are removed a leaf at a time, then the new ones go into one leaf
 * together, so a store splits at most one node per level and adds at most
 * one root: height + 1 nodes, which range_tree_reserve() sets aside so that
 * range_tree_store() itself cannot fail. Nodes that merges free go back to
 * the reservation.
 */
#include <assert.h>
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "alloc.h"
#include "range_tree.h"

#define RT_SLOTS 31
/* Anything at or above half full; a split of RT_SLOTS + 2 entries and a
 * redistribution of more than RT_SLOTS entries both stay above it. */
#define RT_MIN ((RT_SLOTS + 1) / 2)
/* Non-root nodes have at least RT_MIN entries and the root two, so
 * 2 * RT_MIN^(height - 1) <= nranges <= 2^64 bounds the height by 16. */
#define RT_MAX_HEIGHT 16

union rt_slot {
	uint64_t value;		       /* leaf: the range's value */
	struct range_tree_node *child; /* internal: keys from keys[i] */
};

struct range_tree_node {
	/* Leaf: the leaf to the right. In a reservation: the next node. */
	struct range_tree_node *next;
	unsigned int n;
	unsigned int level; /* 0 for a leaf: height - depth */
	uint64_t keys[RT_SLOTS];
	union rt_slot slots[RT_SLOTS];
};

_Static_assert(sizeof(struct range_tree_node) == 512,
	       "a node should be eight cache lines");

/* The nodes from the root to a leaf, and the slot taken in each; level 0
 * is the leaf. One array of pairs rather than two arrays: with two, gcc
 * 12.2 at -O1 and up miscompiles path_descend()'s callers (its late
 * ipa-modref loses the stores that ivopts rewrote relative to the other
 * array). */
struct rt_path {
	struct rt_step {
		struct range_tree_node *node;
		unsigned int idx;
	} step[RT_MAX_HEIGHT];
};

/* Entries on their way into a node: at most two for a store. */
struct rt_run {
	unsigned int n;
	uint64_t keys[2];
	union rt_slot slots[2];
};

/* Scratch space for laying the entries of two nodes out again. */
struct rt_buf {
	unsigned int n;
	uint64_t keys[2 * RT_SLOTS + 2];
	union rt_slot slots[2 * RT_SLOTS + 2];
};

/* ---- nodes and reservations ------------------------------------------ */

static void reservation_put(struct range_tree_reservation *r,
			    struct range_tree_node *node)
{
	node->next = r->nodes;
	r->nodes = node;
	r->count++;
}

static struct range_tree_node *
reservation_take(struct range_tree_reservation *r)
{
	struct range_tree_node *node = r->nodes;

	/* Running dry means range_tree_reserve() undercounted. */
	assert(node && r->count > 0);
	r->nodes = node->next;
	r->count--;
	node->next = NULL;
	return node;
}

/* The last slot whose key is <= key. Slot 0 always qualifies, because a
 * search only enters a node whose first key is <= key. Branch-free, as a
 * data-dependent branch per step costs more than the comparisons. */
static unsigned int node_search(const struct range_tree_node *node,
				uint64_t key)
{
	const uint64_t *base = node->keys;
	unsigned int len = node->n;

	while (len > 1) {
		unsigned int half = len / 2;

		base = base[half] <= key ? base + half : base;
		len -= half;
	}
	return (unsigned int)(base - node->keys);
}

static void node_remove(struct range_tree_node *node, unsigned int pos,
			unsigned int count)
{
	unsigned int tail = node->n - pos - count;

	memmove(&node->keys[pos], &node->keys[pos + count],
		tail * sizeof(node->keys[0]));
	memmove(&node->slots[pos], &node->slots[pos + count],
		tail * sizeof(node->slots[0]));
	node->n -= count;
}

static void node_insert_run(struct range_tree_node *node, unsigned int pos,
			    const struct rt_run *run)
{
	unsigned int tail = node->n - pos;

	memmove(&node->keys[pos + run->n], &node->keys[pos],
		tail * sizeof(node->keys[0]));
	memmove(&node->slots[pos + run->n], &node->slots[pos],
		tail * sizeof(node->slots[0]));
	memcpy(&node->keys[pos], run->keys, run->n * sizeof(run->keys[0]));
	memcpy(&node->slots[pos], run->slots, run->n * sizeof(run->slots[0]));
	node->n += run->n;
}

static void buf_append(struct rt_buf *b, const uint64_t *keys,
		       const union rt_slot *slots, unsigned int count)
{
	assert(b->n + count <= 2 * RT_SLOTS + 2);
	memcpy(&b->keys[b->n], keys, count * sizeof(keys[0]));
	memcpy(&b->slots[b->n], slots, count * sizeof(slots[0]));
	b->n += count;
}

/* Append node's entries to b, with run (if any) spliced in at pos. */
static void buf_gather(struct rt_buf *b, const struct range_tree_node *node,
		       unsigned int pos, const struct rt_run *run)
{
	buf_append(b, node->keys, node->slots, pos);
	if (run)
		buf_append(b, run->keys, run->slots, run->n);
	buf_append(b, &node->keys[pos], &node->slots[pos], node->n - pos);
}

static void node_load(struct range_tree_node *node, const struct rt_buf *b,
		      unsigned int from, unsigned int count)
{
	assert(count <= RT_SLOTS);
	memcpy(node->keys, &b->keys[from], count * sizeof(b->keys[0]));
	memcpy(node->slots, &b->slots[from], count * sizeof(b->slots[0]));
	node->n = count;
}

/* Share b's entries between two neighbours, the left one taking the odd
 * one out. */
static void buf_scatter(const struct rt_buf *b, struct range_tree_node *left,
			struct range_tree_node *right)
{
	unsigned int nleft = b->n - b->n / 2;

	node_load(left, b, 0, nleft);
	node_load(right, b, nleft, b->n - nleft);
}

/* ---- paths --------------------------------------------------------------- */

/* The path to the leaf where key is or would be. Returns the leaf. */
static struct range_tree_node *path_descend(const struct range_tree *t,
					    uint64_t key, struct rt_path *p)
{
	struct range_tree_node *node = t->root;
	unsigned int level;

	assert(t->height >= 1 && t->height <= RT_MAX_HEIGHT);
	for (level = t->height - 1; level > 0; level--) {
		struct rt_step *step = &p->step[level];

		assert(node->level == level);
		step->node = node;
		step->idx = node_search(node, key);
		node = node->slots[step->idx].child;
	}
	assert(node->level == 0);
	p->step[0].node = node;
	p->step[0].idx = node_search(node, key);
	return node;
}

/* Move p to the next leaf to the right; false at the last one. */
static bool path_next_leaf(const struct range_tree *t, struct rt_path *p)
{
	unsigned int level = 1;

	while (level < t->height &&
	       p->step[level].idx + 1 >= p->step[level].node->n)
		level++;
	if (level >= t->height)
		return false;
	p->step[level].idx++;
	while (level > 0) {
		struct range_tree_node *node = p->step[level].node;

		p->step[level - 1].node = node->slots[p->step[level].idx].child;
		p->step[--level].idx = 0;
	}
	return true;
}

/* Key i of the node at `level` became `key`. A node's first key is also
 * its parent's key for it, so a change there travels up. */
static void path_set_key(const struct range_tree *t, struct rt_path *p,
			 unsigned int level, unsigned int i, uint64_t key)
{
	p->step[level].node->keys[i] = key;
	/* (The bound on RT_MAX_HEIGHT is for gcc's array bounds analysis.) */
	while (i == 0 && ++level < t->height && level < RT_MAX_HEIGHT) {
		i = p->step[level].idx;
		p->step[level].node->keys[i] = key;
	}
}

/* The node at `level` may have a new first key: tell its parent. */
static void path_refresh_key(const struct range_tree *t, struct rt_path *p,
			     unsigned int level)
{
	if (level + 1 < t->height)
		path_set_key(t, p, level + 1, p->step[level + 1].idx,
			     p->step[level].node->keys[0]);
}

/* ---- insertion ----------------------------------------------------------- */

/* Make room by sharing the node's entries, with run inserted at pos, with
 * a neighbour that has space. Moving entries costs a copy; splitting
 * instead would leave two half-empty nodes for good. */
static bool spill_to_sibling(struct range_tree *t, struct rt_path *p,
			     unsigned int level, unsigned int pos,
			     const struct rt_run *run)
{
	struct range_tree_node *node = p->step[level].node, *parent, *sib;
	unsigned int i, total = node->n + run->n;
	struct rt_buf b;

	if (level + 1 >= t->height)
		return false;
	b.n = 0;
	parent = p->step[level + 1].node;
	i = p->step[level + 1].idx;
	if (i > 0 && parent->slots[i - 1].child->n + total <= 2 * RT_SLOTS) {
		sib = parent->slots[i - 1].child;
		buf_gather(&b, sib, sib->n, NULL);
		buf_gather(&b, node, pos, run);
		buf_scatter(&b, sib, node);
		path_set_key(t, p, level + 1, i, node->keys[0]);
		return true;
	}
	if (i + 1 < parent->n &&
	    parent->slots[i + 1].child->n + total <= 2 * RT_SLOTS) {
		sib = parent->slots[i + 1].child;
		buf_gather(&b, node, pos, run);
		buf_gather(&b, sib, sib->n, NULL);
		buf_scatter(&b, node, sib);
		path_set_key(t, p, level + 1, i + 1, sib->keys[0]);
		path_refresh_key(t, p, level);
		return true;
	}
	return false;
}

/* Split the node, with run inserted at pos, into itself and a new right
 * neighbour, which is returned. */
static struct range_tree_node *split_node(struct rt_path *p, unsigned int level,
					  unsigned int pos,
					  const struct rt_run *run,
					  struct range_tree_reservation *r)
{
	struct range_tree_node *node = p->step[level].node;
	struct range_tree_node *right = reservation_take(r);
	struct rt_buf b;

	b.n = 0;
	buf_gather(&b, node, pos, run);
	buf_scatter(&b, node, right);
	right->level = node->level;
	if (level == 0) {
		right->next = node->next;
		node->next = right;
	}
	return right;
}

static void grow_root(struct range_tree *t, struct range_tree_node *right,
		      struct range_tree_reservation *r)
{
	struct range_tree_node *root = reservation_take(r);

	root->n = 2;
	root->level = t->root->level + 1;
	root->keys[0] = t->root->keys[0];
	root->slots[0].child = t->root;
	root->keys[1] = right->keys[0];
	root->slots[1].child = right;
	t->root = root;
	t->height++;
}

/* Insert run before slot pos (> 0, so no first key changes) of the node at
 * `level`, splitting upwards as far as needed. */
static void insert_run(struct range_tree *t, struct rt_path *p,
		       unsigned int level, unsigned int pos, struct rt_run *run,
		       struct range_tree_reservation *r)
{
	for (;;) {
		struct range_tree_node *node = p->step[level].node, *right;

		assert(pos > 0 && pos <= node->n);
		if (node->n + run->n <= RT_SLOTS) {
			node_insert_run(node, pos, run);
			return;
		}
		if (spill_to_sibling(t, p, level, pos, run))
			return;
		right = split_node(p, level, pos, run, r);
		if (level + 1 == t->height) {
			grow_root(t, right, r);
			return;
		}
		run->n = 1;
		run->keys[0] = right->keys[0];
		run->slots[0].child = right;
		pos = p->step[++level].idx + 1;
	}
}

/* ---- removal ------------------------------------------------------------- */

/* The node at `level` is under half full: borrow from or merge with a
 * neighbour. Returns whether they merged, leaving the parent one short. */
static bool fix_underflow(struct range_tree *t, struct rt_path *p,
			  unsigned int level, struct range_tree_reservation *r)
{
	struct range_tree_node *parent = p->step[level + 1].node, *left, *right;
	unsigned int i = p->step[level + 1].idx, li = i > 0 ? i - 1 : i;
	struct rt_buf b;

	b.n = 0;
	assert(parent->n >= 2);
	left = parent->slots[li].child;
	right = parent->slots[li + 1].child;
	buf_gather(&b, left, left->n, NULL);
	buf_gather(&b, right, right->n, NULL);
	if (b.n > RT_SLOTS) {
		buf_scatter(&b, left, right);
		path_set_key(t, p, level + 1, li + 1, right->keys[0]);
		path_set_key(t, p, level + 1, li, left->keys[0]);
		return false;
	}
	node_load(left, &b, 0, b.n);
	if (level == 0)
		left->next = right->next;
	node_remove(parent, li + 1, 1);
	reservation_put(r, right);
	p->step[level].node = left;
	p->step[level + 1].idx = li;
	/* left was empty if the whole leftmost leaf went */
	path_set_key(t, p, level + 1, li, left->keys[0]);
	return true;
}

/* Restore the fill limits from `level` up, after entries left that node. */
static void rebalance(struct range_tree *t, struct rt_path *p,
		      unsigned int level, struct range_tree_reservation *r)
{
	for (; level + 1 < t->height; level++) {
		if (p->step[level].node->n >= RT_MIN ||
		    !fix_underflow(t, p, level, r))
			return;
	}
	while (t->height > 1 && t->root->n == 1) {
		struct range_tree_node *old = t->root;

		t->root = old->slots[0].child;
		t->height--;
		reservation_put(r, old);
	}
}

/* Remove the keys in [lo, hi] from the first leaf that holds some. Returns
 * how many went, and in *more whether the next leaf holds more. */
static unsigned int remove_from_leaf(struct range_tree *t, uint64_t lo,
				     uint64_t hi, bool *more,
				     struct range_tree_reservation *r)
{
	struct rt_path p;
	struct range_tree_node *leaf;
	unsigned int i, j;

	leaf = path_descend(t, lo, &p);
	i = p.step[0].idx + (leaf->keys[p.step[0].idx] < lo);
	if (i == leaf->n) {
		if (!path_next_leaf(t, &p))
			return 0;
		leaf = p.step[0].node;
		i = 0;
	}
	for (j = i; j < leaf->n && leaf->keys[j] <= hi; j++)
		;
	if (j == i)
		return 0;
	*more = j == leaf->n && leaf->next && leaf->next->keys[0] <= hi;
	node_remove(leaf, i, j - i);
	if (i == 0 && leaf->n > 0)
		path_refresh_key(t, &p, 0);
	rebalance(t, &p, 0, r);
	return j - i;
}

/* Remove every key in [lo, hi]. Whole leaves go one descent each, so a
 * store over k ranges costs O(k / RT_MIN * log n). */
static size_t remove_keys(struct range_tree *t, uint64_t lo, uint64_t hi,
			  struct range_tree_reservation *r)
{
	size_t removed = 0;
	unsigned int count;
	bool more = true;

	if (hi >= t->npages)
		hi = t->npages - 1;
	/* Index 0 starts the first range whatever is stored. */
	assert(lo > 0 || lo > hi);
	while (more && lo <= hi) {
		count = remove_from_leaf(t, lo, hi, &more, r);
		if (!count)
			break;
		removed += count;
	}
	return removed;
}

/* ---- stores -------------------------------------------------------------- */

static uint64_t key_after(const struct range_tree *t,
			  const struct range_tree_node *leaf, unsigned int pos)
{
	if (pos + 1 < leaf->n)
		return leaf->keys[pos + 1];
	return leaf->next ? leaf->next->keys[0] : t->npages;
}

static void run_push(struct rt_run *run, uint64_t key, uint64_t value)
{
	assert(run->n < 2);
	run->keys[run->n] = key;
	run->slots[run->n].value = value;
	run->n++;
}

/* Make the keys of run (sorted, with no other key between them) start
 * ranges of their values, updating those that already exist. */
static void upsert_run(struct range_tree *t, struct rt_run *run,
		       struct range_tree_reservation *r)
{
	struct rt_path p;
	struct range_tree_node *leaf;
	unsigned int i;

	if (!run->n)
		return;
	leaf = path_descend(t, run->keys[0], &p);
	i = p.step[0].idx;
	if (leaf->keys[i] == run->keys[0]) {
		leaf->slots[i] = run->slots[0];
		run->keys[0] = run->keys[1];
		run->slots[0] = run->slots[1];
		run->n--;
	}
	/* An existing end key already holds the value from its right. */
	if (run->n && key_after(t, leaf, i) == run->keys[run->n - 1])
		run->n--;
	if (!run->n)
		return;
	/* Both keys are below the next leaf's first: they belong here. */
	t->nranges += run->n;
	insert_run(t, &p, 0, i + 1, run, r);
}

void range_tree_store(struct range_tree *t, uint64_t start, uint64_t end,
		      uint64_t value, struct range_tree_reservation *r)
{
	struct rt_run bounds = { 0 };
	uint64_t right_value = 0;
	bool keep_start, keep_end;

	assert(start < end && end <= t->npages);
	if (range_tree_range_has(t, start, end, value))
		return;
	keep_start = start == 0 || range_tree_lookup(t, start - 1) != value;
	if (end < t->npages)
		right_value = range_tree_lookup(t, end);
	keep_end = end < t->npages && right_value != value;
	if (keep_start)
		run_push(&bounds, start, value);
	if (keep_end)
		run_push(&bounds, end, right_value);
	t->nranges -= remove_keys(t, keep_start ? start + 1 : start,
				  keep_end ? end - 1 : end, r);
	upsert_run(t, &bounds, r);
}

/* ---- public entry points ------------------------------------------------- */

int range_tree_init(struct range_tree *t, uint64_t npages, uint64_t value)
{
	struct range_tree_node *leaf;

	assert(npages > 0);
	t->root = NULL;
	t->npages = npages;
	t->nranges = 0;
	t->height = 0;
	leaf = gmem_malloc(sizeof(*leaf));
	if (!leaf)
		return -ENOMEM;
	leaf->next = NULL;
	leaf->n = 1;
	leaf->level = 0;
	leaf->keys[0] = 0;
	leaf->slots[0].value = value;
	t->root = leaf;
	t->nranges = 1;
	t->height = 1;
	return 0;
}

static void free_subtree(struct range_tree_node *node, unsigned int height)
{
	unsigned int i;

	if (height > 1) {
		for (i = 0; i < node->n; i++)
			free_subtree(node->slots[i].child, height - 1);
	}
	gmem_free(node);
}

/* Safe twice, and on a tree whose init failed. */
void range_tree_destroy(struct range_tree *t)
{
	if (t->root)
		free_subtree(t->root, t->height);
	t->root = NULL;
	t->nranges = 0;
	t->height = 0;
}

static const struct range_tree_node *leaf_of(const struct range_tree *t,
					     uint64_t index, unsigned int *pos)
{
	const struct range_tree_node *node = t->root;
	unsigned int level;

	assert(index < t->npages);
	for (level = t->height; level > 1; level--)
		node = node->slots[node_search(node, index)].child;
	*pos = node_search(node, index);
	return node;
}

uint64_t range_tree_lookup(const struct range_tree *t, uint64_t index)
{
	unsigned int pos;
	const struct range_tree_node *leaf = leaf_of(t, index, &pos);

	return leaf->slots[pos].value;
}

void range_tree_find(const struct range_tree *t, uint64_t index,
		     struct range_tree_range *out)
{
	unsigned int pos;
	const struct range_tree_node *leaf = leaf_of(t, index, &pos);

	out->start = leaf->keys[pos];
	out->end = key_after(t, leaf, pos);
	out->value = leaf->slots[pos].value;
}

bool range_tree_range_has(const struct range_tree *t, uint64_t start,
			  uint64_t end, uint64_t value)
{
	struct range_tree_range range;

	assert(start <= end && end <= t->npages);
	if (start == end)
		return true;
	range_tree_find(t, start, &range);
	return range.value == value && range.end >= end;
}

/* Top the reservation up to `need` nodes, so that one can be reused across
 * stores (r starts out as { 0 }); on failure drop what was added. */
static int reservation_fill(struct range_tree_reservation *r, uint64_t need)
{
	unsigned int had = r->count;

	if (need > UINT_MAX)
		return -ENOMEM;
	while (r->count < need) {
		struct range_tree_node *node = gmem_malloc(sizeof(*node));

		if (!node) {
			while (r->count > had)
				gmem_free(reservation_take(r));
			return -ENOMEM;
		}
		reservation_put(r, node);
	}
	return 0;
}

int range_tree_reserve(struct range_tree *t, struct range_tree_reservation *r)
{
	return reservation_fill(r, t->height + 1);
}

/* The most levels a tree of n ranges can have: the smallest tree of height
 * h + 1 holds 2 * RT_MIN^h ranges. */
static unsigned int max_height(uint64_t n)
{
	uint64_t least = 2 * RT_MIN;
	unsigned int height = 1;

	while (least <= n) {
		height++;
		if (least > UINT64_MAX / RT_MIN)
			break;
		least *= RT_MIN;
	}
	return height;
}

/* The most nodes a tree of n ranges can have, all at their emptiest. */
static uint64_t max_nodes(uint64_t n)
{
	uint64_t total = 0;

	do {
		n = n / RT_MIN > 1 ? n / RT_MIN : 1;
		total += n;
	} while (n > 1);
	return total;
}

int range_tree_reserve_many(struct range_tree *t,
			    struct range_tree_reservation *r, uint64_t nstores)
{
	uint64_t room = (t->npages - t->nranges) / 2;
	uint64_t most = nstores < room ? t->nranges + 2 * nstores : t->npages;
	uint64_t leaves = (t->nranges + RT_SLOTS - 1) / RT_SLOTS;
	uint64_t need = 0, j, height = t->height, top = max_height(most);
	uint64_t bound = max_nodes(most) - leaves;

	/* Each store adds at most two ranges and one level, and needs at
	 * most height + 1 nodes... */
	for (j = 0; j < nstores && height < top; j++)
		need += ++height;
	if (nstores - j > bound / (top + 1))
		need = bound;
	else
		need += (nstores - j) * (top + 1);
	/* ...but the nodes that merges free go back to r, so the stores
	 * together need no more than the largest tree they can build,
	 * less the leaves the tree already has. */
	return reservation_fill(r, need < bound ? need : bound);
}

void range_tree_unreserve(struct range_tree_reservation *r)
{
	while (r->count)
		gmem_free(reservation_take(r));
	assert(!r->nodes);
}

int range_tree_set(struct range_tree *t, uint64_t start, uint64_t end,
		   uint64_t value)
{
	struct range_tree_reservation r = { 0 };
	int err = range_tree_reserve(t, &r);

	if (!err)
		range_tree_store(t, start, end, value, &r);
	range_tree_unreserve(&r);
	return err;
}

int range_tree_for_each(const struct range_tree *t, uint64_t start,
			uint64_t end,
			int (*fn)(const struct range_tree_range *r, void *arg),
			void *arg)
{
	const struct range_tree_node *leaf;
	unsigned int pos;
	int ret;

	assert(start <= end && end <= t->npages);
	if (start == end)
		return 0;
	for (leaf = leaf_of(t, start, &pos); leaf; leaf = leaf->next, pos = 0) {
		for (; pos < leaf->n && leaf->keys[pos] < end; pos++) {
			uint64_t first = leaf->keys[pos];
			uint64_t next = key_after(t, leaf, pos);
			struct range_tree_range range = {
				.start = first > start ? first : start,
				.end = next < end ? next : end,
				.value = leaf->slots[pos].value,
			};

			ret = fn(&range, arg);
			if (ret)
				return ret;
		}
		if (pos < leaf->n)
			break;
	}
	return 0;
}

static size_t count_nodes(const struct range_tree_node *node,
			  unsigned int height)
{
	size_t count = 1;
	unsigned int i;

	if (height > 1) {
		for (i = 0; i < node->n; i++)
			count += count_nodes(node->slots[i].child, height - 1);
	}
	return count;
}

size_t range_tree_memory(const struct range_tree *t)
{
	if (!t->root)
		return 0;
	return count_nodes(t->root, t->height) * sizeof(struct range_tree_node);
}

/* ---- validation ---------------------------------------------------------- */

struct rt_check {
	const struct range_tree *t;
	const struct range_tree_node *last_leaf;
	uint64_t last_value;
	size_t nranges;
	const char *why;
};

static int check_fail(struct rt_check *c, const char *why)
{
	c->why = why;
	return -EUCLEAN;
}

/* The entries of one node, which the parent says start at lo and stay
 * below hi. */
static int check_entries(struct rt_check *c, const struct range_tree_node *node,
			 bool root, bool leaf, uint64_t lo, uint64_t hi)
{
	unsigned int i;

	if (node->n < 1 || node->n > RT_SLOTS)
		return check_fail(c, "node entry count out of range");
	if (!root && node->n < RT_MIN)
		return check_fail(c, "non-root node under half full");
	if (root && !leaf && node->n < 2)
		return check_fail(c, "internal root with a single child");
	if (node->keys[0] != lo)
		return check_fail(c, "first key is not the parent's key for "
				     "the node (0 at the root)");
	for (i = 1; i < node->n; i++) {
		if (node->keys[i] <= node->keys[i - 1])
			return check_fail(c, "keys not strictly increasing");
	}
	if (node->keys[node->n - 1] >= hi)
		return check_fail(c, "key at or beyond the parent's next key "
				     "(npages at the root)");
	return 0;
}

static int check_leaf(struct rt_check *c, const struct range_tree_node *leaf)
{
	unsigned int i;

	if (c->last_leaf ? c->last_leaf->next != leaf : c->nranges != 0)
		return check_fail(c, "leaf chain out of order");
	for (i = 0; i < leaf->n; i++) {
		if (c->nranges && leaf->slots[i].value == c->last_value)
			return check_fail(c, "neighbours hold the same value");
		c->last_value = leaf->slots[i].value;
		c->nranges++;
	}
	c->last_leaf = leaf;
	return 0;
}

static int check_node(struct rt_check *c, const struct range_tree_node *node,
		      unsigned int depth, uint64_t lo, uint64_t hi)
{
	bool leaf = depth == c->t->height;
	unsigned int i;
	int err;

	if (!node)
		return check_fail(c, "missing child");
	if (node->level != c->t->height - depth)
		return check_fail(c, "leaves not all at depth height");
	err = check_entries(c, node, depth == 1, leaf, lo, hi);
	if (err || leaf)
		return err ? err : check_leaf(c, node);
	for (i = 0; i < node->n; i++) {
		err = check_node(c, node->slots[i].child, depth + 1,
				 node->keys[i],
				 i + 1 < node->n ? node->keys[i + 1] : hi);
		if (err)
			return err;
	}
	return 0;
}

int range_tree_validate(const struct range_tree *t, const char **why)
{
	struct rt_check c = { .t = t };
	int err = 0;

	if (!t->root || !t->npages)
		err = check_fail(&c, "tree not initialised");
	else if (t->height < 1 || t->height > RT_MAX_HEIGHT)
		err = check_fail(&c, "height out of range");
	else
		err = check_node(&c, t->root, 1, 0, t->npages);
	if (!err && c.last_leaf->next)
		err = check_fail(&c, "last leaf has a successor");
	if (!err && c.nranges != t->nranges)
		err = check_fail(&c, "nranges does not match the leaves");
	if (why)
		*why = err ? c.why : NULL;
	return err;
}
