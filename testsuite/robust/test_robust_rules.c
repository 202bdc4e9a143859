// SPDX-License-Identifier: Apache-2.0
/*
 * test_robust_rules.c - rule files with a 1 MB line (IR text and tc -batch
 * flower text, as `flowlift diff` reads them): one clear error naming the
 * line, or the rule when the long line is a comment; and a netlink peer
 * that answers errors: 300 requests, every other one refused by the
 * kernel, each answered exactly once with its own error.
 */
#include <check.h>
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "backends/backends.h"
#include "backends/backends_internal.h"
#include "testsuite/fl_check.h"

#define MB (1u << 20)

static char err[1024];

/* text with a line of 1 MB of 'fill' placed between head and tail */
static char *long_line(const char *head, char fill, const char *tail)
{
	size_t h = strlen(head), t = strlen(tail);
	char *s = malloc(h + MB + t + 1);

	ck_assert_ptr_nonnull(s);
	memcpy(s, head, h);
	memset(s + h, fill, MB);
	memcpy(s + h + MB, tail, t + 1);
	return s;
}

static const struct {
	const char *head;
	char fill;
	const char *tail;
	int rules;         /* -1: refused */
	const char *msg;
} ir_cases[] = {
	{ "# flowlift-ir 1\nprio 1 any -> drop\n# note: ", 'x',
	  "\nprio 2 any -> pass\n", 2, NULL },
	{ "# flowlift-ir 1\nprio 1 l4.dport=", '9', " -> drop\n", -1,
	  "2:" },
	{ "# flowlift-ir 1\nprio 1 any -> drop ", ' ', "\n", 1, NULL },
	{ "# flowlift-ir 1\nprio 1 ", 'a', " -> drop\n", -1, "2:" },
	{ "", 'z', "\n", -1, "1:" },
};

START_TEST(ir_megabyte_line)
{
	char *text = long_line(ir_cases[_i].head, ir_cases[_i].fill,
			       ir_cases[_i].tail);
	struct ir_ruleset *rs;

	err[0] = 0;
	rs = ir_ruleset__parse_str(text, err, sizeof(err));
	free(text);
	if (ir_cases[_i].rules < 0) {
		ck_assert_ptr_null(rs);
		ck_assert_msg(!strncmp(err, ir_cases[_i].msg,
				       strlen(ir_cases[_i].msg)), "%s", err);
		ck_assert_uint_lt(strlen(err), 400);
	} else {
		ck_assert_msg(rs, "%s", err);
		ck_assert_uint_eq(ir_ruleset__count(rs),
				  (size_t)ir_cases[_i].rules);
		ir_ruleset__free(rs);
	}
}
END_TEST

static const struct {
	const char *head;
	char fill;
	const char *tail;
	int rules;
} flower_cases[] = {
	{ "filter add dev eth0 ingress protocol ip prio 1 flower "
	  "dst_port ", '1', " action drop\n", -1 },
	{ "filter add dev eth0 ingress protocol ip prio 1 flower ", ' ',
	  "ip_proto tcp action drop\n", 1 },
	{ "#", 'c', "\nfilter add dev eth0 ingress protocol ip prio 1 flower "
	  "ip_proto udp action drop\n", 1 },
	{ "", 'f', "\n", -1 },
};

START_TEST(flower_megabyte_line)
{
	const struct be_ops *be = be_find("flower");
	struct be_opts o = { .dev = "eth0" };
	char *text = long_line(flower_cases[_i].head, flower_cases[_i].fill,
			       flower_cases[_i].tail);
	struct ir_ruleset *rs;
	FILE *f = fmemopen(text, strlen(text), "r");

	err[0] = 0;
	rs = be->parse(f, &o, err, sizeof(err));
	fclose(f);
	free(text);
	if (flower_cases[_i].rules < 0) {
		ck_assert_ptr_null(rs);
		ck_assert_msg(err[0] && strlen(err) < 400, "%.400s", err);
	} else {
		ck_assert_msg(rs, "%.400s", err);
		ck_assert_uint_eq(ir_ruleset__count(rs),
				  (size_t)flower_cases[_i].rules);
		ir_ruleset__free(rs);
	}
}
END_TEST

#define N_REQS 300
#define BAD_IFINDEX 0x7ffff0

static int results[N_REQS], calls[N_REQS];

static void result(uint64_t tag, int e, const char *msg, void *arg)
{
	ck_assert_uint_lt(tag, N_REQS);
	calls[tag]++;
	results[tag] = e;
}

START_TEST(netlink_errors)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct be_nl *nl;
	int ret;

	ck_assert_msg(!unshare(CLONE_NEWNET), "unshare: %s", strerror(errno));
	nl = be_nl__open(err, sizeof(err));
	ck_assert_msg(nl, "%s", err);
	/* even: RTM_SETLINK on lo changing nothing (acked 0); odd: on a
	 * device that does not exist (ENODEV from the kernel) */
	for (int i = 0; i < N_REQS; i++) {
		memset(buf, 0, sizeof(buf));
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_SETLINK;
		ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
		ifi->ifi_index = i & 1 ? BAD_IFINDEX : 1;
		ck_assert_int_eq(be_nl__queue(nl, nlh, (uint64_t)i), 0);
	}
	ret = be_nl__flush(nl, result, NULL);
	ck_assert_int_eq(ret, -ENODEV);
	for (int i = 0; i < N_REQS; i++) {
		ck_assert_int_eq(calls[i], 1);
		ck_assert_int_eq(results[i], i & 1 ? -ENODEV : 0);
	}
	/* the socket is still usable after a failing batch */
	memset(calls, 0, sizeof(calls));
	ck_assert_int_eq(be_nl__queue(nl, nlh, 7), 0);
	ck_assert_int_eq(be_nl__flush(nl, result, NULL), -ENODEV);
	ck_assert_int_eq(calls[7], 1);
	be_nl__close(nl);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("robust_rules");
	TCase *tc = tcase_create("rules");

	tcase_set_timeout(tc, 300);
	tcase_add_loop_test(tc, ir_megabyte_line, 0,
			    sizeof(ir_cases) / sizeof(ir_cases[0]));
	tcase_add_loop_test(tc, flower_megabyte_line, 0,
			    sizeof(flower_cases) / sizeof(flower_cases[0]));
	if (geteuid() == 0)
		tcase_add_test(tc, netlink_errors);
	else /* the rest still runs; CI is root */
		fprintf(stderr, "netlink_errors skipped: needs root for a "
			"private netns\n");
	suite_add_tcase(s, tc);
	return fl_check_run(s);
}
