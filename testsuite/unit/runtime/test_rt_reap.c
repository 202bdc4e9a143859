// SPDX-License-Identifier: Apache-2.0
/*
 * test_rt_reap.c - the reap in slices (rt_core__reap_step) and the loop
 * that interleaves it with reads (rt_loop__run), against the sim device
 * with a fake clock.
 *
 * Sliced reaps: for each case, installed flows of which some are idle,
 * some live, some removed behind the agent's back, and new flows arriving
 * (and installed) between slices, enough of them to grow the device's
 * table mid-dump (a walk of the flow table resumed after it grew is
 * checked on its own); the reap must remove exactly the idle flows, count
 * exactly the vanished ones, and leave the device holding exactly the
 * table's installed flows. The loop: a fake ring buffer that hands over events on
 * every read; between two reap slices there is always a read, and the
 * events read during the reap are installed and survive it.
 */
#include <check.h>
#include <stdlib.h>

#include "rt_test.h"
#include "testsuite/fl_check.h"

static struct rt_backend *be;
static struct rt_core c;

static void start(uint32_t max_flows, uint32_t hw_lag_ms, uint32_t slice)
{
	struct rt_sim_opts so = { .seed = 3, .now_us = rt_test_now };
	struct rt_core_opts co = {
		.idle_timeout_ms = 10000,
		.max_flows = max_flows,
		.hw_lag_ms = hw_lag_ms,
		.batch = 64,
		.reap_slice = slice,
		.now_us = rt_test_now,
	};

	rt_test_clock_us = 1000000;
	be = rt_backend_sim__new(&so);
	ck_assert_ptr_nonnull(be);
	ck_assert_int_eq(rt_core__init(&c, &co, be), 0);
}

static void stop(void)
{
	rt_core__fini(&c);
	rt_backend__free(be);
}

static void feed(uint32_t from, uint32_t n)
{
	struct flowlift_event ev;

	for (uint32_t i = from; i < from + n; i++) {
		rt_test_event(&ev, i, FLOWLIFT_PASS);
		ck_assert_int_eq(rt_core__event(&c, &ev), 0);
	}
}

static struct rt_flow *flow(uint32_t i)
{
	struct flowlift_flow_key k;

	rt_test_key(&k, i, false);
	return rt_table__find(&c.t, &k);
}

static void assert_device_matches_table(void)
{
	rt_test_device_matches(be, &c.t);
}

/*
 * Sliced reaps. Flows [0, flows) are installed at t=1 s; at t=12 s every
 * vanish_every-th is removed from the device by someone else, every
 * live_every-th other one is hit (live), the rest are idle. The reap runs in
 * slices of 'slice'; after each slice 'arrive' new flows are reported and
 * installed. max_flows stays above what arrives (evictions would remove
 * flows of their own accord), and arrivals stay well below a slice (a
 * walk resumed over a table that grows as fast as it walks would chase
 * the new buckets).
 */
static const struct reap_case {
	const char *name;
	uint32_t flows, live_every, vanish_every, slice, arrive, hw_lag_ms;
	uint32_t max_flows;
	bool grows; /* the flow table grows during the reap (it is sized
		     * for max_flows: it does not) */
} reap_cases[] = {
	{ "whole reap, one slice", 3000, 3, 0, 1u << 30, 0, 0, 1u << 20, false },
	{ "slices of 1", 300, 2, 7, 1, 0, 0, 2048, false },
	{ "slices of 100, arrivals", 3000, 4, 11, 100, 10, 0, 16384, false },
	/* 16k rules in the device's 16k buckets, all live but the
	 * vanished, 300 arrivals a slice: its table grows while the dump
	 * is half way (the flow table is sized for the limit) */
	{ "device grows mid-dump", 16000, 1, 13, 1024, 300, 0, 1u << 17,
	  false },
	{ "counter lag: two reaps", 2000, 3, 17, 128, 20, 2000, 8192, false },
	/* at the flow limit: the table is never more than full */
	{ "flow limit, no arrivals", 3000, 4, 11, 100, 0, 0, 3000, false },
};

static bool is_vanished(const struct reap_case *t, uint32_t i)
{
	return t->vanish_every && i % t->vanish_every == 0;
}

static bool is_live(const struct reap_case *t, uint32_t i)
{
	return !is_vanished(t, i) && i % t->live_every == 0;
}

static uint32_t sliced_reap(const struct reap_case *t, uint32_t next,
			    uint64_t *slices)
{
	int ret;

	ck_assert_int_eq(rt_core__reap_start(&c), 0);
	ck_assert(rt_core__reaping(&c));
	do {
		feed(next, t->arrive);
		next += t->arrive;
		ck_assert_int_eq(rt_core__flush(&c), 0);
		ret = rt_core__reap_step(&c, t->slice);
		ck_assert_int_ge(ret, 0);
		(*slices)++;
	} while (ret > 0);
	ck_assert(!rt_core__reaping(&c));
	return next;
}

START_TEST(reap_in_slices)
{
	const struct reap_case *t = &reap_cases[_i];
	uint32_t next = t->flows, idle = 0, vanished = 0;
	uint64_t slices = 0;
	size_t buckets;

	start(t->max_flows, t->hw_lag_ms, t->slice);
	buckets = c.t.n_buckets;
	feed(0, t->flows);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(c.st.installed, t->flows);
	rt_test_advance_ms(11000);
	for (uint32_t i = 0; i < t->flows; i++) {
		struct flowlift_flow_key k;
		struct rt_req q = { 0 };

		rt_test_key(&k, i, false);
		if (is_live(t, i)) {
			ck_assert_int_eq(rt_sim__hit(be, &k, 1), 0);
		} else if (is_vanished(t, i)) {
			q.rule.key = k;
			q.rule.handle = flow(i)->handle;
			be->ops->del(be, &q, 1);
			ck_assert_int_eq(q.err, 0);
			vanished++;
		} else {
			idle++;
		}
	}
	next = sliced_reap(t, next, &slices);
	if (t->hw_lag_ms) {
		/* idle by both measures, confirmed only one lag later */
		ck_assert_uint_eq(c.st.reaped, 0);
		rt_test_advance_ms(t->hw_lag_ms);
		next = sliced_reap(t, next, &slices);
	}
	ck_assert_uint_eq(c.st.reaped, idle);
	ck_assert_uint_eq(c.st.vanished, vanished);
	ck_assert(t->grows == (c.t.n_buckets > buckets));
	ck_assert_uint_eq(c.st.reaps, t->hw_lag_ms ? 2 : 1);
	ck_assert_uint_eq(c.st.reap_slices, slices);
	if (t->slice < t->flows)
		ck_assert_uint_ge(slices, t->flows / t->slice);
	for (uint32_t i = 0; i < t->flows; i++)
		ck_assert_msg((flow(i) != NULL) == is_live(t, i),
			      "%s: flow %u", t->name, i);
	for (uint32_t i = t->flows; i < next; i++) {
		ck_assert_msg(flow(i) && flow(i)->state == RT_FLOW_INSTALLED,
			      "%s: arrival %u", t->name, i);
	}
	ck_assert_uint_eq(c.st.installed, next);
	ck_assert_uint_eq(c.st.orphans_deleted, 0);
	assert_device_matches_table();
	/* a whole reap afterwards finds nothing more to do */
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert_uint_eq(c.st.reaped, idle);
	ck_assert_uint_eq(c.st.vanished, vanished);
	assert_device_matches_table();
	stop();
}
END_TEST

/* A walk of the flow table resumed after it grew visits every flow that
 * was there throughout (the sweep relies on it). */
static void count_visit(struct rt_flow *f, void *arg)
{
	uint8_t *seen = arg;
	uint32_t i = ntohs(f->key.sport) - 1024;

	if (i < 1000)
		seen[i]++;
}

START_TEST(walk_survives_growth)
{
	static const size_t firsts[] = { 0, 1, 100, 511, 1023 };
	struct flowlift_flow_key k;
	uint8_t seen[1000];

	for (size_t c0 = 0; c0 < sizeof(firsts) / sizeof(firsts[0]); c0++) {
		struct rt_table t;
		size_t cursor = 0;
		int more;

		ck_assert_int_eq(rt_table__init(&t, 0), 0);
		ck_assert_uint_eq(t.n_buckets, 1024);
		memset(seen, 0, sizeof(seen));
		for (uint32_t i = 0; i < 1000; i++) {
			rt_test_key(&k, i, false);
			ck_assert_ptr_nonnull(rt_table__add(&t, &k));
		}
		more = rt_table__walk(&t, &cursor, firsts[c0], count_visit,
				      seen);
		ck_assert_int_eq(more, 1);
		/* 5000 more: the table doubles three times */
		for (uint32_t i = 1000; i < 6000; i++) {
			rt_test_key(&k, i, false);
			ck_assert_ptr_nonnull(rt_table__add(&t, &k));
		}
		ck_assert_uint_eq(t.n_buckets, 8192);
		while (rt_table__walk(&t, &cursor, 64, count_visit, seen))
			;
		for (uint32_t i = 0; i < 1000; i++)
			ck_assert_msg(seen[i] >= 1, "flow %u missed", i);
		rt_table__fini(&t);
	}
}
END_TEST

/* A whole reap abandons the sliced one under way and starts afresh. */
START_TEST(whole_reap_restarts_sliced_one)
{
	start(1000, 0, 10);
	feed(0, 100);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	rt_test_advance_ms(11000);
	ck_assert_int_eq(rt_core__reap_start(&c), 0);
	ck_assert_int_eq(rt_core__reap_step(&c, 10), 1);
	ck_assert_int_eq(rt_core__reap_start(&c), 0); /* no-op */
	ck_assert(rt_core__reaping(&c));
	ck_assert_int_eq(rt_core__reap(&c), 0);
	ck_assert(!rt_core__reaping(&c));
	ck_assert_uint_eq(c.st.reaped, 100);
	ck_assert_uint_eq(rt_sim__count(be), 0);
	ck_assert_uint_eq(rt_core__reap_step(&c, 10), 0);
	stop();
}
END_TEST

/*
 * The loop with a fake ring buffer: each read hands over 'per_read' new
 * flows and advances the clock 1 ms. 'idle' flows installed before the
 * loop starts are idle by then, so the loop's first interval starts a
 * reap that takes many slices.
 */
struct fake_rb {
	uint32_t next, per_read, reads, reads_reaping, zero_waits;
	uint64_t slices_at_last_read;
	uint32_t max_slices_between_reads;
	uint32_t intervals;
	volatile sig_atomic_t stop;
};

static int fake_read(void *arg, int timeout_ms)
{
	struct fake_rb *rb = arg;
	uint64_t d = c.st.reap_slices - rb->slices_at_last_read;

	if (d > rb->max_slices_between_reads)
		rb->max_slices_between_reads = d;
	rb->slices_at_last_read = c.st.reap_slices;
	rb->reads++;
	if (rt_core__reaping(&c)) {
		rb->reads_reaping++;
		rb->zero_waits += timeout_ms == 0;
	}
	feed(rb->next, rb->per_read);
	rb->next += rb->per_read;
	rt_test_advance_ms(1);
	if (c.st.reaps)
		rb->stop = 1;
	return (int)rb->per_read;
}

static int fake_interval(void *arg)
{
	struct fake_rb *rb = arg;

	rb->intervals++;
	return 0;
}

static const struct rt_loop_ops fake_ops = {
	.read = fake_read,
	.interval = fake_interval,
};

static const struct loop_case {
	uint32_t idle, per_read, slice;
} loop_cases[] = {
	{ 5000, 3, 100 },
	{ 2000, 0, 1 },
	{ 20000, 40, 1024 },
};

START_TEST(loop_reads_between_slices)
{
	const struct loop_case *t = &loop_cases[_i];
	struct fake_rb rb = { .next = t->idle, .per_read = t->per_read };
	struct rt_loop l = {
		.core = &c,
		.ops = &fake_ops,
		.arg = &rb,
		.interval_ms = 1000000, /* one interval: one reap */
		.stop = &rb.stop,
	};

	start(200000, 0, t->slice);
	feed(0, t->idle);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	rt_test_advance_ms(11000);
	ck_assert_int_eq(rt_loop__run(&l), 0);
	ck_assert_uint_eq(rb.intervals, 1);
	ck_assert_uint_eq(c.st.reaps, 1);
	/* the reap took many slices, each one after a read that did not
	 * wait, and never two slices without a read between them */
	ck_assert_uint_ge(c.st.reap_slices, t->idle / t->slice);
	ck_assert_uint_eq(rb.reads_reaping, c.st.reap_slices);
	ck_assert_uint_eq(rb.zero_waits, rb.reads_reaping);
	ck_assert_uint_le(rb.max_slices_between_reads, 1);
	/* exactly the idle flows went; everything read meanwhile is
	 * installed (the last read's events too: flushed after it) */
	ck_assert_uint_eq(c.st.reaped, t->idle);
	ck_assert_uint_eq(c.st.installed, rb.next);
	ck_assert_uint_eq(c.t.lists[RT_FLOW_INSTALLED].n, rb.next - t->idle);
	for (uint32_t i = 0; i < t->idle; i++)
		ck_assert_ptr_null(flow(i));
	assert_device_matches_table();
	stop();
}
END_TEST

/* The stats tell the reaps, their slices and the ring buffer's size. */
START_TEST(stats_rows)
{
	struct rt_status st;
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	start(1000, 0, 10);
	feed(0, 50);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_int_eq(rt_core__reap(&c), 0);
	rt_core__status(&c, &st);
	st.rb_bytes = 262144; /* the agent's, from the program's map */
	ck_assert_int_eq(rt_stats__write_prom(&st, &c.lat, f), 0);
	fclose(f);
	ck_assert_ptr_nonnull(strstr(buf, "\nflowlift_agent_reaps_total 1\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nflowlift_agent_reap_slices_total "
					  "2\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nflowlift_agent_ringbuf_bytes "
					  "262144\n"));
	ck_assert_ptr_nonnull(strstr(buf, "\nflowlift_agent_ringbuf_drops_"
					  "total 0\n"));
	free(buf);
	stop();
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_reap");
	TCase *tc = tcase_create("reap");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, reap_in_slices, 0,
			    sizeof(reap_cases) / sizeof(reap_cases[0]));
	tcase_add_test(tc, walk_survives_growth);
	tcase_add_test(tc, whole_reap_restarts_sliced_one);
	tcase_add_test(tc, stats_rows);
	tcase_add_loop_test(tc, loop_reads_between_slices, 0,
			    sizeof(loop_cases) / sizeof(loop_cases[0]));
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
