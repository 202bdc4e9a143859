// SPDX-License-Identifier: Apache-2.0
/*
 * test_rt_core.c - the agent's core against the sim device, with a fake
 * clock: install and dedup, reaping, eviction, faults, revalidation,
 * adoption after a restart, shutdown.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>

#include "rt_test.h"
#include "testsuite/fl_check.h"

static struct rt_backend *be;
static struct rt_core c;

static void setup_with(uint32_t max_flows, uint32_t capacity,
		       uint32_t fail_permille, unsigned int faults)
{
	struct rt_sim_opts so = {
		.capacity = capacity,
		.fail_permille = fail_permille,
		.faults = faults,
		.seed = 7,
		.now_us = rt_test_now,
	};
	struct rt_core_opts co = {
		.idle_timeout_ms = 10000,
		.max_flows = max_flows,
		.hw_lag_ms = 2000,
		.batch = 16,
		.now_us = rt_test_now,
	};

	rt_test_clock_us = 1000000;
	be = rt_backend_sim__new(&so);
	ck_assert_ptr_nonnull(be);
	ck_assert_int_eq(rt_core__init(&c, &co, be), 0);
}

static void setup(void)
{
	setup_with(1000, 0, 0, 0);
}

static void teardown(void)
{
	rt_core__fini(&c);
	rt_backend__free(be);
}

static void feed(uint32_t from, uint32_t n, uint8_t verdict)
{
	struct flowlift_event ev;

	for (uint32_t i = from; i < from + n; i++) {
		rt_test_event(&ev, i, verdict);
		rt_core__event(&c, &ev);
	}
}

static struct rt_flow *flow(uint32_t i)
{
	struct flowlift_flow_key k;

	rt_test_key(&k, i, false);
	return rt_table__find(&c.t, &k);
}

static void hit(uint32_t i)
{
	struct flowlift_flow_key k;

	rt_test_key(&k, i, false);
	ck_assert_int_eq(rt_sim__hit(be, &k, 1), 0);
}

static void assert_device_matches_table(void)
{
	rt_test_device_matches(be, &c.t);
}

START_TEST(install_and_dedup)
{
	feed(0, 40, FLOWLIFT_DROP);
	feed(0, 40, FLOWLIFT_DROP); /* the same flows again: deduplicated */
	ck_assert_uint_eq(c.t.count, 40);
	ck_assert_uint_eq(c.st.events_dup, 40);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.installed, 40);
	ck_assert_uint_eq(rt_sim__count(be), 40);
	ck_assert_uint_eq(c.lat.count, 40);
	feed(0, 40, FLOWLIFT_DROP); /* installed: still deduplicated */
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(rt_sim__count(be), 40);
	assert_device_matches_table();
}
END_TEST

START_TEST(reap_idle_only)
{
	feed(0, 3, FLOWLIFT_PASS);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	/* 9.9 s: not idle long enough */
	rt_test_advance_ms(9900);
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert_uint_eq(c.st.reaped, 0);
	/* flow 1 is hit just before the timeout; flow 2 at 11 s, but the
	 * hit is only seen in the counters after a lag (lastused is fresh
	 * only once the counters update): simulated by hitting later */
	hit(1);
	rt_test_advance_ms(1100); /* 11 s */
	ck_assert_int_eq(rt_core__reap(&c), 0);
	/* flow 0 and 2 idle by both measures, but not yet a lag later */
	ck_assert_uint_eq(c.st.reaped, 0);
	ck_assert_int_eq(flow(0)->state, RT_FLOW_INSTALLED);
	hit(2); /* a hit inside the lag window */
	rt_test_advance_ms(2000); /* 13 s */
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert_uint_eq(c.st.reaped, 1);
	ck_assert_ptr_null(flow(0));
	ck_assert_ptr_nonnull(flow(1));
	ck_assert_ptr_nonnull(flow(2));
	ck_assert_uint_eq(rt_sim__count(be), 2);
	/* no more traffic: both go after timeout + lag */
	rt_test_advance_ms(10000);
	ck_assert_int_eq(rt_core__reap(&c), 0);
	rt_test_advance_ms(2000);
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert_uint_eq(c.st.reaped, 3);
	ck_assert_uint_eq(rt_sim__count(be), 0);
	ck_assert_uint_eq(c.t.count, 0);
}
END_TEST

START_TEST(evict_idlest_at_limit)
{
	teardown();
	setup_with(10, 0, 0, 0);
	feed(0, 10, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	rt_test_advance_ms(1000);
	/* every flow but 3 sees traffic: 3 is the idlest */
	for (uint32_t i = 0; i < 10; i++)
		if (i != 3)
			hit(i);
	ck_assert_int_eq(rt_core__reap(&c), 0);
	feed(10, 1, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.evicted, 1);
	ck_assert_ptr_null(flow(3));
	ck_assert_ptr_nonnull(flow(10));
	ck_assert_uint_eq(rt_sim__count(be), 10);
	assert_device_matches_table();
}
END_TEST

START_TEST(enospc_evicts_and_retries)
{
	teardown();
	setup_with(100, 20, 0, 0);
	feed(0, 20, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	feed(20, 5, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.enospc, 5);
	ck_assert_uint_eq(c.st.evicted, 5);
	ck_assert_uint_eq(c.st.installed, 25);
	for (uint32_t i = 0; i < 5; i++)
		ck_assert_ptr_null(flow(i)); /* the oldest went */
	ck_assert_uint_eq(rt_sim__count(be), 20);
	assert_device_matches_table();
}
END_TEST

START_TEST(ebusy_backs_off)
{
	teardown();
	setup_with(100, 0, 1000, RT_SIM_EBUSY);
	feed(0, 1, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_int_eq(flow(0)->state, RT_FLOW_NEW);
	ck_assert_uint_eq(c.st.ebusy_retries, 1);
	/* not before the backoff */
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.ebusy_retries, 1);
	rt_sim__set_fail(be, 0);
	rt_test_advance_ms(10);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_int_eq(flow(0)->state, RT_FLOW_INSTALLED);
	assert_device_matches_table();
}
END_TEST

START_TEST(eexist_adopts_and_checks_verdict)
{
	struct rt_rule r = { 0 };

	/* someone (a lost ack) put flow 0 there as drop, flow 1 as pass */
	rt_test_key(&r.key, 0, false);
	r.verdict = FLOWLIFT_DROP;
	r.handle = 500;
	ck_assert_int_eq(rt_sim__insert(be, &r, true), 0);
	rt_test_key(&r.key, 1, false);
	r.verdict = FLOWLIFT_PASS;
	r.handle = 501;
	ck_assert_int_eq(rt_sim__insert(be, &r, true), 0);
	feed(0, 2, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.adopted, 2);
	ck_assert_uint_eq(flow(0)->handle, 0);
	/* the dump tells the handles, and that flow 1's rule is wrong */
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert_uint_eq(flow(0)->handle, 500);
	ck_assert_ptr_null(flow(1));
	ck_assert_uint_eq(c.st.revalidated, 1);
	ck_assert_uint_eq(rt_sim__count(be), 1);
	assert_device_matches_table();
}
END_TEST

/* Revalidation: the policy now drops even flows, passes odd ones. */
static int decide(void *arg, const struct flowlift_flow_key *k,
		  struct rt_rule *r)
{
	uint16_t port = ntohs(k->sport) - 1024;

	if (port == 5)
		return 1;        /* no longer reported: slow path */
	if (port == 6)
		return -ENODEV;  /* cannot tell: removed */
	r->verdict = port % 2 ? FLOWLIFT_PASS : FLOWLIFT_DROP;
	return 0;
}

START_TEST(revalidate_removes_changed)
{
	struct flowlift_event ev;

	feed(0, 10, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	feed(10, 2, FLOWLIFT_DROP); /* pending, not installed yet */
	ck_assert_int_eq(rt_core__revalidate(&c, decide, NULL), 0);
	rt_core__policy_changed(&c, rt_test_clock_us * 1000);
	/* an event decided before the change, read after it */
	rt_test_event(&ev, 12, FLOWLIFT_PASS);
	ck_assert_int_eq(rt_core__event(&c, &ev), 0);
	rt_test_advance_ms(1);
	rt_test_event(&ev, 14, FLOWLIFT_PASS); /* after: trusted */
	ck_assert_int_eq(rt_core__event(&c, &ev), 0);
	/* odd 1,3,7,9 change; 5 and 6 go; 11 pending changes; 12 stale
	 * and wrong (even: drop) */
	ck_assert_int_eq(rt_core__revalidate(&c, decide, NULL), 8);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.revalidated, 8);
	for (uint32_t i = 0; i < 15; i++) {
		bool kept = i == 0 || i == 2 || i == 4 || i == 8 ||
			    i == 10 || i == 14;

		ck_assert_msg((flow(i) != NULL) == kept, "flow %u", i);
	}
	/* nothing more to do until the next change */
	ck_assert_int_eq(rt_core__revalidate(&c, decide, NULL), 0);
	assert_device_matches_table();
}
END_TEST

START_TEST(changed_event_replaces)
{
	struct flowlift_event ev;

	feed(0, 1, FLOWLIFT_PASS);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	rt_test_event(&ev, 0, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__event(&c, &ev), 0);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_ptr_null(flow(0));
	ck_assert_uint_eq(c.st.revalidated, 1);
	ck_assert_int_eq(rt_core__event(&c, &ev), 0);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(flow(0)->verdict, FLOWLIFT_DROP);
	assert_device_matches_table();
}
END_TEST

START_TEST(restart_adopts_and_cleans)
{
	struct rt_core_opts co = { .max_flows = 4, .now_us = rt_test_now };
	struct rt_rule r = { 0 };

	feed(0, 6, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_int_eq(rt_core__shutdown(&c, true), 0); /* --keep-rules */
	rt_core__fini(&c);
	/* someone else's rule in the same place is left alone */
	rt_test_key(&r.key, 99, false);
	r.verdict = FLOWLIFT_PASS;
	r.handle = 9999;
	ck_assert_int_eq(rt_sim__insert(be, &r, false), 0);
	/* a new instance with a lower limit: adopts 4, deletes 2 */
	ck_assert_int_eq(rt_core__init(&c, &co, be), 0);
	ck_assert_int_eq(rt_core__adopt(&c), 0);
	ck_assert_uint_eq(c.st.adopted, 4);
	ck_assert_uint_eq(c.st.orphans_deleted, 2);
	ck_assert_uint_eq(rt_sim__count(be), 5);
	ck_assert_uint_ge(c.next_handle, 5);
	/* adopted flows are re-decided first thing */
	ck_assert_int_eq(rt_core__revalidate(&c, decide, NULL), 2);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_int_eq(rt_core__shutdown(&c, false), 0);
	ck_assert_uint_eq(c.st.removed_shutdown, 2);
	ck_assert_uint_eq(rt_sim__count(be), 1); /* the foreign rule */
	ck_assert_uint_eq(c.t.count, 0);
}
END_TEST

START_TEST(vanished_and_orphans)
{
	struct rt_req q = { 0 };

	feed(0, 3, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	/* someone deletes flow 1's rule */
	q.rule.key = flow(1)->key;
	q.rule.handle = flow(1)->handle;
	be->ops->del(be, &q, 1);
	ck_assert_int_eq(q.err, 0);
	/* and an own rule nobody tracks appears */
	q.rule.handle = 77;
	rt_test_key(&q.rule.key, 50, false);
	q.rule.verdict = FLOWLIFT_DROP;
	ck_assert_int_eq(rt_sim__insert(be, &q.rule, true), 0);
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert_uint_eq(c.st.vanished, 1);
	ck_assert_uint_eq(c.st.orphans_deleted, 1);
	assert_device_matches_table();
}
END_TEST

START_TEST(prom_text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct rt_status st;

	feed(0, 3, FLOWLIFT_DROP);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	rt_core__status(&c, &st);
	ck_assert_int_eq(rt_stats__write_prom(&st, &c.lat, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\nflowlift_agent_flows_installed_total 3\n"));
	ck_assert_ptr_nonnull(strstr(buf, "# TYPE flowlift_agent_flows gauge\n"));
	ck_assert_ptr_nonnull(strstr(buf, "flowlift_agent_install_latency_seconds_count 3\n"));
	ck_assert_ptr_nonnull(strstr(buf, "_bucket{le=\"+Inf\"} 3\n"));
	free(buf);
}
END_TEST

START_TEST(histogram)
{
	struct rt_hist h = { 0 };

	ck_assert_uint_eq(rt_hist__quantile(&h, 0.5), 0);
	for (int i = 0; i < 90; i++)
		rt_hist__add(&h, 100);   /* < 128 */
	for (int i = 0; i < 10; i++)
		rt_hist__add(&h, 5000);  /* < 8192 */
	ck_assert_uint_eq(rt_hist__quantile(&h, 0.5), 128);
	ck_assert_uint_eq(rt_hist__quantile(&h, 0.9), 128);
	ck_assert_uint_eq(rt_hist__quantile(&h, 0.99), 8192);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_core");
	TCase *tc = tcase_create("core");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, install_and_dedup);
	tcase_add_test(tc, reap_idle_only);
	tcase_add_test(tc, evict_idlest_at_limit);
	tcase_add_test(tc, enospc_evicts_and_retries);
	tcase_add_test(tc, ebusy_backs_off);
	tcase_add_test(tc, eexist_adopts_and_checks_verdict);
	tcase_add_test(tc, revalidate_removes_changed);
	tcase_add_test(tc, changed_event_replaces);
	tcase_add_test(tc, restart_adopts_and_cleans);
	tcase_add_test(tc, vanished_and_orphans);
	tcase_add_test(tc, prom_text);
	tcase_add_test(tc, histogram);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
