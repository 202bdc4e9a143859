/* SPDX-License-Identifier: Apache-2.0 */
/*
 * rt_test.h - what the runtime's Check suites share: a fake clock and
 * events for numbered flows.
 */
#ifndef FLOWLIFT_RT_TEST_H
#define FLOWLIFT_RT_TEST_H

#include <arpa/inet.h>
#include <check.h>
#include <string.h>

#include "runtime/rt_internal.h"

static uint64_t rt_test_clock_us;

static inline uint64_t rt_test_now(void *arg)
{
	return rt_test_clock_us;
}

static inline void rt_test_advance_ms(uint64_t ms)
{
	rt_test_clock_us += ms * 1000;
}

/* Flow i: tcp 10.x.y.z:(1024 + i % 50000) -> 192.168.0.1:80 on dev 7
 * (IPv6 for odd i when v6 is set). */
static inline void rt_test_key(struct flowlift_flow_key *k, uint32_t i,
			       bool v6)
{
	memset(k, 0, sizeof(*k));
	k->ifindex = 7;
	k->hook = FLOWLIFT_HOOK_TC_INGRESS;
	k->proto = 6;
	k->sport = htons(1024 + i % 50000);
	k->dport = htons(80);
	if (v6 && (i & 1)) {
		k->family = 6;
		k->src[0] = 0xfd;
		memcpy(k->src + 12, &i, 4);
		k->dst[0] = 0xfd;
		k->dst[15] = 1;
	} else {
		uint32_t a = htonl(0x0a000000 | (i / 50000) << 8 | 1);

		k->family = 4;
		memcpy(k->src, &a, 4);
		k->dst[0] = 192;
		k->dst[1] = 168;
		k->dst[3] = 1;
	}
}

static inline void rt_test_event(struct flowlift_event *ev, uint32_t i,
				 uint8_t verdict)
{
	memset(ev, 0, sizeof(*ev));
	ev->version = FLOWLIFT_EVENT_VERSION;
	ev->size = sizeof(*ev);
	ev->verdict = verdict;
	if (verdict == FLOWLIFT_REDIRECT)
		ev->redirect_ifindex = 9;
	ev->timestamp_ns = rt_test_clock_us * 1000;
	rt_test_key(&ev->key, i, false);
}

struct rt_test_tally {
	struct rt_table *t;
	size_t n;
};

static inline int rt_test_device_cb(const struct rt_dumped *d, void *arg)
{
	struct rt_test_tally *tl = arg;
	struct rt_flow *f = rt_table__find(tl->t, &d->rule.key);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(f->state, RT_FLOW_INSTALLED);
	ck_assert_uint_eq(f->handle, d->rule.handle);
	ck_assert_uint_eq(f->verdict, d->rule.verdict);
	tl->n++;
	return 0;
}

/* The sim device holds exactly the INSTALLED flows of t (key, handle and
 * verdict), and nothing is in flight. */
static inline void rt_test_device_matches(struct rt_backend *be,
					  struct rt_table *t)
{
	struct rt_test_tally tl = { t, 0 };

	ck_assert_int_eq(rt_sim__foreach(be, rt_test_device_cb, &tl), 0);
	ck_assert_uint_eq(tl.n, t->lists[RT_FLOW_INSTALLED].n);
	ck_assert_uint_eq(t->lists[RT_FLOW_NEW].n, 0);
	ck_assert_uint_eq(t->lists[RT_FLOW_DELETING].n, 0);
}

#endif /* FLOWLIFT_RT_TEST_H */
