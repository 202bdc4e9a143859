// SPDX-License-Identifier: Apache-2.0
/*
 * test_rt_churn.c - 1M flows of churn through the core and the sim device
 * with ENOSPC, EBUSY, EEXIST and netlink errors injected, reaps running
 * in slices between the events: the counts add up, the device ends
 * holding exactly the table's installed flows, and nothing leaks (this
 * file also builds with ASan as test_rt_churn_asan).
 * Prints flow setups/s, memory per flow and the reap scan time for 1M
 * installed flows; nothing here asserts on time.
 */
#include <check.h>
#include <malloc.h>
#include <stdlib.h>
#include <time.h>

#include "rt_test.h"
#include "testsuite/fl_check.h"

#ifndef CHURN_FLOWS
#define CHURN_FLOWS 1000000u
#endif

static double wall(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static struct rt_core c;
static struct rt_backend *be;

static int same_cb(const struct rt_dumped *d, void *arg)
{
	struct rt_flow *f = rt_table__find(&c.t, &d->rule.key);
	size_t *n = arg;

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->state, RT_FLOW_INSTALLED);
	ck_assert_uint_eq(f->handle, d->rule.handle);
	(*n)++;
	return 0;
}

START_TEST(churn_with_faults)
{
	const uint32_t per_tick = 10000;
	struct rt_sim_opts so = {
		.capacity = 60000,
		.fail_permille = 20,
		.faults = RT_SIM_ENOSPC | RT_SIM_EBUSY | RT_SIM_EEXIST |
			  RT_SIM_NLERR,
		.seed = 42,
		.now_us = rt_test_now,
	};
	struct rt_core_opts co = {
		.idle_timeout_ms = 3000,
		.max_flows = 50000,
		.hw_lag_ms = 1000,
		.batch = 128,
		.now_us = rt_test_now,
	};
	struct flowlift_event ev;
	uint64_t created, ended;
	size_t n = 0;

	rt_test_clock_us = 1000000;
	be = rt_backend_sim__new(&so);
	ck_assert_int_eq(rt_core__init(&c, &co, be), 0);
	for (uint32_t base = 0; base < CHURN_FLOWS; base += per_tick) {
		/* each tick's reap runs in slices between its events, as
		 * the agent's loop interleaves them with ring buffer reads */
		rt_core__reap_start(&c);
		for (uint32_t i = base; i < base + per_tick; i++) {
			rt_test_event(&ev, i, i % 3 ? FLOWLIFT_PASS :
						      FLOWLIFT_DROP);
			rt_core__event(&c, &ev);
			if ((i + 1) % 500)
				continue;
			ck_assert_int_eq(rt_core__flush(&c), 0);
			rt_core__reap_step(&c, 1024);
		}
		while (rt_core__reap_step(&c, 1024) > 0)
			;
		ck_assert_int_eq(rt_core__flush(&c), 0);
		/* traffic on a third of the previous tick's flows */
		for (uint32_t i = base >= per_tick ? base - per_tick : 0;
		     i < base; i += 3) {
			struct flowlift_flow_key k;

			rt_test_key(&k, i, false);
			rt_sim__hit(be, &k, 1);
		}
		rt_test_advance_ms(1000);
	}
	ck_assert_uint_eq(c.st.events, CHURN_FLOWS);
	ck_assert_uint_gt(c.st.reaped, 0);
	ck_assert_uint_gt(c.st.evicted, 0);
	ck_assert_uint_gt(c.st.enospc, 0);
	ck_assert_uint_gt(c.st.ebusy_retries, 0);
	ck_assert_uint_gt(c.st.adopted, 0);
	/* settle without faults: then device == table */
	rt_sim__set_fail(be, 0);
	for (int i = 0; i < 3; i++) {
		rt_test_advance_ms(100);
		ck_assert_int_eq(rt_core__flush(&c), 0);
		ck_assert_int_eq(rt_core__reap(&c), 0);
	}
	ck_assert_int_eq(rt_sim__foreach(be, same_cb, &n), 0);
	ck_assert_uint_eq(n, c.t.lists[RT_FLOW_INSTALLED].n);
	ck_assert_uint_eq(n, rt_sim__count(be));
	ck_assert_uint_eq(c.t.count, n);
	ck_assert_uint_le(c.t.count, co.max_flows);
	/* every admitted flow ended in exactly one way, or is installed */
	created = c.st.events - c.st.events_dup - c.st.dropped_full;
	ended = c.st.reaped + c.st.revalidated + c.st.evicted +
		c.st.removed_shutdown + c.st.failed + c.st.vanished;
	ck_assert_uint_eq(created, ended + c.t.count);
	ck_assert_int_eq(rt_core__shutdown(&c, false), 0);
	ck_assert_uint_eq(rt_sim__count(be), 0);
	ck_assert_uint_eq(c.t.count, 0);
	printf("churn: %u events, installed %lu adopted %lu reaped %lu "
	       "evicted %lu enospc %lu retries %lu failed %lu vanished %lu "
	       "orphans %lu\n", CHURN_FLOWS, c.st.installed, c.st.adopted,
	       c.st.reaped, c.st.evicted, c.st.enospc, c.st.ebusy_retries,
	       c.st.failed, c.st.vanished, c.st.orphans_deleted);
	rt_core__fini(&c);
	rt_backend__free(be);
}
END_TEST

START_TEST(scale_numbers)
{
	struct rt_sim_opts so = { .now_us = rt_test_now };
	struct rt_core_opts co = {
		.max_flows = CHURN_FLOWS,
		.batch = 128,
		.now_us = rt_test_now,
	};
	struct flowlift_event ev;
	size_t before, after;
	double t0, t2;

	rt_test_clock_us = 1000000;
	be = rt_backend_sim__new(&so);
	ck_assert_int_eq(rt_core__init(&c, &co, be), 0);
	before = mallinfo2().uordblks;
	t0 = wall();
	for (uint32_t i = 0; i < CHURN_FLOWS; i++) {
		rt_test_event(&ev, i, FLOWLIFT_DROP);
		ck_assert_int_eq(rt_core__event(&c, &ev), 0);
	}
	after = mallinfo2().uordblks;
	ck_assert_int_eq(rt_core__flush(&c), 0);
	t2 = wall();
	ck_assert_uint_eq(c.st.installed, CHURN_FLOWS);
	ck_assert_uint_eq(rt_sim__count(be), CHURN_FLOWS);
	printf("scale: %u flow setups (event + batched install) in %.2f s: "
	       "%.0f/s; agent memory %.0f bytes/flow\n", CHURN_FLOWS,
	       t2 - t0, CHURN_FLOWS / (t2 - t0),
	       (double)(after - before) / CHURN_FLOWS);
	rt_test_advance_ms(1000);
	t0 = wall();
	ck_assert_int_eq(rt_core__reap(&c), 0);
	printf("scale: reap of %u installed flows (dump + scan): %.3f s\n",
	       CHURN_FLOWS, wall() - t0);
	ck_assert_uint_eq(c.st.reaped, 0);
	ck_assert_int_eq(rt_core__shutdown(&c, false), 0);
	ck_assert_uint_eq(rt_sim__count(be), 0);
	rt_core__fini(&c);
	rt_backend__free(be);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_churn");
	TCase *tc = tcase_create("core");

	tcase_set_timeout(tc, 600);
	tcase_add_test(tc, churn_with_faults);
	tcase_add_test(tc, scale_numbers);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
