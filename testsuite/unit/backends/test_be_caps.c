// SPDX-License-Identifier: Apache-2.0
/*
 * test_be_caps.c - each backend's capabilities say what its printer does:
 * for every field a backend claims, a rule matching it (in the claimed
 * kinds) prints; for every field it does not claim, printing fails with
 * -EOPNOTSUPP rather than emitting something wrong.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "backends/backends_internal.h"
#include "testsuite/fl_check.h"

static const struct {
	const char *name;
	enum ir_dissector dis;
	bool ihl, len, nexthdr, num_vlans, ifindex;
} expect[] = {
	{"flower", IR_DIS_FLOWER, false, false, false, true, true},
	{"nft", IR_DIS_NFT, true, true, true, false, true},
	{"rteflow", IR_DIS_RTEFLOW, true, false, true, false, false},
};

START_TEST(test_caps_table)
{
	const struct be_ops *be = be_find(expect[_i].name);
	const struct ir_caps *c;

	ck_assert_ptr_nonnull(be);
	c = be->caps;
	ck_assert_str_eq(c->name, expect[_i].name);
	ck_assert_int_eq(c->dissector, expect[_i].dis);
	ck_assert_int_eq(!!c->field_match[IR_F_IP4_IHL], expect[_i].ihl);
	ck_assert_int_eq(!!c->field_match[IR_F_META_LEN], expect[_i].len);
	ck_assert_int_eq(!!c->field_match[IR_F_IP6_NEXTHDR],
			 expect[_i].nexthdr);
	ck_assert_int_eq(!!c->field_match[IR_F_NUM_VLANS],
			 expect[_i].num_vlans);
	ck_assert_int_eq(!!c->field_match[IR_F_META_IFINDEX],
			 expect[_i].ifindex);
	ck_assert(c->l4_needs_proto);
	ck_assert(c->l3_needs_ethtype);
	ck_assert(c->prio_min <= c->prio_max);
	ck_assert(c->verdicts & (1u << IR_ACT_DROP));
	ck_assert(c->verdicts & (1u << IR_ACT_SLOWPATH));
	/* ports range everywhere */
	ck_assert(c->field_match[IR_F_L4_DPORT] & IR_CAP_RANGE);
	ck_assert(c->field_match[IR_F_IP4_SRC] & IR_CAP_PREFIX);
}
END_TEST

START_TEST(test_flower_specifics)
{
	const struct ir_caps *c = be_find("flower")->caps;

	ck_assert_int_eq(c->field_match[IR_F_IP_PROTO], IR_CAP_EXACT);
	ck_assert(!(c->field_match[IR_F_IP4_SRC] & IR_CAP_MASK));
	ck_assert(c->field_match[IR_F_ETH_SRC] & IR_CAP_MASK);
	ck_assert(!c->field_match[IR_F_META_MARK]);
	ck_assert_uint_eq(c->prio_min, 1);
	ck_assert(c->prio_max <= 65535);
	ck_assert(c->rewrites);
	ck_assert_ptr_null(be_find("nope"));
	ck_assert(!(be_find("rteflow")->caps->verdicts &
		    (1u << IR_ACT_REDIRECT)));
}
END_TEST

/* One rule per field, minimal context (eth.type, ip.proto) around it. */
static const char *const field_rule[IR_F__COUNT] = {
	[IR_F_META_IFINDEX] = "meta.ifindex=1",
	[IR_F_ETH_DST] = "eth.dst=02:00:00:00:00:01",
	[IR_F_ETH_SRC] = "eth.src=02:00:00:00:00:01",
	[IR_F_ETH_TYPE] = "eth.type=0x0800",
	[IR_F_VLAN_ID] = "eth.type=0x8100 vlan.id=5",
	[IR_F_VLAN_PCP] = "eth.type=0x8100 vlan.pcp=5",
	[IR_F_VLAN_TYPE] = "eth.type=0x8100 vlan.type=0x0800",
	[IR_F_NUM_VLANS] = "eth.type=0x8100 vlan.count=1",
	[IR_F_IP_PROTO] = "eth.type=0x0800 ip.proto=6",
	[IR_F_IP_TOS] = "eth.type=0x0800 ip.tos=0x10",
	[IR_F_IP_TTL] = "eth.type=0x0800 ip.ttl=1",
	[IR_F_IP_FRAG] = "eth.type=0x0800 ip.frag=0x0",
	[IR_F_IP4_IHL] = "eth.type=0x0800 ip4.ihl=5",
	[IR_F_IP4_SRC] = "eth.type=0x0800 ip4.src=10.0.0.1",
	[IR_F_IP4_DST] = "eth.type=0x0800 ip4.dst=10.0.0.1",
	[IR_F_IP6_SRC] = "eth.type=0x86dd ip6.src=fd00::1",
	[IR_F_IP6_DST] = "eth.type=0x86dd ip6.dst=fd00::1",
	[IR_F_IP6_NEXTHDR] = "eth.type=0x86dd ip6.nexthdr=6",
	[IR_F_L4_SPORT] = "eth.type=0x0800 ip.proto=6 l4.sport=1",
	[IR_F_L4_DPORT] = "eth.type=0x0800 ip.proto=17 l4.dport=1-9",
	[IR_F_TCP_FLAGS] = "eth.type=0x0800 ip.proto=6 tcp.flags=0x2/0x12",
	[IR_F_ICMP_TYPE] = "eth.type=0x0800 ip.proto=1 icmp.type=8",
	[IR_F_ICMP_CODE] = "eth.type=0x86dd ip.proto=58 icmp.code=0",
	[IR_F_META_MARK] = "meta.mark=0x5",
	[IR_F_META_LEN] = "eth.type=0x0800 meta.len=60-1500",
};

START_TEST(test_caps_match_printers)
{
	static const char *const names[] = {"flower", "nft", "rteflow"};
	struct be_ifname ifn = {1, "lo"};
	struct be_opts o = {.dev = "v0", .ifnames = &ifn, .n_ifnames = 1};

	for (size_t b = 0; b < 3; b++) {
		const struct be_ops *be = be_find(names[b]);

		for (int f = 0; f < IR_F__COUNT; f++) {
			char text[256], err[256] = "";
			struct ir_ruleset *rs;
			char *buf = NULL;
			size_t len = 0;
			FILE *out;
			int ret;

			snprintf(text, sizeof(text),
				 "# flowlift-ir 1\nprio 1 %s -> drop\n",
				 field_rule[f]);
			rs = ir_ruleset__parse_str(text, err, sizeof(err));
			ck_assert_msg(rs, "%s: %s", text, err);
			out = open_memstream(&buf, &len);
			ret = be->print(rs, &o, out, err, sizeof(err));
			fclose(out);
			if (be->caps->field_match[f])
				ck_assert_msg(!ret, "%s claims %s but: %s",
					      names[b], ir_field__get(f)->name,
					      err);
			else
				ck_assert_msg(ret == -EOPNOTSUPP,
					      "%s printed %s: %s", names[b],
					      ir_field__get(f)->name, buf);
			free(buf);
			ir_ruleset__free(rs);
		}
	}
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("be_caps");
	TCase *tc = tcase_create("caps");

	tcase_add_loop_test(tc, test_caps_table, 0,
			    sizeof(expect) / sizeof(expect[0]));
	tcase_add_test(tc, test_flower_specifics);
	tcase_add_test(tc, test_caps_match_printers);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
