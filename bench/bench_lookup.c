// SPDX-License-Identifier: MIT
/*
 * The attribute tree itself (white-box, src/range_tree.h): lookup latency,
 * update cost and memory per range, with 1e3, 1e5 and 1e6 ranges at random
 * offsets.
 *
 * Lookups are a dependent chain (each index depends on the previous
 * answer), so the figure is a latency, as for the one lookup a fault
 * makes. Baselines, built from the same ranges and walked with the same
 * random indices, interleaved with the tree:
 *  - a flat per-page byte array, the fastest lookup there is (goal: the
 *    tree within 2x of it at 1e3 ranges);
 *  - binary search over a sorted array of range starts (goal: the tree no
 *    slower at 1e6 ranges).
 * The file for lookups is a 16 GiB guest (4 Mi pages: a 4 MiB byte
 * array). Updates set one page inside a range to the other value and back
 * (one range in, one out); the baseline is the sorted array doing the
 * same with memmove. Memory per range is range_tree_memory() / nranges on
 * a 1 TiB sparse file, against the byte array such a file needs (256 MiB
 * whatever the ranges), for a tree built in address order and one built
 * in random order.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "range_tree.h"

#define LOOKUP_PAGES (16 * BENCH_GIB / BENCH_PAGE)
#define SPARSE_PAGES (BENCH_GIB * 1024 / BENCH_PAGE)
#define PRIVATE	     8ULL /* KVM_MEMORY_ATTRIBUTE_PRIVATE */
#define NIDX	     (1u << 16)
#define BATCH	     200000u

/* n ranges over [0, npages): starts[0] = 0, values alternate 0, 8. */
struct ranges {
	uint64_t npages;
	size_t n;
	uint64_t *starts;
};

/* Sorted array baseline: range starts and one byte of value each. */
struct sorted {
	size_t n;
	uint64_t *keys;
	uint8_t *values;
};

struct lookup_ctx {
	struct range_tree tree;
	uint8_t *bytes;
	struct sorted sorted;
	uint32_t *idx; /* NIDX random page indices */
	uint64_t sink;
};

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p)
		bench_die("calloc");
	return p;
}

static void ranges_make(struct ranges *r, uint64_t npages, size_t n)
{
	r->npages = npages;
	r->n = n;
	r->starts = bench_boundaries(npages, n);
}

static uint64_t range_end(const struct ranges *r, size_t i)
{
	return i + 1 < r->n ? r->starts[i + 1] : r->npages;
}

static uint64_t range_value(size_t i)
{
	return i & 1 ? PRIVATE : 0;
}

/* The odd ranges become private, in address order or in a random one. */
static void tree_build(struct range_tree *t, const struct ranges *r,
		       bool random_order)
{
	size_t nodd = r->n / 2, *order = xcalloc(nodd + 1, sizeof(*order));

	if (range_tree_init(t, r->npages, 0))
		bench_die("range_tree_init");
	for (size_t i = 0; i < nodd; i++)
		order[i] = 2 * i + 1;
	for (size_t i = nodd; random_order && i > 1; i--) {
		size_t j = bench_rand() % i, tmp = order[i - 1];

		order[i - 1] = order[j];
		order[j] = tmp;
	}
	for (size_t i = 0; i < nodd; i++)
		if (range_tree_set(t, r->starts[order[i]],
				   range_end(r, order[i]), PRIVATE))
			bench_die("range_tree_set");
	free(order);
	if (t->nranges != r->n)
		bench_die("tree does not hold the ranges");
}

static void bytes_build(uint8_t *b, const struct ranges *r)
{
	for (size_t i = 0; i < r->n; i++)
		memset(b + r->starts[i], (int)range_value(i),
		       range_end(r, i) - r->starts[i]);
}

static void sorted_build(struct sorted *s, const struct ranges *r)
{
	s->n = r->n;
	s->keys = xcalloc(r->n, sizeof(*s->keys));
	s->values = xcalloc(r->n, 1);
	memcpy(s->keys, r->starts, r->n * sizeof(*s->keys));
	for (size_t i = 0; i < r->n; i++)
		s->values[i] = (uint8_t)range_value(i);
}

/* The last key <= key, branch-free, as the tree's node search is. */
static uint8_t sorted_lookup(const struct sorted *s, uint64_t key)
{
	const uint64_t *base = s->keys;
	size_t len = s->n;

	while (len > 1) {
		size_t half = len / 2;

		base = base[half] <= key ? base + half : base;
		len -= half;
	}
	return s->values[base - s->keys];
}

/*
 * Each lookup's index depends on the answer before it (v & 1 is always 0,
 * but the compiler cannot know), so lookups do not overlap: the figure is
 * a latency. One loop per structure, so that none pays an indirect call.
 */
static double op_tree(void *arg, unsigned int rep)
{
	struct lookup_ctx *c = arg;
	double t0 = bench_now();
	uint64_t v = 0;

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		v = range_tree_lookup(&c->tree, c->idx[i % NIDX] ^ (v & 1));
	c->sink += v;
	return (bench_now() - t0) / BATCH;
}

static double op_bytes(void *arg, unsigned int rep)
{
	struct lookup_ctx *c = arg;
	double t0 = bench_now();
	uint64_t v = 0;

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		v = c->bytes[c->idx[i % NIDX] ^ (v & 1)];
	c->sink += v;
	return (bench_now() - t0) / BATCH;
}

static double op_sorted(void *arg, unsigned int rep)
{
	struct lookup_ctx *c = arg;
	double t0 = bench_now();
	uint64_t v = 0;

	(void)rep;
	for (unsigned int i = 0; i < BATCH; i++)
		v = sorted_lookup(&c->sorted, c->idx[i % NIDX] ^ (v & 1));
	c->sink += v;
	return (bench_now() - t0) / BATCH;
}

static void print_row(const char *name, enum bench_unit unit,
		      const struct bench_stats *fig, const char *base,
		      const struct bench_stats *bs, struct bench_goal goal)
{
	struct bench_row r = { .name = name,
			       .backend = "-",
			       .unit = unit,
			       .figure = *fig,
			       .baseline_name = base,
			       .goal = goal };

	if (bs)
		r.baseline = *bs;
	bench_print(&r);
}

static const struct bench_goal no_goal = { BENCH_GOAL_NONE, 0, NULL };

static void lookup_rows(struct lookup_ctx *c, size_t n)
{
	struct bench_stats tree, bytes, tree2, sorted;
	struct bench_goal g_bytes = no_goal, g_sorted = no_goal;
	unsigned int reps = bench_reps(31);
	char name[64];

	if (n == 1000)
		g_bytes = (struct bench_goal){ BENCH_GOAL_RATIO_MAX, 2.0,
					       "≤ 2× byte array" };
	if (n == 1000000)
		g_sorted = (struct bench_goal){ BENCH_GOAL_RATIO_MAX, 1.0,
						"≤ 1× sorted array" };
	bench_pair(reps, op_tree, c, op_bytes, c, &tree, &bytes);
	bench_pair(reps, op_tree, c, op_sorted, c, &tree2, &sorted);
	snprintf(name, sizeof(name), "lookup, %zu ranges", n);
	print_row(name, BENCH_NS, &tree, "per-page byte array", &bytes,
		  g_bytes);
	print_row(name, BENCH_NS, &tree2, "sorted array, binary search",
		  &sorted, g_sorted);
}

/* Pages strictly inside a range of at least three pages, so that setting
 * one to the other value adds two ranges and setting it back removes
 * them. */
static uint64_t *update_pages(const struct ranges *r, unsigned int count)
{
	uint64_t *pages = xcalloc(count, sizeof(*pages));

	for (unsigned int k = 0; k < count;) {
		size_t i = bench_rand() % r->n;
		uint64_t len = range_end(r, i) - r->starts[i];

		if (len >= 3)
			pages[k++] =
				r->starts[i] + 1 + bench_rand() % (len - 2);
	}
	return pages;
}

struct update_ctx {
	struct range_tree *tree;
	struct sorted *sorted;
	const uint64_t *pages;
	unsigned int count;
	unsigned int spread; /* pages used: all (cold) or a few (hot) */
	struct range_tree_reservation res;
};

/* Split a range and merge it back: two tree updates per page. */
static double op_tree_update(void *arg, unsigned int rep)
{
	struct update_ctx *u = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int k = 0; k < u->count; k++) {
		uint64_t p = u->pages[k % u->spread];
		uint64_t v = range_tree_lookup(u->tree, p);

		if (range_tree_set(u->tree, p, p + 1, v ^ PRIVATE) ||
		    range_tree_set(u->tree, p, p + 1, v))
			bench_die("range_tree_set");
	}
	return (bench_now() - t0) / (2.0 * u->count);
}

/* The same with the reservation kept across stores: the tree's own work,
 * without the allocator. */
static double op_tree_store(void *arg, unsigned int rep)
{
	struct update_ctx *u = arg;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int k = 0; k < u->count; k++) {
		uint64_t p = u->pages[k % u->spread];
		uint64_t v = range_tree_lookup(u->tree, p);

		if (range_tree_reserve(u->tree, &u->res))
			bench_die("range_tree_reserve");
		range_tree_store(u->tree, p, p + 1, v ^ PRIVATE, &u->res);
		range_tree_store(u->tree, p, p + 1, v, &u->res);
	}
	return (bench_now() - t0) / (2.0 * u->count);
}

/* Insert two keys at the right place and remove them again. */
static void sorted_split_merge(struct sorted *s, uint64_t p)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->keys[mid] <= p)
			lo = mid + 1;
		else
			hi = mid;
	}
	memmove(s->keys + lo + 2, s->keys + lo, (s->n - lo) * 8);
	memmove(s->values + lo + 2, s->values + lo, s->n - lo);
	s->keys[lo] = p;
	s->keys[lo + 1] = p + 1;
	s->values[lo] = s->values[lo - 1] ^ PRIVATE;
	s->values[lo + 1] = s->values[lo - 1];
	memmove(s->keys + lo, s->keys + lo + 2, (s->n - lo) * 8);
	memmove(s->values + lo, s->values + lo + 2, s->n - lo);
}

static double op_sorted_update(void *arg, unsigned int rep)
{
	struct update_ctx *u = arg;
	unsigned int count = u->count < 50 ? u->count : 50;
	double t0 = bench_now();

	(void)rep;
	for (unsigned int k = 0; k < count; k++)
		sorted_split_merge(u->sorted, u->pages[k % u->spread]);
	return (bench_now() - t0) / (2.0 * count);
}

static void update_pair(struct update_ctx *u, bench_fn fn, const char *what,
			size_t n, struct bench_goal g)
{
	struct bench_stats tree, sorted;
	char name[96];

	bench_pair(bench_reps(21), fn, u, op_sorted_update, u, &tree, &sorted);
	snprintf(name, sizeof(name), "update (%s, %s), %zu ranges", what,
		 u->spread > 16 ? "random pages" : "16 pages", n);
	print_row(name, BENCH_NS, &tree, "sorted array, memmove", &sorted, g);
}

/* Random pages all over the tree (each update starts with a descent
 * through cold memory), then the same 16 pages again and again (the
 * tree's own work, in cache). */
static void update_rows(struct lookup_ctx *c, const struct ranges *r)
{
	struct update_ctx u = { .tree = &c->tree,
				.sorted = &c->sorted,
				.count = 2000 };
	struct bench_goal g = no_goal;

	/* Room for the two keys a split adds. */
	c->sorted.keys = realloc(c->sorted.keys, (r->n + 2) * 8);
	c->sorted.values = realloc(c->sorted.values, r->n + 2);
	if (!c->sorted.keys || !c->sorted.values)
		bench_die("realloc");
	u.pages = update_pages(r, u.count);
	if (r->n == 1000000)
		g = (struct bench_goal){ BENCH_GOAL_ABS_MAX, 500, "≤ 500 ns" };
	u.spread = u.count;
	update_pair(&u, op_tree_update, "range_tree_set", r->n, g);
	update_pair(&u, op_tree_store, "store, reserved", r->n, g);
	u.spread = 16;
	update_pair(&u, op_tree_update, "range_tree_set", r->n, g);
	update_pair(&u, op_tree_store, "store, reserved", r->n, g);
	range_tree_unreserve(&u.res);
	free((void *)u.pages);
}

static void lookup_ctx_init(struct lookup_ctx *c, const struct ranges *r)
{
	memset(c, 0, sizeof(*c));
	tree_build(&c->tree, r, false);
	c->bytes = xcalloc(r->npages, 1);
	bytes_build(c->bytes, r);
	sorted_build(&c->sorted, r);
	c->idx = xcalloc(NIDX, sizeof(*c->idx));
	for (unsigned int i = 0; i < NIDX; i++)
		c->idx[i] = (uint32_t)(bench_rand() % r->npages);
}

static void lookup_ctx_fini(struct lookup_ctx *c)
{
	range_tree_destroy(&c->tree);
	free(c->bytes);
	free(c->sorted.keys);
	free(c->sorted.values);
	free(c->idx);
}

static void run_lookups(size_t n)
{
	struct ranges r;
	struct lookup_ctx c;

	ranges_make(&r, LOOKUP_PAGES, n);
	lookup_ctx_init(&c, &r);
	lookup_rows(&c, n);
	update_rows(&c, &r);
	if (c.sink == 42)
		printf(" ");
	lookup_ctx_fini(&c);
	free(r.starts);
}

static void memory_row(size_t n, bool random_order)
{
	const struct bench_goal g = { BENCH_GOAL_ABS_MAX, 24,
				      "≤ 24 B a range" };
	struct bench_stats fig = { 0 }, base = { 0 };
	struct range_tree t;
	struct ranges r;
	char name[96];

	ranges_make(&r, SPARSE_PAGES, n);
	tree_build(&t, &r, random_order);
	fig.n = base.n = 1;
	fig.median = fig.min = fig.max =
		(double)range_tree_memory(&t) / (double)t.nranges;
	base.median = base.min = base.max =
		(double)SPARSE_PAGES / (double)t.nranges;
	snprintf(name, sizeof(name), "memory a range, %zu ranges, %s", n,
		 random_order ? "built in random order" : "built in order");
	print_row(name, BENCH_BYTES, &fig, "per-page byte array, 1 TiB", &base,
		  g);
	range_tree_destroy(&t);
	free(r.starts);
}

int main(int argc, char **argv)
{
	static const size_t counts[] = { 1000, 100000, 1000000 };

	bench_init(argc, argv, "bench_lookup: the attribute tree (white-box)");
	bench_table("Lookup and update, 16 GiB file, random ranges");
	for (size_t i = 0; i < 3; i++)
		run_lookups(counts[i]);
	bench_note("Lookups: a dependent chain of %u random pages per "
		   "sample. Updates: one page set to the other value and "
		   "back; figure per update.",
		   BATCH);
	bench_table("Memory per range, 1 TiB sparse file");
	for (size_t i = 0; i < 3; i++) {
		memory_row(counts[i], false);
		memory_row(counts[i], true);
	}
	return bench_finish();
}
