// SPDX-License-Identifier: Apache-2.0
/* test_rt_flow.c - the flow state machine and the flow table. */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "rt_test.h"
#include "testsuite/fl_check.h"

#define N RT_FLOW_NEW
#define I RT_FLOW_INSTALLING
#define D RT_FLOW_INSTALLED
#define X RT_FLOW_DELETING
#define G RT_FLOW_GONE

/* The moves the design allows, and nothing else. */
static const struct {
	enum rt_flow_state from, to;
} moves[] = {
	{ N, I }, { N, G }, { I, D }, { I, N }, { I, G },
	{ D, X }, { D, G }, { X, G },
};

static bool listed(enum rt_flow_state a, enum rt_flow_state b)
{
	for (size_t i = 0; i < sizeof(moves) / sizeof(moves[0]); i++)
		if (moves[i].from == a && moves[i].to == b)
			return true;
	return false;
}

START_TEST(every_pair)
{
	int from = _i / RT_FLOW__COUNT, to = _i % RT_FLOW__COUNT;

	ck_assert_int_eq(rt_flow_state__legal(from, to), listed(from, to));
}
END_TEST

/* Put a flow into state s along legal moves. */
static struct rt_flow *flow_in(struct rt_table *t, uint32_t i,
			       enum rt_flow_state s)
{
	static const enum rt_flow_state path[] = { N, I, D, X };
	struct flowlift_flow_key k;
	struct rt_flow *f;

	rt_test_key(&k, i, true);
	f = rt_table__add(t, &k);
	ck_assert_ptr_nonnull(f);
	for (size_t p = 1; p < 4 && f->state != s; p++)
		ck_assert_int_eq(rt_flow__transition(t, f, path[p],
						     RT_DEL_IDLE), 0);
	ck_assert_int_eq(f->state, s);
	return f;
}

START_TEST(transition_applies_or_refuses)
{
	int from = _i / RT_FLOW__COUNT, to = _i % RT_FLOW__COUNT;
	struct rt_table t;
	struct rt_flow *f;
	struct flowlift_flow_key k;
	int rc;

	if (from == G)
		return; /* a GONE flow does not exist */
	ck_assert_int_eq(rt_table__init(&t, 0), 0);
	f = flow_in(&t, 1, from);
	k = f->key;
	rc = rt_flow__transition(&t, f, to, RT_DEL_EVICTED);
	if (!listed(from, to)) {
		ck_assert_int_eq(rc, -EINVAL);
		ck_assert_int_eq(f->state, from);
		ck_assert_uint_eq(t.lists[from].n, 1);
	} else if (to == G) {
		ck_assert_int_eq(rc, 0);
		ck_assert_ptr_null(rt_table__find(&t, &k));
		ck_assert_uint_eq(t.count, 0);
	} else {
		ck_assert_int_eq(rc, 0);
		ck_assert_int_eq(f->state, to);
		ck_assert_uint_eq(t.lists[to].n, 1);
		ck_assert_uint_eq(t.lists[from].n, 0);
		if (to == X)
			ck_assert_int_eq(f->reason, RT_DEL_EVICTED);
	}
	rt_table__fini(&t);
}
END_TEST

START_TEST(table_find_grow_touch)
{
	const uint32_t n = 100000;
	struct rt_table t;
	struct flowlift_flow_key k;

	ck_assert_int_eq(rt_table__init(&t, 0), 0);
	for (uint32_t i = 0; i < n; i++) {
		rt_test_key(&k, i, true);
		ck_assert_ptr_null(rt_table__find(&t, &k));
		ck_assert_ptr_nonnull(rt_table__add(&t, &k));
	}
	ck_assert_uint_eq(t.count, n);
	ck_assert_uint_ge(t.n_buckets, n);
	ck_assert_uint_eq(t.lists[N].n, n);
	for (uint32_t i = 0; i < n; i++) {
		struct rt_flow *f;

		rt_test_key(&k, i, true);
		f = rt_table__find(&t, &k);
		ck_assert_ptr_nonnull(f);
		ck_assert_mem_eq(&f->key, &k, sizeof(k));
	}
	rt_test_key(&k, n, true);
	ck_assert_ptr_null(rt_table__find(&t, &k));
	/* touch moves to the tail: the head is then the next oldest */
	rt_test_key(&k, 0, true);
	rt_table__touch(&t, rt_table__find(&t, &k));
	ck_assert_mem_eq(&t.lists[N].tail->key, &k, sizeof(k));
	rt_test_key(&k, 1, true);
	ck_assert_mem_eq(&t.lists[N].head->key, &k, sizeof(k));
	/* forget half; the rest is still found */
	for (uint32_t i = 0; i < n; i += 2) {
		rt_test_key(&k, i, true);
		ck_assert_int_eq(rt_flow__transition(&t, rt_table__find(&t, &k),
						     G, RT_DEL_FAILED), 0);
	}
	ck_assert_uint_eq(t.count, n / 2);
	ck_assert_uint_eq(t.lists[N].n, n / 2);
	for (uint32_t i = 0; i < n; i++) {
		rt_test_key(&k, i, true);
		ck_assert((rt_table__find(&t, &k) != NULL) == (i & 1));
	}
	rt_table__fini(&t);
}
END_TEST

START_TEST(names)
{
	ck_assert_str_eq(rt_flow_state__name(RT_FLOW_INSTALLED), "installed");
	ck_assert_str_eq(rt_del_reason__name(RT_DEL_REVALIDATED),
			 "revalidated");
	ck_assert_str_eq(rt_flow_state__name(99), "?");
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_flow");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, every_pair, 0, RT_FLOW__COUNT * RT_FLOW__COUNT);
	tcase_add_loop_test(tc, transition_applies_or_refuses, 0,
			    RT_FLOW__COUNT * RT_FLOW__COUNT);
	tcase_add_test(tc, table_find_grow_touch);
	tcase_add_test(tc, names);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
