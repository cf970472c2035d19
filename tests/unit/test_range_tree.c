// SPDX-License-Identifier: MIT
/*
 * Description: unit tests of the range tree (src/range_tree.c), the B+tree
 * of maximal ranges behind a guest_memfd's attributes. Small hand-made
 * cases first (split a range in three, merge on both sides, store over
 * everything, walks and queries), then a randomised comparison with a
 * plain per-page array, a million-range tree for memory and depth, and
 * the reservation contract: a failed reservation changes nothing, and
 * neither a store nor a batch of stores under range_tree_reserve_many()
 * ever allocates.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "range_tree.h"

/* ---- helpers ------------------------------------------------------------- */

/* xorshift64*: deterministic, so a failure replays. */
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t rng_below(uint64_t n)
{
	return rng() % n;
}

static int print_range(const struct range_tree_range *r, void *arg)
{
	unsigned int *left = arg;

	if (!*left)
		return 1;
	(*left)--;
	fprintf(stderr, "  [%" PRIu64 ", %" PRIu64 ") = %" PRIu64 "\n",
		r->start, r->end, r->value);
	return 0;
}

/* The first ranges of a tree, for a failing test's log. */
static void dump_tree(const struct range_tree *t)
{
	unsigned int left = 64;

	fprintf(stderr, "tree: npages %" PRIu64 ", %zu ranges, height %u\n",
		t->npages, t->nranges, t->height);
	range_tree_for_each(t, 0, t->npages, print_range, &left);
}

static void assert_valid(const struct range_tree *t)
{
	const char *why = NULL;

	if (range_tree_validate(t, &why)) {
		dump_tree(t);
		fail_msg("invalid tree: %s", why);
	}
}

static void assert_range(const struct range_tree *t, uint64_t index,
			 uint64_t start, uint64_t end, uint64_t value)
{
	struct range_tree_range r;

	range_tree_find(t, index, &r);
	assert_int_equal(r.start, start);
	assert_int_equal(r.end, end);
	assert_int_equal(r.value, value);
	assert_int_equal(range_tree_lookup(t, index), value);
}

static void set_ok(struct range_tree *t, uint64_t start, uint64_t end,
		   uint64_t value)
{
	assert_int_equal(range_tree_set(t, start, end, value), 0);
}

/* After gmem_alloc_fail_after(0): disarms the hook, and asserts that
 * nothing allocated since, as the hook is still armed only if nothing
 * called the allocator. */
static void assert_no_allocation_since_armed(void)
{
	void *probe = gmem_malloc(1);

	gmem_alloc_fail_after(-1);
	free(probe);
	assert_null(probe);
}

/* Store through a reservation with allocation armed to fail: the store
 * must neither fail nor even try to allocate. */
static void store_unallocating(struct range_tree *t, uint64_t start,
			       uint64_t end, uint64_t value)
{
	struct range_tree_reservation r = { 0 };

	assert_int_equal(range_tree_reserve(t, &r), 0);
	assert_int_equal(r.count, t->height + 1);
	gmem_alloc_fail_after(0);
	range_tree_store(t, start, end, value, &r);
	assert_no_allocation_since_armed();
	range_tree_unreserve(&r);
	assert_int_equal(r.count, 0);
	assert_null(r.nodes);
}

/* A per-page model of the map, and what a store does to it. */
struct model {
	uint64_t npages;
	uint64_t *value;
};

static void model_store(struct model *m, uint64_t start, uint64_t end,
			uint64_t value)
{
	for (uint64_t i = start; i < end; i++)
		m->value[i] = value;
}

static size_t model_nranges(const struct model *m)
{
	size_t n = 1;

	for (uint64_t i = 1; i < m->npages; i++)
		n += m->value[i] != m->value[i - 1];
	return n;
}

struct walk {
	const struct model *m;
	uint64_t start, end; /* the walked span */
	uint64_t next;	     /* where the next range must start */
	size_t count;
};

/* Each reported range: contiguous with the last, clipped to the span,
 * uniform in the model and maximal there. */
static int walk_check(const struct range_tree_range *r, void *arg)
{
	struct walk *w = arg;
	const uint64_t *v = w->m->value;

	assert_int_equal(r->start, w->next);
	assert_true(r->start < r->end && r->end <= w->end);
	for (uint64_t i = r->start; i < r->end; i++)
		assert_int_equal(v[i], r->value);
	if (r->start > w->start)
		assert_int_not_equal(v[r->start - 1], r->value);
	if (r->end < w->end)
		assert_int_not_equal(v[r->end], r->value);
	w->next = r->end;
	w->count++;
	return 0;
}

static size_t walk_model(const struct range_tree *t, const struct model *m,
			 uint64_t start, uint64_t end)
{
	struct walk w = { .m = m, .start = start, .end = end, .next = start };

	assert_int_equal(range_tree_for_each(t, start, end, walk_check, &w), 0);
	assert_int_equal(w.next, end);
	return w.count;
}

static int check_find(const struct range_tree_range *r, void *arg)
{
	const struct range_tree *t = arg;

	assert_range(t, r->start, r->start, r->end, r->value);
	assert_range(t, r->end - 1, r->start, r->end, r->value);
	return 0;
}

/* The tree equals the model: through for_each, find and lookup. */
static void assert_matches(const struct range_tree *t, const struct model *m)
{
	uint64_t a = rng_below(m->npages), b = rng_below(m->npages + 1);
	uint64_t start = a < b ? a : b, end = a < b ? b : a;
	bool uniform = true;

	assert_valid(t);
	assert_int_equal(t->nranges, model_nranges(m));
	assert_int_equal(walk_model(t, m, 0, m->npages), t->nranges);
	walk_model(t, m, start, end);
	range_tree_for_each(t, 0, m->npages, check_find, (void *)t);
	for (uint64_t i = 0; i < m->npages; i++)
		assert_int_equal(range_tree_lookup(t, i), m->value[i]);
	for (uint64_t i = start; i < end; i++)
		uniform = uniform && m->value[i] == m->value[start];
	if (start < end) {
		assert_int_equal(
			range_tree_range_has(t, start, end, m->value[start]),
			uniform);
		assert_false(range_tree_range_has(t, start, end, 99));
	}
}

static void model_init(struct model *m, struct range_tree *t, uint64_t npages,
		       uint64_t value)
{
	m->npages = npages;
	m->value = calloc(npages, sizeof(m->value[0]));
	assert_non_null(m->value);
	model_store(m, 0, npages, value);
	assert_int_equal(range_tree_init(t, npages, value), 0);
}

/* ---- small cases --------------------------------------------------------- */

static void test_init_lookup(void **state)
{
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, 100, 7), 0);
	assert_valid(&t);
	assert_int_equal(t.nranges, 1);
	assert_int_equal(t.height, 1);
	assert_int_equal(t.npages, 100);
	assert_range(&t, 0, 0, 100, 7);
	assert_range(&t, 99, 0, 100, 7);
	assert_true(range_tree_memory(&t) > 0);
	range_tree_destroy(&t);
	range_tree_destroy(&t); /* twice is harmless */

	assert_int_equal(range_tree_init(&t, 1, 0), 0);
	assert_range(&t, 0, 0, 1, 0);
	set_ok(&t, 0, 1, 3);
	assert_range(&t, 0, 0, 1, 3);
	assert_valid(&t);
	range_tree_destroy(&t);
}

static void test_init_enomem(void **state)
{
	struct range_tree t;

	(void)state;
	gmem_alloc_fail_after(0);
	assert_int_equal(range_tree_init(&t, 10, 0), -ENOMEM);
	gmem_alloc_fail_after(-1);
	assert_null(t.root);
	range_tree_destroy(&t); /* as the caller's unwind path does */
}

static void test_split_in_three(void **state)
{
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, 100, 0), 0);
	set_ok(&t, 10, 20, 1);
	assert_valid(&t);
	assert_int_equal(t.nranges, 3);
	assert_range(&t, 0, 0, 10, 0);
	assert_range(&t, 9, 0, 10, 0);
	assert_range(&t, 10, 10, 20, 1);
	assert_range(&t, 19, 10, 20, 1);
	assert_range(&t, 20, 20, 100, 0);
	assert_range(&t, 99, 20, 100, 0);

	/* at the edges, a store splits in two */
	set_ok(&t, 0, 5, 2);
	set_ok(&t, 90, 100, 3);
	assert_valid(&t);
	assert_int_equal(t.nranges, 5);
	assert_range(&t, 4, 0, 5, 2);
	assert_range(&t, 5, 5, 10, 0);
	assert_range(&t, 89, 20, 90, 0);
	assert_range(&t, 95, 90, 100, 3);
	range_tree_destroy(&t);
}

static void test_merge(void **state)
{
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, 100, 0), 0);
	set_ok(&t, 10, 20, 1);
	set_ok(&t, 30, 40, 1);
	assert_int_equal(t.nranges, 5);

	/* the gap between two equal ranges: merges on both sides */
	set_ok(&t, 20, 30, 1);
	assert_valid(&t);
	assert_int_equal(t.nranges, 3);
	assert_range(&t, 25, 10, 40, 1);

	/* overlapping a neighbour on one side only */
	set_ok(&t, 5, 12, 0);
	assert_valid(&t);
	assert_range(&t, 0, 0, 12, 0);
	assert_range(&t, 12, 12, 40, 1);
	set_ok(&t, 35, 50, 0);
	assert_valid(&t);
	assert_range(&t, 35, 35, 100, 0);

	/* a store of what is already there changes nothing */
	set_ok(&t, 15, 25, 1);
	assert_int_equal(t.nranges, 3);

	/* and filling the middle back in leaves one range */
	set_ok(&t, 12, 35, 0);
	assert_valid(&t);
	assert_int_equal(t.nranges, 1);
	assert_range(&t, 50, 0, 100, 0);
	range_tree_destroy(&t);
}

static void test_store_everything(void **state)
{
	struct range_tree t;
	size_t one_leaf;

	(void)state;
	assert_int_equal(range_tree_init(&t, 10000, 0), 0);
	one_leaf = range_tree_memory(&t);
	for (uint64_t i = 0; i < 10000; i += 3)
		set_ok(&t, i, i + 1, 1 + i % 2);
	assert_valid(&t);
	assert_true(t.height > 1);
	set_ok(&t, 0, 10000, 4);
	assert_valid(&t);
	assert_int_equal(t.nranges, 1);
	assert_int_equal(t.height, 1);
	assert_int_equal(range_tree_memory(&t), one_leaf);
	assert_range(&t, 5000, 0, 10000, 4);
	range_tree_destroy(&t);
}

static int collect(const struct range_tree_range *r, void *arg)
{
	struct range_tree_range **out = arg;

	*(*out)++ = *r;
	return r->value == 9 ? 42 : 0;
}

static void test_for_each(void **state)
{
	struct range_tree_range got[8], *out = got;
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, 100, 0), 0);
	set_ok(&t, 10, 20, 1);
	set_ok(&t, 30, 40, 2);

	/* clipped at both ends, in order */
	assert_int_equal(range_tree_for_each(&t, 15, 35, collect, &out), 0);
	assert_int_equal(out - got, 3);
	assert_true(got[0].start == 15 && got[0].end == 20 &&
		    got[0].value == 1);
	assert_true(got[1].start == 20 && got[1].end == 30 &&
		    got[1].value == 0);
	assert_true(got[2].start == 30 && got[2].end == 35 &&
		    got[2].value == 2);

	/* inside one range */
	out = got;
	assert_int_equal(range_tree_for_each(&t, 31, 32, collect, &out), 0);
	assert_int_equal(out - got, 1);
	assert_true(got[0].start == 31 && got[0].end == 32 &&
		    got[0].value == 2);

	/* an empty span calls nothing */
	out = got;
	assert_int_equal(range_tree_for_each(&t, 50, 50, collect, &out), 0);
	assert_int_equal(out - got, 0);

	/* the callback's first non-zero value stops the walk */
	set_ok(&t, 50, 60, 9);
	out = got;
	assert_int_equal(range_tree_for_each(&t, 0, 100, collect, &out), 42);
	assert_int_equal(out - got, 6);
	assert_int_equal(got[5].value, 9);
	range_tree_destroy(&t);
}

static void test_range_has(void **state)
{
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, 100, 0), 0);
	set_ok(&t, 10, 20, 1);
	assert_true(range_tree_range_has(&t, 0, 10, 0));
	assert_true(range_tree_range_has(&t, 10, 20, 1));
	assert_true(range_tree_range_has(&t, 12, 18, 1));
	assert_true(range_tree_range_has(&t, 20, 100, 0));
	assert_false(range_tree_range_has(&t, 0, 11, 0));
	assert_false(range_tree_range_has(&t, 9, 20, 1));
	assert_false(range_tree_range_has(&t, 10, 21, 1));
	assert_false(range_tree_range_has(&t, 10, 20, 0));
	assert_true(range_tree_range_has(&t, 5, 5, 1)); /* empty */
	range_tree_destroy(&t);
}

/* The validator is only worth its name if it notices. */
static void test_validate_catches(void **state)
{
	const char *why = NULL;
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, 1000, 0), 0);
	for (uint64_t i = 0; i < 1000; i += 2)
		set_ok(&t, i, i + 1, 1);
	assert_int_equal(range_tree_validate(&t, &why), 0);
	assert_null(why);

	t.nranges++;
	assert_int_equal(range_tree_validate(&t, &why), -EUCLEAN);
	assert_non_null(why);
	t.nranges--;

	t.height++;
	assert_int_equal(range_tree_validate(&t, NULL), -EUCLEAN);
	t.height--;

	t.npages = 999; /* the last range now starts beyond the end */
	why = NULL;
	assert_int_equal(range_tree_validate(&t, &why), -EUCLEAN);
	assert_non_null(why);
	t.npages = 1000;
	assert_valid(&t);
	range_tree_destroy(&t);
}

/* ---- randomised ---------------------------------------------------------- */

/* Mostly short stores, so ranges pile up, with some long ones that empty
 * whole leaves; values from a small set, so merges are common. */
static void random_store(struct range_tree *t, struct model *m)
{
	static const uint64_t values[] = { 0, 8, 1 };
	uint64_t len =
		rng_below(8) ? 1 + rng_below(8) : 1 + rng_below(m->npages / 4);
	uint64_t start = rng_below(m->npages);
	uint64_t end = start + len < m->npages ? start + len : m->npages;
	uint64_t value = values[rng_below(3)];

	if (rng_below(2))
		store_unallocating(t, start, end, value);
	else
		set_ok(t, start, end, value);
	model_store(m, start, end, value);
}

static void test_random_against_model(void **state)
{
	struct range_tree t;
	struct model m;
	unsigned int max_height = 0;

	(void)state;
	rng_state = 0x9e3779b97f4a7c15ull;
	model_init(&m, &t, 4096, 0);
	for (int step = 0; step < 2000; step++) {
		random_store(&t, &m);
		assert_matches(&t, &m);
		if (t.height > max_height)
			max_height = t.height;
	}
	/* the run should have exercised internal nodes */
	assert_true(max_height >= 2);
	range_tree_destroy(&t);
	free(m.value);
}

/* A deeper tree than the above (height 4), so that removals cascade
 * through several levels; compared in full less often. */
static void test_random_deep(void **state)
{
	const uint64_t npages = 1 << 16;
	struct range_tree t;
	struct model m;

	(void)state;
	rng_state = 0x0123456789abcdefull;
	model_init(&m, &t, npages, 0);
	for (uint64_t i = 0; i < npages; i += 2) {
		uint64_t value = 1 + rng_below(2);

		set_ok(&t, i, i + 1, value);
		model_store(&m, i, i + 1, value);
	}
	assert_matches(&t, &m);
	assert_true(t.height >= 4);
	for (int step = 1; step <= 3000; step++) {
		random_store(&t, &m);
		if (step % 8 == 0)
			assert_valid(&t);
		if (step % 250 == 0)
			assert_matches(&t, &m);
	}
	assert_matches(&t, &m);
	range_tree_destroy(&t);
	free(m.value);
}

/* ---- scale --------------------------------------------------------------- */

static void test_million_ranges(void **state)
{
	const uint64_t npages = 1000000;
	struct range_tree_reservation r = { 0 };
	struct range_tree t;
	double per_range;

	(void)state;
	assert_int_equal(range_tree_init(&t, npages, 0), 0);
	/* Consecutive alternating pages, the append pattern: one
	 * reservation, topped up before each store. */
	for (uint64_t i = 1; i < npages; i += 2) {
		assert_int_equal(range_tree_reserve(&t, &r), 0);
		range_tree_store(&t, i, i + 1, 1, &r);
	}
	range_tree_unreserve(&r);
	assert_int_equal(t.nranges, npages);
	assert_valid(&t);
	per_range = (double)range_tree_memory(&t) / (double)t.nranges;
	print_message("1e6 ranges: height %u, %.1f bytes per range\n", t.height,
		      per_range);
	assert_true(per_range <= 24.0);
	assert_range(&t, 0, 0, 1, 0);
	assert_range(&t, 777777, 777777, 777778, 1);
	assert_range(&t, npages - 1, npages - 1, npages, 1);

	set_ok(&t, 0, npages, 1);
	assert_valid(&t);
	assert_int_equal(t.nranges, 1);
	assert_int_equal(t.height, 1);
	range_tree_destroy(&t);
}

/* Appending from the right end down fills nodes as well. */
static void test_descending_fill(void **state)
{
	const uint64_t npages = 100000;
	struct range_tree t;

	(void)state;
	assert_int_equal(range_tree_init(&t, npages, 0), 0);
	for (uint64_t i = npages; i >= 2; i -= 2)
		set_ok(&t, i - 1, i, 1);
	assert_valid(&t);
	assert_int_equal(t.nranges, npages);
	assert_true(range_tree_memory(&t) <= 24 * t.nranges);
	range_tree_destroy(&t);
}

/* ---- reservations -------------------------------------------------------- */

static void test_set_enomem_changes_nothing(void **state)
{
	struct range_tree t;
	struct model m;

	(void)state;
	rng_state = 42;
	model_init(&m, &t, 8192, 0);
	for (uint64_t i = 0; i < 8192; i += 2) {
		set_ok(&t, i, i + 1, 1 + i % 3);
		model_store(&m, i, i + 1, 1 + i % 3);
	}
	assert_matches(&t, &m);

	/* fail each of the reservation's allocations in turn */
	for (long k = 0; k <= (long)t.height; k++) {
		gmem_alloc_fail_after(k);
		assert_int_equal(range_tree_set(&t, 100, 200, 5), -ENOMEM);
		gmem_alloc_fail_after(-1);
		assert_matches(&t, &m);
	}
	gmem_alloc_fail_after(t.height + 1);
	assert_int_equal(range_tree_set(&t, 100, 200, 5), 0);
	gmem_alloc_fail_after(-1);
	model_store(&m, 100, 200, 5);
	assert_matches(&t, &m);
	range_tree_destroy(&t);
	free(m.value);
}

static void test_reserve(void **state)
{
	struct range_tree_reservation r = { 0 };
	struct range_tree t;
	unsigned int count;

	(void)state;
	range_tree_unreserve(&r); /* empty is fine */
	assert_int_equal(range_tree_init(&t, 1000, 0), 0);
	assert_int_equal(range_tree_reserve(&t, &r), 0);
	count = r.count;
	assert_true(count >= 2);

	/* topping up a full reservation allocates nothing */
	gmem_alloc_fail_after(0);
	assert_int_equal(range_tree_reserve(&t, &r), 0);
	gmem_alloc_fail_after(-1);
	assert_int_equal(r.count, count);
	range_tree_unreserve(&r);

	/* a failed reservation leaves what it had */
	gmem_alloc_fail_after(1);
	assert_int_equal(range_tree_reserve(&t, &r), -ENOMEM);
	gmem_alloc_fail_after(-1);
	assert_int_equal(r.count, 0);
	assert_null(r.nodes);
	range_tree_destroy(&t);
}

/* Stores of every shape with the allocator armed to fail: building a tree
 * up through several root splits (each taking all height + 1 reserved
 * nodes), splitting and merging in its middle, and tearing it down. */
static void test_store_never_allocates(void **state)
{
	const uint64_t npages = 1 << 17;
	struct range_tree t;
	struct model m;
	unsigned int grew = 0, height;

	(void)state;
	rng_state = 7;
	model_init(&m, &t, npages, 0);
	for (uint64_t i = 0; i < npages / 2; i += 2) {
		height = t.height;
		store_unallocating(&t, i, i + 1, 1);
		model_store(&m, i, i + 1, 1);
		grew += t.height > height;
	}
	assert_true(grew >= 2);
	assert_valid(&t);
	for (int step = 0; step < 2000; step++) {
		uint64_t start = rng_below(npages / 2);
		uint64_t end = start + 1 + rng_below(step % 4 ? 3 : 2000);
		uint64_t value = rng_below(3);

		store_unallocating(&t, start, end, value);
		model_store(&m, start, end, value);
	}
	assert_matches(&t, &m);
	store_unallocating(&t, 1, npages - 1, 2);
	store_unallocating(&t, 0, npages, 0);
	assert_valid(&t);
	assert_int_equal(t.nranges, 1);
	range_tree_destroy(&t);
	free(m.value);
}

/* A batch of stores against one range_tree_reserve_many(): none may
 * allocate, however much the batch grows the tree. */
static void stores_unallocating(struct range_tree *t, struct model *m,
				const uint64_t (*stores)[3], uint64_t n)
{
	struct range_tree_reservation r = { 0 };

	assert_int_equal(range_tree_reserve_many(t, &r, n), 0);
	gmem_alloc_fail_after(0);
	for (uint64_t i = 0; i < n; i++) {
		range_tree_store(t, stores[i][0], stores[i][1], stores[i][2],
				 &r);
		model_store(m, stores[i][0], stores[i][1], stores[i][2]);
	}
	assert_no_allocation_since_armed();
	range_tree_unreserve(&r);
	assert_matches(t, m);
}

static void test_reserve_many(void **state)
{
	const uint64_t npages = 1 << 16, n = 20000;
	uint64_t(*stores)[3] = calloc(n, sizeof(*stores));
	struct range_tree_reservation r = { 0 };
	struct range_tree t;
	struct model m;

	(void)state;
	assert_non_null(stores);
	rng_state = 99;
	model_init(&m, &t, npages, 0);

	/* Nothing to reserve for nothing, or for a tree that cannot grow. */
	assert_int_equal(range_tree_reserve_many(&t, &r, 0), 0);
	assert_int_equal(r.count, 0);

	/* From one range to height 4 in one batch of appends. */
	for (uint64_t i = 0; i < n; i++) {
		stores[i][0] = 2 * i;
		stores[i][1] = 2 * i + 1;
		stores[i][2] = 1 + i % 2;
	}
	stores_unallocating(&t, &m, (const uint64_t(*)[3])stores, n);
	assert_true(t.height >= 3);

	/* Splits in three and merges all over the tree. */
	for (uint64_t i = 0; i < n; i++) {
		stores[i][0] = rng_below(npages - 64);
		stores[i][1] = stores[i][0] + 1 + rng_below(i % 64 ? 3 : 64);
		stores[i][2] = rng_below(3);
	}
	stores_unallocating(&t, &m, (const uint64_t(*)[3])stores, n);

	/* A huge batch is bounded by the largest tree, not by its length. */
	assert_int_equal(range_tree_reserve_many(&t, &r, UINT64_MAX), 0);
	assert_true(r.count < npages / 8);
	range_tree_unreserve(&r);
	range_tree_destroy(&t);
	free(m.value);
	free(stores);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_lookup),
		cmocka_unit_test(test_init_enomem),
		cmocka_unit_test(test_split_in_three),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_store_everything),
		cmocka_unit_test(test_for_each),
		cmocka_unit_test(test_range_has),
		cmocka_unit_test(test_validate_catches),
		cmocka_unit_test(test_random_against_model),
		cmocka_unit_test(test_random_deep),
		cmocka_unit_test(test_million_ranges),
		cmocka_unit_test(test_descending_fill),
		cmocka_unit_test(test_set_enomem_changes_nothing),
		cmocka_unit_test(test_reserve),
		cmocka_unit_test(test_store_never_allocates),
		cmocka_unit_test(test_reserve_many),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
