// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_nl_batch.c - be_nl batches: thousands of flower adds go out in
 * chunks, and every request gets its own result back, matched by tag, with
 * the kernel's extended-ack text (on this host, where cls_flower is
 * missing, each is "TC classifier not found"); a request for a missing
 * device gets its own error in the same batch. Root, else 77.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_internal.h"
#include "netns.h"
#include "testsuite/fl_check.h"

#define N 3000

struct seen {
	int n, n_enoent, n_enodev, bad_tag;
	char first_msg[256];
	unsigned char got[N + 1];
};

static void on_result(uint64_t tag, int err, const char *msg, void *arg)
{
	struct seen *s = arg;

	if (tag > N || s->got[tag]++) {
		s->bad_tag++;
		return;
	}
	s->n++;
	if (err == -ENOENT && !strcmp(msg, "TC classifier not found"))
		s->n_enoent++;
	if (err == -ENODEV)
		s->n_enodev++;
	if (!s->first_msg[0])
		snprintf(s->first_msg, sizeof(s->first_msg), "%d %s", err, msg);
}

START_TEST(test_batch_results)
{
	static struct seen s;
	struct be_flower_filter f;
	struct be_opts o = {.dev = "v0", .offload = BE_OFFLOAD_SW};
	struct ir_ruleset *rs;
	char err[256];
	struct be_nl *nl = be_nl__open(err, sizeof(err));
	int ret;

	ck_assert_msg(nl, "%s", err);
	rs = ir_ruleset__parse_str("# flowlift-ir 1\nprio 1 eth.type=0x0800 "
				   "ip.proto=6 ip4.src=10.0.0.0/8 "
				   "l4.dport=80 -> drop\n",
				   err, sizeof(err));
	ck_assert_ptr_nonnull(rs);
	ck_assert_int_eq(be_flower_filter_from_rule(&f,
						    ir_ruleset__rule_c(rs, 0),
						    &o, err, sizeof(err)),
			 0);
	for (int i = 0; i < N; i++) {
		f.ifindex = if_nametoindex("v0");
		f.prio = 1 + i % 1000;
		f.cookie_len = 8;
		memcpy(f.cookie, "flowlift", 8);
		ck_assert_int_eq(be_flower_nl__add(nl, &f, i), 0);
	}
	f.ifindex = 9999; /* no such device */
	ck_assert_int_eq(be_flower_nl__add(nl, &f, N), 0);
	ret = be_nl__flush(nl, on_result, &s);
	ck_assert_int_lt(ret, 0);
	ck_assert_int_eq(s.bad_tag, 0);
	ck_assert_msg(s.n == N + 1, "%d results, flush: %d", s.n, ret);
	ck_assert_msg(s.n_enoent == N, "%d of %d: first '%s'", s.n_enoent, N,
		      s.first_msg);
	ck_assert_int_eq(s.n_enodev, 1);
	/* the socket is reusable after a flush */
	memset(&s, 0, sizeof(s));
	f.ifindex = if_nametoindex("v0");
	ck_assert_int_eq(be_flower_nl__add(nl, &f, 7), 0);
	be_nl__flush(nl, on_result, &s);
	ck_assert_int_eq(s.n, 1);
	ck_assert_int_eq(s.got[7], 1);
	be_nl__close(nl);
	ir_ruleset__free(rs);
}
END_TEST

int main(void)
{
	static const char *const tools[] = {"tc", "ip", NULL};
	Suite *s = suite_create("be_nl_batch");
	TCase *tc = tcase_create("batch");
	SRunner *sr;
	int failed;

	tn_require(tools);
	tn_unshare("ip link add v0 type veth peer name v1 && "
		   "tc qdisc add dev v0 clsact");
	tcase_add_test(tc, test_batch_results);
	tcase_set_timeout(tc, 120);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_NOFORK);
	failed = fl_check_runner(sr) != EXIT_SUCCESS;
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
