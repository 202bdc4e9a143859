// SPDX-License-Identifier: Apache-2.0
/*
 * test_ir_text.c - the text form: print -> parse -> print is the identity
 * on a handwritten corpus and on the sample files beside this test, parse
 * errors name line, column and cause, and the consistency check rejects
 * each kind of broken rule set.
 */
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ir/ir.h"
#include "testsuite/fl_check.h"

static char *print_str(const struct ir_ruleset *rs)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	ck_assert_ptr_nonnull(f);
	ck_assert_int_eq(ir_ruleset__print(rs, f), 0);
	fclose(f);
	return buf;
}

static const char *const corpus[] = {
	"# flowlift-ir 1\n"
	"# assume: none\n",

	"# flowlift-ir 1\n"
	"# program: fw\n"
	"# tag: 0123456789abcdef\n"
	"# hook: tc-ingress\n"
	"# assume: no-ip-options\n"
	"# note: first\n"
	"# note: second\n"
	"# empty:\n"
	"prio 10 eth.type=0x0800 ip4.src=10.0.0.0/8 l4.dport=80-90 -> drop "
	"@path=3 @insns=0-14,22-30 @map=allow:0a000000/8\n"
	"prio 10 any -> pass @path=4 @insns=0-3,tcp_part:0-5,9,udp_part:2\n"
	"prio 20 any -> slowpath\n",

	"# flowlift-ir 1\n"
	"# assume: no-ip-options well-formed\n"
	"prio 0 meta.ifindex=4 eth.dst=02:00:00:00:00:01 "
	"eth.src=02:00:00:00:00:00/ff:00:ff:00:00:00 eth.type=0x8100 "
	"vlan.id=100 vlan.pcp=3 vlan.type=0x86dd vlan.count=1 ip.proto=6 "
	"ip.tos=0x10/6 ip.ttl=64 ip.frag=0x0 ip6.src=fd00::/64 "
	"ip6.dst=fd00::1 ip6.nexthdr=6 l4.sport=1024-65535 l4.dport=443 "
	"tcp.flags=0x002/0x012 meta.mark=0x0000002a meta.len=54-65535 "
	"-> redirect(7,ingress) @path=0 @insns=5\n"
	"prio 1 eth.type=0x0800 ip.proto=1 ip.frag=0x1/0x1 ip4.ihl=5 "
	"ip4.src=192.168.0.1 ip4.dst=10.0.0.0/255.0.255.0 icmp.type=8 "
	"icmp.code=0 -> tx\n"
	"prio 2 l4.dport=80/0x00f0 -> vlan_push(100,0,0x8100),drop\n"
	"prio 3 vlan.id=5 -> vlan_pop,set(eth.dst=02:00:00:00:00:09),"
	"set(ip.tos=0x04/0x0c),redirect(4294967295,egress) @map=a:00 @map=b:01\n"
	"prio 4294967295 ip4.src=0.0.0.0/0 ip6.src=::/0 l4.dport=0/0 -> drop\n",
};

START_TEST(test_round_trip_corpus)
{
	char err[256] = "";
	struct ir_ruleset *rs = ir_ruleset__parse_str(corpus[_i], err,
						      sizeof(err));
	char *out;

	ck_assert_msg(rs != NULL, "corpus %d: %s", _i, err);
	ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), 0);
	out = print_str(rs);
	ck_assert_str_eq(out, corpus[_i]);
	free(out);
	ir_ruleset__free(rs);
}
END_TEST

static const char *const samples[] = { "fw.ir", "vlan-v6.ir", "nat.ir" };

START_TEST(test_round_trip_samples)
{
	const char *src = getenv("FLOWLIFT_SRC");
	char path[4096], err[256] = "", *want = NULL, *out;
	size_t cap = 0;
	struct ir_ruleset *rs;
	FILE *f;

	ck_assert_msg(src != NULL, "FLOWLIFT_SRC not set");
	snprintf(path, sizeof(path), "%s/testsuite/unit/ir/%s", src,
		 samples[_i]);
	f = fopen(path, "r");
	ck_assert_msg(f != NULL, "%s: %s", path, strerror(errno));
	ck_assert_int_gt(getdelim(&want, &cap, '\0', f), 0);
	rewind(f);
	rs = ir_ruleset__parse(f, samples[_i], err, sizeof(err));
	fclose(f);
	ck_assert_msg(rs != NULL, "%s", err);
	ck_assert_uint_gt(ir_ruleset__count(rs), 0);
	ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), 0);
	out = print_str(rs);
	ck_assert_str_eq(out, want);
	free(out);
	free(want);
	ir_ruleset__free(rs);
}
END_TEST

/* Non-canonical input parses, and prints canonically. */
START_TEST(test_canonicalises)
{
	static const char in[] =
		"# flowlift-ir 1\n"
		"\n"
		"prio 5\tl4.dport=0x50   eth.type=2048 ip4.src=10.0.0.0/255.0.0.0 "
		"-> drop\r\n";
	static const char want[] =
		"# flowlift-ir 1\n"
		"# assume: none\n"
		"prio 5 eth.type=0x0800 ip4.src=10.0.0.0/8 l4.dport=80 -> drop\n";
	struct ir_ruleset *rs = ir_ruleset__parse_str(in, NULL, 0);
	char *out;

	ck_assert_ptr_nonnull(rs);
	out = print_str(rs);
	ck_assert_str_eq(out, want);
	free(out);
	ir_ruleset__free(rs);
}
END_TEST

#define H "# flowlift-ir 1\n"

static const struct {
	const char *text, *msg;
} bad[] = {
	{ "", "1:1: expected the header '# flowlift-ir 1'" },
	{ "prio 1 any -> drop\n", "1:1: expected the header '# flowlift-ir 1'" },
	{ "# flowlift-ir 2\n", "1:1: expected the header '# flowlift-ir 1'" },
	{ H "prio 1 ip.foo=1 -> drop\n", "2:8: unknown field 'ip.foo'" },
	{ H "prio 1 ip.proto=256 -> drop\n",
	  "2:17: value wider than field 'ip.proto' (8 bits)" },
	{ H "prio 1 vlan.id=4096 -> drop\n",
	  "2:16: value wider than field 'vlan.id' (12 bits)" },
	{ H "prio 1 ip4.src=10.0.0.1/8 -> drop\n",
	  "2:16: key has bits outside the mask for 'ip4.src'" },
	{ H "prio 1 ip4.src=10.0.0.0/33 -> drop\n",
	  "2:25: prefix length exceeds 32 bits of 'ip4.src'" },
	{ H "prio 1 ip.proto=6 ip.proto=17 -> drop\n",
	  "2:19: duplicate field 'ip.proto'" },
	{ H "prio 1 ip4.src=10.0.0.300 -> drop\n",
	  "2:16: bad value for field 'ip4.src'" },
	{ H "prio 1 eth.dst=02:00:00:00:00 -> drop\n",
	  "2:16: bad value for field 'eth.dst'" },
	{ H "prio 1 l4.dport=90-80 -> drop\n",
	  "2:17: empty range for 'l4.dport'" },
	{ H "prio 1 ip6.src=::1-::2 -> drop\n",
	  "2:16: ranges need a field of at most 64 bits; 'ip6.src' has 128" },
	{ H "prio 1 ip.proto=6 -> drop garbage\n", "2:27: unexpected 'garbage'" },
	{ H "prio 1 ip.proto=6 -> explode\n", "2:22: unknown verdict 'explode'" },
	{ H "prio 1 ip.proto=6\n", "2:18: expected '->' and an action" },
	{ H "prio 1 ip.proto=6 ->\n", "2:21: expected an action after '->'" },
	{ H "prio x any -> drop\n", "2:6: bad priority 'x' (0..4294967295)" },
	{ H "prio 4294967296 any -> drop\n",
	  "2:6: bad priority '4294967296' (0..4294967295)" },
	{ H "rule 1 any -> drop\n", "2:1: expected 'prio N'" },
	{ H "prio 1 -> drop\n", "2:8: no matches; write 'any'" },
	{ H "prio 1 any ip.proto=6 -> drop\n",
	  "2:12: 'any' cannot be combined with matches" },
	{ H "prio 1 ip.proto -> drop\n",
	  "2:8: expected 'field=value', got 'ip.proto'" },
	{ H "prio 1 any -> redirect(3,sideways)\n",
	  "2:26: redirect direction must be egress or ingress" },
	{ H "prio 1 any -> vlan_push(4096,0,0x8100),drop\n",
	  "2:25: bad vlan id (at most 4095)" },
	{ H "prio 1 any -> set(l4.dport=1-2),drop\n",
	  "2:19: set() takes a value, not a range" },
	{ H "prio 1 any -> vlan_pop,vlan_pop,vlan_pop,vlan_pop,vlan_pop,drop\n",
	  "2:51: more than 4 rewrites" },
	{ H "prio 1 any -> drop @path=1 @path=2\n", "2:28: duplicate @path" },
	{ H "prio 1 any -> drop @insns=5-3\n", "2:27: empty instruction range" },
	{ H "prio 1 any -> drop @insns=1,:3\n", "2:29: empty program name" },
	{ H "prio 1 any -> drop @insns=1,a-b:3\n", "2:29: bad program name" },
	{ H "prio 1 any -> drop @insns=1,tcp:x\n",
	  "2:33: bad instruction index" },
	{ H "prio 1 any -> drop @color=red\n", "2:20: unexpected '@color=red'" },
	{ H "# no colon here\n", "2:1: expected '# key: value'" },
	{ H "# assume: fast-path\n", "2:10: bad value for 'assume'" },
	{ H "# hook: tc-sideways\n", "2:8: bad value for 'hook'" },
};

START_TEST(test_parse_errors)
{
	char err[256] = "";
	struct ir_ruleset *rs;

	errno = 0;
	rs = ir_ruleset__parse_str(bad[_i].text, err, sizeof(err));
	ck_assert_msg(rs == NULL, "case %d parsed", _i);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_str_eq(err, bad[_i].msg);
}
END_TEST

START_TEST(test_parse_file_name)
{
	char err[256] = "";
	FILE *f = fmemopen((char *)H "prio 1 bogus=1 -> drop\n",
			   strlen(H "prio 1 bogus=1 -> drop\n"), "r");

	ck_assert_ptr_null(ir_ruleset__parse(f, "x.ir", err, sizeof(err)));
	ck_assert_str_eq(err, "x.ir:2:8: unknown field 'bogus'");
	fclose(f);
}
END_TEST

/* A 1 MB line: garbage is an error, provenance that long round trips. */
START_TEST(test_long_lines)
{
	const size_t n = 1 << 20;
	char *text = malloc(n + 64), *p, err[256] = "", *out;
	struct ir_ruleset *rs;

	strcpy(text, H "prio 1 ");
	p = text + strlen(text);
	memset(p, 'x', n);
	strcpy(p + n, " -> drop\n");
	ck_assert_ptr_null(ir_ruleset__parse_str(text, err, sizeof(err)));
	ck_assert_msg(strstr(err, "2:8: expected 'field=value', got 'xxx") ==
			      err, "%s", err);

	strcpy(text, H "prio 1 any -> drop");
	p = text + strlen(text);
	while ((size_t)(p - text) < n)
		p += sprintf(p, " @map=m:%08zx", (size_t)(p - text));
	strcpy(p, "\n");
	rs = ir_ruleset__parse_str(text, err, sizeof(err));
	ck_assert_msg(rs != NULL, "%s", err);
	ck_assert_uint_gt(ir_ruleset__rule_c(rs, 0)->prov.n_maprefs, 50000);
	out = print_str(rs);
	ck_assert_str_eq(strchr(out, 'p'), strchr(text, 'p'));
	free(out);
	ir_ruleset__free(rs);
	free(text);
}
END_TEST

START_TEST(test_snprint)
{
	struct ir_rule r;
	struct ir_match m;
	char buf[64];

	ir_rule__init(&r);
	ir_match__exact(&m, IR_F_L4_DPORT, 22);
	ck_assert_int_eq(ir_rule__and(&r, &m), 0);
	r.action.verdict = IR_ACT_DROP;
	ck_assert_int_eq(ir_rule__snprint(&r, buf, sizeof(buf), false), 26);
	ck_assert_str_eq(buf, "prio 0 l4.dport=22 -> drop");
	ck_assert_int_eq(ir_rule__snprint(&r, buf, 10, false), -ENOSPC);
	ck_assert_int_eq(ir_match__snprint(&m, buf, sizeof(buf)), 11);
	ck_assert_str_eq(buf, "l4.dport=22");
	ck_assert_int_eq(ir_action__snprint(&r.action, buf, sizeof(buf)), 4);
}
END_TEST

/* check(): each case breaks one invariant of a valid one-rule set. */
enum brk {
	BRK_ORDER, BRK_DUP, BRK_MASK_WIDTH, BRK_KEY_MASK, BRK_RANGE_EMPTY,
	BRK_RANGE_WIDE, BRK_RANGE_128, BRK_VERDICT, BRK_REDIRECT0,
	BRK_REWRITES, BRK_VLAN_PUSH, BRK_SET_FIELD, BRK_PRIO, BRK_INSNS,
	BRK_MAPREF, BRK_FIELD, BRK__COUNT,
};

static const char *const brk_msg[BRK__COUNT] = {
	[BRK_ORDER] = "rule 0: match on 'eth.type' out of canonical order",
	[BRK_DUP] = "rule 0: match on 'l4.dport' out of canonical order or repeated",
	[BRK_MASK_WIDTH] = "rule 0: 'vlan.id' mask wider than 12 bits",
	[BRK_KEY_MASK] = "rule 0: 'l4.dport' key has bits outside the mask",
	[BRK_RANGE_EMPTY] = "rule 0: 'l4.dport' range 9-8 is empty",
	[BRK_RANGE_WIDE] = "rule 0: 'vlan.id' range end 5000 exceeds the field",
	[BRK_RANGE_128] = "rule 0: range on 128-bit field 'ip6.src'",
	[BRK_VERDICT] = "rule 0: unknown verdict 9",
	[BRK_REDIRECT0] = "rule 0: redirect to ifindex 0",
	[BRK_REWRITES] = "rule 0: 5 rewrites (at most 4)",
	[BRK_VLAN_PUSH] = "rule 0: vlan_push(4096,0) out of range",
	[BRK_SET_FIELD] = "rule 0: 'ip.proto' key has bits outside the mask",
	[BRK_PRIO] = "rule 1: prio 1 after prio 2 (priorities must not decrease)",
	[BRK_INSNS] = "rule 0: insn range 7-3 is empty",
	[BRK_MAPREF] = "rule 0: map reference 0 is empty or has spaces",
	[BRK_FIELD] = "rule 0: unknown field 99",
};

START_TEST(test_check_rejects)
{
	struct ir_ruleset *rs = ir_ruleset__new();
	struct ir_rule r, *p;
	struct ir_match m;
	char err[256] = "";

	ir_rule__init(&r);
	r.prio = 2;
	ir_match__exact(&m, IR_F_ETH_TYPE, 0x0800);
	ck_assert_int_eq(ir_rule__and(&r, &m), 0);
	ir_match__exact(&m, IR_F_L4_DPORT, 80);
	ck_assert_int_eq(ir_rule__and(&r, &m), 0);
	r.action.verdict = IR_ACT_DROP;
	ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
	ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), 0);
	p = ir_ruleset__rule(rs, 0);
	switch (_i) {
	case BRK_ORDER:
		m = p->matches[0];
		p->matches[0] = p->matches[1];
		p->matches[1] = m;
		break;
	case BRK_DUP:
		p->matches[0] = p->matches[1];
		break;
	case BRK_MASK_WIDTH:
		ir_match__exact(&p->matches[0], IR_F_VLAN_ID, 1);
		p->matches[0].mask.b[0] = 0xff;
		break;
	case BRK_KEY_MASK:
		p->matches[1].mask.b[1] = 0x0f;
		break;
	case BRK_RANGE_EMPTY:
		ir_match__range(&p->matches[1], IR_F_L4_DPORT, 9, 8);
		break;
	case BRK_RANGE_WIDE:
		ir_match__range(&p->matches[0], IR_F_VLAN_ID, 1, 5000);
		break;
	case BRK_RANGE_128:
		ir_match__range(&p->matches[1], IR_F_IP6_SRC, 1, 2);
		break;
	case BRK_VERDICT:
		p->action.verdict = 9;
		break;
	case BRK_REDIRECT0:
		p->action.verdict = IR_ACT_REDIRECT;
		break;
	case BRK_REWRITES:
		p->action.n_rewrites = 5;
		break;
	case BRK_VLAN_PUSH:
		p->action.n_rewrites = 1;
		p->action.rewrites[0].kind = IR_RW_VLAN_PUSH;
		p->action.rewrites[0].vid = 4096;
		break;
	case BRK_SET_FIELD:
		p->action.n_rewrites = 1;
		p->action.rewrites[0].kind = IR_RW_SET_FIELD;
		p->action.rewrites[0].field = IR_F_IP_PROTO;
		p->action.rewrites[0].val.b[0] = 6;
		break;
	case BRK_PRIO:
		r.prio = 1;
		ck_assert_int_eq(ir_ruleset__add(rs, &r), 0);
		break;
	case BRK_INSNS:
		p->prov.n_ranges = 1;
		p->prov.ranges = malloc(sizeof(*p->prov.ranges));
		p->prov.ranges[0] = (struct ir_insn_range){ 7, 3, 0 };
		break;
	case BRK_MAPREF:
		p->prov.n_maprefs = 1;
		p->prov.maprefs = malloc(sizeof(char *));
		p->prov.maprefs[0] = strdup("two words");
		break;
	case BRK_FIELD:
		p->matches[1].field = 99;
		break;
	}
	ck_assert_int_eq(ir_ruleset__check(rs, err, sizeof(err)), -EINVAL);
	ck_assert_msg(!strncmp(err, brk_msg[_i], strlen(brk_msg[_i])),
		      "case %d: '%s'", _i, err);
	ir_ruleset__free(rs);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("ir_text");
	TCase *tc = tcase_create("core");

	tcase_add_loop_test(tc, test_round_trip_corpus, 0,
			    sizeof(corpus) / sizeof(corpus[0]));
	tcase_add_loop_test(tc, test_round_trip_samples, 0,
			    sizeof(samples) / sizeof(samples[0]));
	tcase_add_test(tc, test_canonicalises);
	tcase_add_loop_test(tc, test_parse_errors, 0,
			    sizeof(bad) / sizeof(bad[0]));
	tcase_add_test(tc, test_parse_file_name);
	tcase_add_test(tc, test_long_lines);
	tcase_add_test(tc, test_snprint);
	tcase_add_loop_test(tc, test_check_rejects, 0, BRK__COUNT);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return fl_check_run(suite());
}
