// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_flower_nl.c - flower netlink messages: every rule the flower
 * backend can express encodes and decodes back to the same rule, filter
 * fields (chain, prio, protocol, offload, cookie, direction) survive, the
 * attributes carry what tc sends (masks on exact addresses, none on exact
 * ports, ranges as PORT_*_MIN/MAX), and foreign filters are refused.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "backends/backends_internal.h"
#include "testsuite/fl_check.h"

static const struct be_ifname ifnames[] = {{3, "veth3"}, {12, "eth12"}};
static const struct be_opts opts = {
	.dev = "v0", .ifnames = ifnames, .n_ifnames = 2};

static const char *const rules[] = {
	"prio 1 eth.type=0x0800 ip.proto=6 ip.frag=0x0 ip4.dst=10.0.0.0/8 "
	"l4.dport=22 -> drop",
	"prio 2 eth.type=0x0800 ip.proto=17 l4.dport=80-90 l4.sport=53 -> pass",
	"prio 3 eth.type=0x0800 ip4.src=192.168.1.1 -> redirect(3,egress)",
	"prio 4 eth.type=0x8100 vlan.id=100 vlan.pcp=3 vlan.type=0x86dd "
	"vlan.count=1 ip.proto=58 ip6.dst=ff02::/16 icmp.type=135 -> "
	"redirect(12,ingress)",
	"prio 5 eth.type=0x8100 vlan.id=7 -> vlan_pop,redirect(12,ingress)",
	"prio 6 eth.type=0x86dd eth.src=02:00:00:00:00:00/ff:ff:ff:00:00:00 "
	"eth.dst=02:00:00:00:00:01 ip.proto=6 ip.tos=0x10/0xfc ip.ttl=1 "
	"tcp.flags=0x2/0x12 ip6.src=fd00::1 -> drop",
	"prio 7 eth.type=0x0800 ip.proto=1 ip.frag=0x1/0x1 icmp.type=8 "
	"icmp.code=0/0xf0 -> slowpath",
	"prio 8 eth.type=0x0800 ip.proto=132 l4.sport=1024/0xfc00 -> "
	"vlan_push(10,2,0x88a8),pass",
	"prio 9 meta.ifindex=3 eth.type=0x0806 -> drop",
	"prio 10 any -> slowpath",
	"prio 11 eth.type=0x8100 vlan.id=5 -> set(vlan.id=9),pass",
	/* protocol all, tagged: vlan keys under num_of_vlans */
	"prio 14 vlan.id=100 vlan.type=0x0800 vlan.count=1 ip.proto=6 "
	"l4.dport=80 -> drop",
	"prio 15 vlan.count=0 -> pass",
};

static void rule_of(const char *text, struct ir_rule *r)
{
	char buf[1024], err[256] = "";
	struct ir_ruleset *rs;

	snprintf(buf, sizeof(buf), "# flowlift-ir 1\n%s\n", text);
	rs = ir_ruleset__parse_str(buf, err, sizeof(err));
	ck_assert_msg(rs, "%s: %s", text, err);
	ck_assert_int_eq(ir_rule__copy(r, ir_ruleset__rule_c(rs, 0)), 0);
	ir_ruleset__free(rs);
}

static const enum be_offload offloads[] = {BE_OFFLOAD_HW, BE_OFFLOAD_SW,
					   BE_OFFLOAD_BOTH};

START_TEST(test_round_trip)
{
	for (size_t k = 0; k < 3; k++) {
		struct be_opts o = opts;
		struct be_flower_filter f, g;
		struct ir_rule r;
		char buf[4096], a[1024], b[1024], err[256] = "";
		struct nlmsghdr *nlh;

		ir_rule__init(&r);
		rule_of(rules[_i], &r);
		o.offload = offloads[k];
		o.chain = k * 7;
		o.egress = k == 1;
		ck_assert_int_eq(be_flower_filter_from_rule(&f, &r, &o, err,
							    sizeof(err)),
				 0);
		f.ifindex = 44;
		memcpy(f.cookie, "flowlift\x01", 9);
		f.cookie_len = 9;
		nlh = be_flower_nl__encode(buf, sizeof(buf), RTM_NEWTFILTER,
					   NLM_F_CREATE | NLM_F_EXCL, &f, &o,
					   err, sizeof(err));
		ck_assert_msg(nlh, "%s: %s", rules[_i], err);
		ck_assert_int_eq(
			be_flower_nl__decode(nlh, &o, &g, err, sizeof(err)), 0);
		ir_rule__snprint(&r, a, sizeof(a), false);
		ir_rule__snprint(&g.rule, b, sizeof(b), false);
		ck_assert_str_eq(b, a);
		ck_assert_uint_eq(g.prio, f.prio);
		ck_assert_uint_eq(g.chain, f.chain);
		ck_assert_uint_eq(g.protocol, f.protocol);
		ck_assert_uint_eq(g.ifindex, 44);
		ck_assert_int_eq(g.egress, f.egress);
		ck_assert_int_eq(g.offload, f.offload);
		ck_assert_uint_eq(g.cookie_len, 9);
		ck_assert_mem_eq(g.cookie, "flowlift\x01", 9);
		ir_rule__fini(&r);
	}
}
END_TEST

/* Find attribute 'type' inside TCA_OPTIONS. */
static const struct nlattr *opt_attr(const struct nlmsghdr *nlh, uint16_t type)
{
	const struct nlattr *a, *o;

	mnl_attr_for_each(a, nlh, sizeof(struct tcmsg))
	{
		if (mnl_attr_get_type(a) != TCA_OPTIONS)
			continue;
		mnl_attr_for_each_nested(o, a) if (mnl_attr_get_type(o) ==
						   type) return o;
	}
	return NULL;
}

START_TEST(test_attrs_like_tc)
{
	struct be_flower_filter f;
	struct ir_rule r;
	char buf[4096], err[256];
	struct nlmsghdr *nlh;
	const struct tcmsg *tcm;
	const struct nlattr *a;

	ir_rule__init(&r);
	rule_of(rules[1], &r);
	ck_assert_int_eq(
		be_flower_filter_from_rule(&f, &r, &opts, err, sizeof(err)), 0);
	f.ifindex = 3;
	nlh = be_flower_nl__encode(buf, sizeof(buf), RTM_NEWTFILTER,
				   NLM_F_CREATE | NLM_F_EXCL, &f, &opts, err,
				   sizeof(err));
	ck_assert_ptr_nonnull(nlh);
	tcm = mnl_nlmsg_get_payload(nlh);
	ck_assert_uint_eq(tcm->tcm_info, 0x20008); /* prio 2, htons(ip) */
	ck_assert_uint_eq(tcm->tcm_parent, 0xfffffff2);
	/* exact port: key only; range: min/max */
	ck_assert_ptr_nonnull(opt_attr(nlh, TCA_FLOWER_KEY_UDP_SRC));
	ck_assert_ptr_null(opt_attr(nlh, TCA_FLOWER_KEY_UDP_SRC_MASK));
	a = opt_attr(nlh, TCA_FLOWER_KEY_PORT_DST_MIN);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(a)), 80);
	a = opt_attr(nlh, TCA_FLOWER_KEY_PORT_DST_MAX);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(a)), 90);
	a = opt_attr(nlh, TCA_FLOWER_FLAGS);
	ck_assert_uint_eq(mnl_attr_get_u32(a), TCA_CLS_FLAGS_SKIP_SW);
	a = opt_attr(nlh, TCA_FLOWER_KEY_ETH_TYPE);
	ck_assert_uint_eq(ntohs(mnl_attr_get_u16(a)), 0x0800);
	ir_rule__fini(&r);
}
END_TEST

START_TEST(test_describe)
{
	struct be_flower_filter f;
	struct ir_rule r;
	char buf[4096], err[256], *text = NULL;
	size_t len = 0;
	struct nlmsghdr *nlh;
	FILE *out;

	ir_rule__init(&r);
	rule_of(rules[0], &r);
	ck_assert_int_eq(
		be_flower_filter_from_rule(&f, &r, &opts, err, sizeof(err)), 0);
	nlh = be_flower_nl__encode(buf, sizeof(buf), RTM_NEWTFILTER,
				   NLM_F_CREATE | NLM_F_EXCL, &f, &opts, err,
				   sizeof(err));
	out = open_memstream(&text, &len);
	be_flower_nl__describe(nlh, &opts, out);
	fclose(out);
	ck_assert_ptr_nonnull(strstr(text, "RTM_NEWTFILTER"));
	ck_assert_ptr_nonnull(strstr(text, "prio 1 protocol 0x0800"));
	ck_assert_ptr_nonnull(strstr(text, "rule: prio 1 eth.type=0x0800"));
	ck_assert_ptr_nonnull(strstr(text, "TCA_FLOWER_KEY_IPV4_DST (12) len 4 "
					   "0a000000"));
	ck_assert_ptr_nonnull(strstr(text, "TCA_FLOWER_KEY_IPV4_DST_MASK (13) "
					   "len 4 ff000000"));
	ck_assert_ptr_nonnull(strstr(text, "TCA_FLOWER_KEY_TCP_DST (19) len 2 "
					   "0016"));
	free(text);
	ir_rule__fini(&r);
}
END_TEST

START_TEST(test_refuse_foreign)
{
	char buf[4096], err[256] = "";
	struct be_flower_filter f;
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;
	struct nlattr *o;

	nlh->nlmsg_type = RTM_NEWTFILTER;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_info = TC_H_MAKE(1 << 16, htons(0x0800));
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	ck_assert_int_eq(be_flower_nl__decode(nlh, &opts, &f, err, sizeof(err)),
			 -ENOENT);
	/* a flower key flowlift does not model: enc_key_id */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWTFILTER;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_info = TC_H_MAKE(1 << 16, htons(0x0800));
	mnl_attr_put_strz(nlh, TCA_KIND, "flower");
	o = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_FLOWER_KEY_ENC_KEY_ID, htonl(5));
	mnl_attr_nest_end(nlh, o);
	ck_assert_int_eq(be_flower_nl__decode(nlh, &opts, &f, err, sizeof(err)),
			 -EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(err, "not modelled"));
}
END_TEST

START_TEST(test_encode_errors)
{
	struct be_flower_filter f;
	struct ir_rule r;
	char buf[4096], err[256] = "";

	ir_rule__init(&r);
	rule_of("prio 1 eth.type=0x0800 ip4.ihl=5 -> drop", &r);
	ck_assert_int_eq(
		be_flower_filter_from_rule(&f, &r, &opts, err, sizeof(err)), 0);
	ck_assert_ptr_null(be_flower_nl__encode(buf, sizeof(buf),
						RTM_NEWTFILTER, 0, &f, &opts,
						err, sizeof(err)));
	ck_assert_int_eq(errno, EOPNOTSUPP);
	ck_assert_ptr_nonnull(strstr(err, "ip4.ihl"));
	ck_assert_ptr_null(be_flower_nl__encode(buf, 100, RTM_NEWTFILTER, 0, &f,
						&opts, err, sizeof(err)));
	ir_rule__fini(&r);
	/* keys the kernel would ignore under this protocol: refused */
	ir_rule__init(&r);
	rule_of("prio 1 eth.type=0x0806 ip.proto=6 -> drop", &r);
	ck_assert_int_eq(be_flower_filter_from_rule(&f, &r, &opts, err,
						    sizeof(err)),
			 0);
	ck_assert_ptr_null(be_flower_nl__encode(buf, sizeof(buf),
						RTM_NEWTFILTER, 0, &f, &opts,
						err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "needs protocol ip"));
	ir_rule__fini(&r);
	ir_rule__init(&r);
	rule_of("prio 1 vlan.id=5 -> drop", &r);
	ck_assert_int_eq(be_flower_filter_from_rule(&f, &r, &opts, err,
						    sizeof(err)),
			 0);
	ck_assert_ptr_null(be_flower_nl__encode(buf, sizeof(buf),
						RTM_NEWTFILTER, 0, &f, &opts,
						err, sizeof(err)));
	ck_assert_ptr_nonnull(strstr(err, "num_of_vlans"));
	ir_rule__fini(&r);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("be_flower_nl");
	TCase *tc = tcase_create("nl");

	tcase_add_loop_test(tc, test_round_trip, 0,
			    sizeof(rules) / sizeof(rules[0]));
	tcase_add_test(tc, test_attrs_like_tc);
	tcase_add_test(tc, test_describe);
	tcase_add_test(tc, test_refuse_foreign);
	tcase_add_test(tc, test_encode_errors);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
