// SPDX-License-Identifier: Apache-2.0
/*
 * test_robust_agent.c - the agent's core under faults, on the sim device:
 *  - netlink failing mid-batch: the first k requests of a batch are
 *    applied, then the batch as a whole fails (a lost ack / ENOBUFS);
 *  - the device disappearing: every rule gone with it, every request and
 *    dump failing ENODEV, then a fresh device;
 *  - the ring buffer overflowing: a flood of events past max_flows, and
 *    garbage records.
 * After each, once the faults stop and one reap has run, the flow table
 * is true: every INSTALLED flow has its rule on the device, every rule of
 * the agent on the device is an INSTALLED flow (none lost, none leaked).
 *
 * The faults are a thin layer over the real sim backend (which has no
 * notion of a batch failing part-way or of its device vanishing); the
 * core, flow table and sim are the runtime's own.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "runtime/rt_internal.h"
#include "testsuite/fl_check.h"

static uint64_t clock_us = 1000000;

static uint64_t now(void *arg)
{
	return clock_us;
}

enum fault {
	F_NONE,
	F_MIDBATCH, /* apply 'k' requests, then fail the batch */
	F_GONE,     /* the device is gone: ENODEV */
};

struct flaky {
	struct rt_backend be; /* first */
	struct rt_backend *sim;
	enum fault fault;
	size_t k;
	uint64_t batches, failed_batches;
};

static struct flaky fl;
static struct rt_core c;

static int batch(struct rt_backend *be, struct rt_req *reqs, size_t n,
		 bool add)
{
	struct flaky *f = (struct flaky *)be;
	const struct rt_backend_ops *ops = f->sim->ops;
	size_t k = n;
	int ret;

	f->batches++;
	if (f->fault == F_GONE) {
		for (size_t i = 0; i < n; i++)
			reqs[i].err = -ENODEV;
		f->failed_batches++;
		return -ENODEV;
	}
	if (f->fault == F_MIDBATCH && n > 1)
		k = f->batches % n; /* vary where it breaks */
	ret = add ? ops->add(f->sim, reqs, k) : ops->del(f->sim, reqs, k);
	if (k == n)
		return ret;
	for (size_t i = 0; i < n; i++) {
		reqs[i].err = -ENOBUFS;
		strcpy(reqs[i].msg, "");
	}
	f->failed_batches++;
	return -ENOBUFS;
}

static int flaky_add(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	return batch(be, reqs, n, true);
}

static int flaky_del(struct rt_backend *be, struct rt_req *reqs, size_t n)
{
	return batch(be, reqs, n, false);
}

static int flaky_dump(struct rt_backend *be, rt_dump_fn cb, void *arg)
{
	struct flaky *f = (struct flaky *)be;

	if (f->fault == F_GONE)
		return -ENODEV;
	return f->sim->ops->dump(f->sim, cb, arg);
}

static const struct rt_backend_ops flaky_ops = {
	.name = "flaky",
	.add = flaky_add,
	.del = flaky_del,
	.dump = flaky_dump,
};

static void setup(void)
{
	struct rt_sim_opts so = { .seed = 11, .now_us = now };
	struct rt_core_opts co = {
		.idle_timeout_ms = 10000,
		.max_flows = 5000,
		.hw_lag_ms = 2000,
		.batch = 32,
		.now_us = now,
	};

	memset(&fl, 0, sizeof(fl));
	fl.be.ops = &flaky_ops;
	fl.sim = rt_backend_sim__new(&so);
	ck_assert_ptr_nonnull(fl.sim);
	ck_assert_int_eq(rt_core__init(&c, &co, &fl.be), 0);
}

static void teardown(void)
{
	rt_core__fini(&c);
	rt_backend__free(fl.sim);
}

static void event(uint32_t i, uint8_t verdict)
{
	struct flowlift_event ev = {
		.version = FLOWLIFT_EVENT_VERSION,
		.size = sizeof(ev),
		.verdict = verdict,
		.timestamp_ns = clock_us * 1000,
	};
	uint32_t a = htonl(0x0a000000 | i);

	ev.key.ifindex = 7;
	ev.key.hook = FLOWLIFT_HOOK_TC_INGRESS;
	ev.key.family = 4;
	ev.key.proto = 17;
	ev.key.sport = htons(1000 + i % 60000);
	ev.key.dport = htons(53);
	memcpy(ev.key.src, &a, 4);
	ev.key.dst[0] = 192;
	ev.key.dst[3] = 1;
	rt_core__event(&c, &ev);
}

struct seen {
	size_t n, untracked;
};

static int on_device(const struct rt_dumped *d, void *arg)
{
	struct seen *s = arg;
	struct rt_flow *f = rt_table__find(&c.t, &d->rule.key);

	s->n++;
	if (!f || f->state != RT_FLOW_INSTALLED)
		s->untracked++;
	return 0;
}

/* Faults off, one reap (dump: vanished rules, orphans) and flush: the
 * table and the device agree exactly. */
static void settle_and_check(void)
{
	struct seen s = { 0 };

	fl.fault = F_NONE;
	for (int round = 0; round < 4; round++) {
		clock_us += 1000000;
		ck_assert_int_eq(rt_core__reap(&c), 0);
	}
	ck_assert_int_eq(rt_sim__foreach(fl.sim, on_device, &s), 0);
	ck_assert_uint_eq(s.untracked, 0);
	ck_assert_uint_eq(s.n, c.t.lists[RT_FLOW_INSTALLED].n);
	ck_assert_uint_eq(c.t.lists[RT_FLOW_DELETING].n, 0);
	ck_assert_uint_eq(rt_sim__count(fl.sim), s.n);
}

START_TEST(midbatch_failures)
{
	fl.fault = F_MIDBATCH;
	for (uint32_t round = 0; round < 20; round++) {
		for (uint32_t i = 0; i < 300; i++)
			event(round * 150 + i, FLOWLIFT_DROP);
		rt_core__flush(&c);
		clock_us += 3000000; /* some go idle and get reaped */
		rt_core__reap(&c);
	}
	ck_assert_uint_gt(fl.failed_batches, 10);
	settle_and_check();
	ck_assert_uint_gt(c.t.lists[RT_FLOW_INSTALLED].n, 0);
	/* shutdown removes every rule, faults or not */
	fl.fault = F_MIDBATCH;
	rt_core__shutdown(&c, false);
	fl.fault = F_NONE;
	rt_core__shutdown(&c, false);
	ck_assert_uint_eq(rt_sim__count(fl.sim), 0);
}
END_TEST

struct rules {
	struct rt_req *q;
	size_t n;
};

static int collect(const struct rt_dumped *d, void *arg)
{
	struct rules *r = arg;

	r->q = realloc(r->q, (r->n + 1) * sizeof(*r->q));
	ck_assert_ptr_nonnull(r->q);
	memset(&r->q[r->n], 0, sizeof(*r->q));
	r->q[r->n++].rule = d->rule;
	return 0;
}

/* The device's rules go with it (the sim's own delete). */
static void device_gone(void)
{
	struct rules r = { 0 };

	ck_assert_int_eq(rt_sim__foreach(fl.sim, collect, &r), 0);
	ck_assert_int_eq(fl.sim->ops->del(fl.sim, r.q, r.n), 0);
	for (size_t i = 0; i < r.n; i++)
		ck_assert_int_eq(r.q[i].err, 0);
	free(r.q);
}

START_TEST(device_disappears)
{
	for (uint32_t i = 0; i < 1000; i++)
		event(i, FLOWLIFT_PASS);
	ck_assert_int_eq(rt_core__flush(&c), 0);
	ck_assert_uint_eq(rt_sim__count(fl.sim), 1000);
	/* the device goes: its rules with it; requests and dumps fail */
	device_gone();
	ck_assert_uint_eq(rt_sim__count(fl.sim), 0);
	fl.fault = F_GONE;
	for (uint32_t i = 1000; i < 1500; i++)
		event(i, FLOWLIFT_DROP);
	rt_core__flush(&c);
	ck_assert_int_eq(rt_core__reap(&c), -ENODEV);
	clock_us += 20000000;
	rt_core__reap(&c);
	/* a device of the same name comes back, empty */
	settle_and_check();
	ck_assert_uint_ge(c.st.vanished, 1000);
}
END_TEST

START_TEST(ring_buffer_flood)
{
	uint8_t junk[64];

	/* four times max_flows in one go, as a burst off a full ring */
	for (uint32_t i = 0; i < 20000; i++)
		event(i, FLOWLIFT_DROP);
	ck_assert_uint_le(c.t.count, 5000);
	ck_assert_uint_ge(c.st.dropped_full, 15000);
	/* records that are not events: refused, the table untouched */
	for (size_t n = 0; n <= sizeof(junk); n++) {
		struct flowlift_event ev;

		memset(junk, 0xa5, sizeof(junk));
		ck_assert_int_lt(rt_event__parse(junk, n, &ev), 0);
	}
	ck_assert_int_eq(rt_core__flush(&c), 0);
	settle_and_check();
	ck_assert_uint_eq(c.t.lists[RT_FLOW_INSTALLED].n, 5000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("robust_agent");
	TCase *tc = tcase_create("agent");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, midbatch_failures);
	tcase_add_test(tc, device_disappears);
	tcase_add_test(tc, ring_buffer_flood);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
