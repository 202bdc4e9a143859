// SPDX-License-Identifier: Apache-2.0
/*
 * test_rt_nft.c - the nft backend against this kernel's nftables, in a
 * network namespace of its own (root; exit 77 otherwise): per-request
 * results of a batch, dump back into flows, handles, foreign rules in the
 * table, the table deleted behind the backend's back, cleanup on free.
 */
#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <net/if.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nftables/libnftables.h>

#include "common/common.h"
#include "runtime/rt_internal.h"
#include "testsuite/fl_check.h"

#define TABLE "flowlift_agent_0000abcd"

static struct rt_backend *be;

/* Run an nft command as another process would; 0 on success. */
static int nft(const char *cmd)
{
	struct nft_ctx *c = nft_ctx_new(NFT_CTX_DEFAULT);
	int ret;

	nft_ctx_buffer_output(c);
	nft_ctx_buffer_error(c);
	ret = nft_run_cmd_from_buffer(c, cmd);
	nft_ctx_free(c);
	return ret;
}

static void setup(void)
{
	struct rt_nft_opts o = { .dev = "lo", .instance = 0xabcd };
	char err[256] = "";

	be = rt_backend_nft__new(&o, err, sizeof(err));
	ck_assert_msg(be, "%s", err);
}

static void teardown(void)
{
	rt_backend__free(be);
	ck_assert_int_ne(nft("list table netdev " TABLE), 0);
}

static void rule(struct rt_rule *r, uint16_t sport, uint8_t verdict)
{
	memset(r, 0, sizeof(*r));
	r->key.ifindex = if_nametoindex("lo");
	r->key.hook = FLOWLIFT_HOOK_TC_INGRESS;
	r->key.family = 4;
	r->key.proto = IPPROTO_UDP;
	r->key.sport = htons(sport);
	r->key.dport = htons(53);
	memcpy(r->key.src, "\x0a\x00\x00\x01", 4);
	memcpy(r->key.dst, "\x0a\x00\x00\x02", 4);
	r->verdict = verdict;
	r->handle = sport;
}

struct seen {
	size_t n, unparsed;
	struct rt_dumped d[8];
};

static int collect(const struct rt_dumped *d, void *arg)
{
	struct seen *s = arg;

	if (s->n < 8)
		s->d[s->n] = *d;
	s->n++;
	s->unparsed += !d->parsed;
	return 0;
}

START_TEST(batch_results)
{
	/* table-driven: each request and the result it must get */
	static const struct {
		uint16_t sport;
		uint8_t verdict;
		int mangle; /* 1 VLAN, 2 other device, 3 egress, 4 bad target,
			     * 5 IPv6, 6 redirect to lo, 7 to lo's ingress */
		int err;
	} t[] = {
		{ 1000, FLOWLIFT_PASS, 0, 0 },
		{ 1001, FLOWLIFT_DROP, 0, 0 },
		{ 1002, FLOWLIFT_PASS, 1, -EOPNOTSUPP },
		{ 1003, FLOWLIFT_PASS, 2, -EXDEV },
		{ 1004, FLOWLIFT_DROP, 3, -EXDEV },
		{ 1005, FLOWLIFT_REDIRECT, 4, -ENODEV },
		{ 1006, FLOWLIFT_DROP, 5, 0 },
		{ 1007, FLOWLIFT_REDIRECT, 6, 0 },
		{ 1008, FLOWLIFT_TX, 0, 0 },
		{ 1009, FLOWLIFT_REDIRECT, 7, -EOPNOTSUPP },
	};
	struct rt_req q[FL_ARRAY_SIZE(t)];
	struct seen s = { 0 };
	size_t n_ok = 0;

	for (size_t i = 0; i < FL_ARRAY_SIZE(t); i++) {
		struct rt_rule *r = &q[i].rule;

		rule(r, t[i].sport, t[i].verdict);
		if (t[i].mangle == 1) {
			r->key.flags = FLOWLIFT_KEY_VLAN;
			r->key.vlan_id = 5;
		}
		r->key.ifindex += t[i].mangle == 2;
		if (t[i].mangle == 3)
			r->key.hook = FLOWLIFT_HOOK_TC_EGRESS;
		if (t[i].mangle == 4)
			r->redirect_ifindex = 0x7fffffff;
		if (t[i].mangle == 5) {
			r->key.family = 6;
			inet_pton(AF_INET6, "fd00::1", r->key.src);
			inet_pton(AF_INET6, "fd00::2", r->key.dst);
		}
		if (t[i].mangle == 6 || t[i].mangle == 7)
			r->redirect_ifindex = if_nametoindex("lo");
		if (t[i].mangle == 7)
			r->flags = FLOWLIFT_REDIRECT_INGRESS;
		n_ok += !t[i].err;
	}
	ck_assert_int_eq(be->ops->add(be, q, FL_ARRAY_SIZE(t)), 0);
	for (size_t i = 0; i < FL_ARRAY_SIZE(t); i++)
		ck_assert_msg(q[i].err == t[i].err, "req %zu: %d (%s), want %d",
			      i, q[i].err, q[i].msg, t[i].err);

	/* the dump reads every installed rule back into its flow */
	ck_assert_int_eq(be->ops->dump(be, collect, &s), 0);
	ck_assert_uint_eq(s.n, n_ok);
	ck_assert_uint_eq(s.unparsed, 0);
	for (size_t i = 0; i < s.n; i++) {
		const struct rt_rule *want = NULL;

		for (size_t j = 0; j < FL_ARRAY_SIZE(t); j++)
			if (q[j].rule.handle == s.d[i].rule.handle)
				want = &q[j].rule;
		ck_assert_ptr_nonnull(want);
		ck_assert_mem_eq(&s.d[i].rule, want, sizeof(*want));
		ck_assert_uint_eq(s.d[i].packets, 0);
	}

	/* delete: one known, one never installed */
	ck_assert_int_eq(be->ops->del(be, q, 3), 0);
	ck_assert_int_eq(q[0].err, 0);
	ck_assert_int_eq(q[1].err, 0);
	ck_assert_int_eq(q[2].err, -EAGAIN);
	s.n = 0;
	ck_assert_int_eq(be->ops->dump(be, collect, &s), 0);
	ck_assert_uint_eq(s.n, n_ok - 2);
}
END_TEST

START_TEST(foreign_and_gone)
{
	struct rt_req q[1], q2[2];
	struct seen s = { 0 };

	/* a rule in the table that is not one of ours: unparsed, deletable */
	ck_assert_int_eq(nft("add rule netdev " TABLE " ingress ip saddr "
			     "10.1.1.1 counter drop"), 0);
	ck_assert_int_eq(be->ops->dump(be, collect, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert_uint_eq(s.unparsed, 1);
	q[0].rule = s.d[0].rule;
	ck_assert_int_eq(be->ops->del(be, q, 1), 0);
	ck_assert_int_eq(q[0].err, 0);

	/* the table deleted behind the backend's back: an empty dump, and
	 * the next add puts table, chain and rule back */
	ck_assert_int_eq(nft("delete table netdev " TABLE), 0);
	s.n = 0;
	ck_assert_int_eq(be->ops->dump(be, collect, &s), 0);
	ck_assert_uint_eq(s.n, 0);
	rule(&q[0].rule, 2000, FLOWLIFT_DROP);
	ck_assert_int_eq(be->ops->add(be, q, 1), 0);
	ck_assert_int_eq(q[0].err, 0);
	ck_assert_int_eq(be->ops->dump(be, collect, &s), 0);
	ck_assert_uint_eq(s.n, 1);
	ck_assert(s.d[0].parsed);

	/* a rule deleted behind the backend's back: ENOENT for its delete,
	 * and the batch it failed does not fail its neighbour */
	ck_assert_int_eq(nft("flush chain netdev " TABLE " ingress"), 0);
	rule(&q2[1].rule, 2001, FLOWLIFT_PASS);
	ck_assert_int_eq(be->ops->add(be, &q2[1], 1), 0);
	ck_assert_int_eq(q2[1].err, 0);
	q2[0] = q[0];
	ck_assert_int_eq(be->ops->del(be, q2, 2), 0);
	ck_assert_int_eq(q2[0].err, -ENOENT);
	ck_assert_ptr_nonnull(strstr(q2[0].msg, "No such file"));
	ck_assert_int_eq(q2[1].err, 0);
	s.n = 0;
	ck_assert_int_eq(be->ops->dump(be, collect, &s), 0);
	ck_assert_uint_eq(s.n, 0);
}
END_TEST

START_TEST(bad_opts)
{
	struct rt_nft_opts o = { .dev = "nosuch0" };
	char err[256] = "";

	ck_assert_ptr_null(rt_backend_nft__new(NULL, err, sizeof(err)));
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_ptr_null(rt_backend_nft__new(&o, err, sizeof(err)));
	ck_assert_int_eq(errno, ENODEV);
	ck_assert_ptr_nonnull(strstr(err, "nosuch0"));
}
END_TEST

int main(void)
{
	Suite *s = suite_create("rt_nft");
	TCase *tc = tcase_create("nft");

	if (geteuid() != 0 || unshare(CLONE_NEWNET)) {
		printf("SKIP: needs root and a network namespace\n");
		return 77;
	}
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, batch_results);
	tcase_add_test(tc, foreign_and_gone);
	suite_add_tcase(s, tc);
	tc = tcase_create("opts");
	tcase_add_test(tc, bad_opts);
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
